"""Every alembic revision, walked up one by one on SQLite, MariaDB and
PostgreSQL; then the migrated schema must equal the models.
"""

import json

import alembic.autogenerate
import alembic.migration
import pytest
import sqlalchemy as sa

from karbor.db import migration
from karbor.db import models
from tests import services


@pytest.fixture(params=['sqlite', 'mysql', 'postgresql'])
def empty_engine(request, tmp_path):
    db = services.Database(request.param)
    if request.param == 'sqlite':
        db.url = 'sqlite:///%s' % (tmp_path / 'migrations.sqlite')
    engine = sa.create_engine(db.url, poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()
    db.drop()


def _check_0001_services_plans(engine):
    inspector = sa.inspect(engine)
    assert {'services', 'plans', 'plan_resources'} <= set(
        inspector.get_table_names())
    indexes = {i['name'] for i in inspector.get_indexes('plans')}
    assert 'ix_plans_project_id_created_at_id' in indexes
    # Deleting a plan deletes its resources, in the database itself.
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO plans (id, project_id, name, provider_id, status, "
            "parameters, created_at, updated_at) VALUES ('p1', 'x', 'n', "
            "'prov', 'suspended', '{}', :now, :now)"),
            {'now': '2026-01-01 00:00:00.123456'})
        connection.execute(sa.text(
            "INSERT INTO plan_resources (plan_id, position, resource_id, "
            "resource_type, resource_name) VALUES ('p1', 0, 'r', 't', 'n')"))
    with engine.begin() as connection:
        if engine.dialect.name == 'sqlite':
            connection.execute(sa.text('PRAGMA foreign_keys=ON'))
        connection.execute(sa.text("DELETE FROM plans WHERE id = 'p1'"))
        left = connection.execute(sa.text(
            'SELECT count(*) FROM plan_resources')).scalar_one()
    assert left == 0


def _check_0002_checkpoints_operations(engine):
    inspector = sa.inspect(engine)
    assert {'checkpoints', 'restores', 'operations'} <= set(
        inspector.get_table_names())
    insert = sa.text(
        "INSERT INTO operations (id, project_id, operation_type, "
        "provider_id, state, exclusive_key, attempts, created_at, "
        "updated_at) VALUES (:id, 'p', 'protect', 'prov', 'pending', :key, "
        "0, :now, :now)")
    now = '2026-01-01 00:00:00'
    with engine.begin() as connection:
        # Finished operations have no key: any number of them may exist.
        connection.execute(insert, {'id': 'o1', 'key': None, 'now': now})
        connection.execute(insert, {'id': 'o2', 'key': None, 'now': now})
        connection.execute(insert, {'id': 'o3', 'key': 'protect:x',
                                    'now': now})
    # Two running protects of one plan cannot exist.
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as connection:
            connection.execute(insert, {'id': 'o4', 'key': 'protect:x',
                                        'now': now})


def _check_0003_operation_logs(engine):
    inspector = sa.inspect(engine)
    indexes = {i['name'] for i in inspector.get_indexes('operation_logs')}
    # The default order and each filter have an index.
    assert {'ix_operation_logs_project_started',
            'ix_operation_logs_checkpoint_id',
            'ix_operation_logs_scheduled_operation_id'} <= indexes


def _check_0004_checkpoint_extra_info(engine):
    inspector = sa.inspect(engine)
    indexes = {i['name']: i['column_names']
               for i in inspector.get_indexes('checkpoint_extra_info')}
    assert indexes['ix_checkpoint_extra_info_key_hash'] == [
        'key', 'value_sha256', 'checkpoint_id']


def _check_0005_tasks(engine):
    insert = sa.text(
        "INSERT INTO tasks (id, project_id, tag, action, method, path, "
        "fingerprint, expires_at, created_at, updated_at) VALUES (:id, :p, "
        ":tag, 'plan-create', 'POST', '/v1/p/plans', 'f', :now, :now, :now)")
    now = '2026-01-01 00:00:00'
    with engine.begin() as connection:
        connection.execute(insert, {'id': 't1', 'p': 'a', 'tag': 'x',
                                    'now': now})
        connection.execute(insert, {'id': 't2', 'p': 'b', 'tag': 'x',
                                    'now': now})
        connection.execute(insert, {'id': 't3', 'p': 'a', 'tag': None,
                                    'now': now})
        connection.execute(insert, {'id': 't4', 'p': 'a', 'tag': None,
                                    'now': now})
    # One tag, one request, per project.
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as connection:
            connection.execute(insert, {'id': 't5', 'p': 'a', 'tag': 'x',
                                        'now': now})


def _check_0006_progress(engine):
    inspector = sa.inspect(engine)
    for table in ('checkpoints', 'restores'):
        columns = {c['name']: c for c in inspector.get_columns(table)}
        assert columns['progress']['nullable']


def _check_0007_verifications(engine):
    inspector = sa.inspect(engine)
    indexes = {i['name']: i['column_names']
               for i in inspector.get_indexes('verifications')}
    # The default order (created_at desc, id) and each filter are indexed.
    assert indexes['ix_verifications_project_created'] == [
        'project_id', 'created_at', 'id']
    assert indexes['ix_verifications_checkpoint_id'] == ['checkpoint_id']
    for table in ('operations', 'operation_logs'):
        columns = {c['name']: c for c in inspector.get_columns(table)}
        assert columns['verification_id']['nullable']
    log_indexes = {i['name'] for i in inspector.get_indexes('operation_logs')}
    assert 'ix_operation_logs_verification_id' in log_indexes
    # A verification as the API first writes it.
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO verifications (id, project_id, provider_id, "
            "checkpoint_id, parameters, status, resources_status, "
            "resources_reason, created_at, updated_at) VALUES ('v1', 'p', "
            "'prov', 'c1', '{}', 'in_progress', '{}', '{}', :now, :now)"),
            {'now': '2026-01-01 00:00:00'})
        found = connection.execute(sa.text(
            "SELECT status FROM verifications WHERE project_id = 'p'")
        ).scalar_one()
    assert found == 'in_progress'


def _check_0008_copies(engine):
    inspector = sa.inspect(engine)
    columns = {c['name']: c for c in inspector.get_columns('checkpoints')}
    assert columns['destination']['nullable']
    assert columns['copied_from']['nullable']
    indexes = {i['name']: i['column_names']
               for i in inspector.get_indexes('checkpoints')}
    assert indexes['ix_checkpoints_copied_from'] == ['copied_from']
    copy_indexes = {i['name']: i['column_names']
                    for i in inspector.get_indexes('copies')}
    assert copy_indexes['ix_copies_project_created'] == [
        'project_id', 'created_at', 'id']
    for table in ('operations', 'operation_logs'):
        columns = {c['name']: c for c in inspector.get_columns(table)}
        assert columns['copy_id']['nullable']
    insert = sa.text(
        "INSERT INTO checkpoint_copies (id, copy_id, project_id, "
        "source_checkpoint_id, copy_checkpoint_id, destination, status, "
        "created_at, updated_at) VALUES (:id, 'c', 'p', 'src', :copy, :dest, "
        "'wait_copying', :now, :now)")
    now = '2026-01-01 00:00:00'
    with engine.begin() as connection:
        connection.execute(insert, {'id': 'x1', 'copy': 'k1', 'dest': 'dr',
                                    'now': now})
        connection.execute(insert, {'id': 'x2', 'copy': 'k2', 'dest': 'dr2',
                                    'now': now})
    # One source is copied to one destination once.
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as connection:
            connection.execute(insert, {'id': 'x3', 'copy': 'k3',
                                        'dest': 'dr', 'now': now})


def _check_0009_scheduling(engine):
    now = '2026-01-01 00:00:00'
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO triggers (id, project_id, name, type, properties, "
            "created_at, updated_at) VALUES ('t', 'p', 'hourly', 'time', "
            "'{}', :now, :now)"), {'now': now})
        connection.execute(sa.text(
            "INSERT INTO scheduled_operations (id, project_id, name, "
            "operation_type, trigger_id, provider_id, plan_id, "
            "operation_definition, enabled, created_at, updated_at) VALUES "
            "('s', 'p', 'nightly', 'protect', 't', 'pv', 'pl', '{}', :yes, "
            ":now, :now)"), {'now': now, 'yes': True})
    insert = sa.text(
        "INSERT INTO scheduled_runs (id, project_id, scheduled_operation_id, "
        "operation_type, due_at, state, attempts, created_at, updated_at) "
        "VALUES (:id, 'p', 's', 'protect', :due, 'claimed', 0, :now, :now)")
    with engine.begin() as connection:
        connection.execute(insert, {'id': 'r1', 'due': now, 'now': now})
    # Each due time of an operation is run once, whichever engine asks.
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as connection:
            connection.execute(insert, {'id': 'r2', 'due': now, 'now': now})


def _check_0010_quotas(engine):
    now = '2026-01-01 00:00:00'
    inserts = {
        'quotas': "INSERT INTO quotas (project_id, resource, hard_limit, "
                  "created_at, updated_at) VALUES ('p', 'plans', 5, :now, "
                  ":now)",
        'quota_classes': "INSERT INTO quota_classes (class_name, resource, "
                         "hard_limit, created_at, updated_at) VALUES "
                         "('default', 'plans', 5, :now, :now)",
        'quota_usages': "INSERT INTO quota_usages (project_id, resource, "
                        "created_at, updated_at) VALUES ('p', 'plans', "
                        ":now, :now)",
    }
    for table, insert in inserts.items():
        with engine.begin() as connection:
            connection.execute(sa.text(insert), {'now': now})
        # One row per (project or class, resource).
        with pytest.raises(sa.exc.IntegrityError):
            with engine.begin() as connection:
                connection.execute(sa.text(insert), {'now': now})
        with engine.connect() as connection:
            assert connection.execute(sa.text(
                'SELECT count(*) FROM %s' % table)).scalar_one() == 1


def _check_0011_extra_info_pages(engine):
    indexes = {i['name']: i['column_names'] for i in
               sa.inspect(engine).get_indexes('checkpoint_extra_info')}
    assert indexes['ix_checkpoint_extra_info_page'] == [
        'key', 'value_sha256', 'project_id', 'provider_id', 'created_at',
        'checkpoint_id']
    assert 'ix_checkpoint_extra_info_key_hash' not in indexes


def test_extra_info_rows_get_their_checkpoint_columns(empty_engine):
    migration.db_sync('0010_quotas', engine=empty_engine)
    created = '2026-01-01 00:00:00.123456'
    with empty_engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO checkpoints (id, project_id, provider_id, plan_id, "
            "plan, status, created_at, updated_at) VALUES ('c1', 'proj', "
            "'prov', 'plan', '{}', 'available', :t, :t)"), {'t': created})
        # ("key" is a reserved word of MySQL: let SQLAlchemy quote it.)
        info = sa.table('checkpoint_extra_info', sa.column('checkpoint_id'),
                        sa.column('key'), sa.column('value'),
                        sa.column('value_sha256'))
        connection.execute(sa.insert(info).values(
            checkpoint_id='c1', key='k', value='v', value_sha256='h'))
    migration.db_sync('0011_extra_info_pages', engine=empty_engine)
    with empty_engine.connect() as connection:
        row = connection.execute(sa.text(
            'SELECT project_id, provider_id, created_at FROM '
            'checkpoint_extra_info')).one()
    assert tuple(row[:2]) == ('proj', 'prov')
    assert str(row[2]).startswith('2026-01-01 00:00:00.123456')


def _check_0012_plan_resources_in_plans(engine):
    inspector = sa.inspect(engine)
    assert 'plan_resources' not in inspector.get_table_names()
    columns = {c['name']: c for c in inspector.get_columns('plans')}
    assert columns['resources']['nullable'] is False


def test_plans_keep_their_resources_in_order(empty_engine):
    migration.db_sync('0011_extra_info_pages', engine=empty_engine)
    now = '2026-01-01 00:00:00'
    with empty_engine.begin() as connection:
        for plan_id in ('p1', 'p2'):
            connection.execute(sa.text(
                "INSERT INTO plans (id, project_id, name, provider_id, "
                "status, parameters, created_at, updated_at) VALUES (:id, "
                "'x', 'n', 'prov', 'suspended', '{}', :now, :now)"),
                {'id': plan_id, 'now': now})
        for position, name in ((1, 'second'), (0, 'first')):
            connection.execute(sa.text(
                "INSERT INTO plan_resources (plan_id, position, resource_id, "
                "resource_type, resource_name, extra_info) VALUES ('p1', "
                ":pos, :name, 't', :name, :extra)"),
                {'pos': position, 'name': name,
                 'extra': '{"k":"v"}' if position else None})
    migration.db_sync('0012_plan_resources_in_plans', engine=empty_engine)
    with empty_engine.connect() as connection:
        stored = dict(connection.execute(sa.text(
            'SELECT id, resources FROM plans')).all())
    assert json.loads(stored['p1']) == [
        {'id': 'first', 'type': 't', 'name': 'first', 'extra_info': None},
        {'id': 'second', 'type': 't', 'name': 'second',
         'extra_info': {'k': 'v'}}]
    assert json.loads(stored['p2']) == []


def _karbor_tables_only(obj, name, type_, reflected, compare_to):
    # Taskflow's persistence tables share the database; they are not ours.
    return not (type_ == 'table' and reflected and compare_to is None
                and name in migration.FOREIGN_TABLES)


def _same_type(context, inspected_column, metadata_column, inspected_type,
               metadata_type):
    """PostgreSQL's TEXT and VARCHAR without a length are one type (which
    one JsonEncoded columns report depends on the driver)."""
    if context.dialect.name != 'postgresql':
        return None
    if isinstance(metadata_type, sa.types.TypeDecorator):
        metadata_type = metadata_type.load_dialect_impl(context.dialect)
    if all(isinstance(t, sa.String) and t.length is None
           for t in (inspected_type, metadata_type)):
        return False
    return None


def test_walk_every_revision_and_compare_with_models(empty_engine):
    revisions = migration.revisions()
    assert revisions[0] == '0001_services_plans'
    for revision in revisions:
        migration.db_sync(revision, engine=empty_engine)
        assert migration.db_version(engine=empty_engine) == revision
        check = globals().get('_check_%s' % revision)
        assert check is not None, 'write _check_%s for this revision' % (
            revision)
        check(empty_engine)
    assert migration.db_version(engine=empty_engine) == \
        migration.head_revision()

    with empty_engine.connect() as connection:
        context = alembic.migration.MigrationContext.configure(
            connection, opts={'compare_type': _same_type,
                              'version_table': migration.VERSION_TABLE,
                              'include_object': _karbor_tables_only})
        diff = alembic.autogenerate.compare_metadata(context,
                                                     models.Base.metadata)
    assert diff == [], 'models and migrations differ: %s' % diff


def test_sync_is_idempotent(empty_engine):
    migration.db_sync(engine=empty_engine)
    migration.db_sync(engine=empty_engine)
    assert migration.db_version(engine=empty_engine) == \
        migration.head_revision()
