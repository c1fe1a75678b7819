"""The quota managers: paths, bodies, and the caller's project by default."""

import pytest

from karbor.client.v1 import quotas

QUOTA = {'id': 'demo', 'plans': 50, 'checkpoints': -1}


def test_own_project_by_default(fake_server, sdk):
    fake_server.add('GET', 'quotas/demo', body={'quota': QUOTA})
    fake_server.add('GET', 'quotas/other/detail', body={'quota': {
        'id': 'other', 'plans': {'limit': 5, 'in_use': 1, 'reserved': 0},
        'checkpoints': {'limit': -1, 'in_use': 0, 'reserved': 0}}})
    fake_server.add('GET', 'quotas/demo/defaults', body={'quota': QUOTA})
    shown = sdk.quotas.get()
    assert isinstance(shown, quotas.Quota)
    assert shown.to_dict() == QUOTA
    assert sdk.quotas.get('other', detail=True).plans['in_use'] == 1
    assert sdk.quotas.defaults().plans == 50


def test_update_sends_the_given_limits_only(fake_server, sdk):
    fake_server.add('PUT', 'quotas/p2', body={'quota': {
        'id': 'p2', 'plans': 7, 'checkpoints': -1}})
    fake_server.add('PUT', 'quota_classes/default', body={'quota_class': {
        'id': 'default', 'plans': 50, 'checkpoints': 9}})
    fake_server.add('DELETE', 'quotas/p2', 204)
    assert sdk.quotas.update('p2', plans=7).plans == 7
    assert fake_server.requests[0].json() == {'quota': {'plans': 7}}
    shown = sdk.quota_classes.update(checkpoints=9)
    assert isinstance(shown, quotas.QuotaClass)
    assert fake_server.requests[1].json() == {
        'quota_class': {'checkpoints': 9}}
    assert sdk.quotas.delete('p2') is None
    with pytest.raises(ValueError):
        sdk.quotas.update('p2')
