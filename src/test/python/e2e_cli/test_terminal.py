"""What a person at a terminal sees: a spinner with elapsed time and the run's state on stderr for
runs past a second (never when stderr is not a terminal), and colored errors."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import Floe

SLOW = "import time\ntime.sleep(2.5)\nresult = pl.DataFrame({'a': [1]})\n"


def test_spinner_shows_state_and_elapsed_then_clears(floe: Floe, tmp_path: Path) -> None:
    script = tmp_path / "slow.py"
    script.write_text(SLOW)
    code, terminal, out = floe.with_terminal("polars", "--script", str(script), terminal="stderr")
    assert code == 0, (terminal, out)
    text = terminal.decode()
    elapsed = [float(s) for s in re.findall(r"\r\S running · (\d+\.\d)s\x1b\[K", text)]
    assert elapsed, text
    assert elapsed[0] >= 1.0  # nothing is drawn during the first second
    assert elapsed[-1] >= 2.0
    assert elapsed == sorted(elapsed)
    assert text.endswith("\r\x1b[K")  # the line is erased before the result prints
    assert out.decode().splitlines()[:2] == ["a", "Int64"]


def test_no_spinner_when_stderr_is_not_a_terminal(floe: Floe) -> None:
    result = floe.ok("polars", "--script", "-", stdin=SLOW)
    assert result.err == ""


def test_errors_are_colored_on_a_terminal(floe: Floe) -> None:
    code, terminal, _ = floe.with_terminal("polars", "SELEC 1", terminal="stderr")
    assert code == 1
    text = terminal.decode()
    assert "\x1b[1;31merror[SQL_SYNTAX]\x1b[0m" in text
    assert "\x1b[1mSELEC 1\x1b[0m" in text


def test_no_color_is_respected(floe: Floe) -> None:
    code, terminal, _ = floe.with_terminal(
        "polars", "SELEC 1", terminal="stderr", env=floe.env(NO_COLOR="1", TERM="xterm")
    )
    assert code == 1
    assert b"error[SQL_SYNTAX]" in terminal
    assert re.search(rb"\x1b\[[0-9;]*m", terminal) is None  # no color (the spinner may draw)
