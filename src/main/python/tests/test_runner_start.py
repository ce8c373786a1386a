"""The trusted start of a runner: what a spawn may ask, and Polars' thread pool sized late."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from floe_runner.isolation import Spawn, exit_code

HARNESS = Path(__file__).resolve().parents[1]


def spawn(**change: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "runner": "rn-1",
        "root": "/srv/runners/rn-1/root",
        "procs": ["/sys/fs/cgroup/pids/floe-runs-1/rn-1/cgroup.procs"],
        "log": "/srv/runners/rn-1/log",
        "socket": "/srv/runners/rn-1/ctl.sock",
        "uid": 65534,
        "gid": 65534,
        "scratch_bytes": 512 << 20,
        "seccomp": "/srv/seccomp.bpf",
        "read_only": ["/usr/lib/python3", "/srv/harness"],
        "out_dir": "/srv/runners/rn-1/out",
        "out_files": ["result.arrows", "error.json"],
        "lake_roots": ["/tmp/lake/warehouse"],
    }
    request.update(change)
    return request


def test_a_spawn_request_parses() -> None:
    parsed = Spawn.parse(spawn())

    assert parsed.uid == 65534
    assert parsed.read_only == ("/usr/lib/python3", "/srv/harness")
    assert parsed.lake_roots == ("/tmp/lake/warehouse",)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"uid": 0}, "never runs as root"),
        ({"gid": 0}, "never runs as root"),
        ({"root": "relative/root"}, "not a normalized absolute path"),
        ({"read_only": ["/srv/../etc"]}, "not a normalized absolute path"),
        ({"lake_roots": ["/tmp/lake/"]}, "not a normalized absolute path"),
        ({"out_files": ["../escape"]}, "plain file names"),
        ({"out_files": ".."}, "list of non-empty strings"),
        ({"scratch_bytes": -1}, "non-negative integer"),
        ({"uid": "65534"}, "non-negative integer"),
        ({"runner": ""}, "non-empty string"),
    ],
)
def test_a_bad_spawn_request_is_refused(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        Spawn.parse(spawn(**change))


def test_exit_codes_read_like_a_shells() -> None:
    assert exit_code(3 << 8) == 3
    assert exit_code(9) == 128 + 9


@pytest.mark.parametrize("threads", [1, 3])
def test_polars_takes_its_thread_count_after_it_was_imported(threads: int) -> None:
    # The Polars internal Floe relies on (floe_harness/polars_private.py): a runner imports Polars
    # long before it learns its job's thread count. This fails loudly on a Polars that changed it.
    code = (
        f"import sys; sys.path.insert(0, {str(HARNESS)!r})\n"
        "import polars\n"
        "from floe_harness import polars_private\n"
        "polars_private.check()\n"
        f"polars_private.set_max_threads({threads})\n"
        "print(polars.thread_pool_size())\n"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=120, env={}
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(threads)
