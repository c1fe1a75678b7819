"""Resources a protection worker recently said exist, per project.

Creating or changing a plan checks that each of its resources exists,
which only a protection worker's protectable plugins can say (an RPC
``call``, costing more CPU across API, broker and worker than the rest of
the request). A resource a worker has just listed, shown or checked for
the same project is remembered for ``[api] resource_check_cache_seconds``
and not asked about again meanwhile: the usual "list the instances, then
create the plan" takes one RPC instead of two, and plans of the same
resources take none.

Only existence is remembered, never absence. A resource deleted within
that time may still enter a plan; its protect then fails, naming it, as it
would had it been deleted just after the check.
"""

import threading
import time

from oslo_config import cfg

CONF = cfg.CONF

# Entries kept at most per API process; beyond, the expired ones are
# dropped, and everything if that is not enough.
MAX_ENTRIES = 50000

_LOCK = threading.Lock()
_EXPIRES = {}


def _key(project_id, resource):
    return project_id, resource['type'], resource['id']


def all_known(project_id, resources):
    """Whether every resource of ``resources`` is remembered as existing.
    """
    if CONF.api.resource_check_cache_seconds <= 0:
        return False
    now = time.monotonic()
    return all(_EXPIRES.get(_key(project_id, r), 0) > now
               for r in resources)


def remember(project_id, resources):
    """A worker said these resources (``{"id", "type", ...}``) exist."""
    ttl = CONF.api.resource_check_cache_seconds
    if ttl <= 0:
        return
    expires = time.monotonic() + ttl
    with _LOCK:
        if len(_EXPIRES) + len(resources) > MAX_ENTRIES:
            _drop_expired()
        for resource in resources:
            _EXPIRES[_key(project_id, resource)] = expires


def _drop_expired():
    now = time.monotonic()
    for key in [k for k, expires in _EXPIRES.items() if expires <= now]:
        del _EXPIRES[key]
    if len(_EXPIRES) >= MAX_ENTRIES:
        _EXPIRES.clear()


def forget_all():
    with _LOCK:
        _EXPIRES.clear()
