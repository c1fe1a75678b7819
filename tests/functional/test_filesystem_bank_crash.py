"""A writer of the file-system bank killed mid-write (SIGKILL, no cleanup
handlers run): the bank keeps the old version (or nothing), and works on."""

import hashlib
import os
import signal
import subprocess
import sys
import textwrap

from oslo_config import cfg
import pytest

from karbor.common import exceptions
from karbor.protection.banks import filesystem

CHILD = textwrap.dedent('''
    import os, signal, sys, time
    from oslo_config import cfg
    from karbor.protection.banks import filesystem

    conf = cfg.ConfigOpts()
    conf([], default_config_files=[], use_env=False)
    conf.register_opts(filesystem.filesystem_bank_opts, 'filesystem_bank')
    conf.set_override('path', sys.argv[1], 'filesystem_bank')
    bank = filesystem.FileSystemBank(conf)
    mode = sys.argv[2]

    def slow_source():
        for i in range(1000):  # up to 4 GB: never finishes before the kill
            yield bytes([i % 256]) * (4 * 1024 * 1024)
            if i == 3:
                print('writing', flush=True)
                time.sleep(60)

    if mode == 'between-renames':
        real_replace = os.replace

        def replace_then_die(src, dst):
            real_replace(src, dst)
            if not dst.endswith('~info'):
                os.kill(os.getpid(), signal.SIGKILL)
        os.replace = replace_then_die
        print('writing', flush=True)
        bank.put_object('checkpoints/c1/disk', b'new version, torn')
    else:
        bank.put_object('checkpoints/c1/disk', slow_source())
''')


def make_bank(path):
    conf = cfg.ConfigOpts()
    conf([], default_config_files=[], use_env=False)
    conf.register_opts(filesystem.filesystem_bank_opts, 'filesystem_bank')
    conf.set_override('path', str(path), 'filesystem_bank')
    return filesystem.FileSystemBank(conf)


def kill_writer(path, mode):
    child = subprocess.Popen([sys.executable, '-c', CHILD, str(path), mode],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == 'writing\n'
        if mode == 'mid-write':
            child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()


@pytest.mark.parametrize('existing', [True, False], ids=['old', 'new'])
def test_killed_mid_write(tmp_path, existing):
    bank = make_bank(tmp_path)
    if existing:
        bank.put_object('checkpoints/c1/disk', b'old version', {'v': '1'})
    kill_writer(tmp_path, 'mid-write')
    directory = tmp_path / 'objects' / 'checkpoints' / 'c1'
    leftovers = [n for n in os.listdir(directory) if n.startswith('.tmp-')]
    assert len(leftovers) == 1  # the dead writer's 16 MiB, invisible
    if existing:
        assert bank.read_bytes('checkpoints/c1/disk') == b'old version'
        assert bank.get_object_info('checkpoints/c1/disk').metadata == {
            'v': '1'}
        assert bank.list_objects() == ['checkpoints/c1/disk']
    else:
        with pytest.raises(exceptions.BankObjectNotFound):
            bank.get_object_info('checkpoints/c1/disk')
        assert bank.list_objects() == []
    assert bank.cleanup_temp_files() == 1
    data = os.urandom(9 * 1024 * 1024)
    info = bank.put_object('checkpoints/c1/disk', data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert bank.read_bytes('checkpoints/c1/disk') == data
    assert sorted(os.listdir(directory)) == ['disk', 'disk~info']


def test_killed_between_the_two_renames(tmp_path, monkeypatch):
    monkeypatch.setattr(filesystem.time, 'sleep', lambda s: None)
    bank = make_bank(tmp_path)
    bank.put_object('checkpoints/c1/disk', b'old version!', {'v': '1'})
    kill_writer(tmp_path, 'between-renames')
    # New data, old sidecar: a torn pair reads as absent, never as a mix.
    with pytest.raises(exceptions.BankObjectNotFound):
        bank.get_object_info('checkpoints/c1/disk')
    with pytest.raises(exceptions.BankObjectNotFound):
        bank.get_object('checkpoints/c1/disk')
    assert bank.cleanup_temp_files() == 1  # the sidecar's temp file
    bank.put_object('checkpoints/c1/disk', b'recovered', {'v': '3'})
    assert bank.read_bytes('checkpoints/c1/disk') == b'recovered'
    assert bank.get_object_info('checkpoints/c1/disk').metadata == {
        'v': '3'}
