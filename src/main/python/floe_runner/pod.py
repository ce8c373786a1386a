"""A run pod's relay: the pod's end of its hand-over channel to the service.

The service starts a pod ahead of its run with three things in its environment: where to connect
(``FLOE_HANDOVER``, host:port), as which runner (``FLOE_RUNNER``), and a one-time secret
(``FLOE_HANDOVER_SECRET``). The relay connects, answers the service's challenge with an HMAC of
it under the secret (the secret never crosses the network), then starts the harness as a child
with a cleared environment, exactly as a local runner (``floe_launch.py runner SOCKET``), and
carries for it what a local runner's socket, pipes and files carry (frames: a kind byte, a 4-byte
big-endian length, that many bytes; ``dev.floe.sandbox.kubernetes.PodFrames``):

- ``J`` the harness's own channel frames, both ways, unchanged;
- ``F``/``D`` towards the pod: the files of the tables the run was granted, written at the paths
  the run reads them by (the pod's empty directories at the lake roots), before the frame that
  names them;
- ``L`` its stdout and stderr; ``O``/``E`` its output files (the result pipe as it streams, the rest
  when it ends); ``X`` its exit code, last.

The relay never runs user code and holds nothing of the service's but the (used) secret.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import signal
import socket
import stat
import struct
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO

AUTH, JSON, LOG, OUTPUT, OUTPUT_END, EXIT, FILE, DATA = (
    b"A",
    b"J",
    b"L",
    b"O",
    b"E",
    b"X",
    b"F",
    b"D",
)
MAX_FRAME = 1 << 20
# RunnerFiles.OUTPUTS, in its order: an output is named by its index.
OUTPUTS = ("result.arrows", "result.pipe", "plan.json", "error.json")
RESULT_PIPE = OUTPUTS.index("result.pipe")
HARNESS_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
}
_HEAD = struct.Struct(">cI")


class Refused(Exception):
    """The service closed the channel before the runner was ready (it did not expect this pod)."""


class Link:
    """The TCP connection to the service; sends from several threads, receives from one."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._in = sock.makefile("rb")
        self._lock = threading.Lock()

    def send(self, kind: bytes, payload: bytes = b"") -> None:
        for start in range(0, max(1, len(payload)), MAX_FRAME):
            chunk = payload[start : start + MAX_FRAME]
            with self._lock:
                self._sock.sendall(_HEAD.pack(kind, len(chunk)) + chunk)

    def send_output(self, index: int, data: bytes) -> None:
        step = MAX_FRAME - 1
        for start in range(0, len(data), step):
            self.send(OUTPUT, bytes([index]) + data[start : start + step])

    def receive(self) -> tuple[bytes, bytes] | None:
        head = self._in.read(_HEAD.size)
        if not head:
            return None
        if len(head) < _HEAD.size:
            raise EOFError("the service closed the channel inside a frame")
        kind, length = _HEAD.unpack(head)
        if length > MAX_FRAME:
            raise ValueError(f"the service sent a frame of {length} bytes")
        payload = self._in.read(length)
        if len(payload) < length:
            raise EOFError("the service closed the channel inside a frame")
        return kind, payload

    def finish(self) -> None:
        """Ends the pod's side, then waits (briefly) for the service to close its own."""
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_WR)
            self._sock.settimeout(10)
            while self._sock.recv(65536):
                pass
        self._sock.close()


def proof(secret: bytes, challenge: str, runner: str) -> str:
    """HMAC-SHA256 of the challenge and the runner's id (HandoverServer.proof)."""
    message = f"floe-handover\n{challenge}\n{runner}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def connect(address: str, runner: str, secret: bytes, timeout: float = 30.0) -> Link:
    host, _, port = address.rpartition(":")
    sock = socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    link = Link(sock)
    frame = link.receive()
    if frame is None or frame[0] != AUTH:
        raise Refused("the service sent no challenge")
    challenge = json.loads(frame[1])["challenge"]
    answer = {"runner": runner, "proof": proof(secret, challenge, runner)}
    link.send(AUTH, json.dumps(answer).encode())
    sock.settimeout(None)
    return link


def _harness_frames(harness: socket.socket, link: Link) -> None:
    """The harness's frames, unchanged, to the service."""
    reader = harness.makefile("rb")
    while True:
        head = reader.read(4)
        if len(head) < 4:
            return
        (length,) = struct.unpack(">I", head)
        body = reader.read(length)
        if len(body) < length:
            return
        link.send(JSON, body)


def _safe_path(raw: str) -> Path:
    path = PurePosixPath(raw)
    if not path.is_absolute() or ".." in path.parts:
        raise ValueError(f"the service sent a file path that is not absolute and plain: {raw!r}")
    return Path(path)


def _service_frames(link: Link, harness: socket.socket, log: list[str]) -> None:
    """The service's frames: the harness's to it, granted files to their paths here."""
    target: IO[bytes] | None = None
    try:
        while (frame := link.receive()) is not None:
            kind, payload = frame
            if kind == JSON:
                harness.sendall(struct.pack(">I", len(payload)) + payload)
            elif kind == FILE:
                header = json.loads(payload)
                path = _safe_path(header["path"])
                path.parent.mkdir(parents=True, exist_ok=True)
                target = open(path, "xb")  # noqa: SIM115 (closed by its last DATA frame)
            elif kind == DATA and target is not None:
                if payload:
                    target.write(payload)
                else:
                    target.close()
                    os.chmod(target.name, 0o444)
                    target = None
            else:
                raise ValueError(f"the service sent a frame of kind {kind!r} here")
    except (OSError, ValueError, EOFError) as exc:
        log.append(f"floe pod: channel to the service ended: {exc}\n")
    finally:
        if target is not None:
            target.close()
        # The service is gone, or ended the run: the harness's channel ends too.
        with contextlib.suppress(OSError):
            harness.shutdown(socket.SHUT_RDWR)


def _pump(source: IO[bytes], send: Callable[[bytes], None]) -> None:
    while chunk := os.read(source.fileno(), 65536):
        send(chunk)


def _result_pipe(path: Path, link: Link) -> None:
    with open(path, "rb") as pipe:  # waits for the harness (or the relay's unblocking) to open it
        _pump(pipe, lambda chunk: link.send_output(RESULT_PIPE, chunk))
    link.send(OUTPUT_END, bytes([RESULT_PIPE]))


def _unblock(pipe: Path) -> None:
    """A reader still waiting for a writer of the result pipe sees it end."""
    with contextlib.suppress(OSError):  # nobody waits
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))


def main(env: dict[str, str], launch: list[str]) -> int:
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, _ignore)  # a handler, not SIG_IGN: the harness starts with defaults
    address = env["FLOE_HANDOVER"]
    runner = env["FLOE_RUNNER"]
    secret = bytes.fromhex(env["FLOE_HANDOVER_SECRET"])
    out = Path(env.get("FLOE_OUT", "/floe/out"))
    for name in OUTPUTS:
        if name == OUTPUTS[RESULT_PIPE]:
            os.mkfifo(out / name, 0o600)
        else:
            (out / name).touch()
    work = Path(tempfile.mkdtemp(prefix="floe-pod-", dir="/tmp"))
    socket_path = work / "ctl.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(socket_path))
    listener.listen(1)
    link = connect(address, runner, secret)
    harness = subprocess.Popen(
        [*launch, "runner", str(socket_path)],
        env=HARNESS_ENV,
        cwd="/tmp",
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert harness.stdout is not None
    log_pump = threading.Thread(
        target=_pump, args=(harness.stdout, lambda chunk: link.send(LOG, chunk)), daemon=True
    )
    log_pump.start()
    pipe_pump = threading.Thread(
        target=_result_pipe, args=(out / OUTPUTS[RESULT_PIPE], link), daemon=True
    )
    pipe_pump.start()
    # The harness connects once it has imported its libraries; only it can, and only once.
    listener.settimeout(1.0)
    connection: socket.socket | None = None
    while connection is None and harness.poll() is None:
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            continue
    listener.close()
    socket_path.unlink(missing_ok=True)
    notes: list[str] = []
    if connection is not None:
        connection.settimeout(None)
        threading.Thread(target=_harness_frames, args=(connection, link), daemon=True).start()
        threading.Thread(
            target=_service_frames, args=(link, connection, notes), daemon=True
        ).start()
    code = harness.wait()
    _end_the_run(harness.pid)
    # Every process of the run is gone: its stdout and its pipe end (a bounded wait all the same).
    log_pump.join(timeout=10)
    _unblock(out / OUTPUTS[RESULT_PIPE])
    pipe_pump.join(timeout=10)
    for note in notes:
        link.send(LOG, note.encode())
    for index, name in enumerate(OUTPUTS):
        if index != RESULT_PIPE:
            _send_file(link, index, out / name)
    link.send(EXIT, json.dumps({"code": code if code >= 0 else 128 - code}).encode())
    link.finish()
    return 0


def _end_the_run(harness: int) -> None:
    """Kills what the run left behind, so nothing writes its outputs while they are sent.

    As the pod's first process (PID 1 of its namespace) the relay kills every other process in it;
    elsewhere (a development pod) only the harness's session, whatever a run started in one of its
    own may do.
    """
    if os.getpid() == 1:
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)
    else:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(harness, signal.SIGKILL)


def _send_file(link: Link, index: int, path: Path) -> None:
    """An output file, in chunks, if it is a plain file the run wrote (never a link to follow)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        fd = -1  # the harness removed an output it did not use, or the run replaced it
    if fd >= 0:
        with os.fdopen(fd, "rb") as source:
            if stat.S_ISREG(os.fstat(source.fileno()).st_mode):
                while chunk := source.read(MAX_FRAME - 1):
                    link.send_output(index, chunk)
    link.send(OUTPUT_END, bytes([index]))


def _ignore(signum: int, frame: object) -> None:
    """The relay outlives signals a run can send it (SIGKILL aside); its children get defaults."""


def entry(launch: list[str]) -> int:
    """``floe_launch.py runner-pod``: the relay, with the secret out of its own environment."""
    env = dict(os.environ)
    os.environ.pop("FLOE_HANDOVER_SECRET", None)
    try:
        return main(env, launch)
    except Refused as exc:
        print(f"floe pod: {exc}", flush=True)
        return 3
