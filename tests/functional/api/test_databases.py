"""PostgreSQL and MySQL/MariaDB databases protected and restored through
the API, with the real servers and their own client tools."""

import dataclasses
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import urllib.parse
import uuid

from oslo_config import cfg
import pytest
import sqlalchemy as sa

from karbor.protection import checkpoint_store
from karbor.protection import protectable_registry
from karbor.protection import providers
from karbor.protection.protectables import database_servers
from tests import s3server
from tests import services
from tests.functional.api.test_checkpoints import wait_for

CONF = cfg.CONF
SECRET = 's3cr3t-pw'


@dataclasses.dataclass
class Engine:
    name: str
    resource_type: str
    provider_id: str
    group: str
    sa_url: str       # the server, as SQLAlchemy spells it
    admin_db: str     # what the test connects to for CREATE/DROP

    @property
    def url(self):
        """The server as Karbor is configured with it."""
        return re.sub(r'^(\w+)\+\w+', r'\1', self.sa_url)

    @property
    def server(self):
        scheme = 'postgresql' if self.name == 'postgresql' else 'mysql'
        return database_servers.parse_server(self.url, scheme,
                                             default_port=self.port)

    @property
    def port(self):
        return 5432 if self.name == 'postgresql' else 3306

    def engine(self, database=None):
        url = self.sa_url + '/' + (database or self.admin_db)
        if self.name == 'mysql':
            url += '?charset=utf8mb4'
        return sa.create_engine(url, isolation_level='AUTOCOMMIT',
                                poolclass=sa.pool.NullPool)

    def execute(self, statements, database=None):
        engine = self.engine(database)
        with engine.connect() as connection:
            for statement in statements:
                if isinstance(statement, tuple):
                    connection.execute(sa.text(statement[0]), statement[1])
                else:
                    connection.exec_driver_sql(statement)
        engine.dispose()

    def quote(self, name):
        return ('"%s"' if self.name == 'postgresql' else '`%s`') % name

    def exists(self, name):
        sql = ('SELECT 1 FROM pg_database WHERE datname = :n'
               if self.name == 'postgresql' else
               'SELECT 1 FROM information_schema.SCHEMATA '
               'WHERE SCHEMA_NAME = :n')
        engine = self.engine()
        with engine.connect() as connection:
            found = connection.execute(sa.text(sql), {'n': name}).first()
        engine.dispose()
        return found is not None

    def drop(self, name):
        force = ' WITH (FORCE)' if self.name == 'postgresql' else ''
        self.execute(['DROP DATABASE IF EXISTS %s%s'
                      % (self.quote(name), force)])

    def dump_text(self, name):
        """The whole database (schema and data) as text, to compare."""
        server = self.server
        if self.name == 'postgresql':
            argv = ['pg_dump', '--format=plain', '-h', server.host,
                    '-p', str(server.port), '-U', server.user, '-d', name]
        else:
            argv = ['mariadb-dump', '--no-defaults', '--protocol=TCP',
                    '-h', server.host, '-P', str(server.port),
                    '-u', server.user, '--skip-dump-date', '--skip-comments',
                    '--routines', '--triggers', '--events', '--hex-blob',
                    '--order-by-primary', '--', name]
        out = subprocess.run(argv, check=True, capture_output=True,
                             timeout=60).stdout.decode('utf-8')
        # pg_dump's \restrict lines hold a random key.
        return '\n'.join(line for line in out.splitlines()
                         if not line.startswith(('\\restrict',
                                                 '\\unrestrict')))


def _postgresql_fill(engine, name):
    engine.execute([
        'CREATE SEQUENCE ticket_seq START 1000',
        'CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, '
        'price numeric(10,2), payload bytea, '
        "ticket bigint DEFAULT nextval('ticket_seq'))",
        'CREATE INDEX items_name_idx ON items (lower(name))',
        "INSERT INTO items (name, price, payload) SELECT "
        "'item ' || i || ' — ünïcødé ✓ 日本語 😀', i * 1.25, "
        "decode(md5(i::text), 'hex') || '\\x00ff0a'::bytea "
        'FROM generate_series(1, 3000) i',
        'CREATE TABLE notes (id int PRIMARY KEY REFERENCES items(id), '
        'body text)',
        "INSERT INTO notes SELECT id, repeat('ż', mod(id, 50)) FROM items "
        'WHERE mod(id, 3) = 0',
        'CREATE VIEW expensive AS SELECT * FROM items WHERE price > 100',
        'CREATE FUNCTION double_price(numeric) RETURNS numeric '
        "LANGUAGE sql AS 'SELECT $1 * 2'",
        "COMMENT ON TABLE items IS 'the things we sell'",
    ], database=name)


def _mysql_fill(engine, name):
    rows = [{'name': 'item %d — ünïcødé ✓ 日本語 😀' % i,
             'price': '%.2f' % (i * 1.25),
             'payload': bytes.fromhex('%032x' % (i * 7919)) + b'\x00\xff\n'}
            for i in range(1, 3001)]
    statements = [
        'CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, '
        'name VARCHAR(200) NOT NULL, price DECIMAL(10,2), payload BLOB, '
        'KEY name_idx (name)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
        ('INSERT INTO items (name, price, payload) '
         'VALUES (:name, :price, :payload)', rows),
        'CREATE TABLE notes (id INT PRIMARY KEY, body TEXT, '
        'FOREIGN KEY (id) REFERENCES items (id)) ENGINE=InnoDB '
        'DEFAULT CHARSET=utf8mb4',
        "INSERT INTO notes SELECT id, REPEAT('ż', MOD(id, 50)) FROM items "
        'WHERE mod(id, 3) = 0',
        'CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, '
        'item_id INT) ENGINE=InnoDB',
        'CREATE TRIGGER items_audit AFTER UPDATE ON items FOR EACH ROW '
        'INSERT INTO audit (item_id) VALUES (NEW.id)',
        'CREATE VIEW expensive AS SELECT * FROM items WHERE price > 100',
        'CREATE PROCEDURE double_price(IN p DECIMAL(10,2)) SELECT p * 2',
        'CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DISABLE '
        'DO DELETE FROM audit',
    ]
    if 'mariadb' in _mysql_version(engine).lower():
        statements.append('CREATE SEQUENCE ticket_seq START WITH 1000')
    engine.execute(statements, database=name)


def _mysql_version(engine):
    db = engine.engine()
    with db.connect() as connection:
        version = connection.execute(sa.text('SELECT VERSION()')).scalar()
    db.dispose()
    return version


ENGINES = {
    'postgresql': Engine(
        'postgresql', 'OS::Karbor::PostgreSQLDatabase',
        'd8cbe480-614c-49c4-a98f-21690be8b3ea', 'postgresql_protectable',
        services.POSTGRESQL_URL, 'test'),
    'mysql': Engine(
        'mysql', 'OS::Karbor::MySQLDatabase',
        'ed6392ce-d14f-47a3-9338-3bcff9b92ffe', 'mysql_protectable',
        services.MYSQL_URL, ''),
}
FILL = {'postgresql': _postgresql_fill, 'mysql': _mysql_fill}


@pytest.fixture(params=sorted(ENGINES))
def engine(request):
    engine = ENGINES[request.param]
    server = engine.server
    services.require(request.param, server.host, server.port)
    return engine


@pytest.fixture
def databases(engine):
    """Makes databases (name, fill=True); drops them all at the end."""
    made = []

    def make(fill=True):
        name = 'karbor_dbt_%s' % uuid.uuid4().hex[:10]
        made.append(name)
        engine.execute(['CREATE DATABASE %s' % engine.quote(name)])
        if fill:
            FILL[engine.name](engine, name)
        return name

    make.names = made
    yield make
    for name in made:
        engine.drop(name)


def configure(engine, servers):
    CONF.set_override('servers', servers, group=engine.group)
    protectable_registry.reset()
    providers.reset()


@pytest.fixture
def db_api(engine, database, api_factory):
    configure(engine, [engine.url])
    yield api_factory()
    CONF.clear_override('servers', group=engine.group)
    protectable_registry.reset()
    providers.reset()


def instances(api, engine):
    return api.user.get('/protectables/%s/instances?limit=1000'
                        % engine.resource_type,
                        status=200).json['instances']


def instance_of(api, engine, name):
    return next(i for i in instances(api, engine) if i['name'] == name)


def create_plan(api, engine, resource_id, name, status=201, **extra):
    body = {'plan': dict({
        'name': 'db plan', 'provider_id': engine.provider_id,
        'resources': [{'id': resource_id, 'type': engine.resource_type,
                       'name': name}]}, **extra)}
    return api.user.post('/plans', body, status=status).json


def checkpoints_path(engine):
    return '/providers/%s/checkpoints' % engine.provider_id


def protected(api, engine, plan_id):
    path = checkpoints_path(engine)
    checkpoint = api.user.post(path, {'checkpoint': {'plan_id': plan_id}},
                               status=202).json['checkpoint']
    return wait_for(api.user, '%s/%s' % (path, checkpoint['id']),
                    'checkpoint', timeout=60)


def restored(api, engine, checkpoint_id, target=None, **parameters):
    body = {'restore': {
        'provider_id': engine.provider_id, 'checkpoint_id': checkpoint_id,
        'parameters': {engine.resource_type: parameters}}}
    if target:
        body['restore']['restore_target'] = target
    restore = api.user.post('/restores', body, status=202).json['restore']
    return wait_for(api.user, '/restores/%s' % restore['id'], 'restore',
                    timeout=60)


def protected_database(api, engine, databases, **options):
    """(database name, its instance, an available checkpoint of it)."""
    name = databases()
    instance = instance_of(api, engine, name)
    plan = create_plan(api, engine, instance['id'], name, parameters={
        engine.resource_type: options})['plan']
    checkpoint = protected(api, engine, plan['id'])
    assert checkpoint['status'] == 'available', checkpoint['error_info']
    return name, instance, checkpoint


def bank_files(engine, checkpoint_id):
    bank = providers.registry().get(engine.provider_id).bank()
    return bank, bank.list_objects(
        checkpoint_store.checkpoint_prefix(checkpoint_id))


def test_instances_show_the_databases_without_password(engine, database,
                                                       api_factory,
                                                       databases):
    name = databases(fill=False)
    server = engine.server
    with_password = engine.url.replace(
        '//%s@' % server.user, '//%s:%s@' % (server.user, SECRET))
    if engine.name == 'mysql':
        with_password = engine.url  # root has no password to give
    configure(engine, [with_password])
    try:
        api = api_factory()
        found = instance_of(api, engine, name)
        assert found['extra_info']['server'] == server.url
        assert found['extra_info']['database'] == name
        assert found['id'] == database_servers.database_id(server.url, name)
        shown = api.user.get('/protectables/%s/instances/%s' % (
            engine.resource_type, found['id']), status=200).json
        assert shown['instance']['id'] == found['id']
        listed = api.user.get('/protectables/%s/instances?limit=1000'
                              % engine.resource_type).text
        assert SECRET not in listed
        base = '/protectables/%s/instances?limit=1000&parameters=' % (
            engine.resource_type)
        only = api.user.get(base + urllib.parse.quote(json.dumps(
            {'server': server.url}))).json['instances']
        assert name in [i['name'] for i in only]
        assert api.user.get(base + urllib.parse.quote(json.dumps(
            {'server': server.url + '1'}))).json['instances'] == []
        excluded = set(CONF[engine.group].exclude_databases)
        assert not excluded & {i['name'] for i in instances(api, engine)}
    finally:
        CONF.clear_override('servers', group=engine.group)


def test_protect_restore_replace_and_delete(db_api, engine, databases):
    name, instance, checkpoint = protected_database(db_api, engine,
                                                    databases)
    logs = db_api.user.get('/operation_logs?checkpoint_id=%s'
                           % checkpoint['id']).json['operation_logs']
    assert [log['status'] for log in logs] == ['available']
    details = logs[0]['extra_info']['%s:%s' % (engine.name,
                                               instance['id'])]
    assert details['database'] == name and details['dump_bytes'] > 1000

    target = name + '_copy'
    databases.names.append(target)
    restore = restored(db_api, engine, checkpoint['id'],
                       target_database=target)
    assert restore['status'] == 'success', restore['error_info']
    original = engine.dump_text(name)
    assert 'ünïcødé' in original
    assert engine.dump_text(target) == original

    # Onto an existing database: refused, unless replace.
    engine.execute(['DROP TABLE notes'], database=target)
    refused = restored(db_api, engine, checkpoint['id'],
                       target_database=target)
    assert refused['status'] == 'fail'
    assert 'already exists' in refused['error_info']
    assert 'replace' in refused['error_info']
    replaced = restored(db_api, engine, checkpoint['id'], target=engine.url,
                        target_database=target, replace=True)
    assert replaced['status'] == 'success', replaced['error_info']
    assert engine.dump_text(target) == original

    elsewhere = '%s://someone@127.0.0.1:1' % engine.server.url.split(':')[0]
    refused = restored(db_api, engine, checkpoint['id'],
                       target_database=target + '2', target_server=elsewhere)
    assert refused['status'] == 'fail'
    assert 'is not a configured' in refused['error_info']
    error = db_api.user.post('/restores', {'restore': {
        'provider_id': engine.provider_id, 'checkpoint_id': checkpoint['id'],
        'parameters': {engine.resource_type: {
            'target_database': 'x"; DROP DATABASE y'}}}}, status=400).json
    assert 'target_database' in error['badRequest']['message']

    bank, keys = bank_files(engine, checkpoint['id'])
    assert any(key.endswith('/dump') for key in keys)
    path = checkpoints_path(engine)
    db_api.user.delete('%s/%s' % (path, checkpoint['id']), status=202)
    assert wait_for(db_api.user, '%s/%s' % (path, checkpoint['id']),
                    'checkpoint') is None
    assert bank_files(engine, checkpoint['id'])[1] == []


def test_round_trip_through_an_s3_bank(db_api, engine, databases,
                                      s3_server, extra_providers, tmp_path):
    on_s3 = dataclasses.replace(engine, provider_id=str(uuid.uuid4()))
    extra_providers(tmp_path, (
        '[provider]\nname = %s on S3\nid = %s\nplugin = %s\nbank = s3\n'
        '[s3_bank]\nendpoint_url = %s\nbucket = %s\naccess_key = %s\n'
        'secret_key = %s\npart_size = 5242880\n') % (
            engine.name, on_s3.provider_id, engine.name, s3_server.url,
            s3_server.new_bucket(), s3server.ACCESS_KEY,
            s3server.SECRET_KEY))
    name, _instance, checkpoint = protected_database(db_api, on_s3,
                                                     databases)
    target = name + '_from_s3'
    databases.names.append(target)
    restore = restored(db_api, on_s3, checkpoint['id'],
                       target_database=target)
    assert restore['status'] == 'success', restore['error_info']
    assert engine.dump_text(target) == engine.dump_text(name)


def test_corrupted_dump_fails_the_restore_and_leaves_no_database(
        db_api, engine, databases):
    # Uncompressed, a flipped byte is data the restore tool accepts: only
    # the checksum, known after the last byte, tells.
    name, instance, checkpoint = protected_database(
        db_api, engine, databases, compress=False)
    bank, keys = bank_files(engine, checkpoint['id'])
    [info] = [k for k in keys if k.endswith('/info.json')]
    assert json.loads(bank.read_bytes(info))['compression'] is None
    [key] = [k for k in keys if k.endswith('/dump')]
    path = os.path.join(bank.path, 'objects', key)
    stat = os.stat(path)
    with open(path, 'r+b') as f:
        f.seek(stat.st_size // 2)
        byte = f.read(1)
        f.seek(stat.st_size // 2)
        f.write(bytes([byte[0] ^ 0x01]))
    # Bit rot keeps the file's times: the bank takes it for its own.
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    target = name + '_bad'
    databases.names.append(target)
    restore = restored(db_api, engine, checkpoint['id'],
                       target_database=target)
    assert restore['status'] == 'fail'
    assert key in restore['error_info']
    assert 'corrupted' in restore['error_info']
    assert not engine.exists(target)


def test_dropped_database_fails_the_checkpoint_with_its_name(
        db_api, engine, databases):
    name = databases(fill=False)
    instance = instance_of(db_api, engine, name)
    plan = create_plan(db_api, engine, instance['id'], name)['plan']
    engine.drop(name)
    checkpoint = protected(db_api, engine, plan['id'])
    assert checkpoint['status'] == 'error'
    assert name in checkpoint['error_info']
    assert 'does not exist' in checkpoint['error_info']
    [log] = db_api.user.get('/operation_logs?checkpoint_id=%s'
                            % checkpoint['id']).json['operation_logs']
    assert log['status'] == 'error'
    assert name in log['error_info']
    assert bank_files(engine, checkpoint['id'])[1] == [
        checkpoint_store.checkpoint_prefix(checkpoint['id']) +
        checkpoint_store.METADATA]


def test_unreachable_server_is_named_never_a_500(engine, database,
                                                 api_factory, databases):
    name = databases(fill=False)
    closed = '%s://root:%s@127.0.0.1:%d' % (
        'postgresql' if engine.name == 'postgresql' else 'mysql', SECRET,
        services.free_port())
    shown_closed = closed.replace(':' + SECRET, '')
    configure(engine, [engine.url, closed])
    try:
        api = api_factory()
        # The reachable server's databases are still listed.
        assert name in [i['name'] for i in instances(api, engine)]
        missing = database_servers.database_id(shown_closed, 'app')
        error = create_plan(api, engine, missing, 'app', status=409)
        fault = error['conflictingRequest']
        assert fault['error_code'] == 'database_server_unreachable'
        assert shown_closed in fault['message']
        assert SECRET not in str(error)
        api.user.get('/protectables/%s/instances/%s' % (
            engine.resource_type, missing), status=409)
    finally:
        CONF.clear_override('servers', group=engine.group)


class _Forwarder(threading.Thread):
    """A TCP port forwarding to the server, that can be shut: a server
    that goes away after the plan was made."""

    def __init__(self, host, port):
        super().__init__(daemon=True)
        self.target = (host, port)
        self.listener = socket.create_server(('127.0.0.1', 0))
        self.port = self.listener.getsockname()[1]
        self.sockets = []

    def run(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b),
                                 daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.listener.close()
        for sock in self.sockets:
            sock.close()


def test_server_gone_after_the_plan_fails_the_checkpoint(
        engine, database, api_factory, databases):
    name = databases(fill=False)
    server = engine.server
    forwarder = _Forwarder(server.host, server.port)
    forwarder.start()
    via = '%s://%s@127.0.0.1:%d' % (engine.url.split(':')[0], server.user,
                                   forwarder.port)
    configure(engine, [via])
    try:
        api = api_factory()
        instance = instance_of(api, engine, name)
        plan = create_plan(api, engine, instance['id'], name)['plan']
        forwarder.close()
        checkpoint = protected(api, engine, plan['id'])
        assert checkpoint['status'] == 'error'
        assert via in checkpoint['error_info']
        assert 'cannot be reached' in checkpoint['error_info']
    finally:
        forwarder.close()
        CONF.clear_override('servers', group=engine.group)


def test_missing_client_tools_are_named(engine, database, api_factory,
                                        tmp_path):
    configure(engine, [engine.url])
    CONF.set_override('client_bin_dir', str(tmp_path), group=engine.group)
    try:
        api = api_factory()
        error = api.user.get('/protectables/%s/instances'
                             % engine.resource_type, status=500).json
        fault = error['computeFault']
        assert fault['error_code'] == 'plugin_error'
        assert 'client tools' in fault['message']
        assert 'not installed' in fault['message']
    finally:
        CONF.clear_override('client_bin_dir', group=engine.group)
        CONF.clear_override('servers', group=engine.group)


def _failing_dump_tools(engine, directory):
    """client_bin_dir with the real client and a dump tool that writes a
    little, then fails as a real one does (deterministically, which a real
    failure mid-dump is not)."""
    client, dumper = (('psql', 'pg_dump') if engine.name == 'postgresql'
                      else ('mariadb', 'mariadb-dump'))
    os.symlink(shutil.which(client), directory / client)
    if engine.name == 'postgresql':
        os.symlink(shutil.which('pg_restore'), directory / 'pg_restore')
    script = directory / dumper
    script.write_text(
        '#!/bin/sh\n'
        'if [ "$1" = --version ]; then echo "%s (fake) 1.0"; exit 0; fi\n'
        'printf "partial output"\n'
        'echo "%s: error: query failed: permission denied for table t" >&2\n'
        'echo "%s: detail: the last words" >&2\n'
        'exit 2\n' % (dumper, dumper, dumper))
    script.chmod(0o755)
    return dumper


def test_failed_dump_tool_fails_the_checkpoint_and_leaves_no_dump(
        db_api, engine, databases, tmp_path):
    name = databases(fill=False)
    instance = instance_of(db_api, engine, name)
    plan = create_plan(db_api, engine, instance['id'], name)['plan']
    dumper = _failing_dump_tools(engine, tmp_path)
    CONF.set_override('client_bin_dir', str(tmp_path), group=engine.group)
    try:
        checkpoint = protected(db_api, engine, plan['id'])
    finally:
        CONF.clear_override('client_bin_dir', group=engine.group)
    assert checkpoint['status'] == 'error'
    assert ('%s of database %s on server %s failed: %s: error: query '
            'failed: permission denied for table t'
            % (dumper, name, engine.server.url, dumper)
            ) in checkpoint['error_info']
    # The operator's details stay in the worker's log.
    assert 'the last words' not in checkpoint['error_info']
    assert not any(key.endswith('/dump') for key in
                   bank_files(engine, checkpoint['id'])[1])


# PostgreSQL only: the mysql client that restores also answers the catalog
# queries, so it cannot be replaced by a failing one.
@pytest.mark.parametrize('engine', ['postgresql'], indirect=True)
def test_failed_restore_tool_drops_the_database_it_created(
        db_api, engine, databases, tmp_path):
    name, instance, checkpoint = protected_database(db_api, engine,
                                                    databases)
    os.symlink(shutil.which('psql'), tmp_path / 'psql')
    script = tmp_path / 'pg_restore'
    script.write_text('#!/bin/sh\nhead -c 100 >/dev/null\n'
                      'echo "pg_restore: error: role \\"app\\" does not '
                      'exist" >&2\nexit 1\n')
    script.chmod(0o755)
    target = name + '_failed'
    databases.names.append(target)
    CONF.set_override('client_bin_dir', str(tmp_path), group=engine.group)
    try:
        restore = restored(db_api, engine, checkpoint['id'],
                           target_database=target)
    finally:
        CONF.clear_override('client_bin_dir', group=engine.group)
    assert restore['status'] == 'fail'
    assert ('pg_restore of database %s on server %s failed: pg_restore: '
            'error: role "app" does not exist'
            % (target, engine.server.url)) in restore['error_info']
    assert not engine.exists(target)
