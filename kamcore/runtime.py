"""Process-wide allocator settings, applied once by each long-lived entry point: the app's server
(``ui``), the command line (``python -m kamcore``) and the benchmark's workers.

Arrow keeps what it frees in its own mimalloc pool, and glibc gives busy threads heaps of their
own (up to 8 per core) whose freed memory no other thread reuses. In a threaded server the
resident memory then grows render after render, and every process pays again for memory it
already had: on a virtual machine, first touching fresh memory is what an import of 1M lines
spends most of its system time on. So Arrow allocates from the C heap, where pandas and numpy
reuse what it frees, and glibc keeps at most ``ARENA_MAX`` heaps.
"""
from __future__ import annotations

import contextlib
import pyarrow as pa

from kamcore import config

ARENA_MAX = 2                 # glibc malloc arenas (M_ARENA_MAX)
_M_ARENA_MAX = -8             # glibc's mallopt parameter number


def configure_memory() -> dict:
    """Arrow on the C heap and at most ARENA_MAX glibc arenas; returns what was set.

    Call early, before most threads exist. A limit the operator set (``MALLOC_ARENA_MAX``) is left
    alone; elsewhere than glibc nothing is done about arenas. Never raises: an optimisation only.
    """
    done = {}
    with contextlib.suppress(Exception):
        pa.set_memory_pool(pa.system_memory_pool())
        done["arrow_pool"] = pa.default_memory_pool().backend_name
    if config.load().malloc_arena_max is None:
        with contextlib.suppress(Exception):
            import ctypes

            if ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, ARENA_MAX) == 1:
                done["arena_max"] = ARENA_MAX
    return done
