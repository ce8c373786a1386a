"""The Polars internals Floe relies on, wrapped here so an upgrade that changes them fails loudly.

Polars reads ``POLARS_MAX_THREADS`` when it is imported; a runner imported Polars long before it
learns its job's thread count, so it asks Polars to read the variable again, before its thread pool
exists (the template never runs a Polars operation, so no runner inherits a pool).

A profiled run asks the streaming engine to track each node's time and rows and to report them on
stderr when the query ends (``POLARS_TRACK_METRICS``, ``POLARS_LOG_METRICS``, read per query; the
report's format is Polars' own, parsed in ``floe_harness/profile.py``).

A dry run learns what each Iceberg scan would read from the hook Polars resolves scans through
(``IcebergScanResolver.to_dataset_scan``: the columns and the predicate pushed into the scan) and
the conversion Polars itself applies to that predicate for PyIceberg's pruning
(``try_convert_pyarrow_predicate``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pyiceberg.expressions import BooleanExpression
from pyiceberg.table import Table

ScanListener = Callable[[Table, "int | None", "list[str] | None", "BooleanExpression | None"], None]

PINNED = "2.1.0"


def _reload() -> object:
    import polars._plr as plr

    reload = getattr(plr, "config_reload_env_var", None)
    if reload is None:
        import polars

        raise RuntimeError(
            f"polars {polars.__version__} has no _plr.config_reload_env_var (Floe was built "
            f"against {PINNED}): pin polars=={PINNED} or update floe_harness/polars_private.py"
        )
    return reload


def check() -> None:
    """Fails at start-up, not in a run, when the installed Polars lacks a hook."""
    _reload()
    _iceberg_internals()


def set_max_threads(threads: int) -> None:
    os.environ["POLARS_MAX_THREADS"] = str(threads)
    reload = _reload()
    reload("POLARS_MAX_THREADS")  # type: ignore[operator]


def _iceberg_internals() -> tuple[Any, Callable[..., Any]]:
    import polars

    try:
        from polars.io.iceberg._dataset import IcebergScanResolver
        from polars.io.iceberg._utils import try_convert_pyarrow_predicate
    except ImportError as exc:
        raise RuntimeError(
            f"polars {polars.__version__} moved its Iceberg scan resolver (Floe was built against"
            f" {PINNED}): pin polars=={PINNED} or update floe_harness/polars_private.py"
        ) from exc
    if not callable(getattr(IcebergScanResolver, "to_dataset_scan", None)):
        raise RuntimeError(
            f"polars {polars.__version__} has no IcebergScanResolver.to_dataset_scan (Floe was"
            f" built against {PINNED}): pin polars=={PINNED} or update"
            " floe_harness/polars_private.py"
        )
    return IcebergScanResolver, try_convert_pyarrow_predicate


def on_iceberg_scan(listener: ScanListener) -> None:
    """From now on, each Iceberg scan Polars resolves is told to ``listener`` first: its table, its
    snapshot (None: the current), the columns it reads (None: all) and the predicate it pushes into
    the scan as a PyIceberg expression (None: none)."""
    resolver, convert = _iceberg_internals()
    resolve = resolver.to_dataset_scan

    def to_dataset_scan(self: Any, *args: Any, **kwargs: Any) -> Any:
        table = self.table.get()
        predicate = kwargs.get("pyarrow_predicate")
        row_filter = None if predicate is None else convert(predicate, table.schema())
        listener(table, self.snapshot_id, kwargs.get("projection"), row_filter)
        return resolve(self, *args, **kwargs)

    resolver.to_dataset_scan = to_dataset_scan


_METRICS = ("POLARS_TRACK_METRICS", "POLARS_LOG_METRICS")


@contextmanager
def node_metrics() -> Iterator[None]:
    """Inside: each streaming query reports its nodes' time and rows on stderr as it ends."""
    for name in _METRICS:
        os.environ[name] = "1"
    try:
        yield
    finally:
        for name in _METRICS:
            os.environ.pop(name, None)
