"""The real client's contexts (context/compute.py): constructors, start/stop, cheap properties.

Nothing here talks to a network: the constructors record their arguments, ``start``/``stop``
record and return at once, and queries go to ``_local.CLUSTER``.
"""

from __future__ import annotations

import logging
import warnings
from contextlib import ContextDecorator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from . import _local as pcr
from ._record import jsonable, next_label, record_call, secret_mapping
from ._status import ComputeContextStatus

if TYPE_CHECKING:
    import io
    from collections.abc import Mapping
    from types import TracebackType
    from typing import TypeAlias

    from ._typing import ConnectionMode, CPUArchitecture, LogLevel

    # Names the real annotations use, for types the stand-in does not provide.
    Workspace: TypeAlias = Any
    TLSOptions: TypeAlias = Any
    ClientOptions: TypeAlias = Any

logger = logging.getLogger(__name__)

_deprecation_sentinel = object()

DEFAULT_SCHEDULER_PORT = 5051

cached_context: ClientContext | None = None
"""The context ``with ComputeContext(...)`` sets: queries without a context go there."""


class ClientContext:
    """Client context in which queries can be submitted too."""

    def __init__(self) -> None:
        self._compute_id: UUID | None = None
        self._direct_client: pcr.SchedulerClient | None = None
        self._standin_label = next_label("ctx")

    def _get_direct_client(self) -> pcr.SchedulerClient | None:
        return self._direct_client


class ClusterContext(ClientContext):
    """Cluster context in which queries are executed (a directly reachable scheduler)."""

    def __init__(
        self,
        uri: str,
        *,
        domain_name: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        tls_options: TLSOptions | None = None,
        observatory: ClientOptions | None = None,
    ) -> None:
        super().__init__()
        self._compute_id = uuid4()
        scheduler_uri = urlparse(uri)
        if not scheduler_uri.port:
            host = scheduler_uri.hostname or ""
            netloc = f"[{host}]" if ":" in host else host
            scheduler_uri = scheduler_uri._replace(netloc=f"{netloc}:{DEFAULT_SCHEDULER_PORT}")
        self._scheduler_uri = scheduler_uri.geturl()
        self._direct_client = pcr.CLUSTER
        record_call(
            "ClusterContext.__init__",
            context=self,
            compute_id=self._compute_id,
            scheduler_uri=self._scheduler_uri,
            args={
                "uri": uri,
                "domain_name": domain_name,
                **secret_mapping("extra_headers", extra_headers),
                "tls_options": tls_options,
                "observatory": observatory,
            },
        )

    def __repr__(self) -> str:
        return f"ClusterContext(uri={self._scheduler_uri!r}) [stand-in {self._standin_label}]"


class ComputeContext(ClientContext, ContextDecorator):
    """Compute context in which queries are executed (a Polars Cloud cluster)."""

    def __init__(
        self,
        *,
        name: str | None = None,
        cpus: int | None = None,
        memory: int | None = None,
        cpu_architectures: list[CPUArchitecture] | None = None,
        instance_type: str | None = None,
        storage: int | None = None,
        cluster_size: int | None = None,
        requirements: str | Path | io.IOBase | bytes | None = None,
        env_vars: dict[str, str] | None = None,
        connection_mode: ConnectionMode | None = None,
        workspace: str | UUID | Workspace | None = None,
        labels: list[str] | str | None = None,
        log_level: LogLevel | None = None,
        idle_timeout_mins: int | None = None,
        insecure: bool = False,
    ) -> None:
        super().__init__()
        args = {
            "name": name,
            "cpus": cpus,
            "memory": memory,
            "cpu_architectures": cpu_architectures,
            "instance_type": instance_type,
            "storage": storage,
            "cluster_size": cluster_size,
            "requirements": requirements,
            **secret_mapping("env_vars", env_vars),
            "connection_mode": connection_mode,
            "workspace": workspace,
            "labels": labels,
            "log_level": log_level,
            "idle_timeout_mins": idle_timeout_mins,
            "insecure": insecure,
        }
        record_call("ComputeContext.__init__", context=self, args=args)
        if name is not None and any(
            v is not None
            for v in (
                cpus,
                memory,
                cpu_architectures,
                instance_type,
                storage,
                cluster_size,
                requirements,
                connection_mode,
                labels,
                log_level,
                idle_timeout_mins,
                env_vars,
            )
        ):
            msg = "cannot specify both `name` and any other specs"
            raise pcr.ComputeClusterMisspecified(msg)
        if connection_mode not in (None, "direct", "proxy"):
            msg = f"invalid connection mode {connection_mode!r}, expected 'direct' or 'proxy'"
            raise ValueError(msg)
        self._name = name
        self._workspace = workspace
        self._workspace_id = (
            workspace
            if isinstance(workspace, UUID)
            else uuid5(NAMESPACE_URL, f"polars-cloud-standin:workspace:{workspace}")
        )
        self._insecure = insecure
        self._cpus = cpus
        self._memory = memory
        self._cpu_architectures = cpu_architectures
        self._instance_type = instance_type
        self._storage = storage
        self._cluster_size = 1 if cluster_size is None else cluster_size
        self._labels = [labels] if isinstance(labels, str) else labels
        self._connection_mode: str = connection_mode or "direct"
        self._log_level = log_level
        self._idle_timeout_mins = idle_timeout_mins
        self._env_vars = env_vars or {}
        self._requirements_txt: str | None
        if requirements is None:
            self._requirements_txt = None
        elif isinstance(requirements, str | Path):
            self._requirements_txt = Path(requirements).read_text()
        else:
            bytes_ = requirements if isinstance(requirements, bytes) else requirements.read()
            self._requirements_txt = (
                bytes_ if isinstance(bytes_, str) else str(bytes_, encoding="utf-8")
            )
        self._last_known_status = ComputeContextStatus.UNINITIALIZED

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}("
            f"id={self._compute_id}, "
            f"cpus={self._cpus!r}, "
            f"memory={self._memory!r}, "
            f"instance_type={self._instance_type!r}, "
            f"cluster_size={self._cluster_size!r}, "
            f"connection_mode={self._connection_mode!r}, "
            f"workspace={self._workspace!r}) [stand-in {self._standin_label}]"
        )

    def get_status(self) -> ComputeContextStatus:
        """Get the status of the compute context."""
        if self._compute_id is None:
            return ComputeContextStatus.UNINITIALIZED
        return self._last_known_status

    def start(self, *, wait: bool = False) -> None:
        """Start the compute context (the stand-in: at once)."""
        record_call("ComputeContext.start", context=self, args={"wait": wait})
        status = self.get_status()
        if status.is_failed():
            msg = "can't start compute in a failed state"
            raise RuntimeError(msg)
        elif status.is_available():
            return
        self._compute_id = uuid4()
        self._last_known_status = ComputeContextStatus.RUNNING
        self._direct_client = pcr.CLUSTER if self._connection_mode == "direct" else None

    def stop(self, *, wait: Any = _deprecation_sentinel) -> None:
        """Stop the compute context (the stand-in: at once)."""
        record_call(
            "ComputeContext.stop",
            context=self,
            args={} if wait is _deprecation_sentinel else {"wait": jsonable(wait)},
        )
        if wait is not _deprecation_sentinel:
            warnings.warn(
                "The 'wait' parameter is deprecated and will be removed in a future version. "
                "Please remove it from your function call.",
                DeprecationWarning,
                stacklevel=2,
            )
        if self._compute_id is None:
            msg = "nothing to stop, context is not running"
            raise RuntimeError(msg)
        if self._last_known_status.is_stopped() or self._last_known_status.is_failed():
            logger.warning(
                "The context was already in a stopped state: Status=%s",
                self._last_known_status,
            )
            return
        self._last_known_status = ComputeContextStatus.STOPPED
        self._direct_client = None

    @property
    def cpus(self) -> int | None:
        """The number of CPUs each instance has access to."""
        return self._cpus

    @property
    def memory(self) -> int | None:
        """The amount of RAM (in GB) each instance has access to."""
        return self._memory

    @property
    def cpu_architectures(self) -> list[CPUArchitecture] | None:
        """The cpu_architectures of the compute context."""
        return self._cpu_architectures

    @property
    def instance_type(self) -> str | None:
        """The instance type of the compute context."""
        return self._instance_type

    @property
    def storage(self) -> int | None:
        """The amount of disk space (in GB) each instance has access to."""
        return self._storage

    @property
    def cluster_size(self) -> int:
        """The number of compute nodes in the context."""
        return self._cluster_size

    @property
    def connection_mode(self) -> str:
        """In what way to connect to the compute cluster."""
        return self._connection_mode

    @property
    def labels(self) -> list[str] | None:
        """The labels of the compute context."""
        return self._labels

    @property
    def env_vars(self) -> dict[str, str]:
        return self._env_vars

    def __enter__(self) -> ComputeContext:
        global cached_context
        self._previous_context = cached_context
        cached_context = self
        return self

    def __exit__(
        self,
        exc_type: type[BaseException],
        exc_value: BaseException,
        traceback: TracebackType,
    ) -> bool | None:
        global cached_context
        self.stop()
        cached_context = self._previous_context
        return None
