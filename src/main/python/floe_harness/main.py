"""One run: read job.json, execute it, write result.arrows (exit 0) or error.json (exit 3)."""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from floe_harness.errors import HarnessError, internal_error, out_of_memory, write_error
from floe_harness.job import InvalidJob, load_job

EXIT_OK = 0
EXIT_UNUSABLE_JOB = 2
EXIT_FAILED = 3


def main(argv: Sequence[str]) -> int:
    # Nothing here writes to stdout: stdout and stderr are the user code's logs. Only harness bugs
    # go to stderr, since the operator has no other way to see them.
    if len(argv) != 1:
        print("usage: floe_launch.py /abs/run/job.json", file=sys.stderr)
        return EXIT_UNUSABLE_JOB
    try:
        job = load_job(Path(argv[0]))
    except InvalidJob as exc:
        print(f"floe harness: invalid job file: {exc}", file=sys.stderr)
        if exc.error_path is None:
            return EXIT_UNUSABLE_JOB
        write_error(internal_error(None), exc.error_path)
        return EXIT_FAILED

    # Opened before user code runs: a run that exhausts its file descriptors can still report why.
    error_sink = open(job.error_path, "w", encoding="ascii")  # noqa: SIM115 - closed below
    # Polars sizes its thread pool once, at import; so polars is imported only below.
    os.environ["POLARS_MAX_THREADS"] = str(job.max_threads)
    # Otherwise every Iceberg scan warns on stderr that the optional polars_iceberg planner is
    # missing; PyIceberg's planner is the one the sandbox ships.
    os.environ["POLARS_ICEBERG_PLANNER"] = "pyiceberg"
    try:
        from floe_harness.execute import execute
        from floe_harness.output import write_plan, write_result

        produced = execute(job)
        if job.dry_run:
            write_plan(produced, job.result_path)
        else:
            write_result(produced, job.result_path, job.engine)
        _no_error(error_sink, job.error_path)
        return EXIT_OK
    except HarnessError as exc:
        error = exc
    except MemoryError:
        error = out_of_memory()
    except Exception:
        print(f"floe harness: internal error in run {job.run_id}", file=sys.stderr)
        traceback.print_exc()
        error = internal_error(job.run_id)
    write_error(error, error_sink)
    error_sink.close()
    return EXIT_FAILED


def _no_error(sink: TextIO, path: Path) -> None:
    """A successful run leaves no error file (inside the sandbox it is a bind mount: left empty)."""
    sink.close()
    with contextlib.suppress(OSError):
        path.unlink()
