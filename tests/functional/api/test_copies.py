"""Checkpoint copies through the API: a plan's checkpoints copied from the
provider's main bank to a copy destination, and restored from there."""

import json
import os
import shutil
import time

import pytest

from karbor.protection import checkpoint_store
from karbor.protection import plugin_api
from karbor.protection import providers
from tests.functional.api.test_checkpoints import wait_for
from tests.functional.conftest import NOOP_PROVIDER_ID
from tests.functional.conftest import count_rows

COPY_PROVIDER_ID = '5d2c1f0e-3b4a-4c6d-9e8f-7a6b5c4d3e2f'
DIRECTORY_TYPE = 'OS::Karbor::Directory'
COPY_TERMINAL = ('finished', 'error')


def provider_text(tmp_path, plugins=('noop',), destination_bank=None):
    """A provider with a file-system main bank and destinations dr (a
    file-system bank, or ``destination_bank`` text) and dr2."""
    text = ('[provider]\nname = Copies\nid = %s\n' % COPY_PROVIDER_ID +
            ''.join('plugin = %s\n' % p for p in plugins) +
            'bank = filesystem\ncopy_destinations = dr, dr2\n'
            '[filesystem_bank]\npath = %s/main\n'
            '[destination:dr]\n' % tmp_path)
    text += destination_bank or (
        'bank = filesystem\ndescription = DR site\nregion = r2\n'
        '[destination:dr:filesystem_bank]\npath = %s/dr\n' % tmp_path)
    text += ('[destination:dr2]\nbank = filesystem\n'
             '[destination:dr2:filesystem_bank]\npath = %s/dr2\n' % tmp_path)
    return text


def checkpoints_url(provider_id=COPY_PROVIDER_ID):
    return '/providers/%s/checkpoints' % provider_id


def action_url(provider_id=COPY_PROVIDER_ID):
    return checkpoints_url(provider_id) + '/action'


def make_plan(client, resources, parameters=None,
              provider_id=COPY_PROVIDER_ID):
    body = {'plan': {'name': 'copied', 'provider_id': provider_id,
                     'resources': resources,
                     'parameters': parameters or {}}}
    return client.post('/plans', body, status=201).json['plan']


def directory_resource(directory):
    return {'id': directory[0], 'name': directory[1], 'type': DIRECTORY_TYPE}


def protected(client, plan_id, provider_id=COPY_PROVIDER_ID):
    accepted = client.post(checkpoints_url(provider_id), {
        'checkpoint': {'plan_id': plan_id}}, status=202).json['checkpoint']
    done = wait_for(client, '%s/%s' % (checkpoints_url(provider_id),
                                       accepted['id']), 'checkpoint')
    assert done['status'] == 'available', done
    return done


def start_copy(client, status=202, provider_id=COPY_PROVIDER_ID, **item):
    return client.post(action_url(provider_id), {'copy': item},
                       status=status).json


def wait_copy(client, copy_id, timeout=60):
    return wait_for(client, '/copies/%s' % copy_id, 'copy',
                    statuses=COPY_TERMINAL, timeout=timeout)


def copied(client, **item):
    accepted = start_copy(client, **item)['copy']
    return wait_copy(client, accepted['id'])


def registry_provider():
    return providers.registry().get(COPY_PROVIDER_ID)


@pytest.fixture
def noop_provider(api, tmp_path, extra_providers):
    extra_providers(tmp_path, provider_text(tmp_path))
    return tmp_path


@pytest.fixture
def two_checkpoints(api, noop_provider, directory):
    plan = make_plan(api.user, [directory_resource(directory)])
    first = protected(api.user, plan['id'])
    second = protected(api.user, plan['id'])
    return plan, [first, second], directory[0]


def test_copy_a_plan_then_nothing_left_to_copy(api, two_checkpoints):
    plan, sources, resource_id = two_checkpoints
    accepted = start_copy(api.user, plan_id=plan['id'])['copy']
    assert accepted['status'] == 'in_progress'
    assert accepted['destination'] == 'dr'     # the provider's first
    assert accepted['plan_id'] == plan['id']
    assert accepted['provider_id'] == COPY_PROVIDER_ID
    assert accepted['parameters'] == {}
    assert sorted(p['source_checkpoint_id'] for p in accepted['checkpoints']
                  ) == sorted(c['id'] for c in sources)
    assert {p['status'] for p in accepted['checkpoints']} == {'wait_copying'}
    done = wait_copy(api.user, accepted['id'])
    assert done['status'] == 'finished', done
    assert done['error_info'] is None
    assert done['finished_at'] >= done['created_at']
    assert {p['status'] for p in done['checkpoints']} == {'finished'}
    assert done['progress']['items_done'] == done['progress']['items_total']
    dr = registry_provider().bank_of('dr')
    for pair in done['checkpoints']:
        copy = api.user.get('%s/%s' % (checkpoints_url(),
                                       pair['copy_checkpoint_id'])).json[
            'checkpoint']
        assert copy['status'] == 'available'
        assert copy['destination'] == 'dr'
        assert copy['copied_from'] == pair['source_checkpoint_id']
        assert copy['extra_info'] == {
            'karbor-copied-from': pair['source_checkpoint_id']}
        # Self-describing in the destination bank.
        metadata = checkpoint_store.read_metadata(dr, copy['id'])
        assert metadata['status'] == 'available'
        assert metadata['copied_from'] == pair['source_checkpoint_id']
        assert metadata['destination'] == 'dr'
        resource = plugin_api.Resource(DIRECTORY_TYPE, resource_id, '', None)
        section = checkpoint_store.BankSection(
            dr, checkpoint_store.resource_prefix(copy['id'], resource))
        assert sorted(section.iter_keys()) == ['manifest.json',
                                               'noop-marker.json']
    # A copy verifies against its destination's bank.
    verification = api.user.post('/verifications', {'verification': {
        'provider_id': COPY_PROVIDER_ID, 'checkpoint_id': done['checkpoints'][
            0]['copy_checkpoint_id']}}, status=202).json['verification']
    assert wait_for(api.user, '/verifications/%s' % verification['id'],
                    'verification')['status'] == 'success'
    # The sources are untouched and still in the main bank.
    for source in sources:
        shown = api.user.get('%s/%s' % (checkpoints_url(), source['id'])
                             ).json['checkpoint']
        assert shown['status'] == 'available'
        assert shown['destination'] is None
        assert shown['copied_from'] is None
    logs = api.user.get('/operation_logs?copy_id=%s' % done['id']).json[
        'operation_logs']
    assert sorted((log['operation_type'], log['status'],
                   log['extra_info']['source_checkpoint_id'])
                  for log in logs) == sorted(
        ('copy', 'success', c['id']) for c in sources)
    assert {log['checkpoint_id'] for log in logs} == {
        p['copy_checkpoint_id'] for p in done['checkpoints']}

    # Copying again copies nothing.
    checkpoints, log_count = count_rows('checkpoints'), count_rows(
        'operation_logs')
    again = start_copy(api.user, plan_id=plan['id'])['copy']
    assert again['status'] == 'finished'
    assert again['checkpoints'] == []
    assert again['finished_at'] is not None
    assert count_rows('checkpoints') == checkpoints
    assert count_rows('operation_logs') == log_count
    # ... to dr; dr2 has none of them yet.
    other = copied(api.user, plan_id=plan['id'], destination='dr2')
    assert other['status'] == 'finished'
    assert len(other['checkpoints']) == 2

    # Filters of the checkpoint list.
    listed = api.user.get(checkpoints_url() + '?destination=dr').json[
        'checkpoints']
    assert {c['id'] for c in listed} == {
        p['copy_checkpoint_id'] for p in done['checkpoints']}
    main = api.user.get(checkpoints_url() + '?destination=main').json[
        'checkpoints']
    assert {c['id'] for c in main} == {c['id'] for c in sources}
    of_first = api.user.get(checkpoints_url() + '?copied_from=%s'
                            % sources[0]['id']).json['checkpoints']
    assert {c['destination'] for c in of_first} == {'dr', 'dr2'}


# -- end to end: directory + PostgreSQL, restored from the copy -------------

@pytest.fixture(params=['filesystem', 's3'])
def destination_bank(request):
    """How the dr destination is stored: a second directory, or S3."""
    if request.param == 'filesystem':
        return None
    from tests import s3server
    server = request.getfixturevalue('s3_server')
    return ('bank = s3\n[destination:dr:s3_bank]\nendpoint_url = %s\n'
            'bucket = %s\naccess_key = %s\nsecret_key = %s\n'
            'part_size = 5242880\n' % (server.url, server.new_bucket(),
                                       s3server.ACCESS_KEY,
                                       s3server.SECRET_KEY))


def test_restore_from_the_copy_when_the_main_bank_is_gone(
        api, tmp_path, extra_providers, directory, data_root,
        destination_bank):
    from tests.functional.api import test_databases as dbt
    from tests.functional.api.test_directory_protection import make_tree
    from tests.functional.api.test_directory_protection import snapshot
    engine = dbt.ENGINES['postgresql']
    dbt.services.require('postgresql', engine.server.host,
                         engine.server.port)
    dbt.configure(engine, [engine.url])
    made = []
    try:
        extra_providers(tmp_path, provider_text(
            tmp_path, plugins=('directory', 'postgresql'),
            destination_bank=destination_bank))
        tree = os.path.join(data_root, directory[1])
        make_tree(tree)
        name = 'karbor_copy_%s' % os.urandom(5).hex()
        made.append(name)
        engine.execute(['CREATE DATABASE %s' % engine.quote(name)])
        dbt.FILL['postgresql'](engine, name)
        instance = dbt.instance_of(api, engine, name)
        plan = make_plan(api.user, [
            directory_resource(directory),
            {'id': instance['id'], 'name': name,
             'type': engine.resource_type}])
        source = protected(api.user, plan['id'])
        done = copied(api.user, plan_id=plan['id'], destination='dr')
        assert done['status'] == 'finished', done
        [pair] = done['checkpoints']
        assert pair['source_checkpoint_id'] == source['id']
        assert done['progress']['bytes_done'] == \
            done['progress']['bytes_total'] > 3 * 1024 * 1024

        # The main bank is lost; the copy is all there is.
        shutil.rmtree(tmp_path / 'main')
        target = os.path.join(data_root, 'from-copy-%s' % source['id'][:8])
        target_db = name + '_copy'
        made.append(target_db)
        restore = api.user.post('/restores', {'restore': {
            'provider_id': COPY_PROVIDER_ID,
            'checkpoint_id': pair['copy_checkpoint_id'],
            'parameters': {
                DIRECTORY_TYPE: {'target_path': target},
                engine.resource_type: {'target_database': target_db}}}},
            status=202).json['restore']
        restore = wait_for(api.user, '/restores/%s' % restore['id'],
                           'restore', timeout=60)
        assert restore['status'] == 'success', restore
        assert snapshot(target) == snapshot(tree)
        assert engine.dump_text(target_db) == engine.dump_text(name)
        # And the restore from the source now fails: its bank is gone.
        failed = api.user.post('/restores', {'restore': {
            'provider_id': COPY_PROVIDER_ID,
            'checkpoint_id': source['id'],
            'parameters': {DIRECTORY_TYPE: {
                'target_path': target + '-src'}}}},
            status=202).json['restore']
        failed = wait_for(api.user, '/restores/%s' % failed['id'],
                          'restore')
        assert failed['status'] == 'fail'
    finally:
        for database in made:
            engine.drop(database)
        dbt.CONF.clear_override('servers', group=engine.group)
        dbt.protectable_registry.reset()


# -- failures ----------------------------------------------------------------

def marker_path(root, checkpoint_id, resource_id):
    resource = plugin_api.Resource(DIRECTORY_TYPE, resource_id, '', None)
    return os.path.join(root, 'main', 'objects', checkpoint_store
                        .resource_prefix(checkpoint_id, resource) +
                        'noop-marker.json')


def test_a_failing_checkpoint_does_not_fail_the_others(api, two_checkpoints,
                                                       noop_provider):
    plan, sources, resource_id = two_checkpoints
    bad, good = sources
    with open(marker_path(noop_provider, bad['id'], resource_id),
              'r+b') as f:
        first = f.read(1)
        f.seek(0)
        f.write(bytes([first[0] ^ 0x01]))
    done = copied(api.user, plan_id=plan['id'])
    assert done['status'] == 'error'
    assert done['error_info'].startswith('1 of 2 checkpoints')
    pairs = {p['source_checkpoint_id']: p for p in done['checkpoints']}
    assert pairs[good['id']]['status'] == 'finished'
    assert pairs[good['id']]['error_info'] is None
    assert pairs[bad['id']]['status'] == 'error'
    assert 'noop-marker.json' in pairs[bad['id']]['error_info']
    assert 'corrupted' in pairs[bad['id']]['error_info']
    bad_copy = api.user.get('%s/%s' % (checkpoints_url(), pairs[bad['id']][
        'copy_checkpoint_id'])).json['checkpoint']
    assert bad_copy['status'] == 'error'
    assert bad_copy['error_info'] == pairs[bad['id']]['error_info']
    # Nothing of the failed copy is left in the destination.
    dr = registry_provider().bank_of('dr')
    assert dr.list_objects(checkpoint_store.checkpoint_prefix(
        bad_copy['id'])) == []
    logs = api.user.get('/operation_logs?copy_id=%s' % done['id']).json[
        'operation_logs']
    by_source = {log['extra_info']['source_checkpoint_id']: log
                 for log in logs}
    assert by_source[good['id']]['status'] == 'success'
    assert by_source[good['id']]['error_info'] is None
    assert by_source[bad['id']]['status'] == 'error'
    assert by_source[bad['id']]['error_info'] == pairs[bad['id']][
        'error_info']
    assert len(logs) == 2

    # Repaired, the plan's next copy retries only the failed one, in place.
    with open(marker_path(noop_provider, bad['id'], resource_id),
              'r+b') as f:
        f.seek(0)
        f.write(first)
    retry = copied(api.user, plan_id=plan['id'])
    assert retry['status'] == 'finished', retry
    assert [(p['source_checkpoint_id'], p['copy_checkpoint_id'])
            for p in retry['checkpoints']] == [
        (bad['id'], bad_copy['id'])]
    assert api.user.get('%s/%s' % (checkpoints_url(), bad_copy['id'])
                        ).json['checkpoint']['status'] == 'available'


def test_copy_skips_objects_already_in_the_destination(
        api, two_checkpoints, monkeypatch):
    plan, sources, _resource_id = two_checkpoints
    dr = registry_provider().bank_of('dr')
    written = []
    put = dr.put_object

    def counting_put(key, data, metadata=None):
        written.append(key)
        return put(key, data, metadata)

    monkeypatch.setattr(dr, 'put_object', counting_put)
    done = copied(api.user, checkpoint_id=sources[0]['id'])
    assert done['status'] == 'finished'
    [pair] = done['checkpoints']
    assert sorted(k.rsplit('/', 1)[1] for k in written) == [
        'manifest.json', 'metadata.json', 'noop-marker.json']
    # The copy's hook run again (as after a crash) rewrites only the
    # manifest: the object is there with the right SHA-256.
    from karbor.protection import manifest_copy
    main = registry_provider().bank_of()
    resource = plugin_api.Resource(DIRECTORY_TYPE, _resource_id, '', None)
    source = checkpoint_store.BankSection(main, checkpoint_store
                                          .resource_prefix(sources[0]['id'],
                                                           resource))
    target = checkpoint_store.BankSection(dr, checkpoint_store
                                          .resource_prefix(
                                              pair['copy_checkpoint_id'],
                                              resource))
    written.clear()
    assert manifest_copy.copy_manifest(source, target) == {'copied': 0,
                                                           'skipped': 1}
    assert [k.rsplit('/', 1)[1] for k in written] == ['manifest.json']


def test_deleting_copy_or_source_leaves_the_other(api, two_checkpoints):
    plan, sources, _resource_id = two_checkpoints
    done = copied(api.user, checkpoint_id=sources[0]['id'])
    copy_id = done['checkpoints'][0]['copy_checkpoint_id']
    api.user.delete('%s/%s' % (checkpoints_url(), copy_id), status=202)
    assert wait_for(api.user, '%s/%s' % (checkpoints_url(), copy_id),
                    'checkpoint') is None
    dr = registry_provider().bank_of('dr')
    assert dr.list_objects(checkpoint_store.checkpoint_prefix(copy_id)) == []
    main = registry_provider().bank_of()
    assert main.list_objects(checkpoint_store.checkpoint_prefix(
        sources[0]['id']))
    # A deleted copy can be made again.
    again = copied(api.user, checkpoint_id=sources[0]['id'])
    assert again['status'] == 'finished'
    new_copy = again['checkpoints'][0]['copy_checkpoint_id']
    assert new_copy != copy_id
    api.user.delete('%s/%s' % (checkpoints_url(), sources[0]['id']),
                    status=202)
    assert wait_for(api.user, '%s/%s' % (checkpoints_url(),
                                         sources[0]['id']),
                    'checkpoint') is None
    assert api.user.get('%s/%s' % (checkpoints_url(), new_copy)).json[
        'checkpoint']['status'] == 'available'


# -- refusals, visibility, lists ------------------------------------------

def test_refusals_name_the_problem(api, two_checkpoints, directory):
    plan, sources, _resource_id = two_checkpoints
    unknown = start_copy(api.user, status=400, plan_id=plan['id'],
                         destination='moon')
    assert unknown['badRequest']['error_code'] == \
        'copy_destination_not_found'
    assert 'moon' in unknown['badRequest']['message']
    noop_plan = make_plan(api.user, [directory_resource(directory)],
                          provider_id=NOOP_PROVIDER_ID)
    none = start_copy(api.user, status=400, provider_id=NOOP_PROVIDER_ID,
                      plan_id=noop_plan['id'])
    assert none['badRequest']['error_code'] == 'no_copy_destination'
    assert NOOP_PROVIDER_ID in none['badRequest']['message']
    missing = start_copy(api.user, status=404,
                         plan_id='11111111-2222-3333-4444-555555555555')
    assert missing['itemNotFound']['error_code'] == 'plan_not_found'
    start_copy(api.user, status=404,
               checkpoint_id='11111111-2222-3333-4444-555555555555')
    bad = api.user.post(action_url(), {'copy': {'plan_id': plan['id'],
                                                'colour': 'red'}},
                        status=400).json['badRequest']
    assert 'colour' in bad['message']
    bad = api.user.post(action_url(), {'copy': {'plan_id': 'nope'}},
                        status=400).json['badRequest']
    assert 'copy/plan_id' in bad['message']
    bad = api.user.post(action_url(), {'copy': [{'plan_id': plan['id']}] * 2},
                        status=400).json['badRequest']
    assert 'exactly one' in bad['message']
    bad = api.user.post(action_url(), {'copy': {}}, status=400).json[
        'badRequest']
    assert 'plan_id' in bad['message']
    bad = api.user.post(action_url(), {'copy': {
        'plan_id': plan['id'], 'parameters': {
            DIRECTORY_TYPE: {'speed': 1}}}}, status=400).json['badRequest']
    assert 'speed' in bad['message']
    mismatch = api.user.post(action_url(), {'copy': [{
        'plan_id': plan['id'], 'provider_id': NOOP_PROVIDER_ID}]},
        status=400).json['badRequest']
    assert mismatch['error_code'] == 'provider_mismatch'
    # A checkpoint that is not available, or is itself a copy.
    done = copied(api.user, checkpoint_id=sources[0]['id'])
    conflict = start_copy(api.user, status=409, checkpoint_id=done[
        'checkpoints'][0]['copy_checkpoint_id'])
    conflict = next(iter(conflict.values()))
    assert conflict['error_code'] == 'invalid_checkpoint_state'
    assert 'copy destination dr' in conflict['message']
    # Copying a copied checkpoint there again is a conflict too.
    again = start_copy(api.user, status=409, checkpoint_id=sources[0]['id'])
    assert next(iter(again.values()))['error_code'] == \
        'invalid_checkpoint_state'
    # The spec's list form, with the URL's provider, is accepted.
    listed = api.user.post(action_url(), {'copy': [{
        'plan_id': plan['id'], 'provider_id': COPY_PROVIDER_ID,
        'destination': 'dr2'}]}, status=202).json['copy']
    assert wait_copy(api.user, listed['id'])['status'] == 'finished'


def test_not_available_checkpoint_is_a_conflict(api, noop_provider,
                                                directory):
    plan = make_plan(api.user, [directory_resource(directory)],
                     parameters={DIRECTORY_TYPE: {'delay_seconds': 2}})
    protecting = api.user.post(checkpoints_url(), {'checkpoint': {
        'plan_id': plan['id']}}, status=202).json['checkpoint']
    refused = start_copy(api.user, status=409,
                         checkpoint_id=protecting['id'])
    assert next(iter(refused.values()))['error_code'] == \
        'invalid_checkpoint_state'
    wait_for(api.user, '%s/%s' % (checkpoints_url(), protecting['id']),
             'checkpoint')


def test_copies_are_per_project_and_listed(api, two_checkpoints):
    plan, sources, _resource_id = two_checkpoints
    first = copied(api.user, checkpoint_id=sources[0]['id'])
    second = copied(api.user, checkpoint_id=sources[1]['id'],
                    destination='dr2')
    third = copied(api.user, plan_id=plan['id'])
    assert len(third['checkpoints']) == 1
    assert api.other.get('/copies/%s' % first['id'], status=404).json[
        'itemNotFound']['error_code'] == 'copy_not_found'
    assert api.other.get('/copies').json['copies'] == []
    ids = [c['id'] for c in api.user.get('/copies').json['copies']]
    assert ids == [third['id'], second['id'], first['id']]
    page = api.user.get('/copies?limit=2').json
    assert [c['id'] for c in page['copies']] == ids[:2]
    [link] = page['copies_links']
    assert link['rel'] == 'next' and 'marker=%s' % ids[1] in link['href']
    rest = api.user.get('/copies?limit=2&marker=%s' % ids[1]).json
    assert [c['id'] for c in rest['copies']] == ids[2:]
    assert 'copies_links' not in rest
    assert [c['id'] for c in api.user.get(
        '/copies?destination=dr2').json['copies']] == [second['id']]
    assert [c['id'] for c in api.user.get(
        '/copies?sort=created_at:asc&plan_id=%s&status=finished'
        % plan['id']).json['copies']] == ids[::-1]
    assert api.user.get('/copies?provider_id=%s' % NOOP_PROVIDER_ID).json[
        'copies'] == []
    api.user.get('/copies?status=sleeping', status=400)
    api.user.get('/copies?colour=red', status=400)
    api.user.get('/copies?all_tenants=1', status=403)
    everyone = api.admin.get('/copies?all_tenants=1').json['copies']
    assert {c['id'] for c in everyone} >= set(ids)
    shown = api.user.get('/copies/%s' % first['id']).json['copy']
    assert shown == first


def test_copy_request_with_a_task_tag_is_replayed(api, two_checkpoints):
    plan, _sources, _resource_id = two_checkpoints
    headers = {'Task-Tag': 'copy-once'}
    first = api.user.post(action_url(), {'copy': {'plan_id': plan['id']}},
                          status=202, headers=headers)
    again = api.user.post(action_url(), {'copy': {'plan_id': plan['id']}},
                          status=202, headers=headers)
    assert again.headers['Task-Replayed'] == 'true'
    assert again.json['copy']['id'] == first.json['copy']['id']
    assert count_rows('copies') == 1
    task = api.user.get('/tasks/%s' % first.headers['Task-Id']).json['task']
    assert task['task'] == 'copy-create'
    assert task['resource'] == {'copy': first.json['copy']['id']}
    wait_copy(api.user, first.json['copy']['id'])


def test_progress_while_a_slow_copy_runs(api, two_checkpoints):
    plan, sources, _resource_id = two_checkpoints
    accepted = start_copy(api.user, checkpoint_id=sources[0]['id'],
                          parameters={DIRECTORY_TYPE: {
                              'delay_seconds': 1}})['copy']
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        shown = api.user.get('/copies/%s' % accepted['id']).json['copy']
        if shown['checkpoints'][0]['status'] == 'copying':
            break
        time.sleep(0.05)
    copy = api.user.get('%s/%s' % (checkpoints_url(), shown['checkpoints'][
        0]['copy_checkpoint_id'])).json['checkpoint']
    assert copy['status'] in ('copying', 'available')
    if copy['status'] == 'copying':
        # The source cannot be deleted while it is being copied.
        refused = api.user.delete('%s/%s' % (checkpoints_url(),
                                             sources[0]['id']), status=409)
        assert 'being copied' in refused.json['conflictingRequest']['message']
    assert wait_copy(api.user, accepted['id'])['status'] == 'finished'
    assert json.loads(copy['resource_graph'])


def test_copy_on_every_database(any_api, tmp_path, extra_providers,
                                directory):
    api = any_api    # SQLite, MariaDB and PostgreSQL
    extra_providers(tmp_path, provider_text(tmp_path))
    plan = make_plan(api.user, [directory_resource(directory)])
    sources = [protected(api.user, plan['id']) for _ in range(3)]
    done = copied(api.user, plan_id=plan['id'], destination='dr2')
    assert done['status'] == 'finished', done
    assert sorted(p['source_checkpoint_id'] for p in done['checkpoints']) \
        == sorted(c['id'] for c in sources)
    assert start_copy(api.user, plan_id=plan['id'], destination='dr2')[
        'copy']['checkpoints'] == []
