"""One run: execute its job, write the result (exit 0) or the error file (exit 3)."""

from __future__ import annotations

import contextlib
import sys
import traceback
from pathlib import Path
from typing import TextIO

from floe_harness.access import TrustedSide
from floe_harness.errors import HarnessError, internal_error, out_of_memory, write_error
from floe_harness.job import Job

EXIT_OK = 0
EXIT_UNUSABLE_JOB = 2
EXIT_FAILED = 3


def run(job: Job, trusted: TrustedSide) -> int:
    # Nothing here writes to stdout: stdout and stderr are the user code's logs. Only harness bugs
    # go to stderr, since the operator has no other way to see them.
    # Opened before user code runs: a run that exhausts its file descriptors can still report why.
    error_sink = open(job.error_path, "w", encoding="ascii")  # noqa: SIM115 - closed below
    try:
        from floe_harness.execute import execute
        from floe_harness.explain import ScanRecorder
        from floe_harness.output import write_distributed_plan, write_plan, write_result
        from floe_harness.profile import Profile

        # A dry run notes each table scan Polars plans, with what it pushes into it.
        recorder = ScanRecorder.install() if job.dry_run else None
        produced = execute(job, trusted)
        if recorder is not None:
            write_plan(produced, job.result_path, recorder)
        elif job.distributed:
            write_distributed_plan(produced, job.result_path)
        elif job.profile:
            profile = Profile()
            write_result(produced, job.result_path, job.engine, profile)
            trusted.profile(profile.to_json())
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
