"""The bank interface: an object store holding a provider's checkpoints.

Keys are '/'-separated relative paths of safe segments (letters, digits,
``-_.:``, never ``.`` or ``..``). Objects are written whole and atomically: a
reader sees the old object or the new one, never a part. Every object has
a SHA-256 and a size, computed while writing, and optional user metadata
(a flat dict of strings).
"""

import abc
import dataclasses
import re

from karbor.common import exceptions

CHUNK_SIZE = 4 * 1024 * 1024

_SEGMENT = re.compile(r'^[A-Za-z0-9_:.\-]+$')


def check_key(key):
    """Refuse keys that could escape the bank or are ambiguous."""
    segments = key.split('/') if isinstance(key, str) else []
    if not segments or any(
            not _SEGMENT.match(s) or s in ('.', '..') for s in segments):
        raise exceptions.InvalidBankKey(key=key)
    return key


@dataclasses.dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    sha256: str
    metadata: dict


class Bank(abc.ABC):
    """A bank plugin. ``config`` is the provider's ConfigOpts; ``section``
    the group holding the bank's options, when not the plugin's own
    ``SECTION`` (a provider's copy destinations each have theirs)."""

    #: The group of the provider file holding this bank's options.
    SECTION = None

    def __init__(self, config, section=None):
        self._config = config
        if section:
            self.SECTION = section

    @abc.abstractmethod
    def put_object(self, key, data, metadata=None):
        """Store ``data`` (bytes, or an iterable of bytes chunks, or a
        binary file object) under ``key``, atomically; returns ObjectInfo.
        Memory use stays bounded by the chunk size whatever the size."""

    @abc.abstractmethod
    def get_object(self, key, chunk_size=CHUNK_SIZE):
        """An iterator of bytes chunks; BankObjectNotFound if absent.

        A bank that checks the bytes itself while streaming gives the
        iterator a ``recorded`` attribute, (sha256, size), and raises
        BankObjectCorrupted after the last chunk when they differ."""

    @abc.abstractmethod
    def get_object_info(self, key):
        """ObjectInfo of ``key``; BankObjectNotFound if absent."""

    @abc.abstractmethod
    def list_objects(self, prefix='', marker=None, limit=None):
        """Keys starting with ``prefix``, sorted, after ``marker``, at most
        ``limit`` of them."""

    @abc.abstractmethod
    def delete_object(self, key):
        """Remove ``key``; removing an absent key is not an error."""

    def read_bytes(self, key):
        return b''.join(self.get_object(key))
