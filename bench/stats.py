"""Small figures helpers: percentiles, formatting, a run's shared context."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services import Floe


def pct(xs: list[float], q: float) -> float:
    """Nearest-rank percentile (p50 of 200 is the 100th, p99 the 198th)."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[max(0, math.ceil(q * len(s)) - 1)]


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def ms(seconds: float) -> str:
    if math.isnan(seconds):
        return "n/a"
    return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"


def ratio(a: float, b: float) -> str:
    return "n/a" if not b or math.isnan(a) or math.isnan(b) else f"{a / b:.2f}×"


@dataclass
class Target:
    """One of issue 18's targets, with what this run measured."""

    what: str
    target: str
    measured: str
    met: bool | None


@dataclass
class Context:
    """What every section gets: the Floe under test, its lake, the options, and where results go."""

    floe: Floe
    lake: Path
    home: Path
    cache: Path
    bin_dir: Path
    floe_python: str
    opts: Any
    targets: list[Target] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def tool(self, name: str) -> str:
        return str(self.bin_dir / name)
