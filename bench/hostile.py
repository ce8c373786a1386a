"""`bench/run --hostile`: the service's memory while 4 hostile runs go on at once."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import services
from flowers import ask, check
from services import Floe

HOSTILE_DIR = Path(__file__).resolve().parent.parent / "src/test/resources/hostile"
INCLUDE = "# floe-test: include "
HEADING = "## Service memory while 4 hostile runs go on at once"


def fixture(name: str) -> str:
    """A hostile fixture's text with its include lines expanded, as HostileWorkloadsTest sends it."""
    lines = (HOSTILE_DIR / name).read_text().splitlines()
    return "".join(fixture(line[len(INCLUDE) :]) if line.startswith(INCLUDE) else line + "\n" for line in lines)


def hostile_runs() -> dict[str, dict[str, Any]]:
    """The four hostile workloads, from the test fixtures (each checks its isolation first)."""
    return {
        "memory bomb (grow to the 1024 MB limit)": {
            "script": fixture("01_memory_bomb.py"),
            "params": {"variant": "grow"},
            "limits": {"memoryMb": 1024},
        },
        "fork bomb (to the pids limit)": {
            "script": fixture("03_fork_bomb.py"),
            "params": {"variant": "fork"},
        },
        "stdout flood (1 GB)": {
            "script": fixture("07_stdout_flood.py"),
            "params": {"variant": "flood", "mb": 1024},
        },
        "busy loop (15 s time limit)": {
            "script": fixture("04_busy_loop.py"),
            "params": {"variant": "busy", "marker": "floe-bench-busy"},
            "limits": {"timeoutSeconds": 15},
        },
    }


def section(floe: Floe, rounds: int, command: str) -> list[str]:
    """Service RSS before, during and after rounds of 4 concurrent hostile runs, sampled every 100 ms."""
    load = os.getloadavg()
    for _ in range(3):
        check(ask(floe.url))
    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(floe.rss())
            time.sleep(0.1)

    time.sleep(2)
    before = []
    for _ in range(10):
        before.append(floe.rss())
        time.sleep(0.1)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    outcomes: dict[str, list[str]] = {}
    latencies: list[float] = []
    t0 = time.perf_counter()
    for _ in range(rounds):
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = {
                name: pool.submit(services.script, floe.url, body.pop("script"), **body)
                for name, body in hostile_runs().items()
            }
            while not all(f.done() for f in futures.values()):
                r = ask(floe.url)
                check(r)
                latencies.append(r.seconds)
                time.sleep(0.5)
            for name, f in futures.items():
                resp = f.result()
                outcomes.setdefault(name, []).append(f"{resp.status} {resp.body.get('error_code') or 'OK'}")
    elapsed = time.perf_counter() - t0
    stop.set()
    sampler.join()
    time.sleep(5)
    after = floe.rss()
    for _ in range(3):
        check(ask(floe.url))
    med = statistics.median
    return [
        HEADING,
        "",
        (
            f"Measured {datetime.date.today().isoformat()} by `{command}` on {platform.node()}"
            f" ({os.cpu_count()} cores): {rounds} rounds of these 4 runs at once against the sandboxed runner,"
            f" {elapsed:.0f} s in all, the service's RSS (VmRSS of its JVM, default heap settings) sampled"
            " every 100 ms, and a flowers query sent every 0.5 s meanwhile. Load average at the start"
            f" (1/5/15 min): {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}."
        ),
        "",
        "| hostile run | answers |",
        "|---|---|",
        *[f"| {name} | {', '.join(sorted(set(o)))} |" for name, o in outcomes.items()],
        "",
        "| service RSS | MB |",
        "|---|---|",
        f"| before (idle, after 3 queries) | {med(before):.0f} |",
        f"| during: median / peak | {med(samples):.0f} / {max(samples):.0f} |",
        f"| 5 s after the last run | {after:.0f} |",
        "",
        (
            f"- flowers queries answered meanwhile: {len(latencies)}, median {med(latencies) * 1000:.0f} ms,"
            f" slowest {max(latencies) * 1000:.0f} ms"
        ),
        (
            "- the runs' own memory (the 1 GB bomb, 1024 forked processes, the flood's pipe) is in their"
            " cgroups, not the service: the service holds 64 KiB of each run's logs."
        ),
        "",
    ]
