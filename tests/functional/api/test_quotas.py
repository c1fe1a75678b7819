"""Quotas through the real WSGI app: limits, usage counted from live rows,
and the 413 overLimit answer of a create over quota."""

import pytest

from tests.functional.api import test_copies as copies
from tests.functional.api.test_checkpoints import CHECKPOINTS
from tests.functional.api.test_checkpoints import protect
from tests.functional.api.test_checkpoints import protected
from tests.functional.api.test_checkpoints import wait_for
from tests.functional.api.test_plans import create as create_plan
from tests.functional.conftest import NOOP_PROVIDER_ID


def set_quota(api, project='demo', **limits):
    return api.admin.put('/quotas/%s' % project, {'quota': limits},
                         status=200).json['quota']


def detail(client, project='demo'):
    return client.get('/quotas/%s/detail' % project, status=200).json[
        'quota']


def over_limit(response, message):
    error = response.json['overLimit']
    assert error['code'] == 413
    assert error['error_code'] == 'quota_exceeded'
    assert error['message'].startswith(message), error['message']
    return error


def test_defaults_come_from_the_options(api):
    expected = {'id': 'demo', 'plans': 50, 'checkpoints': -1}
    assert api.user.get('/quotas/demo', status=200).json['quota'] == \
        expected
    assert api.user.get('/quotas/demo/defaults', status=200).json[
        'quota'] == expected
    assert detail(api.user) == {
        'id': 'demo',
        'plans': {'limit': 50, 'in_use': 0, 'reserved': 0},
        'checkpoints': {'limit': -1, 'in_use': 0, 'reserved': 0}}
    assert api.user.get('/quota_classes/default', status=200).json == {
        'quota_class': {'id': 'default', 'plans': 50, 'checkpoints': -1}}


def test_update_show_detail_delete(any_api):
    # Digit strings too: CLIs send what was typed.
    updated = any_api.admin.put('/quotas/demo', {
        'quota': {'plans': 7, 'checkpoints': '3'}}, status=200).json
    assert updated == {'quota': {'id': 'demo', 'plans': 7,
                                 'checkpoints': 3}}
    assert any_api.user.get('/quotas/demo').json['quota'] == \
        updated['quota']
    assert detail(any_api.user)['checkpoints'] == {
        'limit': 3, 'in_use': 0, 'reserved': 0}
    # One key at a time keeps the other.
    set_quota(any_api, checkpoints=-1)
    assert any_api.user.get('/quotas/demo').json['quota']['plans'] == 7

    # The default class sets the limits of projects without their own.
    shown = any_api.admin.put('/quota_classes/default', {
        'quota_class': {'plans': 9}}, status=200).json
    assert shown == {'quota_class': {'id': 'default', 'plans': 9,
                                     'checkpoints': -1}}
    assert any_api.user.get('/quotas/demo/defaults').json['quota'][
        'plans'] == 9
    assert any_api.user.get('/quotas/demo').json['quota']['plans'] == 7
    assert any_api.other.get('/quotas/other').json['quota']['plans'] == 9

    any_api.admin.delete('/quotas/demo', status=204)
    assert any_api.user.get('/quotas/demo').json['quota'] == {
        'id': 'demo', 'plans': 9, 'checkpoints': -1}
    # Another class is shown with the options for what it does not set.
    assert any_api.user.get('/quota_classes/gold').json['quota_class'] == {
        'id': 'gold', 'plans': 50, 'checkpoints': -1}


def test_plan_create_over_quota(any_api, directory):
    set_quota(any_api, plans=2)
    first = create_plan(any_api.user, directory)['plan']
    create_plan(any_api.user, directory)
    refused = any_api.user.post('/plans', {'plan': {
        'name': 'third', 'provider_id': first['provider_id'],
        'resources': first['resources']}}, status=413)
    over_limit(refused, 'Quota exceeded for plans: limit 2, in use 2, '
                        'requested 1')
    assert detail(any_api.user)['plans']['in_use'] == 2
    assert len(any_api.user.get('/plans').json['plans']) == 2
    # Other projects have their own usage.
    create_plan(any_api.other, directory)

    # A deleted plan is released at once.
    any_api.user.delete('/plans/%s' % first['id'], status=204)
    create_plan(any_api.user, directory)

    # A limit below the usage is allowed: it only refuses new creates.
    assert set_quota(any_api, plans=1)['plans'] == 1
    assert detail(any_api.user)['plans'] == {'limit': 1, 'in_use': 2,
                                             'reserved': 0}
    over_limit(any_api.user.post('/plans', {'plan': {
        'name': 'x', 'provider_id': first['provider_id'],
        'resources': first['resources']}}, status=413),
        'Quota exceeded for plans: limit 1, in use 2, requested 1')
    set_quota(any_api, plans=-1)
    create_plan(any_api.user, directory)


def test_a_limit_set_by_another_process_applies_within_the_window(
        api, directory, monkeypatch):
    import sqlalchemy as sa

    from karbor.db import models
    from karbor.db import quotas as db_quotas
    from karbor.db import session as db_session
    clock = [1000.0]
    monkeypatch.setattr(db_quotas.time, 'monotonic', lambda: clock[0])
    set_quota(api, plans=-1)
    create_plan(api.user, directory, name='first')   # "no limit" remembered
    # Another API process sets a limit of 1: this one has not seen it.
    with db_session.get_engine().begin() as connection:
        connection.execute(sa.update(models.Quota).where(
            models.Quota.project_id == 'demo',
            models.Quota.resource == 'plans').values(hard_limit=1))
    create_plan(api.user, directory, name='second')
    clock[0] += 5   # [quota] unlimited_recheck_seconds
    over_limit(api.user.post('/plans', {'plan': {
        'name': 'third', 'provider_id': NOOP_PROVIDER_ID,
        'resources': [{'id': directory[0], 'type': 'OS::Karbor::Directory',
                       'name': directory[1]}]}}, status=413),
        'Quota exceeded for plans: limit 1, in use 2, requested 1')


def test_checkpoint_released_only_when_its_delete_completes(api,
                                                            directory):
    # Protect and delete each take a second.
    plan = create_plan(api.user, directory, parameters={
        'OS::Karbor::Directory': {'delay_seconds': 1}})['plan']
    set_quota(api, checkpoints=1)
    first = protected(api.user, plan['id'])
    assert first['status'] == 'available'
    over_limit(api.user.post(CHECKPOINTS, {'checkpoint': {
        'plan_id': plan['id']}}, status=413),
        'Quota exceeded for checkpoints: limit 1, in use 1, requested 1')

    path = '%s/%s' % (CHECKPOINTS, first['id'])
    assert api.user.delete(path, status=202).json['checkpoint'][
        'status'] == 'deleting'
    # Still in the bank while it is being deleted.
    assert detail(api.user)['checkpoints']['in_use'] == 1
    api.user.post(CHECKPOINTS, {'checkpoint': {'plan_id': plan['id']}},
                  status=413)
    # (A deleted checkpoint is not shown: None once it is.)
    assert wait_for(api.user, path, 'checkpoint',
                    statuses=('deleted',)) is None
    assert detail(api.user)['checkpoints']['in_use'] == 0
    assert protected(api.user, plan['id'])['status'] == 'available'


def test_errored_checkpoints_count_until_deleted(api, directory):
    plan = create_plan(api.user, directory, parameters={
        'OS::Karbor::Directory': {'fail_with': 'disk full'}})['plan']
    errored = protected(api.user, plan['id'])
    assert errored['status'] == 'error'
    assert detail(api.user)['checkpoints'] == {'limit': -1, 'in_use': 1,
                                               'reserved': 0}
    set_quota(api, checkpoints=1)
    over_limit(api.user.post(CHECKPOINTS, {'checkpoint': {
        'plan_id': plan['id']}}, status=413),
        'Quota exceeded for checkpoints: limit 1, in use 1')
    path = '%s/%s' % (CHECKPOINTS, errored['id'])
    api.user.delete(path, status=202)
    wait_for(api.user, path, 'checkpoint', statuses=('deleted',))
    assert detail(api.user)['checkpoints']['in_use'] == 0
    protect(api.user, plan['id'], status=202)


def test_copies_count_every_copy_checkpoint(api, directory, tmp_path,
                                            extra_providers):
    extra_providers(tmp_path, copies.provider_text(tmp_path))
    plan = copies.make_plan(api.user, [copies.directory_resource(directory)])
    copies.protected(api.user, plan['id'])
    copies.protected(api.user, plan['id'])
    set_quota(api, checkpoints=3)
    refused = api.user.post(copies.action_url(), {'copy': {
        'plan_id': plan['id'], 'destination': 'dr'}}, status=413)
    over_limit(refused, 'Quota exceeded for checkpoints: limit 3, in use 2, '
                        'requested 2')
    assert api.user.get('/copies').json['copies'] == []
    set_quota(api, checkpoints=4)
    done = copies.copied(api.user, plan_id=plan['id'], destination='dr')
    assert done['status'] == 'finished'
    assert detail(api.user)['checkpoints']['in_use'] == 4


def test_policy(api):
    for path in ('/quotas/other', '/quotas/other/detail',
                 '/quotas/other/defaults'):
        error = api.user.get(path, status=403).json['forbidden']
        assert error['error_code'] == 'policy_not_authorized'
    api.user.put('/quotas/demo', {'quota': {'plans': 1}}, status=403)
    api.user.delete('/quotas/demo', status=403)
    api.user.put('/quota_classes/default', {'quota_class': {'plans': 1}},
                 status=403)
    assert api.user.get('/quotas/demo').json['quota']['plans'] == 50
    # Admins read and set any project's.
    api.admin.get('/quotas/demo/detail', status=200)
    set_quota(api, project='other', plans=3)
    assert api.other.get('/quotas/other').json['quota']['plans'] == 3


@pytest.mark.parametrize('body, message', [
    ({'quota': {'plans': 5, 'volumes': 1}}, "'volumes' was unexpected"),
    ({'quota': {'plans': -2}}, 'quota/plans must be an integer from -1'),
    ({'quota': {'plans': 'ten'}}, "not 'ten'"),
    ({'quota': {'plans': True}}, 'quota/plans must be an integer'),
    ({'quota': {'plans': 1.5}}, 'quota/plans must be an integer'),
    ({'quota': {'plans': 2 ** 31}}, 'to 2147483647'),
    ({'quota': {'plans': '9' * 5000}}, 'quota/plans must be an integer'),
    ({'quota': {}}, 'should be non-empty'),
    ({'plans': 5}, "'quota' is a required property"),
    ('not json', 'not valid JSON'),
])
def test_bad_input(api, body, message):
    error = api.admin.put('/quotas/demo', body, status=400).json[
        'badRequest']
    assert message in error['message'], error['message']
    assert api.user.get('/quotas/demo').json['quota']['plans'] == 50


def test_bad_requests_are_400_or_404(api):
    api.admin.put('/quota_classes/default', {'quota': {'plans': 1}},
                  status=400)
    api.admin.put('/quota_classes/%s' % ('x' * 256),
                  {'quota_class': {'plans': 1}}, status=400)
    api.user.get('/quotas/demo?detail=1', status=400)
    api.user.get('/quotas/detail', status=404)
    api.user.get('/quotas/demo/usage', status=404)


def test_check_creates_a_missing_lock_row(any_database):
    # A caller that did not prepare(): the row is made in a savepoint, and
    # the check still counts and refuses.
    from karbor.common import exceptions
    from karbor.db import quotas as db_quotas
    from karbor.db import session as db_session
    from tests.functional.conftest import count_rows
    db_quotas.project_update(None, 'p', {'plans': 0})
    with pytest.raises(exceptions.QuotaExceeded) as raised:
        with db_session.writer() as session:
            db_quotas.check(session, 'p', db_quotas.PLANS)
    assert str(raised.value).startswith(
        'Quota exceeded for plans: limit 0, in use 0, requested 1.')
    with db_session.writer() as session:
        db_quotas.check(session, 'p', db_quotas.CHECKPOINTS)
    assert count_rows('quota_usages') == 1
    assert db_quotas.prepare('p', db_quotas.PLANS) is True
    assert db_quotas.prepare('p', db_quotas.CHECKPOINTS) is False
    assert count_rows('quota_usages') == 2
