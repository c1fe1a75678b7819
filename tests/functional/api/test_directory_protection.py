"""Directory trees protected and restored for real, through the API."""

import errno
import hashlib
import os
import stat
import time

from oslo_config import cfg
import pytest

from karbor.protection import checkpoint_store
from karbor.protection import providers
from tests import s3server
from tests.functional.api.test_checkpoints import wait_for

CONF = cfg.CONF
DIRECTORY_PROVIDER_ID = 'cf56bd3e-97a7-4078-b6d5-f36246333fd9'
S3_PROVIDER_ID = 'd2f7a0c4-1b3e-4c5d-8e9f-0a1b2c3d4e5f'
CHECKPOINTS = '/providers/%s/checkpoints' % DIRECTORY_PROVIDER_ID
MiB = 1024 * 1024


class Bank:
    """A provider's bank, and the files behind its objects."""

    def __init__(self, provider_id, objects_root):
        self.provider_id = provider_id
        self.objects_root = objects_root

    def checkpoint_files(self, checkpoint_id):
        root = os.path.join(self.objects_root, checkpoint_store
                            .checkpoint_prefix(checkpoint_id))
        return sorted(os.path.relpath(os.path.join(d, n), root)
                      for d, _dirs, names in os.walk(root) for n in names
                      if '~info' not in n)

    def path_of(self, checkpoint_id, relative):
        return os.path.join(self.objects_root, checkpoint_store
                            .checkpoint_prefix(checkpoint_id), relative)


@pytest.fixture(params=['filesystem', 's3'])
def any_bank(request, api, tmp_path):
    """The directory provider on a file-system bank, then on S3."""
    if request.param == 'filesystem':
        bank = providers.registry().get(DIRECTORY_PROVIDER_ID).bank()
        return Bank(DIRECTORY_PROVIDER_ID, os.path.join(bank.path,
                                                        'objects'))
    server = request.getfixturevalue('s3_server')
    bucket = server.new_bucket()
    request.getfixturevalue('extra_providers')(tmp_path, (
        '[provider]\nname = Directory S3\nid = %s\nplugin = directory\n'
        'bank = s3\n[s3_bank]\nendpoint_url = %s\nbucket = %s\n'
        'access_key = %s\nsecret_key = %s\npart_size = 5242880\n')
        % (S3_PROVIDER_ID, server.url, bucket, s3server.ACCESS_KEY,
           s3server.SECRET_KEY))
    # rclone keeps each object as a file below <root>/<bucket>/.
    return Bank(S3_PROVIDER_ID, os.path.join(server.root, bucket))


def make_tree(root):
    """A tree with what users keep: nested dirs, small and large files,
    an empty dir, a symlink, unusual permissions and times."""
    os.makedirs(os.path.join(root, 'docs', 'deep', 'deeper'))
    os.makedirs(os.path.join(root, 'empty'))
    for number in range(60):
        with open(os.path.join(root, 'docs', 'note-%02d.txt' % number),
                  'wb') as out:
            out.write(('note %d ünïcode\n' % number).encode() * number)
    with open(os.path.join(root, 'docs', 'deep', 'deeper', 'big.bin'),
              'wb') as out:
        out.write(os.urandom(3 * MiB + 17))
    with open(os.path.join(root, 'empty-file'), 'wb'):
        pass
    os.symlink('docs/note-01.txt', os.path.join(root, 'link'))
    script = os.path.join(root, 'run.sh')
    with open(script, 'w') as out:
        out.write('#!/bin/sh\necho hi\n')
    os.chmod(script, 0o750)
    os.utime(script, ns=(1_600_000_000_123_456_789,) * 2)
    os.chmod(os.path.join(root, 'empty'), 0o711)


def snapshot(root):
    """Everything a user would compare: kinds, bytes, modes, times."""
    found = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(directory, name)
            info = os.lstat(path)
            relative = os.path.relpath(path, root)
            if stat.S_ISLNK(info.st_mode):
                found[relative] = ('link', os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                found[relative] = ('dir', stat.S_IMODE(info.st_mode),
                                   info.st_mtime_ns)
            else:
                with open(path, 'rb') as data:
                    digest = hashlib.sha256(data.read()).hexdigest()
                found[relative] = ('file', stat.S_IMODE(info.st_mode),
                                   info.st_mtime_ns, digest)
    return found


@pytest.fixture
def tree(directory, data_root):
    path = os.path.join(data_root, directory[1])
    make_tree(path)
    return path


def make_plan(client, directory, parameters=None,
              provider_id=DIRECTORY_PROVIDER_ID):
    body = {'plan': {'name': 'files', 'provider_id': provider_id,
                     'resources': [{'id': directory[0], 'name': directory[1],
                                    'type': 'OS::Karbor::Directory'}],
                     'parameters': parameters or {}}}
    return client.post('/plans', body, status=201).json['plan']


def protect(client, plan):
    path = '/providers/%s/checkpoints' % plan['provider_id']
    accepted = client.post(path, {'checkpoint': {
        'plan_id': plan['id']}}, status=202).json['checkpoint']
    return wait_for(client, '%s/%s' % (path, accepted['id']), 'checkpoint')


def restore(client, checkpoint, parameters=None, target=None):
    body = {'restore': {'provider_id': checkpoint['protection_plan'][
                            'provider_id'],
                        'checkpoint_id': checkpoint['id'],
                        'restore_target': target,
                        'parameters': {'OS::Karbor::Directory':
                                       parameters or {}}}}
    accepted = client.post('/restores', body, status=202).json['restore']
    return wait_for(client, '/restores/%s' % accepted['id'], 'restore')


def fs_bank():
    bank = providers.registry().get(DIRECTORY_PROVIDER_ID).bank()
    return Bank(DIRECTORY_PROVIDER_ID, os.path.join(bank.path, 'objects'))


def test_round_trip_to_a_new_place_is_identical(api, any_bank, directory,
                                                tree, data_root):
    plan = make_plan(api.user, directory, provider_id=any_bank.provider_id)
    checkpoint = protect(api.user, plan)
    assert checkpoint['status'] == 'available', checkpoint['error_info']
    progress = checkpoint['progress']
    assert progress['items_done'] == progress['items_total'] == 63
    assert progress['bytes_done'] == progress['bytes_total'] > 3 * MiB
    # Small files are packed: far fewer objects than files.
    stored = any_bank.checkpoint_files(checkpoint['id'])
    assert len([k for k in stored if '/packs/' in k]) == 1
    assert len([k for k in stored if '/files/' in k]) == 1

    target = os.path.join(data_root, 'restored-%s' % checkpoint['id'][:8])
    done = restore(api.user, checkpoint, {'target_path': target})
    assert done['status'] == 'success', done['error_info']
    assert done['progress']['bytes_done'] == progress['bytes_total']
    assert snapshot(target) == snapshot(tree)
    # No staging directory is left behind.
    assert not [n for n in os.listdir(data_root) if n.startswith('.karbor')]

    logs = api.user.get('/operation_logs?checkpoint_id=%s'
                        % checkpoint['id']).json['operation_logs']
    protect_log = [log for log in logs if log['operation_type'] ==
                   'protect'][0]
    assert protect_log['extra_info']['directory:%s' % directory[0]][
        'files'] == 63


def test_restore_to_the_original_place_needs_replace(api, directory, tree):
    plan = make_plan(api.user, directory)
    checkpoint = protect(api.user, plan)
    before = snapshot(tree)
    with open(os.path.join(tree, 'docs', 'note-05.txt'), 'wb') as out:
        out.write(b'damaged')
    os.remove(os.path.join(tree, 'run.sh'))
    damaged = snapshot(tree)

    refused = restore(api.user, checkpoint)
    assert refused['status'] == 'fail'
    assert 'not empty' in refused['error_info']
    assert 'replace' in refused['error_info']
    assert snapshot(tree) == damaged  # untouched

    done = restore(api.user, checkpoint, {'replace': True})
    assert done['status'] == 'success', done['error_info']
    assert snapshot(tree) == before


def test_restore_target_outside_the_roots_fails(api, directory, tree,
                                                tmp_path):
    checkpoint = protect(api.user, make_plan(api.user, directory))
    outside = str(tmp_path / 'elsewhere')
    failed = restore(api.user, checkpoint, target=outside)
    assert failed['status'] == 'fail'
    assert 'not below a configured root' in failed['error_info']
    assert not os.path.exists(outside)
    escaping = restore(api.user, checkpoint,
                       {'target_path': os.path.join(tree, '..', '..', 'x')})
    assert escaping['status'] == 'fail'


def test_a_flipped_byte_fails_the_restore_naming_the_object(
        api, any_bank, directory, tree, data_root):
    plan = make_plan(api.user, directory, provider_id=any_bank.provider_id)
    checkpoint = protect(api.user, plan)
    big = [k for k in any_bank.checkpoint_files(checkpoint['id'])
           if '/files/' in k][0]
    path = any_bank.path_of(checkpoint['id'], big)
    times = os.stat(path)
    with open(path, 'r+b') as data:
        data.seek(MiB)
        byte = data.read(1)
        data.seek(MiB)
        data.write(bytes([byte[0] ^ 0x01]))
    # Bit rot changes the bytes, not the file's times (rclone would drop
    # the object's metadata with a new mtime).
    os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))
    target = os.path.join(data_root, 'corrupt-%s' % checkpoint['id'][:8])
    failed = restore(api.user, checkpoint, {'target_path': target})
    assert failed['status'] == 'fail'
    assert big.split('/')[-1] in failed['error_info']
    assert 'corrupted' in failed['error_info']
    assert not os.path.exists(target)
    assert not [n for n in os.listdir(data_root) if n.startswith('.karbor')]
    logs = api.user.get('/operation_logs?restore_id=%s'
                        % failed['id']).json['operation_logs']
    assert logs[0]['status'] == 'error-restoring'
    assert 'corrupted' in logs[0]['error_info']


def test_a_vanished_directory_fails_the_checkpoint(api, directory, tree):
    import shutil
    plan = make_plan(api.user, directory)
    shutil.rmtree(tree)
    checkpoint = protect(api.user, plan)
    assert checkpoint['status'] == 'error'
    assert 'no longer exists' in checkpoint['error_info']
    logs = api.user.get('/operation_logs?checkpoint_id=%s'
                        % checkpoint['id']).json['operation_logs']
    assert logs[0]['status'] == 'error'
    assert 'no longer exists' in logs[0]['error_info']


def test_an_unreadable_file_fails_and_leaves_no_partial_data(
        api, directory, tree, monkeypatch):
    from karbor.protection.plugins import directory as plugin
    real_open = os.open

    def failing_open(path, flags, *args):
        if path.endswith('big.bin'):
            raise PermissionError(13, 'Permission denied')
        return real_open(path, flags, *args)

    monkeypatch.setattr(plugin.os, 'open', failing_open)
    checkpoint = protect(api.user, make_plan(api.user, directory))
    assert checkpoint['status'] == 'error'
    assert 'big.bin' in checkpoint['error_info']
    assert 'Permission denied' in checkpoint['error_info']
    # Only the checkpoint's metadata is left in the bank, marked error.
    assert fs_bank().checkpoint_files(checkpoint['id']) == ['metadata.json']
    metadata = checkpoint_store.read_metadata(
        providers.registry().get(DIRECTORY_PROVIDER_ID).bank(),
        checkpoint['id'])
    assert metadata['status'] == 'error'


def test_exclude_and_delete(api, directory, tree, data_root):
    plan = make_plan(api.user, directory, {'OS::Karbor::Directory': {
        'exclude': ['docs/deep', 'run.*']}})
    checkpoint = protect(api.user, plan)
    target = os.path.join(data_root, 'partial-%s' % checkpoint['id'][:8])
    assert restore(api.user, checkpoint,
                   {'target_path': target})['status'] == 'success'
    restored = snapshot(target)
    assert 'docs/deep' not in restored and 'run.sh' not in restored
    assert 'docs/note-07.txt' in restored

    api.user.delete('%s/%s' % (CHECKPOINTS, checkpoint['id']), status=202)
    wait_for(api.user, '%s/%s' % (CHECKPOINTS, checkpoint['id']),
             'checkpoint', statuses=('deleted', 'error-deleting'))
    assert fs_bank().checkpoint_files(checkpoint['id']) == []


def test_bad_parameters_are_400s(api, directory, tree):
    body = {'plan': {'name': 'p', 'provider_id': DIRECTORY_PROVIDER_ID,
                     'resources': [{'id': directory[0], 'name': directory[1],
                                    'type': 'OS::Karbor::Directory'}],
                     'parameters': {'OS::Karbor::Directory': {
                         'exclude': 'not-a-list'}}}}
    response = api.user.post('/plans', body, status=400)
    assert 'exclude' in response.text
    checkpoint = protect(api.user, make_plan(api.user, directory))
    response = api.user.post('/restores', {'restore': {
        'provider_id': DIRECTORY_PROVIDER_ID,
        'checkpoint_id': checkpoint['id'],
        'parameters': {'OS::Karbor::Directory': {'replace': 'yes'}}}},
        status=400)
    assert 'replace' in response.text


def test_progress_is_visible_while_protecting(api, directory, data_root,
                                             monkeypatch):
    from karbor.protection.banks import filesystem
    tree = os.path.join(data_root, directory[1])
    for number in range(12):
        with open(os.path.join(tree, 'f%02d' % number), 'wb') as out:
            out.write(os.urandom(2 * MiB))
    CONF.set_override('progress_interval', 0, group='protection')
    slow_put = filesystem.FileSystemBank.put_object

    def put_object(bank, key, data, metadata=None):
        time.sleep(0.05)  # a slow bank, so that the protect can be watched
        return slow_put(bank, key, data, metadata)

    monkeypatch.setattr(filesystem.FileSystemBank, 'put_object', put_object)
    try:
        plan = make_plan(api.user, directory)
        path = '/providers/%s/checkpoints' % DIRECTORY_PROVIDER_ID
        accepted = api.user.post(path, {'checkpoint': {
            'plan_id': plan['id']}}, status=202).json['checkpoint']
        seen = []
        while True:
            shown = api.user.get('%s/%s' % (path, accepted['id'])).json[
                'checkpoint']
            if shown['status'] != 'protecting':
                break
            if shown['progress']:
                seen.append(shown['progress'])
            time.sleep(0.02)
    finally:
        CONF.clear_override('progress_interval', group='protection')
    assert shown['status'] == 'available'
    assert any(0 < p['bytes_done'] < p['bytes_total'] for p in seen), seen
    assert all(p['bytes_total'] == 24 * MiB for p in seen)
    assert shown['progress']['items_done'] == 12


def test_a_full_bank_fails_the_checkpoint_with_the_reason(
        api, directory, tree, monkeypatch):
    from karbor.protection.banks import filesystem
    real_replace = os.replace

    def replace(source, target, *args, **kwargs):
        # The disk fills up once the plugin's data is being written.
        if '/resources/' in str(target):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(filesystem.os, 'replace', replace)
    checkpoint = protect(api.user, make_plan(api.user, directory))
    monkeypatch.undo()
    assert checkpoint['status'] == 'error'
    assert 'No space left on device' in checkpoint['error_info']
    logs = api.user.get('/operation_logs?checkpoint_id=%s'
                        % checkpoint['id']).json['operation_logs']
    assert logs[0]['status'] == 'error'
    assert 'No space left on device' in logs[0]['error_info']


def test_an_unreachable_s3_bank_fails_the_checkpoint_naming_it(
        api, directory, tree, extra_providers, tmp_path):
    import socket
    with socket.socket() as closed:
        closed.bind(('127.0.0.1', 0))
        port = closed.getsockname()[1]
    extra_providers(tmp_path, (
        '[provider]\nname = Gone\nid = %s\nplugin = directory\nbank = s3\n'
        '[s3_bank]\nendpoint_url = http://127.0.0.1:%d\nbucket = b\n'
        'access_key = k\nsecret_key = s3cr3t\nmax_attempts = 1\n'
        'connect_timeout = 1\n') % (S3_PROVIDER_ID, port))
    plan = make_plan(api.user, directory, provider_id=S3_PROVIDER_ID)
    checkpoint = protect(api.user, plan)
    assert checkpoint['status'] == 'error'
    assert '127.0.0.1:%d' % port in checkpoint['error_info']
    assert 's3cr3t' not in checkpoint['error_info']
    logs = api.user.get('/operation_logs?checkpoint_id=%s'
                        % checkpoint['id']).json['operation_logs']
    assert logs[0]['status'] == 'error'
