"""Keeping a data-moving daemon's memory bounded.

glibc gives each thread that allocates its own malloc arena (up to 8 per
core); the chunk buffers that transfer threads allocate and free then stay
spread over many arenas, and the process's resident memory grows with the
number of threads instead of with the data in flight. Fewer arenas cost
nothing measurable here and keep the peak flat.
"""

import ctypes
import ctypes.util

from oslo_log import log as logging

LOG = logging.getLogger(__name__)

_M_ARENA_MAX = -8  # mallopt parameter, from glibc's malloc.h


def limit_malloc_arenas(count):
    """Cap glibc's malloc arenas at ``count`` (0: leave the default).

    Must run before the daemon starts its threads. Returns True when set;
    False on a C library without mallopt (musl, macOS).
    """
    if count <= 0:
        return False
    name = ctypes.util.find_library('c')
    mallopt = getattr(ctypes.CDLL(name), 'mallopt', None) if name else None
    if mallopt is None or mallopt(_M_ARENA_MAX, count) != 1:
        LOG.debug('malloc arenas not limited: no glibc mallopt')
        return False
    return True
