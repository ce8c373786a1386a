"""The real client's status enums (query/query_status.py, context/compute_status.py)."""

from __future__ import annotations

from enum import Enum
from typing import final


@final
class QueryStatus(Enum):
    QUEUED = 0
    """Query is queued."""

    SCHEDULED = 1
    """Query is scheduled on the compute plane."""

    INPROGRESS = 2
    """Query is in progress."""

    SUCCESS = 3
    """Query successfully completed."""

    FAILED = 4
    """Query failed."""

    CANCELED = 5
    """Query was cancelled by user."""

    def is_done(self) -> bool:
        """Whether the query is done. Can be successfully or unsuccessfully."""
        return self in [
            QueryStatus.SUCCESS,
            QueryStatus.FAILED,
            QueryStatus.CANCELED,
        ]


@final
class ComputeContextStatus(Enum):
    """The status of the compute context."""

    UNINITIALIZED = 0
    """Compute context is not yet initialized with the control plane."""

    STARTING = 1
    """Compute context is starting."""

    IDLE = 2
    """Compute context is running and idle."""

    RUNNING = 3
    """Compute context is running and processing queries."""

    STOPPING = 4
    """Compute context is stopping."""

    STOPPED = 5
    """Compute context is stopped."""

    FAILED = 6
    """Compute context failed."""

    def is_uninitialized(self) -> bool:
        return self == ComputeContextStatus.UNINITIALIZED

    def is_available(self) -> bool:
        return self in [
            ComputeContextStatus.STARTING,
            ComputeContextStatus.IDLE,
            ComputeContextStatus.RUNNING,
        ]

    def is_started(self) -> bool:
        return self in [
            ComputeContextStatus.IDLE,
            ComputeContextStatus.RUNNING,
        ]

    def is_stopped(self) -> bool:
        return self in [ComputeContextStatus.STOPPED, ComputeContextStatus.STOPPING]

    def is_failed(self) -> bool:
        return self == ComputeContextStatus.FAILED

    def is_terminal(self) -> bool:
        return self in [
            ComputeContextStatus.STOPPED,
            ComputeContextStatus.FAILED,
        ]
