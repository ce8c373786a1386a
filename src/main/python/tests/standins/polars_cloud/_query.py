"""The real client's query side (query/ext.py, query_in_progress.py, query_result.py, ...).

``LazyFrame.remote`` -> ``LazyFrameRemote`` -> ``distributed()``/``single_node()`` ->
``ExecuteRemote`` -> ``execute()`` -> ``DirectQuery``/``ProxyQuery`` -> ``await_result()`` ->
``QueryResult``, with the real signatures; the query runs on ``_local.CLUSTER``. Result handling
(``QueryResult.lazy``, how a failed query's errors are raised) is the real code, copied.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import keyword
import os
import sys
import unicodedata
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

import polars as pl
from polars._utils.cloud import prepare_cloud_plan

# needed for eval (decode_error looks an error's class up in this module's globals, as the real)
from polars.exceptions import (  # noqa: F401
    ColumnNotFoundError,
    ComputeError,
    DuplicateError,
    InvalidOperationError,
    NoDataError,
    OutOfBoundsError,
    PolarsError,
    SchemaError,
    SchemaFieldNotFoundError,
    ShapeError,
    SQLInterfaceError,
    SQLSyntaxError,
    StringCacheMismatchError,
    StructFieldNotFoundError,
)
from polars.lazyframe.opt_flags import DEFAULT_QUERY_OPT_FLAGS

from . import _context
from . import _local as pcr
from ._context import ClientContext, ClusterContext, ComputeContext
from ._record import next_label, plan, record_call
from ._status import QueryStatus

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Literal
    from uuid import UUID

    from polars import DataFrame, LazyFrame, QueryOptFlags

    from ._typing import (
        Engine,
        FileType,
        PlanTypePreference,
        ScalingMode,
        ShuffleCompression,
        ShuffleFormat,
        SingleWorkerOps,
    )


def get_timeout() -> int:
    # Defaults to 1 year.
    return int(os.environ.get("POLARS_TIMEOUT_MS", 31536000000))


@dataclass
class LineageContext:
    job_namespace: str
    job_name: str
    parent_run_id: UUID | None = None
    parent_job_namespace: str | None = None
    parent_job_name: str | None = None


@dataclass
class QueryInfo:
    id: UUID
    inner: pcr.QueryInfoPy

    @property
    def head(self) -> pl.DataFrame | None:
        head = self.inner.head
        return pl.read_ipc(head) if head else None

    @property
    def total_stages(self) -> int:
        return self.inner.total_stages

    @property
    def failed_stages(self) -> int:
        return self.inner.failed_stages

    @property
    def finished_stages(self) -> int:
        return self.inner.finished_stages

    @property
    def n_rows_result(self) -> int | None:
        return self.inner.n_rows_result

    @property
    def errors(self) -> list[str]:
        return self.inner.errors

    @property
    def sink_dst(self) -> list[str] | None:
        return self.inner.sink_dst

    @property
    def sink_type(self) -> FileType:
        return self.inner.file_type_sink


def format_result(
    finished_task_info: QueryInfo,
    repr_f: Callable[[pl.DataFrame], str],
) -> str:
    assert finished_task_info.head is not None
    return f"""
total_stages: {finished_task_info.total_stages}
finished_stages: {finished_task_info.finished_stages}
total_rows: {finished_task_info.n_rows_result}
location: {finished_task_info.sink_dst}
head:
{repr_f(finished_task_info.head)}
"""


class QueryResult:
    """The result of a Polars Cloud query.

    .. note::
     This object should not be instantiated directly by the user.

    """

    def __init__(self, result: QueryInfo, status: QueryStatus, query: DirectQuery | None = None):
        self.finished_task_info = result
        self.status = status
        self._query = query
        self._deleted = False

    @property
    def head(self) -> DataFrame | None:
        """The first n rows of the result."""
        return self.finished_task_info.head

    @property
    def n_rows_total(self) -> int | None:
        """Total rows that are outputted by the result."""
        return self.finished_task_info.n_rows_result

    @property
    def total_stages(self) -> int:
        """Get total planned stages of physical plan."""
        return self.finished_task_info.total_stages

    @property
    def failed_stages(self) -> int:
        """Total failed stages."""
        return self.finished_task_info.failed_stages

    @property
    def finished_stages(self) -> int:
        """Total executed stages."""
        return self.finished_task_info.finished_stages

    @property
    def location(self) -> list[str] | None:
        """Location where the result is written."""
        return self.finished_task_info.sink_dst

    @property
    def file_type(self) -> FileType:
        """The file type where the result is written to."""
        return self.finished_task_info.sink_type

    def lazy(self) -> LazyFrame:
        """Convert the `QueryResult` into a `LazyFrame`."""
        if self._deleted:
            msg = "cannot create a 'LazyFrame', this result has been deleted"
            raise InvalidOperationError(msg)

        if self.status != QueryStatus.SUCCESS:
            msg = "a query must be successful to convert it to a 'LazyFrame'"
            raise InvalidOperationError(msg)

        file_type = self.file_type
        location = self.location

        if location is None or len(location) == 0:
            msg = "cannot create a 'LazyFrame', the result location is unknown"
            raise InvalidOperationError(msg)

        if file_type == "parquet":
            return pl.scan_parquet(location)
        elif file_type == "csv":
            return pl.scan_csv(location)
        elif file_type == "ipc":
            return pl.scan_ipc(location)
        elif file_type == "ndjson":
            return pl.scan_ndjson(location)
        elif file_type == "json":
            msg = "JSON not yet supported"
            raise InvalidOperationError(msg)
        else:
            msg = f"{file_type} not yet supported"
            raise InvalidOperationError(msg)

    def __repr__(self) -> str:
        if self.finished_task_info.head is not None:
            with pl.Config(tbl_hide_dataframe_shape=True):
                return format_result(self.finished_task_info, repr)
        return f"""
            status: {self.status}
            {self.finished_task_info.__repr__()}"""

    def raise_err(self) -> None:
        raise_query_errors(self.finished_task_info.errors)


def decode_error(encoded: str) -> BaseException:
    def guarded_eval(msg: str) -> Any:
        if not msg.isidentifier() or keyword.iskeyword(msg):
            err = f"{msg!r} is not a valid identifier"
            raise ValueError(err)
        obj = getattr(builtins, msg, None) or globals().get(msg)
        if obj is None or not (isinstance(obj, type) and issubclass(obj, BaseException)):
            err = f"{msg!r} is not a known exception"
            raise ValueError(err)
        return obj

    split = encoded.split(":", 1)
    try:
        error_type = guarded_eval(split[0])
        msg = split[1].lstrip()
        error_value = error_type(msg)
    except (SyntaxError, ValueError):
        error_value = pl.exceptions.ComputeError(f"spawn failed with: {encoded}")
    assert isinstance(error_value, BaseException)
    return error_value


def raise_query_errors(errors: list[str]) -> None:
    """Raise a Python exception from query error strings (the real client's code)."""
    if not errors:
        return

    parsed_errors: dict[str, list[BaseException]] = {}
    for err in set(errors):
        payload = json.loads(err)
        for key, value in payload.items():
            error_value = decode_error(value)
            if key not in parsed_errors:
                parsed_errors[key] = []
            parsed_errors[key].append(error_value)

    scheduler_err = parsed_errors.pop("scheduler")[0]
    worker_errors = dict(parsed_errors.items())

    try:
        exc = next(iter(worker_errors.values()))[0]
        exc.__cause__ = QueryError(
            f"scheduler failed with:\n{scheduler_err}",
            [error for errs in worker_errors.values() for error in errs],  # type: ignore[misc]
        )
        raise exc

    except StopIteration:
        raise scheduler_err from None


def is_ipython() -> bool:
    return "IPython" in sys.modules


class QueryError(BaseExceptionGroup[PolarsError]):
    pass


class InProgressQueryRemote(ABC):
    """Abstract base class for an in progress remote query."""

    @abstractmethod
    def get_status(self) -> QueryStatus:
        """Get the current status of the query."""

    @abstractmethod
    def await_result(
        self, *, raise_on_failure: bool = True, silent: bool | None = None
    ) -> QueryResult:
        """Block the current thread until the query is processed and get a result."""

    @abstractmethod
    def cancel(self) -> None:
        """Cancel the execution of the query."""

    def _wait(self, query_id: UUID, *, raise_on_failure: bool) -> QueryResult:
        info = pcr.CLUSTER.get_direct_query_result(query_id, timeout_ms=get_timeout())
        assert info.status is not None
        result = QueryResult(
            result=QueryInfo(id=query_id, inner=info),
            status=info.status,
            query=self if isinstance(self, DirectQuery) else None,
        )
        if raise_on_failure and info.status == QueryStatus.FAILED:
            result.raise_err()
        return result


class ProxyQuery(InProgressQueryRemote):
    """A Polars Cloud proxy mode query (a ComputeContext with connection_mode="proxy")."""

    def __init__(self, query_id: UUID, workspace_id: UUID):
        self._query_id = query_id
        self._workspace_id = workspace_id

    def get_status(self) -> QueryStatus:
        return pcr.CLUSTER.get_direct_query_status(self._query_id)

    async def await_result_async(
        self, *, raise_on_failure: bool = True, silent: bool | None = None
    ) -> QueryResult:
        return await asyncio.to_thread(
            self.await_result, raise_on_failure=raise_on_failure, silent=silent
        )

    def await_result(
        self, *, raise_on_failure: bool = True, silent: bool | None = None
    ) -> QueryResult:
        record_call(
            "ProxyQuery.await_result",
            query_id=self._query_id,
            args={"raise_on_failure": raise_on_failure, "silent": silent},
        )
        return self._wait(self._query_id, raise_on_failure=raise_on_failure)

    def cancel(self) -> None:
        record_call("ProxyQuery.cancel", query_id=self._query_id, args={})
        pcr.CLUSTER.cancel_direct_query(self._query_id)

    def __repr__(self) -> str:
        status = self.get_status()
        return f"ProxyQuery(id={self._query_id}, status={status})"


class DirectQuery(InProgressQueryRemote):
    """A Polars Cloud direct connect query (ClusterContext, or ComputeContext in direct mode)."""

    def __init__(
        self,
        query_id: UUID,
        client: pcr.SchedulerClient,
        cluster: ComputeContext | ClientContext,
    ):
        self._query_id = query_id
        self._client = client
        self._cluster = cluster
        self._tag: bytes | None = None

        assert cluster._compute_id is not None

    def get_status(self) -> QueryStatus:
        return self._client.get_direct_query_status(self._query_id)

    async def await_result_async(self, *, raise_on_failure: bool = True) -> QueryResult:
        return await asyncio.to_thread(self.await_result, raise_on_failure=raise_on_failure)

    def await_result(
        self, *, raise_on_failure: bool = True, silent: bool | None = None
    ) -> QueryResult:
        record_call(
            "DirectQuery.await_result",
            query_id=self._query_id,
            args={"raise_on_failure": raise_on_failure, "silent": silent},
        )
        return self._wait(self._query_id, raise_on_failure=raise_on_failure)

    def cancel(self) -> None:
        record_call("DirectQuery.cancel", query_id=self._query_id, args={})
        self._client.cancel_direct_query(self._query_id)

    def __repr__(self) -> str:
        status = self.get_status()
        return f"DirectQuery(id={self._query_id}, status={status})"


class DistributionSettings:
    def __init__(
        self,
        *,
        equi_join_broadcast_limit: int = 256 * 1024**2,
        partitions_per_worker: int | None = None,
        single_worker_ops: SingleWorkerOps = "auto",
        expression_lowering: bool | None = None,
        **kwargs: Any,
    ) -> None:
        self.equi_join_broadcast_limit = equi_join_broadcast_limit
        self.partitions_per_worker = partitions_per_worker
        self.single_worker_ops = single_worker_ops
        self.sort_partitioned = kwargs.get("sort_partitioned", True)
        self.pre_aggregation = kwargs.get("pre_aggregation", True)
        self.expression_lowering = expression_lowering
        self.planner = kwargs.get("planner", "auto")


MAX_LABELS_PER_QUERY = 64
_MAX_LABEL_NAME_LEN = 32


def _validate_labels(labels: list[str] | None) -> None:
    if not labels:
        return
    if len(labels) > MAX_LABELS_PER_QUERY:
        msg = f"a query can have at most {MAX_LABELS_PER_QUERY} labels, got {len(labels)}"
        raise ValueError(msg)
    for label in labels:
        if not label:
            msg = "label names must not be empty"
            raise ValueError(msg)
        if len(label.encode()) > _MAX_LABEL_NAME_LEN:
            msg = f"label name {label!r} is longer than {_MAX_LABEL_NAME_LEN} bytes"
            raise ValueError(msg)
        if any(unicodedata.category(char) == "Cc" for char in label):
            msg = f"label name {label!r} must not contain control characters"
            raise ValueError(msg)
        if label != label.strip():
            msg = f"label name {label!r} must not have surrounding whitespace"
            raise ValueError(msg)


class LazyFrameRemote:
    """The namespace accessed by `LazyFrame.remote`.

    This will allow you to run a query remotely.
    """

    def __init__(
        self,
        lf: pl.LazyFrame,
        context: ClientContext | None = None,
        plan_type: PlanTypePreference = "dot",
        n_retries: int = 0,
        priority: int = 0,
        engine: Engine = "auto",
        scaling_mode: ScalingMode = "auto",
    ) -> None:
        self.lf: pl.LazyFrame = lf
        self.context: ClientContext | None = context
        self._engine: Engine = engine
        self._labels: list[str] | None = None
        self._n_retries = n_retries
        self._priority = priority
        self.plan_type: PlanTypePreference = plan_type
        self.scaling_mode = scaling_mode
        self._lineage: LineageContext | None = None
        self._standin_label = next_label("remote")

    def _executor(self, scaling: str, **kwargs: Any) -> ExecuteRemote:
        exec = ExecuteRemote(
            lf=self.lf,
            context=self.context,
            plan_type=self.plan_type,
            n_retries=self._n_retries,
            priority=self._priority,
            labels=self._labels,
            engine=self._engine,
            lineage=self._lineage,
            **kwargs,
        )
        exec._standin_label = self._standin_label
        exec._standin_scaling = scaling
        return exec

    def distributed(
        self,
        *,
        shuffle_compression: ShuffleCompression = "auto",
        shuffle_format: ShuffleFormat = "auto",
        shuffle_compression_level: int | None = None,
        equi_join_broadcast_limit: int = 256 * 1024**2,
        partitions_per_worker: int | None = None,
        single_worker_ops: SingleWorkerOps = "auto",
        expression_lowering: bool | None = None,
        min_workers: int | None = None,
        max_workers: int | None = None,
        **kwargs: Any,
    ) -> ExecuteRemote:
        """Whether the query should run in a distributed fashion (the stand-in runs it locally)."""
        record_call(
            "LazyFrameRemote.distributed",
            remote=self,
            args={
                "shuffle_compression": shuffle_compression,
                "shuffle_format": shuffle_format,
                "shuffle_compression_level": shuffle_compression_level,
                "equi_join_broadcast_limit": equi_join_broadcast_limit,
                "partitions_per_worker": partitions_per_worker,
                "single_worker_ops": single_worker_ops,
                "expression_lowering": expression_lowering,
                "min_workers": min_workers,
                "max_workers": max_workers,
                "kwargs": kwargs,
            },
        )
        if self._engine == "in-memory":
            msg = "engine 'in-memory' not supported for distributed queries"
            raise ValueError(msg)

        distributed_settings = DistributionSettings(
            equi_join_broadcast_limit=equi_join_broadcast_limit,
            partitions_per_worker=partitions_per_worker,
            single_worker_ops=single_worker_ops,
            expression_lowering=expression_lowering,
            **kwargs,
        )
        return self._executor(
            "distributed",
            min_workers=min_workers,
            max_workers=max_workers,
            distributed_settings=distributed_settings,
            shuffle_compression=shuffle_compression,
            shuffle_compression_level=shuffle_compression_level,
            shuffle_format=shuffle_format,
        )

    def single_node(self) -> ExecuteRemote:
        """Run this query remotely on a single node."""
        record_call("LazyFrameRemote.single_node", remote=self, args={})
        return self._executor("single-node")

    def labels(self, labels: list[str] | str) -> LazyFrameRemote:
        """Add labels to the query."""
        record_call("LazyFrameRemote.labels", remote=self, args={"labels": labels})
        self._labels = [labels] if isinstance(labels, str) else labels
        return self

    def _scaling_mode(self) -> ExecuteRemote:
        if self.scaling_mode == "auto" or self.scaling_mode == "distributed":
            return self.distributed()
        if self.scaling_mode == "single-node":
            return self.single_node()
        else:
            msg = (
                "'scaling_mode' should be one of {'auto', 'single-node', 'distributed'}, "
                f"got {self.scaling_mode}"
            )
            raise ValueError(msg)

    @overload
    def execute(
        self, *, optimizations: QueryOptFlags = ..., silent: bool | None = ...
    ) -> QueryResult: ...

    @overload
    def execute(
        self,
        *,
        blocking: Literal[False],
        optimizations: QueryOptFlags = ...,
        silent: bool | None = ...,
    ) -> DirectQuery | ProxyQuery: ...

    @overload
    def execute(
        self,
        *,
        blocking: Literal[True],
        optimizations: QueryOptFlags = ...,
        silent: bool | None = ...,
    ) -> QueryResult: ...

    @overload
    def execute(
        self,
        *,
        blocking: bool,
        optimizations: QueryOptFlags = ...,
        silent: bool | None = ...,
    ) -> QueryResult | DirectQuery | ProxyQuery: ...

    def execute(
        self,
        *,
        blocking: bool = True,
        optimizations: QueryOptFlags = DEFAULT_QUERY_OPT_FLAGS,
        silent: bool | None = None,
    ) -> QueryResult | DirectQuery | ProxyQuery:
        """Start executing the query and retrieve a result."""
        record_call(
            "LazyFrameRemote.execute",
            remote=self,
            args={"blocking": blocking, "optimizations": optimizations, "silent": silent},
        )
        return self._scaling_mode().execute(
            blocking=blocking, optimizations=optimizations, silent=silent
        )

    def await_and_scan(self, *, silent: bool | None = None) -> pl.LazyFrame:
        """Start executing the query and store a temporary result: ``.execute().lazy()``."""
        return self._scaling_mode().await_and_scan(silent=silent)


class ExecuteRemote:
    """The namespace accessed by choosing a remote execution method in a `LazyFrameRemote`."""

    _standin_label = "remote-?"
    _standin_scaling = "?"

    def __init__(
        self,
        lf: pl.LazyFrame,
        context: ClientContext | None,
        plan_type: PlanTypePreference,
        n_retries: int,
        engine: Engine,
        labels: list[str] | None,
        priority: int = 0,
        min_workers: int | None = None,
        max_workers: int | None = None,
        shuffle_compression: ShuffleCompression = "auto",
        shuffle_format: ShuffleFormat = "auto",
        shuffle_compression_level: int | None = None,
        distributed_settings: DistributionSettings | None = None,
        lineage: LineageContext | None = None,
    ) -> None:
        self.lf: pl.LazyFrame = lf
        self.context: ClientContext | None = context
        self._engine: Engine = engine
        self._labels: list[str] | None = labels
        self._n_retries = n_retries
        self._priority = priority
        self._min_workers = min_workers
        self._max_workers = max_workers
        self.plan_type: PlanTypePreference = plan_type
        self._shuffle_compression: ShuffleCompression = shuffle_compression
        self._shuffle_format: ShuffleFormat = shuffle_format
        self._shuffle_compression_level = shuffle_compression_level
        self._distributed_settings: DistributionSettings | None = distributed_settings
        self._lineage: LineageContext | None = lineage

    @overload
    def execute(
        self, *, optimizations: QueryOptFlags = ..., silent: bool | None = ...
    ) -> QueryResult: ...

    @overload
    def execute(
        self,
        *,
        blocking: Literal[False],
        optimizations: QueryOptFlags = ...,
        silent: bool | None = ...,
    ) -> DirectQuery | ProxyQuery: ...

    @overload
    def execute(
        self,
        *,
        blocking: Literal[True],
        optimizations: QueryOptFlags = ...,
        silent: bool | None = ...,
    ) -> QueryResult: ...

    @overload
    def execute(
        self,
        *,
        blocking: bool,
        optimizations: QueryOptFlags = ...,
        silent: bool | None = ...,
    ) -> QueryResult | DirectQuery | ProxyQuery: ...

    def execute(
        self,
        *,
        blocking: bool = True,
        optimizations: QueryOptFlags = DEFAULT_QUERY_OPT_FLAGS,
        silent: bool | None = None,
    ) -> QueryResult | DirectQuery | ProxyQuery:
        """Start executing the query and store an intermediate result."""
        call = {
            "remote": self._standin_label,
            "scaling": self._standin_scaling,
            "args": {"blocking": blocking, "optimizations": optimizations, "silent": silent},
        }
        try:
            in_progress = self._spawn(optimizations=optimizations)
        except Exception as e:
            record_call("ExecuteRemote.execute", **call, error=f"{type(e).__name__}: {e}")
            raise
        record_call(
            "ExecuteRemote.execute",
            **call,
            query_id=in_progress._query_id,
            query_class=type(in_progress).__name__,
        )
        if blocking:
            return in_progress.await_result(silent=silent)
        else:
            return in_progress

    def await_and_scan(self, *, silent: bool | None = None) -> pl.LazyFrame:
        """``.execute().lazy()``."""
        return self.execute(blocking=True, silent=silent).lazy()

    def _spawn(self, *, optimizations: QueryOptFlags) -> DirectQuery | ProxyQuery:
        """The real ``query.spawn`` for a temporary destination, down to where it would submit."""
        _validate_labels(self._labels)

        context = self.context
        if context is None:
            context = _context.cached_context or ComputeContext()

        if isinstance(context, ComputeContext):
            status = context._last_known_status
            if status.is_stopped() or status.is_failed():
                msg = f"cannot execute query, context status is {status}"
                raise RuntimeError(msg)
            if context._compute_id is None:
                context.start()

        # What prepare_query checks before anything is sent.
        if pl.get_index_type() == pl.UInt32:
            msg = (
                "polars[rt32] not supported for this client version.\n\n Please run "
                "`pip install polars[rt64]`, restart the process and try again."
            )
            raise RuntimeError(msg)
        try:
            prepare_cloud_plan(self.lf.sink_parquet("<in-memory>", lazy=True))
        except (ComputeError, InvalidOperationError) as exc:
            msg = f"invalid cloud plan: {exc}"
            raise ValueError(msg) from exc
        if self.plan_type not in ("dot", "plain"):
            msg = f"'plan_type' must be one of: {{'dot', 'plain'}}, got {self.plan_type!r}"
            raise ValueError(msg)
        if self._engine == "gpu":
            msg = "GPU mode is not yet supported, consider opening an issue"
            raise ValueError(msg)
        elif self._engine not in {"auto", "in-memory", "streaming"}:
            msg = (
                "`engine` must be one of {'auto', 'in-memory', 'streaming', 'gpu'}, "
                f"got {self._engine!r}"
            )
            raise ValueError(msg)
        settings = self._distributed_settings
        if settings is not None:
            if settings.single_worker_ops not in {"auto", "allow", "forbid"}:
                msg = (
                    "`distributed_settings.single_worker_ops` must be one of "
                    f"{{'auto', 'allow', 'forbid'}}, got {settings.single_worker_ops!r}"
                )
                raise ValueError(msg)
            if settings.planner not in {"auto", "naive", "miso"}:
                msg = (
                    "`distributed_settings.planner` must be one of "
                    f"{{'auto', 'naive', 'miso'}}, got {settings.planner!r}"
                )
                raise ValueError(msg)
        if (
            self._min_workers is not None
            and self._max_workers is not None
            and self._min_workers > self._max_workers
        ):
            msg = "min_workers > max_workers"
            raise ValueError(msg)

        is_direct = isinstance(context, ClusterContext) or (
            isinstance(context, ComputeContext) and context.connection_mode == "direct"
        )
        q_id = pcr.CLUSTER.do_query(self.lf, engine=self._engine, optimizations=optimizations)
        if is_direct:
            client = context._get_direct_client()
            assert client is not None
            return DirectQuery(q_id, client, context)
        elif isinstance(context, ComputeContext):
            return ProxyQuery(q_id, workspace_id=context._workspace_id)
        else:
            msg = (
                "Invalid client type: expected ComputeContext/ClusterContext, "
                f"got: {type(context).__name__}"
            )
            raise ValueError(msg)


def _lf_remote(
    lf: pl.LazyFrame,
    context: ClientContext | None = None,
    *,
    plan_type: PlanTypePreference = "dot",
    n_retries: int = 0,
    priority: int = 0,
    engine: Engine = "auto",
    scaling_mode: ScalingMode = "auto",
) -> LazyFrameRemote:
    remote = LazyFrameRemote(
        lf,
        context=context,
        plan_type=plan_type,
        n_retries=n_retries,
        priority=priority,
        engine=engine,
        scaling_mode=scaling_mode,
    )
    record_call(
        "LazyFrame.remote",
        remote=remote,
        **plan(lf),
        args={
            "context": context,
            "plan_type": plan_type,
            "n_retries": n_retries,
            "priority": priority,
            "engine": engine,
            "scaling_mode": scaling_mode,
        },
    )
    return remote


# As the real client does on import: LazyFrame.remote becomes the client's.
pl.LazyFrame.remote = _lf_remote  # type: ignore[method-assign, assignment]
