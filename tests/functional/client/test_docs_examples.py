"""The examples of doc/source/cli.rst and sdk.rst run against karbor-all.

Only code blocks with ``:class: karbor-tested`` are run, in order, as one
session (later blocks use what earlier ones set). In console blocks, lines
starting with ``$ `` are commands; the lines after a command are its
expected output, and each of them that holds no UUID (ids differ from
server to server) must appear in what the command printed.
"""

import re
import subprocess

from tests.functional.client.conftest import REPO_ROOT

DOCS = REPO_ROOT / 'doc' / 'source'
DOC_ENDPOINT = 'http://127.0.0.1:8799'
TESTED_CLASS = ':class: karbor-tested'
UUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                  r'[0-9a-f]{12}')


def find_tested_blocks(path, language):
    """The bodies (dedented lines) of the tested code blocks of a file."""
    lines = path.read_text().splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.strip() != '.. code-block:: %s' % language:
            continue
        options = []
        while index < len(lines) and lines[index].strip().startswith(':'):
            options.append(lines[index].strip())
            index += 1
        body = []
        while index < len(lines) and (not lines[index].strip()
                                      or lines[index].startswith('   ')):
            body.append(lines[index][3:])
            index += 1
        if TESTED_CLASS in options:
            blocks.append('\n'.join(body).strip('\n'))
    assert blocks, 'no tested %s block in %s' % (language, path)
    return blocks


def console_commands(blocks):
    """[(command, [expected output lines])] of console blocks."""
    commands = []
    for block in blocks:
        for line in block.splitlines():
            if line.startswith('$ '):
                commands.append((line[2:], []))
            elif line.strip() and commands:
                commands[-1][1].append(line.rstrip())
    return commands


def test_cli_examples(cli, tmp_path):
    commands = console_commands(find_tested_blocks(DOCS / 'cli.rst',
                                                   'console'))
    script = ['set -eo pipefail']
    for number, (command, _expected) in enumerate(commands):
        command = command.replace(DOC_ENDPOINT, cli.server.url)
        # Braces, not a subshell: variables and exports carry on.
        script.append('{ %s\n} >"%s/%d.out" 2>"%s/%d.err"' % (
            command, tmp_path, number, tmp_path, number))
    result = subprocess.run(['bash', '-c', '\n'.join(script)],
                            env=cli.env, capture_output=True, text=True,
                            timeout=300)
    ran = len(list(tmp_path.glob('*.out')))
    if result.returncode != 0:
        failed = ran - 1
        raise AssertionError('cli.rst example failed (exit %d): $ %s\n%s' % (
            result.returncode, commands[failed][0],
            (tmp_path / ('%d.err' % failed)).read_text()))
    for number, (command, expected) in enumerate(commands):
        output = (tmp_path / ('%d.out' % number)).read_text().splitlines()
        output = [line.rstrip() for line in output]
        for line in expected:
            if not UUID.search(line):
                assert line in output, (
                    'cli.rst: $ %s\nexpected line %r\ngot:\n%s' % (
                        command, line, '\n'.join(output)))


def test_sdk_examples(embedded_server):
    code = '\n\n'.join(find_tested_blocks(DOCS / 'sdk.rst', 'python'))
    code = code.replace(DOC_ENDPOINT, embedded_server.url)
    namespace = {'__name__': 'sdk_examples'}
    exec(compile(code, str(DOCS / 'sdk.rst'), 'exec'), namespace)  # noqa: S102
    assert namespace['plan'].name == 'sdk-example'


def test_the_examples_are_found():
    # A typo in a marker must not silently turn the doc test into a no-op.
    assert len(console_commands(find_tested_blocks(DOCS / 'cli.rst',
                                              'console'))) >= 15
    assert len(find_tested_blocks(DOCS / 'sdk.rst', 'python')) >= 4
