"""A runner's isolation, entered by a child of the template before it can receive any code.

The chain, from the template's fork on (all of it the service's own code):
  monitor  joins the runner's cgroups, opens its log pipe and connects its channel (host paths),
           closes every other descriptor, unshares mount/PID/network/IPC/UTS namespaces, forks
           ``init`` and exits with its status;
  init     PID 1 of the new namespaces: builds the file system (a read-only root of explicit binds,
           a size-capped /tmp, a minimal /dev, its own /proc, the run's output files), drops to the
           unprivileged uid with no capabilities and no-new-privs, loads the seccomp filter, then
           forks the runner and reaps orphans until the runner exits;
  runner   PID 2, in a new session, stdout/stderr on the log pipe: hands the channel to ``serve``.
What bubblewrap does for a fresh process, done here for a forked one (README: Security model).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from floe_runner import linux

SANDBOX_OUT = "/floe/out"
_SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib64", "/sbin")
_SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime")
_DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
_NAMESPACES = (
    linux.CLONE_NEWNS
    | linux.CLONE_NEWPID
    | linux.CLONE_NEWNET
    | linux.CLONE_NEWIPC
    | linux.CLONE_NEWUTS
)
EXIT_SETUP_FAILED = 125

# Serves one runner's channel (a connected socket) and returns the runner's exit code.
Serve = Callable[[socket.socket], int]


@dataclass(frozen=True)
class Spawn:
    """What the service asks of one runner's isolation; every path is the host's."""

    runner: str
    root: str
    procs: tuple[str, ...]
    log: str
    socket: str
    uid: int
    gid: int
    scratch_bytes: int
    seccomp: str
    read_only: tuple[str, ...]
    out_dir: str
    out_files: tuple[str, ...]
    # Warehouses under one of the sandbox's own mounts (/tmp): bound on top of it from the root.
    lake_roots: tuple[str, ...] = ()

    @staticmethod
    def parse(raw: dict[str, Any]) -> Spawn:
        def text(key: str) -> str:
            value = raw.get(key)
            if not isinstance(value, str) or not value:
                raise ValueError(f"spawn: {key} must be a non-empty string")
            return value

        def number(key: str) -> int:
            value = raw.get(key)
            if type(value) is not int or value < 0:
                raise ValueError(f"spawn: {key} must be a non-negative integer")
            return value

        def texts(key: str) -> tuple[str, ...]:
            value = raw.get(key)
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise ValueError(f"spawn: {key} must be a list of non-empty strings")
            return tuple(value)

        spawn = Spawn(
            runner=text("runner"),
            root=text("root"),
            procs=texts("procs"),
            log=text("log"),
            socket=text("socket"),
            uid=number("uid"),
            gid=number("gid"),
            scratch_bytes=number("scratch_bytes"),
            seccomp=text("seccomp"),
            read_only=texts("read_only"),
            out_dir=text("out_dir"),
            out_files=texts("out_files"),
            lake_roots=texts("lake_roots") if "lake_roots" in raw else (),
        )
        if spawn.uid == 0 or spawn.gid == 0:
            raise ValueError("spawn: a runner never runs as root")
        for path in (spawn.root, spawn.out_dir, *spawn.read_only, *spawn.lake_roots):
            if not os.path.isabs(path) or os.path.normpath(path) != path:
                raise ValueError(f"spawn: {path!r} is not a normalized absolute path")
        if any("/" in name or name in (".", "..") for name in spawn.out_files):
            raise ValueError("spawn: out_files are plain file names")
        return spawn


def monitor(spawn: Spawn, template_pid: int, serve: Serve) -> NoReturn:
    """The template's fresh child: never returns, exits with the runner's status."""
    try:
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGPIPE):
            signal.signal(signum, signal.SIG_DFL)
        linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != template_pid:
            os._exit(EXIT_SETUP_FAILED)  # the template died before the line above
        for procs in spawn.procs:
            with open(procs, "w", encoding="ascii") as f:
                f.write(str(os.getpid()))
        with open(spawn.seccomp, "rb") as f:
            seccomp = f.read()
        channel = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        channel.connect(spawn.socket)
        log = os.open(spawn.log, os.O_WRONLY)  # blocks until the service reads the pipe
        _close_all_but({0, 1, 2, log, channel.fileno()})
        linux.unshare(_NAMESPACES)
        pid = os.fork()
        if pid == 0:
            _init(spawn, seccomp, log, channel, serve)
        os.close(log)
        channel.close()
        _, status = os.waitpid(pid, 0)
        os._exit(exit_code(status))
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(EXIT_SETUP_FAILED)


def exit_code(status: int) -> int:
    """A wait status as a shell would report it: the exit code, or 128 + the signal."""
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def _init(spawn: Spawn, seccomp: bytes, log: int, channel: socket.socket, serve: Serve) -> NoReturn:
    try:
        linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
        linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
        _build_root(spawn)
        socket.sethostname("floe-run")
        linux.loopback_up()
        os.chdir(spawn.root)
        linux.pivot_root(".", ".")
        linux.umount2(".", linux.MNT_DETACH)
        os.chdir("/")
        _remount_read_only("/")
        linux.mount("proc", "/proc", "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC)
        _drop_privileges(spawn.uid, spawn.gid)
        # Cleared by the uid change above; set again, so init dies with the monitor.
        linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
        linux.load_seccomp(seccomp)
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(EXIT_SETUP_FAILED)
    runner = os.fork()
    if runner == 0:
        _runner(log, channel, serve)
    os.close(log)
    channel.close()
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(EXIT_SETUP_FAILED)
        if pid == runner:
            # Leaving PID 1 ends the namespace: the kernel kills whatever the run left behind.
            os._exit(exit_code(status))


def _runner(log: int, channel: socket.socket, serve: Serve) -> NoReturn:
    code = EXIT_SETUP_FAILED
    try:
        os.setsid()
        # A uid change leaves a process undumpable, which would hide its own /proc/self from it;
        # an exec (as under bubblewrap) would have made it dumpable again.
        linux.prctl(linux.PR_SET_DUMPABLE, 1)
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(null)
        os.close(log)
        os.chdir("/tmp")
        sys.stdout = os.fdopen(1, "w", buffering=1, encoding="utf-8", errors="backslashreplace")
        sys.stderr = os.fdopen(2, "w", buffering=1, encoding="utf-8", errors="backslashreplace")
        code = serve(channel)
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _close_all_but(keep: set[int]) -> None:
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in keep:
            # The listing's own descriptor is gone by now: closing it fails, harmlessly.
            with contextlib.suppress(OSError):
                os.close(fd)


def _build_root(spawn: Spawn) -> None:
    root = spawn.root
    linux.mount(root, root, None, linux.MS_BIND | linux.MS_REC)
    for system in _SYSTEM_DIRS:
        target = root + system
        if os.path.islink(system):
            if not os.path.lexists(target):
                os.symlink(os.readlink(system), target)
        elif os.path.isdir(system):
            _bind_read_only(system, target)
    for system in _SYSTEM_FILES:
        if os.path.exists(system):
            _bind_read_only(os.path.realpath(system), root + system)
    # Held open: once /tmp is mounted, the root's own /tmp/... is reachable through these only.
    lakes = {path: os.open(root + path, os.O_PATH | os.O_DIRECTORY) for path in spawn.lake_roots}
    # The sandbox's own mounts first, so that binds below them (a harness under /tmp) stay visible.
    _mount_tmpfs(root + "/tmp", f"size={spawn.scratch_bytes},mode=1777")
    _mount_dev(root + "/dev")
    for path in spawn.read_only:
        _bind_read_only(path, root + path)
    for path, fd in lakes.items():
        _bind_read_only(f"/proc/self/fd/{fd}", root + path)
        os.close(fd)
    os.makedirs(root + "/proc", mode=0o755, exist_ok=True)
    out = root + SANDBOX_OUT
    _bind_read_only(spawn.out_dir, out)
    for name in spawn.out_files:
        source = os.path.join(spawn.out_dir, name)
        linux.mount(source, os.path.join(out, name), None, linux.MS_BIND)


def _mount_tmpfs(target: str, options: str) -> None:
    os.makedirs(target, mode=0o755, exist_ok=True)
    linux.mount("tmpfs", target, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, options)


def _mount_dev(dev: str) -> None:
    _mount_tmpfs(dev, "mode=0755,size=65536")
    for name in _DEVICES:
        target = os.path.join(dev, name)
        open(target, "w").close()
        linux.mount("/dev/" + name, target, None, linux.MS_BIND | linux.MS_NOSUID | linux.MS_NOEXEC)
    for name, points_to in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(points_to, os.path.join(dev, name))
    os.mkdir(os.path.join(dev, "shm"), 0o755)


def _bind_read_only(source: str, target: str) -> None:
    if os.path.isdir(source):
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        if not os.path.lexists(target):
            open(target, "w").close()
    linux.mount(source, target, None, linux.MS_BIND | linux.MS_REC)
    _remount_read_only(target)


def _remount_read_only(target: str) -> None:
    linux.mount(
        None,
        target,
        None,
        linux.MS_BIND | linux.MS_REMOUNT | linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV,
    )


def _drop_privileges(uid: int, gid: int) -> None:
    linux.drop_bounding_set()
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    linux.clear_capabilities()
    linux.prctl(linux.PR_SET_NO_NEW_PRIVS, 1)
