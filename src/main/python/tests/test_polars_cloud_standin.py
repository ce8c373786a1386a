"""The Polars Cloud stand-in (tests/standins/polars_cloud) against the real client, polars-cloud.

The real client lives only in the trusted dispatcher's environment (.floe/distributed-venv: polars
2.0.0, which it pins; this suite runs on the sandbox's polars 2.1.0), so each check runs there in a
subprocess:
- standins/check_signatures.py: every name the stand-in provides has the real one's signature. A
  faithful little fake passes it and fakes with one thing wrong each fail it, so the check cannot
  pass by comparing nothing;
- standins/behaviour_checks.py (that environment's pytest): what the stand-in does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[4]
STANDINS = Path(__file__).resolve().parent / "standins"


def distributed_python() -> Path:
    """The dispatcher environment's python: beside the dev venv running this (setup-venv.sh makes
    both in one Floe home, `-Dfloe.home` or not), else in the repository's .floe."""
    candidates = [REPO / ".floe" / "distributed-venv" / "bin" / "python"]
    if sys.prefix != sys.base_prefix:
        candidates.insert(0, Path(sys.prefix).parent / "distributed-venv" / "bin" / "python")
    for python in candidates:
        if python.exists():
            return python
    pytest.fail(
        f"no dispatcher environment at {' or '.join(map(str, candidates))}: "
        "run sandbox-image/setup-venv.sh (the Maven build does)"
    )


def check_signatures(standin: Path | None = None) -> tuple[int, list[dict[str, Any]]]:
    args = [str(distributed_python()), str(STANDINS / "check_signatures.py")]
    if standin is not None:
        args += ["--standin", str(standin)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode in (0, 1), done.stderr
    differences: list[dict[str, Any]] = json.loads(done.stdout)
    assert done.returncode == (1 if differences else 0), done.stdout
    return done.returncode, differences


def test_standin_signatures_are_the_real_clients() -> None:
    code, differences = check_signatures()
    assert differences == [], json.dumps(differences, indent=2)
    assert code == 0


def test_standin_behaviour() -> None:
    done = subprocess.run(
        [
            str(distributed_python()),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--import-mode=importlib",
            "--confcutdir=.",
            "--rootdir=.",
            "behaviour_checks.py",
        ],
        cwd=STANDINS,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout and "skipped" not in done.stdout, done.stdout


# A stand-in small enough to read: three names, exactly as the real client has them.
FAITHFUL = {
    "__init__.py": """
from __future__ import annotations

from enum import Enum
from typing import final

import polars as pl

from . import exceptions

__all__ = ["QueryStatus", "authenticate", "exceptions"]


def authenticate(
    *,
    client_id: str | None = None,
    client_secret: str | None = None,
    interactive: bool = True,
) -> None:
    pass


@final
class QueryStatus(Enum):
    QUEUED = 0
    SCHEDULED = 1
    INPROGRESS = 2
    SUCCESS = 3
    FAILED = 4
    CANCELED = 5

    def is_done(self) -> bool:
        return self.value >= 3


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
    raise NotImplementedError


pl.LazyFrame.remote = _lf_remote
""",
    "exceptions.py": '''
from __future__ import annotations


class WorkspaceDeploymentError(Exception):
    """Exception raised when the workspace deployment fails."""
''',
}

# (file, text in FAITHFUL, its replacement, where the checker must find a difference)
BROKEN = {
    "default": (
        "__init__.py",
        "interactive: bool = True",
        "interactive: bool = False",
        "authenticate",
    ),
    "annotation": (
        "__init__.py",
        "client_id: str | None = None",
        "client_id: bytes | None = None",
        "authenticate",
    ),
    "kind": (
        "__init__.py",
        "*,\n    client_id: str | None = None,",
        "client_id: str | None = None,\n    *,",
        "authenticate",
    ),
    "extra parameter": (
        "__init__.py",
        "interactive: bool = True,\n",
        "interactive: bool = True,\n    timeout: int = 0,\n",
        "authenticate",
    ),
    "missing parameter": (
        "__init__.py",
        "    interactive: bool = True,\n",
        "",
        "authenticate",
    ),
    "return annotation": (
        "__init__.py",
        ") -> None:\n    pass",
        ") -> bool:\n    return True",
        "authenticate",
    ),
    "enum member": ("__init__.py", "CANCELED = 5", "CANCELLED = 5", "QueryStatus"),
    "method made a property": (
        "__init__.py",
        "    def is_done(self)",
        "    @property\n    def is_done(self)",
        "QueryStatus.is_done",
    ),
    "method the real lacks": (
        "__init__.py",
        "    def is_done(self)",
        "    def is_finished(self)",
        "QueryStatus.is_finished",
    ),
    "name the real lacks": (
        "__init__.py",
        '"exceptions"]',
        '"exceptions", "cancel_all"]\n\n\ndef cancel_all() -> None:\n    pass',
        "cancel_all",
    ),
    "public name outside __all__": (
        "__init__.py",
        "pl.LazyFrame.remote = _lf_remote",
        "pl.LazyFrame.remote = _lf_remote\n\n\ndef login() -> None:\n    pass",
        "login",
    ),
    "remote not patched": (
        "__init__.py",
        "pl.LazyFrame.remote = _lf_remote",
        "",
        "polars.LazyFrame.remote",
    ),
    "remote default": (
        "__init__.py",
        "priority: int = 0",
        "priority: int = 1",
        "polars.LazyFrame.remote",
    ),
    "exception base class": (
        "exceptions.py",
        "class WorkspaceDeploymentError(Exception)",
        "class WorkspaceDeploymentError(RuntimeError)",
        "exceptions.WorkspaceDeploymentError",
    ),
    "exception the real lacks": (
        "exceptions.py",
        "class WorkspaceDeploymentError(Exception)",
        "class QueryFailedError(Exception):\n    pass\n\n\n"
        "class WorkspaceDeploymentError(Exception)",
        "exceptions.QueryFailedError",
    ),
    "absolute import of the real client": (
        "__init__.py",
        "from . import exceptions",
        "from . import exceptions\nfrom polars_cloud.query import QueryResult",
        "<setup>",
    ),
}


def write_standin(root: Path, files: dict[str, str]) -> Path:
    package = root / "polars_cloud"
    package.mkdir(parents=True)
    for name, text in files.items():
        (package / name).write_text(text)
    return root


def test_a_faithful_fake_passes(tmp_path: Path) -> None:
    code, differences = check_signatures(write_standin(tmp_path, FAITHFUL))
    assert (code, differences) == (0, [])


@pytest.mark.parametrize(("file", "text", "replacement", "where"), BROKEN.values(), ids=BROKEN)
def test_a_fake_with_one_thing_wrong_fails(
    tmp_path: Path, file: str, text: str, replacement: str, where: str
) -> None:
    assert text in FAITHFUL[file]
    files = {**FAITHFUL, file: FAITHFUL[file].replace(text, replacement)}
    code, differences = check_signatures(write_standin(tmp_path, files))
    assert code == 1
    assert [d["where"] for d in differences] == [where], json.dumps(differences, indent=2)
