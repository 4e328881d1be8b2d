"""The server's allocator settings (ui._server_memory): Arrow on the C heap, at most two glibc arenas."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

ROOT = Path(__file__).resolve().parents[2]
GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# Eight threads allocate at once, then glibc's malloc_info lists one <heap> per arena in use.
PROBE = """
import ctypes, re, sys, threading, time
sys.path.insert(0, sys.argv[1])
if sys.argv[2] == "ui":
    import ui  # noqa: F401
libc = ctypes.CDLL("libc.so.6")
def work():
    kept = [ctypes.create_string_buffer(4096) for _ in range(2000)]
    time.sleep(0.2)
threads = [threading.Thread(target=work) for _ in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
libc.fopen.restype = ctypes.c_void_p
f = libc.fopen(sys.argv[3].encode(), b"w")
libc.malloc_info(0, ctypes.c_void_p(f))
libc.fclose(ctypes.c_void_p(f))
print(len(re.findall(r"<heap nr=", open(sys.argv[3]).read())))
"""


def _heaps(tmp_path, load_ui: bool) -> int:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    out = subprocess.run([sys.executable, "-c", PROBE, str(ROOT), "ui" if load_ui else "-", str(tmp_path / "m.xml")],
                         capture_output=True, text=True, env=env, timeout=120, check=True)
    return int(out.stdout.strip().splitlines()[-1])


def test_arrow_allocates_from_the_c_heap_once_ui_is_loaded():
    import ui

    assert pa.default_memory_pool().backend_name == "system"
    assert ui.MEMORY_SETTINGS["arrow_pool"] == "system"


@pytest.mark.skipif(not GLIBC, reason="M_ARENA_MAX is a glibc setting")
def test_the_server_keeps_at_most_two_malloc_arenas(tmp_path):
    import ui

    assert ui.ARENA_MAX == 2
    assert _heaps(tmp_path, load_ui=False) > 2          # eight busy threads: glibc's default gives them more
    assert _heaps(tmp_path, load_ui=True) <= 2


def test_an_arena_limit_given_by_the_operator_is_left_alone(monkeypatch):
    import ui

    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert "arena_max" not in ui._server_memory()
