"""The template: imports what runs need once, then forks one isolated runner per request.

Protocol with the service, one JSON object per line: requests on stdin
  {"op": "spawn", ...Spawn, "pipes"}  make the runner's named pipes, fork it (``isolation.Spawn``)
and events on stdout
  {"event": "ready", "pid", "threads", "versions"}   once, after the imports
  {"event": "spawned", "runner", "pid"}               the runner's monitor process
  {"event": "refused", "runner", "message"}           a request it could not parse
  {"event": "exited", "runner", "status"}             a runner's exit code (128 + signal if killed)
The template never runs a job and never reads one: a runner receives its job from the service over
its own channel, after its isolation is complete. End of stdin ends the template; its runners die
with it.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import sys
from collections.abc import Callable
from typing import Any, TextIO

from floe_runner.isolation import Serve, Spawn, exit_code, monitor


def main(preload: Callable[[], dict[str, str]], serve: Serve) -> int:
    versions = preload()
    out = sys.stdout
    # Polars must not have started its thread pool here: a forked child would inherit a dead one.
    _emit(out, {"event": "ready", "pid": os.getpid(), "threads": _threads(), "versions": versions})
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    runners: dict[int, str] = {}
    selector = selectors.DefaultSelector()
    selector.register(sys.stdin, selectors.EVENT_READ, "request")
    selector.register(wake_r, selectors.EVENT_READ, "child")
    template = os.getpid()
    while True:
        for key, _ in selector.select():
            if key.data == "child":
                _drain(wake_r)
                _reap(runners, out)
                continue
            line = sys.stdin.readline()
            if not line:
                return 0
            _handle(line, runners, out, template, serve)


def _handle(line: str, runners: dict[int, str], out: TextIO, template: int, serve: Serve) -> None:
    try:
        raw = json.loads(line)
        if not isinstance(raw, dict) or raw.get("op") != "spawn":
            raise ValueError("expected an object with op=spawn")
        spawn = Spawn.parse(raw)
        _make_pipes(raw.get("pipes"))
    except (ValueError, OSError) as exc:
        runner = raw.get("runner") if isinstance(raw, dict) else None
        _emit(out, {"event": "refused", "runner": runner, "message": str(exc)})
        return
    out.flush()
    pid = os.fork()
    if pid == 0:
        monitor(spawn, template, serve)
    runners[pid] = spawn.runner
    _emit(out, {"event": "spawned", "runner": spawn.runner, "pid": pid})


def _make_pipes(pipes: object) -> None:
    """The runner's named pipes (its log, its streamed result), made here without a process each."""
    if not isinstance(pipes, list):
        raise ValueError("spawn: pipes must be a list")
    for pipe in pipes:
        if not isinstance(pipe, dict):
            raise ValueError("spawn: each pipe is an object")
        path, mode = pipe.get("path"), pipe.get("mode")
        if not isinstance(path, str) or not os.path.isabs(path) or type(mode) is not int:
            raise ValueError("spawn: a pipe has an absolute path and an integer mode")
        os.mkfifo(path, mode)
        os.chmod(path, mode)


def _reap(runners: dict[int, str], out: TextIO) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        runner = runners.pop(pid, None)
        if runner is not None:
            _emit(out, {"event": "exited", "runner": runner, "status": exit_code(status)})


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def _emit(out: TextIO, event: dict[str, Any]) -> None:
    out.write(json.dumps(event) + "\n")
    out.flush()


def _threads() -> int:
    return len(os.listdir("/proc/self/task"))
