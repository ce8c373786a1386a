"""What the process around the user code guarantees: channels, imports, threads, bad jobs."""

from __future__ import annotations

import json

import pytest
from floe_run import Harness


def test_stdout_is_only_the_users_and_cannot_fake_a_result(harness: Harness) -> None:
    fake = json.dumps({"error_code": "INTERNAL", "message": "fake"})
    run = harness.script(
        "import sys\n"
        f"print({fake!r})\n"
        f"print({fake!r}, file=sys.stderr)\n"
        "result = pl.DataFrame({'real': [1]})\n"
    )

    assert run.error is None
    assert run.rows == [{"real": 1}]
    assert run.stdout == fake + "\n"
    assert run.stderr == fake + "\n"


def test_a_polars_module_in_the_run_directory_is_ignored(harness: Harness) -> None:
    (harness.run_dir / "polars.py").write_text("raise RuntimeError('shadowed')\n")

    run = harness.script("import polars\nresult = polars.DataFrame({'v': [polars.__version__]})")

    assert run.rows == [{"v": "2.1.0"}]


@pytest.mark.parametrize("threads", [1, 3])
def test_max_threads_sizes_the_polars_pool(harness: Harness, threads: int) -> None:
    run = harness.script(
        "result = pl.DataFrame({'n': [pl.thread_pool_size()]})", max_threads=threads
    )

    assert run.rows == [{"n": threads}]


def test_a_bad_job_is_internal(harness: Harness) -> None:
    job = harness.job("script", "result = 1")
    job["mode"] = "notebook"

    run = harness.run(job)

    assert run.error_code == "INTERNAL"
    assert "r-test" not in run.message  # the job was not trusted enough to take its run id


def test_a_job_without_an_error_path_exits_without_an_error_file(harness: Harness) -> None:
    job = harness.job("script", "result = 1")
    del job["error_path"]

    process = harness.launch(job)

    assert process.returncode == 2
    assert process.stdout == ""
    assert list((harness.run_dir / "out").iterdir()) == []


def test_a_runner_discarded_without_a_job_exits_cleanly(harness: Harness) -> None:
    process = harness.launch(None)

    assert process.returncode == 4
    assert process.stdout == "" and process.stderr == ""
    assert list((harness.run_dir / "out").iterdir()) == []
