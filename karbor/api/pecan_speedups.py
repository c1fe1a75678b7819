"""Caches pecan's argument introspection.

pecan inspects the signature of the controller method on every request
(several times), building a new namedtuple class each time; that alone
was a sixth of the CPU of a simple GET. Signatures never change at run
time, so they are computed once per function.
"""

import threading

import pecan.core
import pecan.decorators
import pecan.rest
import pecan.routing
import pecan.util

_ORIGINAL = pecan.util.getargspec
_CACHE = {}
_LOCK = threading.Lock()
_INSTALLED = False


def cached_getargspec(method):
    key = getattr(method, '__func__', method)
    try:
        return _CACHE[key]
    except (KeyError, TypeError):
        pass
    spec = _ORIGINAL(method)
    try:
        with _LOCK:
            _CACHE[key] = spec
    except TypeError:   # unhashable callable: nothing to cache
        pass
    return spec


def install():
    global _INSTALLED
    if _INSTALLED:
        return
    for module in (pecan.core, pecan.decorators, pecan.rest, pecan.routing,
                   pecan.util):
        module.getargspec = cached_getargspec
    _INSTALLED = True
