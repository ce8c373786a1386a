"""Fixtures for the CLI suite: the installed `floe` console script, run as a subprocess against
a live Floe, exactly as a user types it.

Environment: as floe_e2e.py lists it. The catalog's variables give fixtures WRITE access to the
lake (to create tables with nested types and to drop what the suite saved); the CLI itself only
ever talks HTTP to Floe.
"""

from __future__ import annotations

import json
import os
import pty
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pyiceberg.catalog import Catalog

# floe_e2e (the folder above) holds env, the floe_url and writer_catalog fixtures, drop_namespace
# and fresh_namespace.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
pytest.register_assert_rewrite("floe_e2e")
from floe_e2e import fresh_namespace

pytest_plugins = ("floe_e2e",)

# The console script `pip install` put beside this interpreter (the build's dev venv).
FLOE = Path(sys.executable).parent / "floe"
FLOWERS = "flowers=default.flowers"
GROUPED = (
    "SELECT species, AVG(petal_length) AS avg_petal_length "
    "FROM flowers GROUP BY species ORDER BY species"
)


@dataclass(frozen=True)
class Result:
    code: int
    out_bytes: bytes
    err: str

    @property
    def out(self) -> str:
        return self.out_bytes.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.out)

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out_bytes[:2000]!r}\n--- stderr\n{self.err}"


class Floe:
    """Runs `floe ARGS...` with FLOE_URL pointing at the Floe under test."""

    def __init__(self, url: str) -> None:
        self.url = url

    def env(self, **extra: str) -> dict[str, str]:
        # The admin key (FLOE_API_KEY from PythonSuite) is kept: Floe authenticates every call.
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        env["FLOE_URL"] = self.url
        env.update(extra)
        return env

    def __call__(
        self,
        *args: str,
        stdin: str | None = None,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = 300,
    ) -> Result:
        done = subprocess.run(
            [str(FLOE), *args],
            input=stdin.encode() if stdin is not None else None,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            env=env if env is not None else self.env(),
            cwd=cwd,
            timeout=timeout,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr.decode("utf-8", "replace"))

    def ok(self, *args: str, stdin: str | None = None, cwd: Path | None = None) -> Result:
        result = self(*args, stdin=stdin, cwd=cwd)
        assert result.code == 0, str(result)
        return result

    def json(self, *args: str, stdin: str | None = None) -> Any:
        """What a successful command prints with ``--output json`` (added last), parsed."""
        return self.ok(*args, "--output", "json", stdin=stdin).json()

    def with_terminal(
        self, *args: str, terminal: str, env: dict[str, str] | None = None
    ) -> tuple[int, bytes, bytes]:
        """Runs with `terminal` ("stdout" or "stderr") attached to a pseudo-terminal; returns the
        exit code, what the terminal received, and the other stream's bytes."""
        leader, follower = pty.openpty()
        other = subprocess.PIPE
        process = subprocess.Popen(
            [str(FLOE), *args],
            stdin=subprocess.DEVNULL,
            stdout=follower if terminal == "stdout" else other,
            stderr=follower if terminal == "stderr" else other,
            env=env if env is not None else self.env(TERM="xterm"),
        )
        os.close(follower)
        seen = bytearray()
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the terminal's last writer closed it
                break
            if not chunk:
                break
            seen += chunk
        os.close(leader)
        out, err = process.communicate(timeout=300)
        return process.returncode, bytes(seen), (err if terminal == "stdout" else out) or b""


@pytest.fixture(scope="session")
def floe(floe_url: str) -> Floe:
    assert FLOE.exists(), f"{FLOE} is missing: the build installs clients/python into the dev venv"
    return Floe(floe_url)


@pytest.fixture
def save_namespace(writer_catalog: Catalog) -> Iterator[str]:
    """A fresh namespace name (not created) for a test's saves; whatever landed there is dropped."""
    with fresh_namespace(writer_catalog, "cli") as namespace:
        yield namespace


@pytest.fixture(scope="session")
def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def grouped_json(floe: Floe) -> dict[str, Any]:
    """The server's JSON answer to GROUPED, through `floe --output json`: what the other
    formats are compared with."""
    answer: dict[str, Any] = floe.json("polars", GROUPED, "--table", FLOWERS)
    return answer
