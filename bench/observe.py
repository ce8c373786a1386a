"""Section 8: what seeing a run costs: a dry run, a profiled run, lineage and traces beside a plain run.

The same flowers query on the bench's Floe (embedded default: lineage to its file, traces with ids but
none exported), asked plain, with `"dryRun": true` and with `"profile": true`, in turns so the machine's
drift hits each alike; then the CPU-heavy script plain and profiled (a profile always computes with the
streaming engine and tracks every node); then three new Floes at once, alike but for one setting: the
embedded default, lineage off, and every run's trace exported (to a closed port, so each export is
attempted and fails: the worst case for the run).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import flowers
import services
import workloads
from services import Floe, Response
from stats import Context, med, ms, pct, ratio

HEADING = "## 8. "


def _ok(r: Response, what: str) -> Response:
    if r.status != 200:
        raise SystemExit(f"{what} failed: {r.status} {json.dumps(r.body)[:500]}")
    return r


def _turns(asks: dict[str, Callable[[], Response]], n: int, warmup: int) -> dict[str, list[float]]:
    """Each ask `n` times, in turns, after `warmup` untimed turns; seconds of each answer."""
    for _ in range(warmup):
        for what, ask in asks.items():
            _ok(ask(), what)
    times: dict[str, list[float]] = {what: [] for what in asks}
    for _ in range(n):
        for what, ask in asks.items():
            times[what].append(_ok(ask(), what).seconds)
    return times


def _flowers(url: str, **extra: Any) -> Callable[[], Response]:
    return lambda: services.query(url, flowers.FLOWERS_SQL, flowers.TABLES, **extra)


def section(ctx: Context) -> list[str]:
    o, url = ctx.opts, ctx.floe.url
    n = o.observe_n
    small = _turns(
        {
            "plain": _flowers(url),
            "dry run": _flowers(url, dryRun=True),
            "profiled": _flowers(url, profile=True),
        },
        n,
        5,
    )
    profiled = _flowers(url, profile=True)()
    nodes = len(profiled.body.get("profile", {}).get("nodes", []))
    if not nodes:
        ctx.failures.append(f"a profiled flowers query answered no profile nodes: {json.dumps(profiled.body)[:300]}")

    text = workloads.cpu_script(o.observe_cpu_rows)
    limits = {"maxRows": 100_000}
    big = _turns(
        {
            "plain": lambda: services.script(url, text, limits=limits),
            "profiled": lambda: services.script(url, text, limits=limits, profile=True),
        },
        o.cpu_n,
        1,
    )

    # Three new Floes side by side, alike but for one setting, warmed alike: a new JVM against the
    # bench's long-warm one would measure the JIT, not the setting.
    kinds = [
        ("default", "the embedded default (lineage to its file, no trace exported)", {}),
        ("nolineage", "lineage off (`floe.lineage.transport=off`)", {"floe.lineage.transport": "off"}),
        (
            "traced",
            "every run's trace exported (sampler 1, OTLP to a closed port)",
            {
                "quarkus.otel.traces.sampler.arg": "1",
                "quarkus.otel.exporter.otlp.traces.endpoint": f"http://127.0.0.1:{services.free_port()}",
            },
        ),
    ]
    floes = [Floe(name, ctx.home, ctx.floe_python, props) for name, _, props in kinds]
    try:
        for floe in floes:
            floe.wait_ready()
        side = _turns({what: _flowers(floe.url) for (_, what, _), floe in zip(kinds, floes, strict=True)}, n, 30)
    finally:
        for floe in floes:
            floe.stop()

    plain = med(small["plain"])
    lines = [
        f"{HEADING}Seeing a run: dry run, profile, lineage and traces",
        "",
        f"The flowers query, {n} times each in turns after 5 warm-up turns, on the bench's Floe (the embedded"
        " default: lineage events appended to `<floe.home>/lineage/events.jsonl`, a trace id per run, no trace"
        " exported).",
        "",
        "| what | p50 | p90 | p50 ÷ plain |",
        "|---|---|---|---|",
        *[f"| {what} | {ms(med(xs))} | {ms(pct(xs, 0.9))} | {ratio(med(xs), plain)} |" for what, xs in small.items()],
        "",
        f"- the profiled answer named {nodes} plan nodes",
        "",
        f"The CPU-heavy script of section 3 over {o.observe_cpu_rows:,} rows, medians of {o.cpu_n} in turns after"
        " one warm-up turn (a profiled run computes with the streaming engine, tracking each node):",
        "",
        "| what | median | ÷ plain |",
        "|---|---|---|",
        *[f"| {what} | {ms(med(xs))} | {ratio(med(xs), med(big['plain']))} |" for what, xs in big.items()],
        "",
        f"Three new Floes at once, alike but for one setting, the flowers query {n} times on each in turns"
        " after 30 warm-up turns each:",
        "",
        "| Floe | p50 | p90 | p50 ÷ the default's |",
        "|---|---|---|---|",
        *[
            f"| {what} | {ms(med(xs))} | {ms(pct(xs, 0.9))} | {ratio(med(xs), med(side[kinds[0][1]]))} |"
            for what, xs in side.items()
        ],
        "",
    ]
    return lines
