"""The commit part alone: 100-row appends sent straight to one long-lived trusted writer.

    .floe/dev-venv/bin/python bench/trusted_commit.py [--n 30]

Starts ``src/main/python/floe_trusted_launch.py`` as the service does (``-I -B``), on a fresh
SqlCatalog in a temp dir, and times each request from sending its frame to reading the answer (the
result file is written beforehand, as the sandbox would). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src" / "main" / "python"))
sys.path.insert(
    0, str(Path(__file__).resolve().parents[1] / "src" / "main" / "python" / "tests")
)
from trusted_writer import WriterProcess


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30)
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "warehouse").mkdir()
        catalog = {
            "name": "lake",
            "properties": {
                "type": "sql",
                "uri": f"sqlite:///{root / 'catalog.db'}",
                "warehouse": (root / "warehouse").as_uri(),
            },
        }
        started = time.perf_counter()
        writer = WriterProcess()
        ready_ms = (time.perf_counter() - started) * 1000
        times = []
        for i in range(-2, n):
            path = root / f"{uuid.uuid4().hex}.arrows"
            data = pa.table(
                {"k": pa.array([i] * 100, pa.int64()), "v": pa.array(range(100))}
            )
            with (
                pa.OSFile(str(path), "wb") as sink,
                pa.ipc.new_stream(sink, data.schema) as s,
            ):
                s.write_table(data)
            t0 = time.perf_counter()
            answer = writer.ask(
                {
                    "kind": "commit",
                    "catalog": catalog,
                    "identifier": "bench.appends",
                    "arrow_path": str(path),
                    "mode": "append",
                    "schema_mode": "strict",
                    "create_namespaces": True,
                    "commit_token": uuid.uuid4().hex,
                    "max_attempts": 10,
                }
            )
            assert answer["kind"] == "saved", answer
            if i >= 0:
                times.append((time.perf_counter() - t0) * 1000)
        writer.close()
    print(
        json.dumps(
            {
                "n": n,
                "writer_ready_ms": round(ready_ms),
                "commit_p50_ms": round(statistics.median(times)),
                "commit_max_ms": round(max(times)),
            }
        )
    )


if __name__ == "__main__":
    main()
