"""Script failures are reported in the user's own lines, with no harness frames."""

from __future__ import annotations

from floe_run import Harness


def test_syntax_error_points_at_the_users_line_and_column(harness: Harness) -> None:
    run = harness.script("x = 1\ny = (2,\n")

    assert run.error_code == "SCRIPT_SYNTAX"
    assert run.message == (
        "The script has a syntax error at line 2, column 5 ('(' was never closed); "
        "fix line 2 and run it again."
    )
    assert (run.diagnostics["line"], run.diagnostics["column"]) == (2, 5)
    assert run.error is not None
    assert run.error["details"].startswith('  File "script.py", line 2\n    y = (2,\n')


def test_raised_exception_reports_the_innermost_user_line(harness: Harness) -> None:
    run = harness.script(
        "def check(frame):\n"
        "    if frame.height:\n"
        "        raise ValueError('boom')\n"
        "check(pl.DataFrame({'x': [1]}))\n"
    )

    assert run.error_code == "SCRIPT_ERROR"
    assert (
        run.message == "The script raised ValueError at line 3: boom. Fix line 3 and run it again."
    )
    assert run.error is not None
    assert run.error["details"] == (
        "Traceback (most recent call last):\n"
        '  File "script.py", line 4, in <module>\n'
        "    check(pl.DataFrame({'x': [1]}))\n"
        '  File "script.py", line 3, in check\n'
        "    raise ValueError('boom')\n"
        "ValueError: boom\n"
    )
    assert run.diagnostics == {
        "line": 3,
        "column": None,
        "frames": [
            {
                "file": "script.py",
                "line": 4,
                "function": "<module>",
                "text": "check(pl.DataFrame({'x': [1]}))",
            },
            {
                "file": "script.py",
                "line": 3,
                "function": "check",
                "text": "raise ValueError('boom')",
            },
        ],
        "hint": None,
    }


def test_library_frames_are_trimmed_too(harness: Harness) -> None:
    run = harness.script("df = pl.DataFrame({'x': [1]})\nresult = df.select('nope')\n")

    assert run.error_code == "SCRIPT_ERROR"
    assert run.message.startswith("The script raised ColumnNotFoundError at line 2: ")
    details = run.error["details"] if run.error else ""
    files = [line.strip() for line in details.splitlines() if line.strip().startswith("File ")]
    assert files == ['File "script.py", line 2, in <module>']


def test_failure_while_collecting_the_result_has_no_line(harness: Harness) -> None:
    run = harness.script("result = scan('flowers').select('nope')\n")

    assert run.error_code == "SCRIPT_ERROR"
    assert run.message.startswith(
        'Computing `result` raised ColumnNotFoundError: unable to find column "nope"'
    )
    assert run.diagnostics["line"] is None
    assert "floe_harness" not in str(run.error)


def test_sys_exit_is_a_script_error(harness: Harness) -> None:
    run = harness.script("import sys\nsys.exit(0)\n")

    assert run.error_code == "SCRIPT_ERROR"
    assert run.message == "The script raised SystemExit at line 2: 0. Fix line 2 and run it again."


def test_memory_error_is_out_of_memory(harness: Harness) -> None:
    run = harness.script("raise MemoryError\n")

    assert run.error_code == "OUT_OF_MEMORY"


def test_a_run_out_of_file_descriptors_still_reports_its_error(harness: Harness) -> None:
    run = harness.script(
        "import resource\n"
        "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))\n"
        "held = []\n"
        "while True:\n"
        "    held.append(open('/dev/null'))\n"
    )

    assert run.error_code == "SCRIPT_ERROR"
    assert "more files than a run may hold open at once (64)" in run.message
    assert "line 6" in run.message
    assert run.diagnostics["line"] == 6


def test_a_successful_run_leaves_no_error_file(harness: Harness) -> None:
    run = harness.script("result = pl.DataFrame({'a': [1]})\n")

    assert run.error is None
    assert not (harness.run_dir / "out" / "error.json").exists()
