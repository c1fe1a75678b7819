"""Python SDK and CLI of Karbor.

    from karbor.client import Client
    client = Client(endpoint='http://127.0.0.1:8799', token='demo:demo',
                    project_id='demo')
    for plan in client.plans.list(status='started'):
        print(plan.id, plan.name)
"""

from karbor.client.client import Client
from karbor.client.exceptions import KarborError

__all__ = ['Client', 'KarborError']
