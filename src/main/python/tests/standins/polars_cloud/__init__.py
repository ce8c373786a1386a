"""A stand-in for the Polars Cloud client (PyPI ``polars-cloud==0.12.0``), for tests.

Put the directory that contains this package first on ``sys.path`` and ``import polars_cloud``
gets this instead of the real client: the same names, with the real signatures
(tests/standins/check_signatures.py compares them with the installed real package), that record
every call and run each query locally.

- Calls: one JSON line each in ``<dir>/calls.jsonl``, ``<dir>`` being the directory that contains
  this package directory (not resolved through symbolic links). A line is
  ``{"call": "<what>", "pid": ..., "time": ..., "args": {...}, ...}``; a query ending adds
  ``{"event": "query.finished", "query_id": ..., "status": "SUCCESS" | "FAILED" | "CANCELED"}``.
  Secrets are never written: ``client_secret`` is recorded as ``"<set>"`` (or null) beside
  ``client_secret_sha256``, and the values of ``env_vars`` and ``extra_headers`` likewise
  (``{"NAME": "<set>"}`` beside ``{"NAME": "<sha256>"}``).
- Queries: ``execute`` submits the plan to a thread of this process, which collects it with Polars
  and writes ``<dir>/results/<query_id>/0.parquet``; ``QueryResult.location`` lists that file.
- Knobs: ``<dir>/behaviour.json`` (optional, read at each submission): ``{"delay_seconds": N}``
  holds a query N seconds before it runs (a ``cancel()`` meanwhile stops it);
  ``{"fail": "message"}`` fails it with ``polars.exceptions.ComputeError("message")``.
"""

from __future__ import annotations

from . import exceptions
from ._auth import authenticate
from ._context import ClientContext, ClusterContext, ComputeContext
from ._query import (
    DirectQuery,
    ExecuteRemote,
    LazyFrameRemote,
    ProxyQuery,
    QueryResult,
)
from ._status import ComputeContextStatus, QueryStatus

__version__ = "0.12.0"

__all__ = [
    "ClientContext",
    "ClusterContext",
    "ComputeContext",
    "ComputeContextStatus",
    "DirectQuery",
    "ExecuteRemote",
    "LazyFrameRemote",
    "ProxyQuery",
    "QueryResult",
    "QueryStatus",
    "__version__",
    "authenticate",
    "exceptions",
]
