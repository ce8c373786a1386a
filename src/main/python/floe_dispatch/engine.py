"""The distributed engine, through the official client (``polars_cloud``), and nothing else.

Polars Cloud: the service account authenticates, and the query runs on a registered compute
(``compute_name``) or on a compute started for this run from the request's specs and stopped after
it. Polars On-Prem: the query goes to the cluster's scheduler. Either way the query is submitted
without blocking, so a cancel reaches the remote query, and its result is read back as a LazyFrame.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from floe_dispatch.job import Cloud, Dispatch, OnPrem
from floe_dispatch.plan import PlanRefused
from floe_harness.errors import described


class Unavailable(Exception):
    """The engine could not be reached, or refused the service's credentials."""


class QueryFailed(Exception):
    """The engine ran the query and it failed."""


class Cancelled(Exception):
    pass


@dataclass
class Submitted:
    query_id: str
    frame: pl.LazyFrame


class Engine:
    """One run's connection to the engine; ``cancel()`` may be called from a signal handler."""

    def __init__(self, job: Dispatch) -> None:
        self._job = job
        self._query: Any = None
        self._context: Any = None
        self._stop_context = False
        self._cancelled = threading.Event()

    def run(self, frame: pl.LazyFrame, submitted: Callable[[str], None]) -> pl.LazyFrame:
        """Submits ``frame``, waits for it, and gives its result as a LazyFrame.

        Each step that may take long (a compute starting, the query running) runs on a thread
        while this one watches for a cancel: a cancel stops a compute this run started and
        cancels a submitted query, whatever step it arrives in.
        """
        import polars_cloud as pc

        try:
            if self._cancelled.is_set():
                raise Cancelled()
            try:
                self._background(lambda: self._connect(pc))
            except Cancelled:
                raise
            except Exception as exc:
                raise Unavailable(described(exc)) from None
            remote = frame.remote(self._context)
            distributed: dict[str, Any] = {}
            if isinstance(self._job.target, OnPrem) and self._job.compute.cluster_size:
                distributed["max_workers"] = self._job.compute.cluster_size
            try:
                query = remote.distributed(**distributed).execute(blocking=False)
            except (ValueError, TypeError, pl.exceptions.PolarsError) as exc:
                raise PlanRefused(
                    f"The distributed engine refused the plan ({described(exc)}); simplify the "
                    "step it names, or run it without distributed."
                ) from None
            except Exception as exc:
                raise Unavailable(described(exc)) from None
            self._query = query
            submitted(str(getattr(query, "_query_id", "")))
            try:
                finished = self._background(lambda: query.await_result(silent=True))
            except Cancelled:
                query.cancel()
                raise
            except Exception as exc:
                raise QueryFailed(described(exc)) from None
            # A query cancelled on the cluster (not by this run) ends without raising.
            status = getattr(getattr(finished, "status", None), "name", "SUCCESS")
            if status != "SUCCESS":
                raise QueryFailed(f"the query ended {status.lower()} on the cluster")
            result: pl.LazyFrame = finished.lazy()
            return result
        finally:
            self.close()

    def _background(self, step: Callable[[], Any]) -> Any:
        """``step()`` on a thread; Cancelled as soon as a cancel comes, else its outcome."""
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            try:
                outcome["value"] = step()
            except BaseException as exc:  # handed to the waiting thread
                outcome["error"] = exc
            finally:
                done.set()

        threading.Thread(target=run, name="floe-engine-step", daemon=True).start()
        while not done.wait(0.1):
            if self._cancelled.is_set():
                raise Cancelled()
        if self._cancelled.is_set():
            raise Cancelled()
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    def cancel(self) -> None:
        self._cancelled.set()

    def close(self) -> None:
        """Stops a compute this run started (a registered one keeps running for the next)."""
        context, self._context = self._context, None
        if context is not None and self._stop_context:
            # If stopping fails, the compute's idle timeout stops it.
            with contextlib.suppress(Exception):
                context.stop()

    def _connect(self, pc: Any) -> Any:
        target, compute = self._job.target, self._job.compute
        if isinstance(target, OnPrem):
            self._context = pc.ClusterContext(target.address, domain_name=target.domain_name)
            return self._context
        assert isinstance(target, Cloud)
        pc.authenticate(
            client_id=target.client_id, client_secret=target.client_secret, interactive=False
        )
        specs = (compute.instance_type, compute.cluster_size, compute.cpus, compute.memory_gb)
        if target.compute_name is not None and all(value is None for value in specs):
            self._context = pc.ComputeContext(workspace=target.workspace, name=target.compute_name)
            return self._context
        context = pc.ComputeContext(
            workspace=target.workspace,
            instance_type=compute.instance_type,
            cluster_size=compute.cluster_size,
            cpus=compute.cpus,
            memory=compute.memory_gb,
            labels=self._job.labels,
            idle_timeout_mins=target.idle_timeout_mins,
        )
        # Known before it starts: a cancel while it starts stops it.
        self._context, self._stop_context = context, True
        context.start(wait=True)
        return context
