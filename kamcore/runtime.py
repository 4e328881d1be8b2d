"""Process-wide allocator settings, applied once by each long-lived entry point: the app's server
(``ui``), the command line (``python -m kamcore``) and the benchmark's workers.

Arrow keeps what it frees in its own mimalloc pool, and glibc gives busy threads heaps of their
own (up to 8 per core) whose freed memory no other thread reuses. In a threaded server the
resident memory then grows render after render, and every process pays again for memory it
already had: on a virtual machine, first touching fresh memory is what an import of 1M lines
spends most of its system time on. So Arrow allocates from the C heap, where pandas and numpy
reuse what it frees, and glibc keeps at most ``ARENA_MAX`` heaps.

glibc also raises its mmap threshold to the size of the largest block freed so far (up to
32 MB): after the first large free, column-sized buffers of a few MB come from the heaps, and
the holes they leave keep the resident size up. A fixed ``MMAP_THRESHOLD`` of 4 MB maps every
larger block of its own and gives it back when freed: in alternating runs the At risk page at
10M lines peaked at 543-577 MB instead of 579-590 MB and a 1M-line import at ~450 instead of
~515 MB, at about the same speed (1 MB was slower: more fresh memory to touch).
"""
from __future__ import annotations

import contextlib
import os

import pyarrow as pa

ARENA_MAX = 2                 # glibc malloc arenas (M_ARENA_MAX)
MMAP_THRESHOLD = 4 << 20      # blocks from this size are mapped on their own (M_MMAP_THRESHOLD)
_M_ARENA_MAX, _M_MMAP_THRESHOLD = -8, -3          # glibc's mallopt parameter numbers


def configure_memory() -> dict:
    """Arrow on the C heap, at most ARENA_MAX glibc arenas and a fixed MMAP_THRESHOLD; returns what was set.

    Call early, before most threads exist. What the operator set (``MALLOC_ARENA_MAX``,
    ``MALLOC_MMAP_THRESHOLD_`` or ``GLIBC_TUNABLES``) is left alone; elsewhere than glibc nothing
    is done about the C heap. Never raises: an optimisation only.
    """
    done = {}
    with contextlib.suppress(Exception):
        pa.set_memory_pool(pa.system_memory_pool())
        done["arrow_pool"] = pa.default_memory_pool().backend_name
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    for name, param, value, env in (("arena_max", _M_ARENA_MAX, ARENA_MAX, "MALLOC_ARENA_MAX"),
                                    ("mmap_threshold", _M_MMAP_THRESHOLD, MMAP_THRESHOLD, "MALLOC_MMAP_THRESHOLD_")):
        if env in os.environ or f"glibc.malloc.{name}" in tunables:
            continue
        with contextlib.suppress(Exception):
            import ctypes

            if ctypes.CDLL("libc.so.6").mallopt(param, value) == 1:
                done[name] = value
    return done
