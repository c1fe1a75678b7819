"""Removes the per-request introspection of pecan's routing.

pecan re-inspects the controllers on every request: it computes the
signature of the controller method several times (building a new
namedtuple class each time), lists every attribute of every controller it
walks through with ``dir()``, and reads ``request.path`` to decide how to
count arguments. Together that was a third of the CPU of a simple GET.
Controllers and their signatures never change at run time, so all of it
is computed once per function or class.
"""

import threading

import pecan.core
import pecan.decorators
import pecan.rest
import pecan.routing
import pecan.util

_ORIGINAL_GETARGSPEC = pecan.util.getargspec
_ORIGINAL_DETECT = pecan.routing._detect_custom_path_segments
_CACHE = {}
_LOCK = threading.Lock()
_INSTALLED = False


def cached_getargspec(method):
    key = getattr(method, '__func__', method)
    try:
        return _CACHE[key]
    except (KeyError, TypeError):
        pass
    spec = _ORIGINAL_GETARGSPEC(method)
    try:
        with _LOCK:
            _CACHE[key] = spec
    except TypeError:   # unhashable callable: nothing to cache
        pass
    return spec


def _detect_custom_path_segments(obj):
    # pecan records each controller class once it has checked its custom
    # routes, but only after listing its attributes again on every request.
    if obj.__class__ in pecan.routing.__observed_controllers__:
        return
    _ORIGINAL_DETECT(obj)


def _get_args_for_controller(self, controller):
    # The arguments after ``self``: Karbor's controllers use pecan's
    # thread-local request, never ``(self, req, resp)`` signatures, which
    # pecan tells apart by reading ``request.path`` on every call.
    return cached_getargspec(controller).args[1:]


def install():
    global _INSTALLED
    if _INSTALLED:
        return
    for module in (pecan.core, pecan.decorators, pecan.rest, pecan.routing,
                   pecan.util):
        module.getargspec = cached_getargspec
    pecan.routing._detect_custom_path_segments = _detect_custom_path_segments
    pecan.rest.RestController._get_args_for_controller = \
        _get_args_for_controller
    _INSTALLED = True
