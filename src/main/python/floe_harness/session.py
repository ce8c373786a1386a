"""A runner's one session: say it is ready, receive one job, set its limits, run it, exit.

A runner is started ahead of its request (forked from the template, or started by bubblewrap)
with no job and no access to the lake; the trusted side hands it exactly one job over its
channel, with the tables that job binds, and discards the runner when it exits. There is no second
job.
"""

from __future__ import annotations

import os
import resource
import socket
import sys

from floe_harness import polars_private
from floe_harness.access import TrustedSide
from floe_harness.channel import Channel, ChannelClosed
from floe_harness.errors import internal_error, write_error
from floe_harness.job import InvalidJob, Job, Limits, parse_job
from floe_harness.main import EXIT_FAILED, EXIT_UNUSABLE_JOB, run

EXIT_NO_JOB = 4


def preload() -> dict[str, str]:
    """What every run needs, imported before any job (in the template, once for all runners)."""
    import polars
    import polars.io.iceberg._dataset
    import pyarrow
    import pyarrow.ipc
    import pyiceberg
    import pyiceberg.io.pyarrow
    import pyiceberg.table

    import floe_harness.execute
    import floe_harness.output  # noqa: F401

    polars_private.check()
    return {
        "python": sys.version.split()[0],
        "polars": polars.__version__,
        "pyarrow": pyarrow.__version__,
        "pyiceberg": pyiceberg.__version__,
    }


def serve(sock: socket.socket) -> int:
    channel = Channel(sock)
    try:
        channel.send({"type": "hello", "pid": os.getpid()})
        raw = channel.receive()
    except (ChannelClosed, OSError, ValueError):
        return EXIT_NO_JOB  # discarded unused, or the service went away
    try:
        job = parse_job(raw)
    except InvalidJob as exc:
        print(f"floe harness: invalid job: {exc}", file=sys.stderr)
        if exc.error_path is None:
            return EXIT_UNUSABLE_JOB
        write_error(internal_error(None), exc.error_path)
        return EXIT_FAILED
    apply_limits(job.limits, job.max_threads)
    os.environ["HOME"] = os.environ["TMPDIR"] = "/tmp"
    return run(job, TrustedSide(channel))


def apply_limits(limits: Limits, threads: int) -> None:
    """The run's budget, set on itself before any user code: each limit can only be lowered."""
    cpu_seconds = limits.timeout_seconds * max(1, threads) + 5
    for kind, value in (
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_FSIZE, limits.max_file_bytes),
        (resource.RLIMIT_CPU, cpu_seconds),
        (resource.RLIMIT_AS, limits.address_space_bytes or resource.RLIM_INFINITY),
    ):
        _, hard = resource.getrlimit(kind)
        capped = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(kind, (capped, capped))
    polars_private.set_max_threads(threads)


def run_job(job: Job, trusted: TrustedSide) -> int:
    """A job without a session (tests): limits applied as a runner would."""
    apply_limits(job.limits, job.max_threads)
    return run(job, trusted)
