"""The verify flow's pure pieces: failures as findings, the summary."""

import types

import pytest

from karbor.common import exceptions
from karbor.protection import plugin_api
from karbor.protection.flows import operations as flows

RESOURCE = plugin_api.Resource('T', 'r1', 'one', None)


class Recording(plugin_api.Operation):

    def __init__(self, error=None):
        self.calls = []
        self.error = error

    def on_prepare_begin(self, checkpoint, resource, *args, **kwargs):
        self.calls.append('on_prepare_begin')
        if self.error is not None:
            raise self.error

    def on_main(self, checkpoint, resource, *args, **kwargs):
        self.calls.append('on_main')


def test_a_failed_check_is_recorded_and_the_rest_of_the_resource_skipped():
    inner = Recording(exceptions.BankObjectCorrupted(key='k', reason='r'))
    recorded = []
    failed = set()
    wrapped = flows.FindingsRecorded(
        inner, failed, lambda resource, reason: recorded.append(
            (resource.id, reason)))
    wrapped.on_prepare_begin(None, RESOURCE, None, {})
    wrapped.on_main(None, RESOURCE, None, {})
    assert inner.calls == ['on_prepare_begin']
    assert failed == {'T#r1'}
    ((resource_id, reason),) = recorded
    assert resource_id == 'r1'
    assert reason.startswith('verify of T r1: Bank object k is corrupted')


def test_a_lost_lease_still_stops_the_flow():
    inner = Recording(exceptions.OperationLeaseLost(operation_id='o'))
    wrapped = flows.FindingsRecorded(inner, set(), None)
    with pytest.raises(exceptions.OperationLeaseLost):
        wrapped.on_prepare_begin(None, RESOURCE, None, {})


@pytest.mark.parametrize('statuses, reasons, expected', [
    ({'a': 'available'}, {}, None),
    ({'a': 'error', 'b': 'available'}, {'a': 'bad a'}, 'bad a'),
    ({'a': 'error', 'b': 'error', 'c': 'available'},
     {'a': 'bad a', 'b': 'bad b'},
     '2 of 3 resources failed verification (see resources_reason); the '
     'first: bad a'),
])
def test_failure_summary(statuses, reasons, expected):
    row = types.SimpleNamespace(resources_status=statuses,
                                resources_reason=reasons)
    assert flows.failed_resources_reason(row) == expected
