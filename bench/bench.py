"""Floe's benchmarks (issue 18's targets): every figure against a baseline measured in the same run.

Started by bench/run, which builds Floe and the bench venv. This starts its own Floe on a free port with
a temp home, talks to it over HTTP only, and writes RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

# Plain Polars gets the thread count Floe gives a run (floe.sandbox.max-threads: the cores), before import.
os.environ.setdefault("POLARS_MAX_THREADS", str(os.cpu_count()))
# The bench venv has the sandbox's pins, polars-iceberg among them: plain Polars plans scans as runs do.
warnings.filterwarnings("ignore", message=".*polars_iceberg.*")

import flowers  # noqa: E402
import hostile  # noqa: E402
import observe  # noqa: E402
import runner_kinds  # noqa: E402
import services  # noqa: E402
import tpch  # noqa: E402
import workloads  # noqa: E402
from services import ROOT, Floe  # noqa: E402
from stats import Context  # noqa: E402

SECTIONS = ["flowers", "concurrent", "cpu", "append", "arrow", "tpch", "kinds", "observe", "hostile"]
HEADINGS = {
    "flowers": "## 1. ",
    "concurrent": "## 2. ",
    "cpu": "## 3. ",
    "append": "## 4. ",
    "arrow": "## 5. ",
    "tpch": "## 6. ",
    "kinds": runner_kinds.HEADING,
    "observe": observe.HEADING,
    "hostile": hostile.HEADING,
}


def options() -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="bench/run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--home", type=Path, required=True, help="temp directory for the Floe(s) and logs")
    ap.add_argument("--bin", type=Path, default=Path(sys.executable).parent, help="bench venv's bin directory")
    ap.add_argument(
        "--out",
        type=Path,
        help="results file (default: bench/RESULTS.md for a full run"
        " or --hostile, .floe/bench/RESULTS-partial.md for --quick or --only)",
    )
    ap.add_argument("--only", default="", help=f"comma-separated sections, of: {','.join(SECTIONS)}")
    ap.add_argument("--hostile", action="store_true", help="same as --only hostile")
    ap.add_argument("--quick", action="store_true", help="small counts for development (not for RESULTS.md)")
    ap.add_argument("--flowers-n", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument(
        "--cold-prop",
        default="floe.runners.warm=0",
        help="the property that empties the warm pool of the cold-path Floe",
    )
    ap.add_argument("--cold-n", type=int, default=30)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--load-seconds", type=float, default=60)
    ap.add_argument("--cpu-rows", type=int, default=20_000_000)
    ap.add_argument("--cpu-n", type=int, default=3)
    ap.add_argument("--append-n", type=int, default=30)
    ap.add_argument("--append-concurrent", type=int, default=8)
    ap.add_argument("--arrow-rows", type=int, default=5_000_000)
    ap.add_argument("--arrow-n", type=int, default=3)
    ap.add_argument("--tpch-scale", type=float, default=1)
    ap.add_argument("--tpch-rounds", type=int, default=2)
    ap.add_argument("--tpch-queries", default="", help="e.g. 1,6,18 (default: all 22)")
    ap.add_argument("--tpch-memory-mb", type=int, default=8192)
    ap.add_argument("--kinds-n", type=int, default=40, help="sequential runs per runner kind")
    ap.add_argument("--observe-n", type=int, default=60, help="flowers queries per kind in the observe section")
    ap.add_argument("--observe-cpu-rows", type=int, default=5_000_000)
    ap.add_argument("--hostile-rounds", type=int, default=3)
    ap.add_argument("--note", default="", help="a sentence on the run's conditions, put under the header")
    o = ap.parse_args()
    if o.quick:
        o.flowers_n, o.warmup, o.cold_n, o.load_seconds = 30, 3, 10, 15
        o.cpu_rows, o.cpu_n, o.append_n, o.arrow_rows, o.arrow_n = 5_000_000, 1, 5, 1_000_000, 1
        o.tpch_scale, o.tpch_rounds, o.hostile_rounds, o.kinds_n = 0.1, 1, 1, 10
        o.observe_n, o.observe_cpu_rows = 10, 1_000_000
    o.sections = ["hostile"] if o.hostile else [s.strip() for s in o.only.split(",") if s.strip()] or SECTIONS
    if unknown := set(o.sections) - set(SECTIONS):
        ap.error(f"unknown section(s) {sorted(unknown)}; the sections are {', '.join(SECTIONS)}")
    # Only a full run (or --hostile, which replaces its own section) writes bench/RESULTS.md by default.
    partial = o.quick or (o.only and not o.hostile)
    o.out = o.out or ROOT / (".floe/bench/RESULTS-partial.md" if partial else "bench/RESULTS.md")
    return o


def header(
    o: argparse.Namespace, load: tuple[float, float, float], floe: Floe, ready: dict[str, Any], took: float
) -> list[str]:
    import polars as pl

    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        "?",
    )
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True
    ).stdout.strip()
    checks: list[dict[str, Any]] = ready.get("checks", [])
    sandbox: dict[str, Any] = next((c.get("data") or {} for c in checks if c.get("name") == "sandbox"), {})
    return [
        "# Floe benchmark results",
        "",
        f"Measured {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC by `bench/run"
        f"{' --quick' if o.quick else ''}` at commit `{commit}` on {platform.node()}: {os.cpu_count()} cores"
        f" ({cpu}), {mem:.0f} GiB, {platform.platform()}, Polars {pl.__version__}.",
        f"Load average at the start (1/5/15 min): **{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}**; in"
        f" all {took / 60:.1f} min. Absolute times on a shared machine are noisy: read the ratios, which compare"
        " runs made side by side in this invocation.",
        f"Floe under test: started by the bench on a free port with a temp home, ready after"
        f" {floe.ready_after:.1f} s; runner `{sandbox.get('runner')}`, isolated {sandbox.get('isolated')};"
        f" warm pool in `/q/health/ready`: {services.pool_figures(ready) or 'none'}.",
        *([f"Conditions: {o.note}"] if o.note else []),
        "",
    ]


def targets_table(ctx: Context) -> list[str]:
    mark = {True: "met", False: "**missed**", None: "–"}
    return [
        "## Issue 18's targets in this run",
        "",
        "| target | wanted | measured | |",
        "|---|---|---|---|",
        *[f"| {t.what} | {t.target} | {t.measured} | {mark[t.met]} |" for t in ctx.targets],
        "",
    ]


def replace_section(text: str, start: str, lines: list[str]) -> str:
    """Puts a section in place of the one whose heading starts with `start` (or at the end)."""
    section = "\n".join(lines).rstrip("\n")
    pattern = re.compile(r"^" + re.escape(start) + r".*?(?=\n## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(text):
        return pattern.sub(lambda _m: section, text, count=1)
    return text.rstrip("\n") + "\n\n" + section


def main() -> int:
    o = options()
    load, t_start = os.getloadavg(), time.perf_counter()
    floe_python = str(ROOT / ".floe/venv/bin/python")
    floe = Floe("floe", o.home, floe_python)
    ctx = Context(floe, floe.home, o.home, ROOT / ".floe/bench-data", o.bin, floe_python, o)
    sections: dict[str, list[str]] = {}
    try:
        ready = floe.wait_ready()
        first = flowers.ask(floe.url)
        flowers.check(first)
        runners = {
            "flowers": lambda: flowers.section_sequential(ctx, first.seconds),
            "concurrent": lambda: flowers.section_concurrent(ctx),
            "cpu": lambda: workloads.section_cpu(ctx),
            "append": lambda: workloads.section_append(ctx),
            "arrow": lambda: workloads.section_arrow(ctx),
            "tpch": lambda: tpch.section(ctx),
            "kinds": lambda: runner_kinds.section(ctx),
            "observe": lambda: observe.section(ctx),
            "hostile": lambda: hostile.section(
                floe, o.hostile_rounds, "bench/run --hostile" if o.hostile else "bench/run"
            ),
        }
        for name in o.sections:
            t0 = time.perf_counter()
            print(f"[bench] {name} …", file=sys.stderr, flush=True)
            try:
                sections[name] = runners[name]()
            except (Exception, SystemExit) as e:  # one broken section must not hide the others' figures
                traceback.print_exc()
                ctx.failures.append(f"section {name} broke: {type(e).__name__}: {e}")
                sections[name] = [
                    f"{HEADINGS[name]}{name}",
                    "",
                    "- this section failed (see the top)",
                    "",
                ]
            print(
                "\n".join(sections[name]),
                f"[bench] {name}: {time.perf_counter() - t0:.0f} s",
                file=sys.stderr,
                sep="\n",
                flush=True,
            )
    finally:
        floe.stop()
    took = time.perf_counter() - t_start
    top = header(o, load, floe, ready, took)
    if ctx.failures:
        top += ["## FAILED", "", *[f"- {f}" for f in ctx.failures], ""]
    top += targets_table(ctx)
    o.out.parent.mkdir(parents=True, exist_ok=True)
    if o.hostile and o.out.exists():  # as before: just that section of the results file
        text = replace_section(o.out.read_text(), hostile.HEADING, sections["hostile"])
    else:
        text = "\n".join(top + [ln for s in SECTIONS if s in sections for ln in sections[s]])
    o.out.write_text(text.rstrip("\n") + "\n")
    print(f"[bench] wrote {o.out} in {took / 60:.1f} min", file=sys.stderr)
    for f in ctx.failures:
        print(f"[bench] FAILED: {f}", file=sys.stderr)
    return 1 if ctx.failures else 0


if __name__ == "__main__":
    sys.exit(main())
