"""quota and quota class commands, run from the shell against karbor-all.

A project of its own: the embedded server is shared with other tests.
"""

import pytest

from tests.functional.client.conftest import DIRECTORY_TYPE
from tests.functional.client.test_cli_functional import assert_one_line_error

PROJECT = 'quota-cli'
USER = {'token': 'quser:%s' % PROJECT, 'env': {'OS_PROJECT_ID': PROJECT}}
ADMIN = {'token': 'admin:%s' % PROJECT, 'env': {'OS_PROJECT_ID': PROJECT}}


@pytest.fixture
def reset(cli):
    yield
    cli.run('quota', 'delete', **ADMIN)


def create_plan(cli, provider_id, directory, name, expect=0):
    return cli.run('plan', 'create', name, provider_id, '--resource',
                   '%s=%s' % (directory[0], DIRECTORY_TYPE), '-f', 'json',
                   expect=expect, **USER)


def test_quota_show_update_delete(cli, provider_id, directory, reset):
    assert cli.json('quota', 'show', **USER) == {
        'id': PROJECT, 'plans': 50, 'checkpoints': -1}
    assert cli.json('quota', 'defaults', **USER) == {
        'id': PROJECT, 'plans': 50, 'checkpoints': -1}
    result = cli.run('quota', 'update', '--plans', '1', expect=1, **USER)
    assert 'quota:update' in assert_one_line_error(result, 403)
    result = cli.run('quota', 'show', '--project', 'someone-else',
                     expect=1, **USER)
    assert_one_line_error(result, 403)

    assert cli.json('quota', 'update', '--project', PROJECT, '--plans', '1',
                    '--checkpoints', '5', **ADMIN) == {
        'id': PROJECT, 'plans': 1, 'checkpoints': 5}
    create_plan(cli, provider_id, directory, 'quota-first')
    result = create_plan(cli, provider_id, directory, 'quota-second',
                         expect=1)
    line = assert_one_line_error(result, 413)
    assert 'Quota exceeded for plans: limit 1, in use 1, requested 1' in \
        line
    detail = cli.json('quota', 'show', '--detail', **USER)
    assert detail['plans'] == {'limit': 1, 'in_use': 1, 'reserved': 0}
    assert detail['checkpoints'] == {'limit': 5, 'in_use': 0,
                                     'reserved': 0}
    table = cli.run('quota', 'show', '--detail', **USER).stdout
    assert '"in_use": 1' in table

    cli.run('quota', 'delete', '--project', PROJECT, **ADMIN)
    assert cli.json('quota', 'show', **USER)['plans'] == 50
    create_plan(cli, provider_id, directory, 'quota-second')

    result = cli.run('quota', 'update', '--project', PROJECT, expect=1,
                     **ADMIN)
    assert '--plans and/or --checkpoints' in result.stderr
    result = cli.run('quota', 'update', '--plans', '-5', expect=1, **ADMIN)
    assert '-1 (unlimited) or more' in result.stderr


def test_quota_classes(cli):
    assert cli.json('quota', 'class', 'show', **USER) == {
        'id': 'default', 'plans': 50, 'checkpoints': -1}
    # Not "default": the other projects of the shared server keep theirs.
    result = cli.run('quota', 'class', 'update', 'cli-gold', '--plans', '3',
                     expect=1, **USER)
    assert_one_line_error(result, 403)
    assert cli.json('quota', 'class', 'update', 'cli-gold', '--plans', '3',
                    **ADMIN) == {'id': 'cli-gold', 'plans': 3,
                                 'checkpoints': -1}
    assert cli.json('quota', 'class', 'show', 'cli-gold', **USER)[
        'plans'] == 3
