"""The trusted writer as the service runs it: ``python -I -B floe_trusted_launch.py``, a real
subprocess spoken to in length-prefixed JSON frames (floe_frames.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, BinaryIO

from floe_frames import read_frame, write_frame
from floe_trusted.contract import Ready, parse_answer, to_wire

LAUNCHER = Path(__file__).resolve().parents[1] / "floe_trusted_launch.py"


class WriterProcess:
    """One long-lived writer; ``ask`` sends a request (its JSON value) and returns the answer's."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-B", str(LAUNCHER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        ready = parse_answer(self._read())
        assert isinstance(ready, Ready) and ready.pid == self.process.pid, ready

    def _read(self) -> Any:
        stdout: BinaryIO = self.process.stdout  # type: ignore[assignment]
        answer = read_frame(stdout)
        assert answer is not None, f"the writer ended (exit {self.process.wait()})"
        return answer

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        stdin: BinaryIO = self.process.stdin  # type: ignore[assignment]
        write_frame(stdin, request)
        answer = self._read()
        # Every answer follows the contract: parsed strictly, written back unchanged.
        assert to_wire(parse_answer(answer)) == answer
        result: dict[str, Any] = answer
        return result

    def close(self) -> int:
        """Closes stdin, as the service does at shutdown; returns the exit code."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        return self.process.wait(timeout=30)


def sql_catalog_properties(root: Path) -> dict[str, str]:
    """A SQLite catalog with its warehouse under ``root``, as a writer is handed it."""
    warehouse = root / "warehouse"
    warehouse.mkdir()
    return {
        "type": "sql",
        "uri": f"sqlite:///{root / 'catalog.db'}",
        "warehouse": warehouse.as_uri(),
    }
