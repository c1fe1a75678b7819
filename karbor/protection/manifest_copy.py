"""Copy one resource's section of a checkpoint to another bank, by manifest.

Every object the manifest lists is streamed from the source section into
the destination section, whose returned SHA-256 (computed while it
writes) must be the manifest's; when it is not, the object is removed from
the destination and the source re-read against the manifest, so that a
corrupted source fails, naming the object, instead of being copied. An
object the destination already holds with the right SHA-256 and size is
skipped: a copy resumed after a crash, or retried, transfers only what is
missing. The manifest is copied last, so a destination section with a
manifest is complete.
"""

import threading
import time

from oslo_config import cfg
from oslo_log import log as logging

from karbor.common import exceptions
from karbor.protection import checkpoint_store
from karbor.protection import datapath

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# Failures no retry can fix: the source object is bad or missing.
_PERMANENT = (exceptions.BankObjectCorrupted, exceptions.BankObjectNotFound,
              exceptions.InvalidBankKey)


def _pause(seconds):
    # One place for the backoff, so that tests can skip it.
    time.sleep(seconds)


def with_retries(function, what, attempts=None, delay=None):
    """``function()``, tried again on transient bank errors.

    ``attempts`` tries in all ([protection] copy_attempts), waiting
    ``delay`` seconds, then twice as long each time, between them.
    """
    attempts = attempts or CONF.protection.copy_attempts
    delay = CONF.protection.copy_retry_delay if delay is None else delay
    for attempt in range(1, attempts + 1):
        try:
            return function()
        except _PERMANENT:
            raise
        except exceptions.BankError as err:
            if attempt == attempts:
                raise
            LOG.warning('Copying %s failed (attempt %d of %d), retrying: %s',
                        what, attempt, attempts, err)
            _pause(delay * 2 ** (attempt - 1))
    raise AssertionError('unreachable')


def _present(destination, key, entry):
    try:
        info = destination.get_object_info(key)
    except exceptions.BankObjectNotFound:
        return False
    return info.sha256 == entry['sha256'] and info.size == entry['size']


def _source_chunks(source, key):
    try:
        return source.get_object(key)
    except exceptions.BankObjectNotFound:
        raise exceptions.BankObjectCorrupted(
            key=source.prefix + key,
            reason='it is missing from the bank') from None


def _check_source(source, key, entry):
    """Re-read the source against the manifest: BankObjectCorrupted (naming
    it) when the source is what differs."""
    for _chunk in datapath.verified_chunks(source, key, entry):
        pass


def _copy_object(source, destination, key, entry):
    def attempt():
        try:
            # One hash pass: the destination hashes what it stores, and
            # that must be the manifest's; only a difference re-reads the
            # source, to tell a bad source from a bad write.
            info = destination.put_object(key, _source_chunks(source, key))
        except exceptions.BankObjectCorrupted:
            # A bank that checks its own reads found the source bad: what
            # was just written must not stay.
            destination.delete_object(key)
            raise
        if info.sha256 == entry['sha256'] and info.size == entry['size']:
            return
        destination.delete_object(key)
        _check_source(source, key, entry)
        # The source read back right: the destination failed the write.
        raise exceptions.BankError(
            reason='the copy of %s%s holds %d bytes with SHA-256 %s, not %d '
                   'bytes with SHA-256 %s'
                   % (destination.prefix, key, info.size, info.sha256,
                      entry['size'], entry['sha256']))
    with_retries(attempt, source.prefix + key)


def copy_manifest(source, destination, progress=None, bound=None):
    """Copy the resource section ``source`` to ``destination`` (two
    BankSections); returns ``{'copied': n, 'skipped': n}`` objects."""
    manifest = datapath.read_manifest(source)
    entries = sorted(manifest['objects'].values(), key=lambda e: e['key'])
    if progress is not None:
        progress.add_total(items=len(entries),
                           nbytes=sum(e['size'] for e in entries))
    counts = {'copied': 0, 'skipped': 0}
    lock = threading.Lock()

    def copy(entry):
        key = entry['key']
        if _present(destination, key, entry):
            outcome = 'skipped'
        else:
            _copy_object(source, destination, key, entry)
            outcome = 'copied'
        with lock:
            counts[outcome] += 1
        if progress is not None:
            progress.advance(items=1, nbytes=entry['size'])

    datapath.run_parallel(copy, entries, bound)
    raw = with_retries(
        lambda: source.read_bytes(checkpoint_store.MANIFEST),
        source.prefix + checkpoint_store.MANIFEST)
    with_retries(
        lambda: destination.put_object(checkpoint_store.MANIFEST, raw),
        source.prefix + checkpoint_store.MANIFEST)
    return counts
