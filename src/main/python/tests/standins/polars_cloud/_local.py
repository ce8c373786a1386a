"""The stand-in's "cluster": what the real client reaches through its native module (``pcr``).

``SchedulerClient`` runs each query on a thread of this process: it waits out ``delay_seconds``
(checking for a cancel every 50 ms), fails with ``fail`` if set, else collects the plan with
Polars and writes the result to ``HOME/results/<query_id>/0.parquet``. Queries are kept in memory,
so a query can be awaited or cancelled only from the process that submitted it (as the dispatcher
does).
"""

from __future__ import annotations

import io
import json
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from polars.exceptions import ComputeError

from ._record import RESULTS, behaviour, record_event
from ._status import QueryStatus

if TYPE_CHECKING:
    import polars as pl

    from ._typing import Engine, FileType


class ComputeClusterMisspecified(Exception):
    """Exception raised when the cluster settings were misspecified."""


@dataclass
class QueryInfoPy:
    """What the cluster reports about a finished query (the real one's fields, as far as used)."""

    status: QueryStatus | None = None
    head: bytes | None = None
    total_stages: int = 1
    failed_stages: int = 0
    finished_stages: int = 0
    n_rows_result: int | None = None
    errors: list[str] = field(default_factory=list)
    sink_dst: list[str] | None = None
    file_type_sink: FileType = "none"
    ir_plan_explain: str | None = None
    ir_plan_dot: str | None = None
    phys_plan_explain: str | None = None
    phys_plan_dot: str | None = None


class _Query:
    def __init__(
        self,
        query_id: UUID,
        lf: pl.LazyFrame,
        engine: Engine,
        optimizations: pl.QueryOptFlags,
        knobs: dict[str, Any],
    ) -> None:
        self.id = query_id
        self.lf = lf
        self.engine = engine
        self.optimizations = optimizations
        self.delay = float(knobs.get("delay_seconds", 0))
        self.fail: str | None = knobs.get("fail")
        self.lock = threading.Lock()
        self.status = QueryStatus.QUEUED
        self.info = QueryInfoPy(status=QueryStatus.QUEUED)
        self.done = threading.Event()
        self.cancelled = threading.Event()

    def start(self) -> bool:
        """QUEUED -> INPROGRESS, unless cancelled meanwhile."""
        with self.lock:
            if self.status.is_done():
                return False
            self.status = QueryStatus.INPROGRESS
            self.info = QueryInfoPy(status=QueryStatus.INPROGRESS)
            return True

    def finish(self, info: QueryInfoPy) -> bool:
        assert info.status is not None and info.status.is_done()
        with self.lock:
            if self.status.is_done():  # cancelled while running: the result is dropped
                return False
            self.status = info.status
            self.info = info
            self.done.set()
        record_event(
            "query.finished",
            query_id=self.id,
            status=info.status,
            n_rows=info.n_rows_result,
            location=info.sink_dst,
            errors=info.errors,
        )
        return True


class SchedulerClient:
    """Runs the stand-in's queries locally, one thread each."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queries: dict[UUID, _Query] = {}

    def do_query(
        self, lf: pl.LazyFrame, *, engine: Engine, optimizations: pl.QueryOptFlags
    ) -> UUID:
        query = _Query(uuid4(), lf, engine, optimizations, behaviour())
        with self._lock:
            self._queries[query.id] = query
        threading.Thread(
            target=self._run, args=(query,), name=f"standin-query-{query.id}", daemon=True
        ).start()
        return query.id

    def _query(self, query_id: UUID) -> _Query:
        with self._lock:
            query = self._queries.get(query_id)
        if query is None:
            msg = f"unknown query {query_id} (the stand-in knows only this process's queries)"
            raise RuntimeError(msg)
        return query

    def _run(self, query: _Query) -> None:
        deadline = time.monotonic() + query.delay
        while (left := deadline - time.monotonic()) > 0:
            if query.cancelled.wait(min(0.05, left)):
                return
        if not query.start():
            return
        try:
            if query.fail is not None:
                raise ComputeError(query.fail)
            df = query.lf.collect(engine=query.engine, optimizations=query.optimizations)
            if query.cancelled.is_set():
                return  # cancelled while it ran: nothing is written
            path = RESULTS / str(query.id) / "0.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            df.write_parquet(path)
            head = io.BytesIO()
            df.head(10).write_ipc(head)
            info = QueryInfoPy(
                status=QueryStatus.SUCCESS,
                head=head.getvalue(),
                finished_stages=1,
                n_rows_result=df.height,
                sink_dst=[str(path)],
                file_type_sink="parquet",
            )
        except BaseException as e:  # the query fails, as on a cluster; so do Polars' panics
            # The compute plane's encoding: one JSON object per error, mapping who failed to
            # "<ExceptionClass>: <message>" (query_result.raise_query_errors decodes it).
            error = json.dumps({"scheduler": f"{type(e).__name__}: {e}"})
            info = QueryInfoPy(status=QueryStatus.FAILED, failed_stages=1, errors=[error])
        query.finish(info)

    def get_direct_query_status(self, query_id: UUID) -> QueryStatus:
        return self._query(query_id).status

    def get_direct_query_result(self, query_id: UUID, *, timeout_ms: int) -> QueryInfoPy:
        query = self._query(query_id)
        if not query.done.wait(timeout_ms / 1000):
            msg = f"POLARS_TIMEOUT_MS has elapsed: time in ms: {timeout_ms}"
            raise TimeoutError(msg)
        return query.info

    def cancel_direct_query(self, query_id: UUID) -> None:
        query = self._query(query_id)
        with query.lock:
            if query.status.is_done():
                return
            query.status = QueryStatus.CANCELED
            query.info = QueryInfoPy(status=QueryStatus.CANCELED)
            query.cancelled.set()
            query.done.set()
        record_event("query.finished", query_id=query_id, status=QueryStatus.CANCELED)


CLUSTER = SchedulerClient()
"""The one cluster every context of this process submits to (direct and proxy alike)."""
