"""One dispatch: check the sandbox's plan, send it, write its result (exit 0) or an error (exit 3).

Started by the service for one run (``env -i``, ``python -I -B``, this package only), after the
run's sandbox has exited. The job comes on stdin (it carries the engine's credentials, which are
never in the sandbox, its files or its environment). Progress goes out as JSON lines on the
original stdout; fd 1 itself is pointed at stderr, so nothing a library prints can forge an event.
SIGTERM cancels: the remote query is cancelled and the dispatcher exits with ``EXIT_CANCELLED``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import sys
import traceback
import warnings
from pathlib import Path
from typing import Any, TextIO

from floe_arrow import ResultTooLarge
from floe_dispatch import guard
from floe_dispatch.engine import Cancelled, Engine, QueryFailed, Unavailable
from floe_dispatch.job import Dispatch, InvalidDispatch, parse
from floe_dispatch.plan import MAX_DEPTH, PlanRefused, SandboxPlan, runnable
from floe_dispatch.plan import parse as parse_plan
from floe_harness.errors import HarnessError, described, internal_error, write_error
from floe_harness.job import GrantedTable

EXIT_OK = 0
EXIT_UNUSABLE_JOB = 2
EXIT_FAILED = 3
EXIT_CANCELLED = 5
_RUN_LOCALLY = "or run it without distributed"


def main() -> int:
    guard.install()
    # A plan nests a level per step: room to read and check one of MAX_DEPTH levels.
    sys.setrecursionlimit(4 * MAX_DEPTH)
    events = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        job = parse(json.load(sys.stdin))
    except (InvalidDispatch, ValueError) as exc:
        print(f"floe dispatcher: invalid dispatch job: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE_JOB
    engine = Engine(job)
    signal.signal(signal.SIGTERM, lambda *_: engine.cancel())
    return dispatch(job, engine, events)


def dispatch(job: Dispatch, engine: Engine, events: TextIO) -> int:
    error_sink = open(job.error_path, "w", encoding="ascii")  # noqa: SIM115 - closed below
    try:
        sandbox_plan = parse_plan(job.plan)
        frame = _runnable_frame(job, sandbox_plan)

        def submitted(query_id: str) -> None:
            _event(events, {"event": "submitted", "query_id": query_id})

        result = engine.run(frame, submitted)
        rows = _write_result(
            result, sandbox_plan.column_types, job.result_path, job.max_result_bytes
        )
        _event(events, {"event": "finished", "rows": rows})
        error_sink.close()
        with contextlib.suppress(OSError):
            job.error_path.unlink()
        return EXIT_OK
    except Cancelled:
        error_sink.close()
        return EXIT_CANCELLED
    except PlanRefused as exc:
        error = HarnessError("PLAN_NOT_DISTRIBUTABLE", str(exc))
    except Unavailable as exc:
        error = HarnessError(
            "DISTRIBUTED_UNAVAILABLE",
            f"The distributed engine could not take the run ({exc}); retry later, or ask an "
            "operator to check floe.distributed.* (address, workspace, credentials).",
        )
    except ResultTooLarge:
        error = HarnessError(
            "LIMIT_EXCEEDED",
            f"The distributed run's result reached this server's limit of "
            f"{job.max_result_bytes // (1024 * 1024)} MB for a result file "
            "(floe.sandbox.max-result-file-mb); aggregate or filter it, save it with "
            "destination, or ask for Arrow (streamed, no file).",
        )
    except QueryFailed as exc:
        error = HarnessError(
            "QUERY_ERROR" if job.mode == "query" else "SCRIPT_ERROR",
            f"The distributed query failed on the cluster ({exc}); fix the "
            f"{'query' if job.mode == 'query' else 'script'} and run it again.",
        )
    except Exception:
        return _internal(job, error_sink)
    write_error(error, error_sink)
    error_sink.close()
    return EXIT_FAILED


def _internal(job: Dispatch, error_sink: TextIO) -> int:
    """A bug of the dispatcher's: its traceback to the service log, INTERNAL to the run."""
    print(f"floe dispatcher: internal error in run {job.run_id}", file=sys.stderr)
    traceback.print_exc()
    write_error(internal_error(job.run_id), error_sink)
    error_sink.close()
    return EXIT_FAILED


def _runnable_frame(job: Dispatch, sandbox_plan: SandboxPlan) -> Any:
    import polars as pl
    from pyiceberg.table import StaticTable

    def trusted_scan(granted: GrantedTable) -> Any:
        with guard.trusted(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = StaticTable.from_metadata(granted.metadata_location)
            scan = pl.scan_iceberg(table, snapshot_id=granted.snapshot_id)
            return json.loads(scan.serialize(format="json"))

    plan = runnable(sandbox_plan, job.tables, trusted_scan)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pl.LazyFrame.deserialize(io.StringIO(json.dumps(plan)), format="json")
    except (pl.exceptions.PolarsError, ValueError, guard.UntrustedPickle) as exc:
        raise PlanRefused(
            f"The distributed engine's Polars {pl.__version__} cannot read this plan "
            f"({described(exc)}); simplify the step it names, {_RUN_LOCALLY}."
        ) from None


def _write_result(frame: Any, column_types: list[str], path: Path, max_bytes: int) -> int:
    """The result as an Arrow stream: to a named pipe unbounded (the client reads it as it comes),
    to a file no larger than ``max_bytes``."""
    import polars as pl

    from floe_arrow import MAX_BATCH_ROWS, POLARS_DTYPES_KEY, write_stream

    rows = 0

    def batches() -> Any:
        nonlocal rows
        try:
            for batch in frame.collect_batches(chunk_size=MAX_BATCH_ROWS):
                rows += batch.height
                yield batch
        except pl.exceptions.PolarsError as exc:
            raise QueryFailed(f"reading the result back: {exc}") from None

    metadata = {POLARS_DTYPES_KEY: json.dumps(column_types).encode()}
    write_stream(
        path,
        batches(),
        pl.DataFrame(schema=frame.collect_schema()),
        metadata,
        None if path.is_fifo() else max_bytes,
    )
    return rows


def _event(events: TextIO, event: dict[str, Any]) -> None:
    events.write(json.dumps(event) + "\n")
    events.flush()
