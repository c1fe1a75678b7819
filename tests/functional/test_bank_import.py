"""karbor-manage bank import: a bank copied by other means is indexed again
and its checkpoints restored, without the database that indexed them."""

import os
import shutil
import subprocess
import sys

import sqlalchemy as sa

from karbor import context
from karbor.db import models
from karbor.db import session as db_session
from karbor.protection import bank_import
from karbor.protection import providers
from tests.functional.api import test_directory_protection as directories
from tests.functional.api.test_checkpoints import wait_for

BIN = os.path.dirname(sys.executable)
IMPORTED_PROVIDER_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'


def forget(checkpoint_id):
    """What a database at another site knows of the checkpoint: nothing."""
    with db_session.get_engine().begin() as connection:
        for table in (models.CheckpointExtraInfo.__table__,):
            connection.execute(table.delete().where(
                table.c.checkpoint_id == checkpoint_id))
        connection.execute(models.Checkpoint.__table__.delete().where(
            models.Checkpoint.__table__.c.id == checkpoint_id))


def test_a_copied_bank_is_indexed_and_restored(api, directory, data_root,
                                               extra_providers, tmp_path):
    tree = os.path.join(data_root, directory[1])
    directories.make_tree(tree)
    plan = directories.make_plan(api.user, directory)
    checkpoint = directories.protect(api.user, plan)
    assert checkpoint['status'] == 'available'
    failed = directories.make_plan(api.user, directory)
    failed_id = directories.protect(api.user, failed)['id']

    # The bank reaches another site by other means; its database is new.
    source = providers.registry().get(
        directories.DIRECTORY_PROVIDER_ID).bank().path
    copied = tmp_path / 'copied-bank'
    shutil.copytree(source, copied)
    forget(checkpoint['id'])
    extra_providers(tmp_path, (
        '[provider]\nname = Imported\nid = %s\nplugin = directory\n'
        'bank = filesystem\n[filesystem_bank]\npath = %s\n')
        % (IMPORTED_PROVIDER_ID, copied))
    provider = providers.registry().get(IMPORTED_PROVIDER_ID)
    admin = context.get_admin_context()

    dry = bank_import.import_bank(admin, provider, dry_run=True)
    assert checkpoint['id'] in dry.imported
    path = '/providers/%s/checkpoints' % IMPORTED_PROVIDER_ID
    assert api.user.get(path).json['checkpoints'] == []

    report = bank_import.import_bank(admin, provider)
    assert checkpoint['id'] in report.imported
    # Still indexed under the original provider: left alone, not doubled.
    assert failed_id in report.already_indexed
    again = bank_import.import_bank(admin, provider)
    assert again.imported == []

    imported = api.user.get('%s/%s' % (path, checkpoint['id']),
                            status=200).json['checkpoint']
    assert imported['status'] == 'available'
    assert imported['protection_plan']['id'] == plan['id']
    assert imported['protection_plan']['provider_id'] == IMPORTED_PROVIDER_ID
    target = os.path.join(data_root, 'imported-%s' % checkpoint['id'][:8])
    restore = api.user.post('/restores', {'restore': {
        'provider_id': IMPORTED_PROVIDER_ID,
        'checkpoint_id': checkpoint['id'],
        'parameters': {'OS::Karbor::Directory': {'target_path': target}}}},
        status=202).json['restore']
    done = wait_for(api.user, '/restores/%s' % restore['id'], 'restore')
    assert done['status'] == 'success', done['error_info']
    assert directories.snapshot(target) == directories.snapshot(tree)


def test_the_command_reports_and_skips_what_it_cannot_read(
        database, tmp_path):
    bank = tmp_path / 'bank'
    metadata = bank / 'objects' / 'checkpoints' / 'broken'
    metadata.mkdir(parents=True)
    (tmp_path / 'p.conf').write_text(
        '[provider]\nname = P\nid = %s\nplugin = noop\nbank = filesystem\n'
        '[filesystem_bank]\npath = %s\n' % (IMPORTED_PROVIDER_ID, bank))
    # A torn object (no info sidecar) reads as absent: nothing to import.
    (metadata / 'metadata.json').write_text('{"id": "broken"}')
    env = dict(os.environ,
               OS_DATABASE__CONNECTION=str(db_session.get_engine().url),
               OS_PROTECTION__PROVIDER_CONFIG_DIRS=str(tmp_path))
    result = subprocess.run(
        [os.path.join(BIN, 'karbor-manage'), 'bank', 'import', '--provider',
         IMPORTED_PROVIDER_ID], env=env, capture_output=True, text=True,
        timeout=120)
    assert result.returncode == 0, result.stderr
    assert 'Imported 0 checkpoints from the main bank of provider %s' % (
        IMPORTED_PROVIDER_ID) in result.stdout
    unknown = subprocess.run(
        [os.path.join(BIN, 'karbor-manage'), 'bank', 'import', '--provider',
         IMPORTED_PROVIDER_ID, '--destination', 'nowhere'], env=env,
        capture_output=True, text=True, timeout=120)
    assert unknown.returncode == 1
    assert "no copy destination 'nowhere'" in unknown.stderr
    assert 'Traceback' not in unknown.stderr
    with db_session.get_engine().connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(
            models.Checkpoint.__table__)).scalar_one() == 0
