"""Checkpoint extra-info: key rules, bounds, read-only, filtering."""

import json

from oslo_config import cfg
import pytest

from karbor.protection import checkpoint_store
from tests.functional.api.test_checkpoints import CHECKPOINTS
from tests.functional.api.test_checkpoints import bank
from tests.functional.api.test_checkpoints import protect
from tests.functional.api.test_checkpoints import protected
from tests.functional.api.test_plans import create as create_plan
from tests.functional.conftest import count_rows

CONF = cfg.CONF


@pytest.fixture
def plan(api, directory):
    return create_plan(api.user, directory)['plan']


def refused(api, plan, extra_info, key='extra-info', client=None,
            status=400):
    body = {'checkpoint': {'plan_id': plan['id'], key: extra_info}}
    error = (client or api.user).post(CHECKPOINTS, body, status=status).json
    assert count_rows('checkpoints') == 0
    assert count_rows('operation_logs') == 0
    assert count_rows('checkpoint_extra_info') == 0
    return next(iter(error.values()))


def test_both_spellings_are_kept_and_shown(api, plan, directory):
    first = protected(api.user, plan['id'],
                      **{'extra-info': {'reason': 'before upgrade'}})
    assert first['extra_info'] == {'reason': 'before upgrade'}
    second = protected(api.user, plan['id'],
                       extra_info={'x-ci--build': '42'})
    assert second['extra_info'] == {'x-ci--build': '42'}
    # python-karborclient sends null when there is none.
    third = protected(api.user, plan['id'], **{'extra-info': None})
    assert third['extra_info'] == {}
    listed = {c['id']: c['extra_info'] for c in
              api.user.get(CHECKPOINTS).json['checkpoints']}
    assert listed[first['id']] == {'reason': 'before upgrade'}
    # The bank holds it too (self-describing checkpoints).
    assert checkpoint_store.read_metadata(bank(), second['id'])[
        'extra_info'] == {'x-ci--build': '42'}
    # And no API path changes it.
    api.user.put('%s/%s' % (CHECKPOINTS, first['id']),
                  {'checkpoint': {'extra_info': {'reason': 'x'}}},
                  status=400)


@pytest.mark.parametrize('extra_info, fragment', [
    ({'k': None}, "key 'k' has no value"),
    ({'k': 5}, 'is a number; values are strings'),
    ({'k': True}, 'is a boolean'),
    ({'k': ['a']}, 'is a list'),
    ({'k': {'nested': 'no'}}, 'is a object; values'),
    ({'karbor-colour': 'red'}, '"karbor-" keys are reserved'),
    ({'KARBOR-created-by': 'me'}, '"karbor-" keys are reserved'),
    ({'x-ci': 'no application separator'}, 'x-<application>--<key-name>'),
    ({'has space': 'v'}, 'keys are letters, digits'),
    ({'-leading': 'v'}, 'starting with a letter or a digit'),
    ({'k:v': 'v'}, 'keys are letters, digits'),
    ({'': 'v'}, 'keys are letters'),
    ('a string', "is not of type 'object'"),
])
def test_key_and_value_rules(api, plan, extra_info, fragment):
    error = refused(api, plan, extra_info)
    assert error['error_code'] in ('invalid_extra_info', 'invalid_input')
    assert fragment in error['message']


def test_both_spellings_at_once(api, plan):
    body = {'checkpoint': {'plan_id': plan['id'], 'extra-info': {},
                           'extra_info': {}}}
    error = api.user.post(CHECKPOINTS, body, status=400).json['badRequest']
    assert 'not both' in error['message']
    assert count_rows('checkpoints') == 0


@pytest.mark.parametrize('option, value, extra_info, fragment', [
    ('max_entries', 2, {'a': '1', 'b': '2', 'c': '3'}, 'max_entries (2)'),
    ('max_key_length', 8, {'abcdefghi': 'v'}, 'max_key_length (8)'),
    ('max_value_length', 3, {'k': 'four'}, 'max_value_length (3)'),
    ('max_total_bytes', 256, {'k%d' % i: 'v' * 20 for i in range(12)},
     'max_total_bytes (256)'),
])
def test_configurable_bounds(api, plan, option, value, extra_info,
                             fragment):
    CONF.set_override(option, value, group='checkpoint_extra_info')
    try:
        error = refused(api, plan, extra_info)
        assert fragment in error['message']
    finally:
        CONF.clear_override(option, group='checkpoint_extra_info')


def test_official_keys_are_for_karbor_and_admins(api, plan):
    official = {'karbor-created-by': 'operation-engine',
                'karbor-scheduled-operation-id': 'so-1'}
    error = refused(api, plan, official, status=403)
    assert 'set_official_extra_info' in error['message']
    admin = api.client('admin:demo', 'demo')
    checkpoint = protected(admin, plan['id'], **{'extra-info': official})
    assert checkpoint['extra_info'] == official
    logs = api.user.get('/operation_logs').json['operation_logs']
    assert logs[0]['scheduled_operation_id'] == 'so-1'


def test_filtering_by_extra_info(api, plan, directory):
    other_plan = create_plan(api.user, directory, name='other')['plan']
    nightly = protected(api.user, plan['id'],
                        **{'extra-info': {'x-ci--job': 'nightly',
                                          'reason': 'cron'}})
    manual = protected(api.user, plan['id'],
                       **{'extra-info': {'x-ci--job': 'manual'}})
    long_value = 'v' * 900
    long_one = protected(api.user, other_plan['id'],
                         **{'extra-info': {'x-ci--job': 'nightly',
                                           'note': long_value}})

    def ids(query):
        return [c['id'] for c in api.user.get(
            CHECKPOINTS + '?' + query).json['checkpoints']]

    assert ids('extra_info=x-ci--job:nightly') == [long_one['id'],
                                                   nightly['id']]
    assert ids('extra_info=x-ci--job:nightly&extra_info=reason:cron') == [
        nightly['id']]
    assert ids('extra_info=x-ci--job:manual') == [manual['id']]
    assert ids('extra_info=note:' + long_value) == [long_one['id']]
    assert ids('extra_info=x-ci--job:nightly&plan_id=%s' % plan['id']) == [
        nightly['id']]
    assert ids('extra_info=x-ci--job:') == []
    assert ids('extra_info=missing:x') == []
    for bad in ('extra_info=nocolon', 'extra_info=:v',
                'extra_info=bad%20key:v'):
        error = api.user.get(CHECKPOINTS + '?' + bad, status=400).json
        assert error['badRequest']['error_code'] == 'invalid_query_parameter'
    # Other projects' checkpoints never match.
    assert [c['id'] for c in api.other.get(
        CHECKPOINTS + '?extra_info=x-ci--job:nightly').json[
        'checkpoints']] == []
    assert json.loads(json.dumps(nightly['extra_info'])) == {
        'x-ci--job': 'nightly', 'reason': 'cron'}


def test_filtered_lists_page_in_order(any_api, directory):
    plan = create_plan(any_api.user, directory)['plan']
    tagged = [protected(any_api.user, plan['id'],
                        **{'extra-info': {'x-ci--job': 'nightly',
                                          'x-ci--run': str(i)}})
              for i in range(3)]
    protected(any_api.user, plan['id'], **{'extra-info': {
        'x-ci--job': 'manual'}})
    newest_first = [c['id'] for c in reversed(tagged)]

    def walk(query):
        seen, url = [], CHECKPOINTS + '?limit=1&' + query
        while url:
            body = any_api.user.get(url, raw_url=url.startswith(
                'http')).json
            seen.extend(c['id'] for c in body['checkpoints'])
            links = body.get('checkpoints_links')
            url = links[0]['href'] if links else None
        return seen

    assert walk('extra_info=x-ci--job:nightly') == newest_first
    # Two pairs: whichever drives, the same checkpoints in the same order.
    assert walk('extra_info=x-ci--job:nightly&extra_info=x-ci--run:1') == [
        tagged[1]['id']]
    assert walk('extra_info=x-ci--run:1&extra_info=x-ci--job:nightly') == [
        tagged[1]['id']]
    assert walk('extra_info=x-ci--job:nightly&sort=created_at:asc') == \
        list(reversed(newest_first))


def test_refused_when_the_plan_is_busy_leaves_no_extra_info(api,
                                                            directory):
    from tests.functional.api.test_checkpoints import slow_plan
    plan = slow_plan(api, directory, seconds=1)
    protect(api.user, plan['id'], **{'extra-info': {'a': 'b'}})
    protect(api.user, plan['id'], status=409, **{'extra-info': {'c': 'd'}})
    assert count_rows('checkpoint_extra_info') == 1
