"""The Python SDK against karbor-all: envelopes, links and errors."""

import time

import pytest

from karbor.client import Client
from karbor.client import exceptions
from karbor.client.v1 import plans as plan_module
from tests.functional.client.conftest import DIRECTORY_TYPE


@pytest.fixture
def sdk(embedded_server):
    return Client(endpoint=embedded_server.url, token=embedded_server.token,
                  project_id=embedded_server.project_id, retries=0)


@pytest.fixture
def new_plans(sdk, provider_id, directory):
    created = []

    def make(count, prefix):
        for index in range(count):
            created.append(sdk.plans.create(
                '%s%d' % (prefix, index), provider_id,
                [{'id': directory[0], 'type': DIRECTORY_TYPE,
                  'name': directory[1]}]))
        return created

    yield make
    for plan in created:
        try:
            sdk.plans.delete(plan.id)
        except exceptions.NotFound:
            pass


def test_pagination_follows_the_servers_next_links(sdk, new_plans):
    prefix = 'sdk-page-%d-' % time.monotonic_ns()
    created = new_plans(3, prefix)
    listed = list(sdk.plans.list(page_size=1, sort='name:asc'))
    ours = [p.id for p in listed if p.name.startswith(prefix)]
    assert ours == [p.id for p in created]
    assert all(isinstance(p, plan_module.Plan) for p in listed)
    # limit caps the total even though each page holds one plan.
    assert len(list(sdk.plans.list(page_size=1, limit=2))) == 2


def test_typed_errors_carry_the_envelope(sdk):
    with pytest.raises(exceptions.NotFound) as info:
        sdk.plans.get('6d2dc1e7-5fe5-4b0c-b5b2-5f0e5b0a3f11')
    error = info.value
    assert error.http_status == 404
    assert error.error_code
    assert error.request_id.startswith('req-')
    with pytest.raises(exceptions.BadRequest):
        list(sdk.plans.list(unknown_filter='x'))


def test_unauthenticated_is_unauthorized(embedded_server):
    client = Client(endpoint=embedded_server.url,
                    project_id=embedded_server.project_id)
    with pytest.raises(exceptions.Unauthorized):
        list(client.plans.list())


def test_endpoint_holding_the_project(embedded_server):
    client = Client(endpoint='%s/v1/%s' % (embedded_server.url,
                                           embedded_server.project_id),
                    token=embedded_server.token)
    assert any(p.id for p in client.providers.list())


def test_plan_update_and_find_by_name(sdk, new_plans):
    prefix = 'sdk-find-%d-' % time.monotonic_ns()
    (plan,) = new_plans(1, prefix)
    assert sdk.plans.find(plan.name).id == plan.id
    renamed = sdk.plans.update(plan.id, description='changed',
                               task_tag='sdk-tag-%d' % time.monotonic_ns())
    assert renamed.description == 'changed'
    started = sdk.plans.update(plan.id, status='started')
    assert started.status == 'started'


def test_protectables(sdk, directory):
    assert DIRECTORY_TYPE in sdk.protectables.list_types()
    assert sdk.protectables.get_type(DIRECTORY_TYPE).name == DIRECTORY_TYPE
    instance = sdk.protectables.get_instance(DIRECTORY_TYPE, directory[0])
    assert instance.name == directory[1]
    assert instance.dependent_resources == []


def test_services_as_admin(embedded_server):
    admin = Client(endpoint=embedded_server.url,
                   token=embedded_server.admin_token, project_id='admin')
    (service, *_rest) = list(admin.services.list())
    assert admin.services.disable(service.id, reason='r').status == 'disabled'
    assert admin.services.enable(service.id).status == 'enabled'


def test_checkpoint_and_restore_with_the_wait_helper(sdk, new_plans):
    import io

    from karbor.client import wait
    from karbor.client.v1 import checkpoints as checkpoint_module
    (plan,) = new_plans(1, 'sdk-cp-%d-' % time.monotonic_ns())
    provider_id = plan.provider_id
    created = sdk.checkpoints.create(provider_id, plan.id,
                                     extra_info={'by': 'sdk'})
    assert created.status == 'protecting'
    with pytest.raises(exceptions.Conflict) as info:
        sdk.checkpoints.create(provider_id, plan.id)
    assert info.value.error_code == 'protect_in_progress'
    done = wait.wait_for_status(
        lambda: sdk.checkpoints.get(provider_id, created.id),
        success=checkpoint_module.CREATE_SUCCESS,
        failure=checkpoint_module.CREATE_FAILURE, interval=0.2, timeout=60,
        stream=io.StringIO())
    assert done.extra_info == {'by': 'sdk'}
    assert done.graph[0]
    restore = sdk.restores.create(provider_id, created.id)
    restored = wait.wait_for_status(
        lambda: sdk.restores.get(restore.id), success=('success',),
        failure=('fail',), interval=0.2, timeout=60, stream=io.StringIO())
    assert restored.percent_done == 100
    assert sdk.checkpoints.delete(provider_id,
                                  created.id).status == 'deleting'
    assert wait.wait_for_status(
        lambda: sdk.checkpoints.get(provider_id, created.id),
        success=(), failure=('error-deleting',), gone_is_success=True,
        interval=0.2, timeout=60, stream=io.StringIO()) is None
