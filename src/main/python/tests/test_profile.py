"""A profiled run: the streaming engine's report of each node, kept; the run's other stderr, kept
in its log."""

from __future__ import annotations

import json

import pytest
from isolated import run_isolated

from floe_harness.profile import Profile, _Reader, milliseconds


@pytest.mark.parametrize(
    ("text", "ms"),
    [("8.49ms", 8.49), ("521.30µs", 0.5213), ("977.00ns", 0.000977), ("1.5s", 1500.0)],
)
def test_durations_in_milliseconds(text: str, ms: float) -> None:
    assert milliseconds(text) == pytest.approx(ms)


def test_a_report_is_read_whatever_its_nodes_are_named() -> None:
    profile = Profile()
    kept: list[bytes] = []
    reader = _Reader(-1, -1, profile)
    reader._forward_line = kept.append  # type: ignore[method-assign,assignment]
    for line in [
        "Streaming query took 8.49ms (7.30ms CPU on 2 threads), detailed breakdown:",
        "multi-scan[parquet]: tot(6.07ms), poll(5.16ms, n=40), recv(row=0, morsel=0, max=0),"
        " sent(row=113, morsel=2, max=57), io(total_bytes_received=3102)",
        "group-by: tot(340.78µs), poll(1ms), recv(row=113, morsel=2), sent(row=3, morsel=1)",
        "",
        "Streaming query took 5 fortnights, printed by the run itself",
        "after the report",
    ]:
        reader._line((line + "\n").encode())
    assert profile.total_ms == pytest.approx(8.49)
    assert profile.nodes == [
        {"node": "multi-scan[parquet]", "time_ms": 6.07, "rows_in": 0, "rows_out": 113},
        {"node": "group-by", "time_ms": 0.341, "rows_in": 113, "rows_out": 3},
    ]
    assert kept == [
        b"Streaming query took 5 fortnights, printed by the run itself\n",
        b"after the report\n",
    ]


def test_each_node_is_kept_with_its_time_and_rows_and_other_output_goes_on() -> None:
    # Through the Polars behaviour wrapped in floe_harness/polars_private.py (node_metrics): this
    # fails loudly on a Polars whose streaming engine no longer reports its nodes this way.
    out = run_isolated(
        "import json, polars as pl\n"
        "from floe_harness.profile import Profile, profiled\n"
        "lf = pl.LazyFrame({'a': list(range(10000)), 'b': [i % 7 for i in range(10000)]})\n"
        "q = lf.filter(pl.col('a') >= 100).group_by('b').agg(pl.col('a').sum())\n"
        "profile = Profile()\n"
        "with profiled(profile):\n"
        "    print('user line on stderr', file=sys.stderr, flush=True)\n"
        "    rows = sum(b.height for b in q.collect_batches(engine='streaming'))\n"
        "print(json.dumps({'rows': rows, 'profile': profile.to_json()}))\n"
    )
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["rows"] == 7
    nodes = {n["node"]: n for n in answer["profile"]["nodes"]}
    assert nodes["filter"]["rows_in"] == 10000
    assert nodes["filter"]["rows_out"] == 9900
    assert nodes["group-by"]["rows_out"] == 7
    assert all(n["time_ms"] >= 0 for n in nodes.values())
    assert answer["profile"]["total_ms"] > 0
    assert out.stderr == "user line on stderr\n"  # the report itself is not in the log
