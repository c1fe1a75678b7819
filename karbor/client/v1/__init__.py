"""Managers and resource types of the Karbor v1 API, one module each."""
