"""Save latency over HTTP: p50 of 100-row appends, and of the same run without the save.

    python bench/save_latency.py --url http://127.0.0.1:8080 [--n 30] [--table bench.appends]

Runs against a started Floe (bin/start, or `java -jar target/quarkus-app/quarkus-run.jar`). After
two warm-up rounds it alternates the two requests n times, so both meet the same machine load;
"commit part" is the difference of the medians (the run itself cancels out). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import urllib.request
from typing import Any

SCRIPT = "result = pl.DataFrame({'k': [%d] * 100, 'v': pl.int_range(0, 100, eager=True)})\n"


def post(url: str, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    request = urllib.request.Request(
        url + "/api/v1/warehouse/polars",
        data=json.dumps(body).encode(),
        headers={
            "content-type": "application/json",
            "authorization": "Bearer " + os.environ.get("FLOE_API_KEY", ""),
        },
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        answer: dict[str, Any] = json.loads(response.read())
    return (time.perf_counter() - started) * 1000, answer


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--table", default="bench.appends")
    a = parser.parse_args()
    run = {"mode": "script"}
    save = {**run, "destination": a.table, "saveMode": "append"}
    post(a.url, {**save, "script": SCRIPT % 0, "saveMode": "overwrite"})
    appends: list[float] = []
    runs: list[float] = []
    for i in range(-2, a.n):
        ms, answer = post(a.url, {**save, "script": SCRIPT % (i + 10)})
        assert answer["saved"]["rows_written"] == 100, answer
        ms_run, plain = post(a.url, {**run, "script": SCRIPT % i})
        assert plain["row_count"] == 100, plain
        if i >= 0:
            appends.append(ms)
            runs.append(ms_run)
    print(
        json.dumps(
            {
                "n": a.n,
                "append_p50_ms": round(statistics.median(appends)),
                "append_p90_ms": round(percentile(appends, 0.9)),
                "run_without_save_p50_ms": round(statistics.median(runs)),
                "commit_part_p50_ms": round(statistics.median(appends) - statistics.median(runs)),
            }
        )
    )


if __name__ == "__main__":
    main()
