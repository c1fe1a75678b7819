"""Running client tools with bounded memory: streaming, failures, secrets."""

import os
import sys

import pytest

from karbor.protection.plugins import dump_tools

PY = sys.executable


def test_stdout_chunks_are_bounded_and_complete():
    argv = [PY, '-c', 'import sys; sys.stdout.buffer.write(b"x" * 2500000)']
    chunks = list(dump_tools.stdout_chunks(argv, dict(os.environ),
                                           chunk_size=1 << 20))
    assert [len(c) for c in chunks] == [1 << 20, 1 << 20, 2500000 - (2 << 20)]


def test_a_failed_tool_raises_after_its_output_with_its_stderr_masked():
    argv = [PY, '-c', 'import sys; print("partial"); '
            'print("error: bad password hunter2", file=sys.stderr); '
            'print("detail", file=sys.stderr); sys.exit(3)']
    chunks = dump_tools.stdout_chunks(argv, dict(os.environ),
                                      secrets=['hunter2'])
    assert next(chunks) == b'partial\n'
    with pytest.raises(dump_tools.ToolFailed) as caught:
        next(chunks)
    assert caught.value.returncode == 3
    assert caught.value.first_line() == 'error: bad password ***'
    assert 'detail' in str(caught.value)
    assert 'hunter2' not in str(caught.value)


def test_feed_stdin_reads_its_input_to_the_end_when_the_tool_stops_early():
    read = []

    def chunks():
        for n in range(50):
            read.append(n)
            yield b'y' * 65536
    argv = [PY, '-c', 'import sys; sys.stdin.buffer.read(10); sys.exit(0)']
    dump_tools.feed_stdin(argv, dict(os.environ), chunks())
    # A checksum checked after the last chunk still runs.
    assert len(read) == 50


def test_feed_stdin_kills_the_tool_when_its_input_fails():
    def chunks():
        yield b'data'
        raise ValueError('checksum mismatch')
    argv = [PY, '-c', 'import sys, time; sys.stdin.buffer.read(); '
            'time.sleep(30)']
    with pytest.raises(ValueError, match='checksum'):
        dump_tools.feed_stdin(argv, dict(os.environ), chunks())


def test_feed_stdin_reports_a_failed_tool():
    argv = [PY, '-c', 'import sys; sys.stdin.buffer.read(); '
            'print("ERROR 1049: Unknown database"); sys.exit(1)']
    with pytest.raises(dump_tools.ToolFailed, match='Unknown database'):
        dump_tools.feed_stdin(argv, dict(os.environ), [b'a', b'b'])


def test_missing_tool_and_client_env(monkeypatch, tmp_path):
    with pytest.raises(dump_tools.ToolNotFound, match='pg_nothing'):
        dump_tools.find_tool(['pg_nothing'], str(tmp_path))
    monkeypatch.setenv('PGHOST', 'elsewhere')
    monkeypatch.setenv('MYSQL_PWD', 'old')
    env = dump_tools.client_env({'PGPORT': 5433, 'PGPASSWORD': None})
    assert 'PGHOST' not in env and 'MYSQL_PWD' not in env
    assert env['PGPORT'] == '5433' and 'PGPASSWORD' not in env


def test_gzip_round_trip_is_bounded_and_bad_gzip_reads_to_the_end():
    data = os.urandom(300000) + b'z' * 5000000
    packed = b''.join(dump_tools.gzip_chunks([data[:100], data[100:]]))
    out = list(dump_tools.gunzip_chunks(
        [packed[i:i + 65536] for i in range(0, len(packed), 65536)],
        max_chunk=1 << 20))
    assert b''.join(out) == data
    assert max(len(c) for c in out) <= 1 << 20
    read = []

    def broken():
        for piece in (packed[:1000], b'garbage' * 100, packed[2000:3000]):
            read.append(piece)
            yield piece
    with pytest.raises(dump_tools.NotGzip):
        list(dump_tools.gunzip_chunks(broken()))
    assert len(read) == 3
