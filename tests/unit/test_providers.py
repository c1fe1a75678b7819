import pytest

from karbor.common import exceptions
from karbor.protection import providers

GOOD = ('[provider]\nname = P\nid = 6a1f6f2c-6e6a-4c32-9c59-2a6f1e1b7a01\n'
        'plugin = noop\nbank = filesystem\n')


def write(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    return str(tmp_path)


def test_loads_plugins_and_schemas(tmp_path):
    registry = providers.ProviderRegistry([write(tmp_path, 'p.conf', GOOD)])
    [provider] = registry.list()
    # The no-op plugin protects every protectable type.
    assert provider.supported_types() == [
        'OS::Karbor::Directory', 'OS::Karbor::MySQLDatabase',
        'OS::Karbor::PostgreSQLDatabase']
    schema = provider.extended_info_schema()
    assert 'OS::Karbor::Directory' in schema['options_schema']
    with pytest.raises(exceptions.ResourceNotProtectable):
        provider.plugin_class_for('OS::Nova::Server')
    with pytest.raises(exceptions.ProviderNotFound):
        registry.get('nope')


@pytest.mark.parametrize('text, fragment', [
    (GOOD.replace('plugin = noop', 'plugin = missing'), "'missing'"),
    (GOOD.replace('bank = filesystem', 'bank = tape'), "'tape'"),
    (GOOD.replace('6a1f6f2c-6e6a-4c32-9c59-2a6f1e1b7a01', 'seven'),
     'is not a UUID'),
    (GOOD.replace('plugin = noop\n', ''), 'no protection plugin'),
    (GOOD.replace('name = P\n', ''), 'name'),
])
def test_bad_provider_files_say_what_is_wrong(tmp_path, text, fragment):
    directory = write(tmp_path, 'bad.conf', text)
    with pytest.raises(exceptions.ProviderConfigError) as err:
        providers.ProviderRegistry([directory])
    assert fragment in str(err.value)
    assert 'bad.conf' in str(err.value)


def test_duplicate_ids_are_refused(tmp_path):
    write(tmp_path, 'a.conf', GOOD)
    directory = write(tmp_path, 'b.conf', GOOD)
    with pytest.raises(exceptions.ProviderConfigError) as err:
        providers.ProviderRegistry([directory])
    assert 'also defined' in str(err.value)


def test_copy_destinations_have_their_own_banks(tmp_path):
    text = GOOD + (
        'copy_destinations = dr-site, second\n'
        '[filesystem_bank]\npath = %s/main\n'
        '[destination:dr-site]\nbank = filesystem\ndescription = DR\n'
        'region = eu-west-2\n'
        '[destination:dr-site:filesystem_bank]\npath = %s/dr\n'
        '[destination:second]\nbank = filesystem\n'
        '[destination:second:filesystem_bank]\npath = %s/second\n'
        % ((tmp_path,) * 3))
    [provider] = providers.ProviderRegistry(
        [write(tmp_path, 'p.conf', text)]).list()
    assert [d.view() for d in provider.destinations.values()] == [
        {'name': 'dr-site', 'description': 'DR', 'availability_zone': '',
         'region': 'eu-west-2'},
        {'name': 'second', 'description': '', 'availability_zone': '',
         'region': ''}]
    main, dr = provider.bank_of(), provider.bank_of('dr-site')
    assert main.path == str(tmp_path / 'main')
    assert dr.path == str(tmp_path / 'dr')
    assert provider.bank_of('second').path == str(tmp_path / 'second')
    assert provider.bank_of('dr-site') is dr
    dr.put_object('k', b'only in dr')
    assert main.list_objects() == []
    with pytest.raises(exceptions.CopyDestinationNotFound,
                       match="no copy destination 'moon'.*dr-site, second"):
        provider.bank_of('moon')


@pytest.mark.parametrize('extra, fragment', [
    ('copy_destinations = dr\n', 'copy destination dr'),
    ('copy_destinations = dr\n[destination:dr]\nbank = tape\n', "'tape'"),
    ('copy_destinations = a b\n', 'must be letters'),
    ('copy_destinations = dr, dr\n[destination:dr]\nbank = filesystem\n',
     'listed twice'),
])
def test_bad_copy_destinations_say_what_is_wrong(tmp_path, extra, fragment):
    directory = write(tmp_path, 'bad.conf', GOOD + extra)
    with pytest.raises(exceptions.ProviderConfigError) as err:
        providers.ProviderRegistry([directory])
    assert fragment in str(err.value)
