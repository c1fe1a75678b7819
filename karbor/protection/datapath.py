"""The data path the protection plugins share.

* ``Progress``: items and bytes done/total of one operation, saved on its
  target (checkpoint or restore) at most once per interval while it runs.
* ``run_parallel``: transfers with a bound on how many run at once; the
  first failure stops the others from starting and is raised.
* ``read_manifest`` / ``verified_chunks`` / ``verify_manifest``: every
  object a plugin stored is listed with its SHA-256 in the resource's
  manifest (written when the protect completes); reading it back
  recomputes the SHA-256 and fails loudly, naming the object, on any
  difference.
"""

import concurrent.futures
import hashlib
import json
import threading
import time

from oslo_config import cfg
from oslo_log import log as logging

from karbor.common import exceptions
from karbor.protection import checkpoint_store

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# How many corrupted objects a verification names before it stops looking.
MAX_REPORTED_PROBLEMS = 10


class Progress:
    """Thread-safe counters of one operation.

    ``save`` (a callable taking the snapshot dict) is called at most once
    per ``interval`` seconds by whichever thread advances the counters, and
    once more by ``flush``.
    """

    def __init__(self, save=None, interval=None):
        self._save = save
        self._interval = (CONF.protection.progress_interval
                          if interval is None else interval)
        self._lock = threading.Lock()
        self._save_lock = threading.Lock()
        self._counters = dict.fromkeys(
            ('items_done', 'items_total', 'bytes_done', 'bytes_total'), 0)
        self._saved_at = None      # the first change is saved at once
        self._dirty = False

    def add_total(self, items=0, nbytes=0):
        self._change('items_total', items, 'bytes_total', nbytes)

    def advance(self, items=0, nbytes=0):
        self._change('items_done', items, 'bytes_done', nbytes)

    def snapshot(self):
        with self._lock:
            return dict(self._counters)

    def _change(self, items_key, items, bytes_key, nbytes):
        with self._lock:
            self._counters[items_key] += items
            self._counters[bytes_key] += nbytes
            self._dirty = True
            due = (self._saved_at is None or
                   time.monotonic() - self._saved_at >= self._interval)
        if due:
            self.flush(blocking=False)

    def flush(self, blocking=True):
        """Save the counters now if they changed (unless another thread
        is saving them)."""
        if self._save is None or not self._dirty or \
                not self._save_lock.acquire(blocking):
            return
        try:
            self._saved_at = time.monotonic()
            with self._lock:
                self._dirty = False
                snapshot = dict(self._counters)
            self._save(snapshot)
        except Exception:
            # Progress is for users to watch: a database hiccup while
            # saving it must not fail the transfer it describes.
            with self._lock:
                self._dirty = True
            LOG.warning('Saving the progress of an operation failed',
                        exc_info=True)
        finally:
            self._save_lock.release()


def counted(chunks, progress):
    """Pass ``chunks`` through, counting their bytes as done."""
    for chunk in chunks:
        progress.advance(nbytes=len(chunk))
        yield chunk


def run_parallel(function, items, bound=None):
    """``function(item)`` for every item, at most ``bound`` at a time.

    Returns the results in the order of ``items``. After a failure no new
    item starts; the first failure is raised once the running ones end.
    """
    bound = bound or CONF.protection.max_parallel_transfers
    items = list(items)
    if bound == 1 or len(items) <= 1:
        return [function(item) for item in items]
    results = [None] * len(items)
    failures = []
    slots = threading.Semaphore(bound)
    with concurrent.futures.ThreadPoolExecutor(
            bound, thread_name_prefix='karbor-transfer') as pool:

        def run(index, item):
            try:
                if not failures:
                    results[index] = function(item)
            except BaseException as err:
                failures.append(err)
            finally:
                slots.release()

        for index, item in enumerate(items):
            slots.acquire()
            if failures:
                slots.release()
                break
            pool.submit(run, index, item)
    if failures:
        raise failures[0]
    return results


def read_manifest(section):
    """The resource's manifest: ``{'objects': {key: {size, sha256}}, ...}``.

    A resource without one was never completely protected.
    """
    try:
        document = json.loads(section.read_bytes(checkpoint_store.MANIFEST))
    except exceptions.BankObjectNotFound:
        raise exceptions.PluginError(
            'the checkpoint holds no manifest for this resource: it was not '
            'completely protected',
            'missing %s%s' % (section.prefix,
                              checkpoint_store.MANIFEST)) from None
    except ValueError as err:
        raise exceptions.BankObjectCorrupted(
            key=section.prefix + checkpoint_store.MANIFEST,
            reason='not JSON (%s)' % err) from None
    document['objects'] = {entry['key']: entry
                           for entry in document.get('objects', [])}
    return document


def verified_chunks(section, key, expected, chunk_size=None, progress=None):
    """The chunks of ``key``, checked against ``expected`` (a manifest entry
    with ``sha256`` and ``size``) once the last one was read.

    The caller must treat what it wrote as garbage when this raises
    BankObjectCorrupted, which it does after the last chunk.
    """
    digest, size = hashlib.sha256(), 0
    kwargs = {'chunk_size': chunk_size} if chunk_size else {}
    try:
        chunks = section.get_object(key, **kwargs)
    except exceptions.BankObjectNotFound:
        raise exceptions.BankObjectCorrupted(
            key=section.prefix + key,
            reason='it is missing from the bank') from None
    recorded = getattr(chunks, 'recorded', None)
    if recorded is not None:
        # The bank checks these bytes against what it recorded: one hash
        # pass is enough once that record is the manifest's.
        if tuple(recorded) != (expected['sha256'], expected['size']):
            raise exceptions.BankObjectCorrupted(
                key=section.prefix + key,
                reason='the bank holds %d bytes with SHA-256 %s, the '
                       'manifest lists %d bytes with SHA-256 %s'
                       % (recorded[1], recorded[0], expected['size'],
                          expected['sha256']))
        for chunk in chunks:
            if progress is not None:
                progress.advance(nbytes=len(chunk))
            yield chunk
        return
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
        if progress is not None:
            progress.advance(nbytes=len(chunk))
        yield chunk
    if size != expected['size'] or digest.hexdigest() != expected['sha256']:
        raise exceptions.BankObjectCorrupted(
            key=section.prefix + key,
            reason='its content has changed (expected %d bytes with SHA-256 '
                   '%s, read %d bytes with SHA-256 %s)'
                   % (expected['size'], expected['sha256'], size,
                      digest.hexdigest()))


def verify_manifest(section, progress=None, bound=None):
    """Re-read every object of the resource and check its SHA-256.

    Raises BankObjectCorrupted naming every bad object (up to a limit).
    """
    manifest = read_manifest(section)
    entries = sorted(manifest['objects'].values(), key=lambda e: e['key'])
    if progress is not None:
        progress.add_total(items=len(entries),
                           nbytes=sum(e['size'] for e in entries))
    problems = []

    def check(entry):
        if len(problems) >= MAX_REPORTED_PROBLEMS:
            return
        try:
            for _chunk in verified_chunks(section, entry['key'], entry,
                                          progress=progress):
                pass
        except exceptions.BankObjectCorrupted as err:
            problems.append(err)
        if progress is not None:
            progress.advance(items=1)

    run_parallel(check, entries, bound)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise exceptions.BankObjectCorrupted(
            key=', '.join(sorted(p.kwargs['key'] for p in problems)),
            reason='%d objects do not match their manifest' % len(problems))
    return manifest
