"""How a checkpoint is laid out in its bank (self-describing banks).

::

    checkpoints/<checkpoint id>/metadata.json      plan, resource graph,
                                                   extra-info, status, times
    checkpoints/<checkpoint id>/resources/<type>/<resource id>/...
                                                   the plugin's objects
    checkpoints/<checkpoint id>/resources/<type>/<resource id>/manifest.json
                                                   every object's key, size
                                                   and SHA-256

A bank copied elsewhere can therefore be read (and restored from) without
the database that indexed it.
"""

import hashlib
import json
import re

from karbor.protection.banks import base as bank_base

PREFIX = 'checkpoints/'
METADATA = 'metadata.json'
MANIFEST = 'manifest.json'
FORMAT_VERSION = 1

_SAFE = re.compile(r'^[A-Za-z0-9_:.\-]+$')


def _segment(value):
    """A bank key segment for ``value`` (ids may hold any character)."""
    if _SAFE.match(value) and value not in ('.', '..'):
        return value
    return 'h-' + hashlib.sha256(value.encode('utf-8')).hexdigest()[:40]


def checkpoint_prefix(checkpoint_id):
    return '%s%s/' % (PREFIX, _segment(checkpoint_id))


def resource_prefix(checkpoint_id, resource):
    return '%sresources/%s/%s/' % (checkpoint_prefix(checkpoint_id),
                                   _segment(resource.type),
                                   _segment(resource.id))


class BankSection:
    """The part of a bank below one prefix, with keys relative to it."""

    def __init__(self, bank, prefix):
        self.bank = bank
        self.prefix = prefix

    def _key(self, key):
        return bank_base.check_key(self.prefix + key)

    def put_object(self, key, data, metadata=None):
        return self.bank.put_object(self._key(key), data, metadata)

    def get_object(self, key, chunk_size=bank_base.CHUNK_SIZE):
        return self.bank.get_object(self._key(key), chunk_size)

    def read_bytes(self, key):
        return self.bank.read_bytes(self._key(key))

    def get_object_info(self, key):
        return self.bank.get_object_info(self._key(key))

    def delete_object(self, key):
        return self.bank.delete_object(self._key(key))

    def list_objects(self, prefix='', marker=None, limit=None):
        keys = self.bank.list_objects(
            self.prefix + prefix,
            marker=self.prefix + marker if marker else None, limit=limit)
        return [key[len(self.prefix):] for key in keys]

    def iter_keys(self, page=1000):
        """Every key below the prefix, paging through the bank."""
        marker = None
        while True:
            keys = self.list_objects(marker=marker, limit=page)
            yield from keys
            if len(keys) < page:
                return
            marker = keys[-1]


def write_metadata(bank, checkpoint, status=None):
    """Record the checkpoint's index row in the bank, with ``status`` if
    given (the one the row is about to get) instead of the row's."""
    document = {
        'format_version': FORMAT_VERSION,
        'id': checkpoint.id,
        'project_id': checkpoint.project_id,
        'provider_id': checkpoint.provider_id,
        'plan': checkpoint.plan,
        'status': status or checkpoint.status,
        'resource_graph': checkpoint.resource_graph,
        'extra_info': checkpoint.extra_info,
        'created_at': checkpoint.created_at.isoformat(),
    }
    # A copy says so, so that an import elsewhere knows where it came from.
    if getattr(checkpoint, 'copied_from', None):
        document['copied_from'] = checkpoint.copied_from
        document['destination'] = checkpoint.destination
    bank.put_object(checkpoint_prefix(checkpoint.id) + METADATA,
                    json.dumps(document, sort_keys=True).encode('utf-8'))


def read_metadata(bank, checkpoint_id):
    return json.loads(bank.read_bytes(checkpoint_prefix(checkpoint_id) +
                                      METADATA))


def write_manifest(bank, checkpoint_id, resource, saved_info=None):
    """List what the plugin stored for ``resource``, with checksums."""
    section = BankSection(bank, resource_prefix(checkpoint_id, resource))
    objects = []
    for key in section.iter_keys():
        if key == MANIFEST:
            continue
        info = section.get_object_info(key)
        objects.append({'key': key, 'size': info.size,
                        'sha256': info.sha256})
    manifest = {'resource': resource._asdict(), 'objects': objects,
                'saved_info': saved_info or {}}
    section.put_object(MANIFEST,
                       json.dumps(manifest, sort_keys=True).encode('utf-8'))
    return manifest


def delete_resource_data(bank, checkpoint_id):
    """Remove what the plugins stored for a checkpoint (idempotent)."""
    section = BankSection(bank, checkpoint_prefix(checkpoint_id) +
                          'resources/')
    for key in list(section.iter_keys()):
        section.delete_object(key)


def delete_checkpoint(bank, checkpoint_id):
    """Remove everything of a checkpoint, its metadata last.

    Idempotent: a delete resumed after a crash removes what is left.
    """
    section = BankSection(bank, checkpoint_prefix(checkpoint_id))
    for key in list(section.iter_keys()):
        if key != METADATA:
            section.delete_object(key)
    section.delete_object(METADATA)
