"""OpenStack client (python-openstackclient) plugin of Karbor."""
