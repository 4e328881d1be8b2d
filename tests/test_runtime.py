"""Allocator settings of the server and the command line (kamcore.runtime): Arrow on the C heap, at most
two glibc arenas."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from kamcore import runtime

ROOT = Path(__file__).resolve().parents[1]
GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# Eight threads allocate at once, then glibc's malloc_info lists one <heap> per arena in use.
PROBE = """
import ctypes, re, sys, threading, time
sys.path.insert(0, sys.argv[1])
if sys.argv[2] == "ui":
    import ui  # noqa: F401
elif sys.argv[2] == "cli":
    from kamcore.cli import main as cli
    cli.main(["batches", "--db", sys.argv[3] + ".duckdb"])
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


def _heaps(tmp_path, entry: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    out = subprocess.run([sys.executable, "-c", PROBE, str(ROOT), entry, str(tmp_path / "m.xml")],
                         capture_output=True, text=True, env=env, timeout=120, check=True)
    return int(out.stdout.strip().splitlines()[-1])


def test_arrow_allocates_from_the_c_heap_once_ui_is_loaded():
    import ui

    assert pa.default_memory_pool().backend_name == "system"
    assert ui.MEMORY_SETTINGS["arrow_pool"] == "system"


@pytest.mark.skipif(not GLIBC, reason="M_ARENA_MAX is a glibc setting")
def test_the_server_and_the_command_line_keep_at_most_two_malloc_arenas(tmp_path):
    assert runtime.ARENA_MAX == 2
    assert _heaps(tmp_path, "-") > 2                   # eight busy threads: glibc's default gives them more
    assert _heaps(tmp_path, "ui") <= 2
    assert _heaps(tmp_path, "cli") <= 2


def test_an_arena_limit_given_by_the_operator_is_left_alone(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert "arena_max" not in runtime.configure_memory()
    assert runtime.configure_memory()["arrow_pool"] == "system"
