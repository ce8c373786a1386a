"""The trusted start of a runner: what a spawn may ask, and Polars' thread pool sized late."""

from __future__ import annotations

from typing import Any

import pytest
from floe_run import Lake
from isolated import run_isolated

from floe_runner.isolation import Spawn, exit_code


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
    out = run_isolated(
        "import polars\n"
        "from floe_harness import polars_private\n"
        "polars_private.check()\n"
        f"polars_private.set_max_threads({threads})\n"
        "print(polars.thread_pool_size())\n"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(threads)


def test_runners_forked_after_the_templates_warm_up_scan_and_collect(lake: Lake) -> None:
    # The template warms up without starting a thread Polars or PyIceberg would need in a child:
    # a child forked after it must plan, scan and collect (a thread it lacked would hang it).
    code = (
        "import os\n"
        "from floe_harness.session import preload\n"
        "from floe_harness.warmup import warm_up\n"
        "preload()\n"
        "warm_up()\n"
        "names = sorted(open(f'/proc/self/task/{t}/comm').read().strip()\n"
        "               for t in os.listdir('/proc/self/task'))\n"
        "assert names == ['polars-ooc-clea', 'python'], names\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    import polars as pl\n"
        "    from pyiceberg.table import StaticTable\n"
        f"    table = StaticTable.from_metadata({lake.metadata_location!r})\n"
        "    n = pl.scan_iceberg(table).select(pl.len()).collect().item()\n"
        "    os._exit(0 if n == 5 else 1)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "print(os.waitstatus_to_exitcode(status))\n"
    )
    environment = {
        "_RJEM_MALLOC_CONF": "background_thread:false",
        "JE_ARROW_MALLOC_CONF": "background_thread:false",
        # Polars' own planner, as runners use it (it must load in the template and plan in a fork).
        "POLARS_ICEBERG_PLANNER": "plugin",
    }
    out = run_isolated(code, environment)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "0"
