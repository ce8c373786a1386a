"""The one Polars internal Floe relies on, wrapped here so an upgrade that changes it fails loudly.

Polars reads ``POLARS_MAX_THREADS`` when it is imported; a runner imported Polars long before it
learns its job's thread count, so it asks Polars to read the variable again, before its thread pool
exists (the template never runs a Polars operation, so no runner inherits a pool).
"""

from __future__ import annotations

import os

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
    """Fails at start-up, not in a run, when the installed Polars lacks the hook."""
    _reload()


def set_max_threads(threads: int) -> None:
    os.environ["POLARS_MAX_THREADS"] = str(threads)
    reload = _reload()
    reload("POLARS_MAX_THREADS")  # type: ignore[operator]
