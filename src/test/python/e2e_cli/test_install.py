"""The README's one-step install, `pip install ./clients/python`, as a regular (not editable)
install: the wheel holds every module and the console script, and that copy runs a query."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FLOWERS, Floe

CLIENT = Path(__file__).resolve().parents[4] / "clients" / "python"


def test_pip_install_gives_a_working_floe(floe: Floe, tmp_path: Path) -> None:
    target = tmp_path / "site"
    source = tmp_path / "floe-cli"  # a copy: building writes build/ beside the sources
    shutil.copytree(CLIENT, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    # --no-deps: pyarrow is already beside this interpreter; the point is the package itself.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        timeout=300,
    )
    script = target / "bin" / "floe"
    assert script.exists(), sorted(p.name for p in target.iterdir())
    assert (target / "floe_cli" / "py.typed").exists()
    env = floe.env(PYTHONPATH=str(target))
    where = subprocess.run(
        [sys.executable, "-c", "import floe_cli; print(floe_cli.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(target)), where.stdout  # this copy, not the editable one
    done = subprocess.run(
        [
            str(script),
            "polars",
            "SELECT COUNT(*) AS n FROM flowers",
            "--table",
            FLOWERS,
            "--output",
            "csv",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "n\n150\n"
    assert os.access(script, os.X_OK)
