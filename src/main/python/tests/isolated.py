"""Code run in a fresh interpreter, as a runner runs it: ``python -I``, an empty environment, the
harness importable from this tree; for what touches process-wide state (fd 2, Polars' settings)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HARNESS = Path(__file__).resolve().parents[1]


def run_isolated(
    code: str, environment: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    prelude = f"import sys; sys.path.insert(0, {str(HARNESS)!r})\n"
    return subprocess.run(
        [sys.executable, "-I", "-c", prelude + code],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment or {},
    )
