"""Runner kinds side by side: why runners are forked from a template (README, *Why forked runners*).

One Floe per kind of runner and pool (forked or started by bubblewrap; warm pool or none), each asked the
flowers query sequentially. Besides latency, the CPU one run costs the whole machine: the service, the
template and the runners, counted by a cpuacct cgroup the bench puts the Floe's processes in once it is
ready (Floe never moves its runners out of cpuacct, so every runner forked or started later is counted).
Without a cgroup v1 cpuacct hierarchy (or without root) the CPU column reads n/a.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import flowers
from services import Floe
from stats import Context, med, ms, pct

HEADING = "## 7. "
CPUACCT = Path("/sys/fs/cgroup/cpuacct")
KINDS = [
    ("forked from the template, warm pool (the default as root)", {}),
    ("forked from the template, no pool (`floe.runners.warm=0`)", {"floe.runners.warm": "0"}),
    ("started by bubblewrap, warm pool", {"floe.sandbox.runner": "bwrap"}),
    ("started by bubblewrap, no pool", {"floe.sandbox.runner": "bwrap", "floe.runners.warm": "0"}),
]


def section(ctx: Context) -> list[str]:
    n = ctx.opts.kinds_n
    out = [
        f"{HEADING}Runner kinds: latency and CPU per run",
        "",
        f"The flowers query, {n} sequential requests after 5 warm-up ones, on a Floe of its own per kind."
        " CPU per run is everything the machine spent for it: the service, the template and the runner"
        " (starting the pool's replacement included), from a cpuacct cgroup holding the Floe's processes.",
        "",
        "| runner | p50 | p90 | CPU per run | runs/s 2 cores could sustain at that CPU |",
        "|---|---|---|---|---|",
    ]
    for i, (what, props) in enumerate(KINDS):
        floe = Floe(f"kind{i}", ctx.home, ctx.floe_python, props)
        group = None
        try:
            floe.wait_ready()
            group = _count_cpu(floe.pid, f"floe-bench-kind{i}-{os.getpid()}")
            for _ in range(5):
                flowers.ask(floe.url)
            time.sleep(3)  # the pool refills after the warm-up
            before = _usage(group)
            lat = []
            for _ in range(n):
                answer = flowers.ask(floe.url)
                flowers.check(answer)
                lat.append(answer.seconds)
            time.sleep(3)  # the refills these runs caused belong to them
            cpu = (_usage(group) - before) / n if group else None
            rate = f"{os.cpu_count() / cpu:.0f}" if cpu else "n/a"
            cpu_text = ms(cpu) if cpu else "n/a"
            out.append(f"| {what} | {ms(med(lat))} | {ms(pct(lat, 0.9))} | {cpu_text} | {rate} |")
        except SystemExit as e:
            out.append(f"| {what} | did not start: {str(e)[:200]} | | | |")
        finally:
            floe.stop()
            if group:
                _remove(group)
    out += [
        "",
        "- a bubblewrap runner is a fresh interpreter that imports Polars, PyArrow and PyIceberg before it"
        " is ready; a forked runner starts from a template that did so once. A warm pool hides start-up"
        " latency only while the pool refills faster than runs take runners: sequential runs drain a"
        " bubblewrap pool, whose refills then compete with the runs for the same cores.",
        "",
    ]
    return out


def _count_cpu(pid: int, name: str) -> Path | None:
    """Moves the Floe's JVM and every descendant into a new cpuacct cgroup; None if that is impossible."""
    if not (CPUACCT / "cpuacct.usage").exists():
        return None
    group = CPUACCT / name
    try:
        group.mkdir(exist_ok=True)
        for member in [pid, *_descendants(pid)]:
            with contextlib.suppress(OSError):  # a process that ended meanwhile
                (group / "cgroup.procs").write_text(str(member))
        return group
    except OSError:
        return None


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


def _usage(group: Path | None) -> float:
    """Seconds of CPU the group's processes used, dead ones included."""
    return int((group / "cpuacct.usage").read_text()) / 1e9 if group else 0.0


def _remove(group: Path) -> None:
    # The Floe stopped: its processes are gone (or leave the group empty within moments).
    for _ in range(50):
        try:
            group.rmdir()
            return
        except OSError:
            time.sleep(0.1)
