"""Error envelopes -> typed exceptions with a one-line message."""

import pytest

from karbor.client import exceptions
from tests.unit.client.fake_karbor_server import error_body


class FakeResponse:
    def __init__(self, status, text='', headers=None, reason='Reason'):
        self.status_code = status
        self.text = text
        self.headers = headers or {}
        self.reason = reason


@pytest.mark.parametrize('status,fault,cls', [
    (400, 'badRequest', exceptions.BadRequest),
    (401, 'unauthorized', exceptions.Unauthorized),
    (403, 'forbidden', exceptions.Forbidden),
    (404, 'itemNotFound', exceptions.NotFound),
    (405, 'badMethod', exceptions.MethodNotAllowed),
    (406, 'notAcceptable', exceptions.NotAcceptable),
    (409, 'conflictingRequest', exceptions.Conflict),
    (413, 'overLimit', exceptions.RequestEntityTooLarge),
    (415, 'badMediaType', exceptions.UnsupportedMediaType),
    (424, 'computeFault', exceptions.FailedDependency),
    (418, 'computeFault', exceptions.ClientError),
    (500, 'computeFault', exceptions.ServerError),
    (503, 'serviceUnavailable', exceptions.ServiceUnavailable),
])
def test_status_maps_to_class(fake_server, sdk, status, fault, cls):
    fake_server.add('GET', 'plans/p1', status,
                    error_body(fault, status, 'It went wrong.', 'some_code'))
    with pytest.raises(cls) as info:
        sdk.plans.get('p1')
    error = info.value
    assert isinstance(error, exceptions.KarborError)
    assert error.http_status == status
    assert error.error_code == 'some_code'
    assert error.message == 'It went wrong.'
    assert error.request_id == 'req-test-1'
    assert error.method == 'GET'
    assert error.url.endswith('/v1/demo/plans/p1')


def test_str_is_one_line_with_status_and_request_id():
    body = ('{"itemNotFound": {"code": 404, "message": "Plan 123\\n could '
            'not be found.", "error_code": "plan_not_found"}}')
    error = exceptions.from_response(FakeResponse(
        404, body, {'x-openstack-request-id': 'req-abc'}))
    assert str(error) == ('Plan 123 could not be found. (HTTP 404) '
                          '(Request-ID: req-abc)')


def test_first_value_of_the_envelope_is_the_error_whatever_its_name():
    body = '{"someNewFault": {"message": "New kind.", "code": 400}}'
    error = exceptions.from_response(FakeResponse(400, body))
    assert isinstance(error, exceptions.BadRequest)
    assert error.message == 'New kind.'


def test_request_id_from_body_when_header_missing():
    body = '{"badRequest": {"message": "m", "request_id": "req-body"}}'
    error = exceptions.from_response(FakeResponse(400, body))
    assert error.request_id == 'req-body'


def test_legacy_compute_request_id_header():
    error = exceptions.from_response(FakeResponse(
        500, '', {'x-compute-request-id': 'req-old'}, reason='Oops'))
    assert error.request_id == 'req-old'
    assert error.message == 'Oops'


def test_flat_error_body():
    error = exceptions.from_response(
        FakeResponse(409, '{"code": 409, "message": "Flat."}'))
    assert isinstance(error, exceptions.Conflict)
    assert error.message == 'Flat.'


def test_html_body_gives_its_first_line():
    error = exceptions.from_response(FakeResponse(
        502, '<html>Bad gateway</html>\n<body>...</body>'))
    assert isinstance(error, exceptions.ServerError)
    assert str(error) == '<html>Bad gateway</html> (HTTP 502)'


def test_empty_body_uses_the_reason():
    error = exceptions.from_response(FakeResponse(404, '', reason='Not Found'))
    assert str(error) == 'Not Found (HTTP 404)'


def test_non_http_errors_have_no_status_in_str():
    assert str(exceptions.ConnectionFailure('down')) == 'down'
