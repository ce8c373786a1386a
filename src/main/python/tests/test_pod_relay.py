"""The run pod's relay (floe_runner/pod.py): its proof, and what it accepts from the service.

The whole relay runs in ``KubernetesRunnerContractTest`` (a pod simulated from its spec, behind the
service's real hand-over endpoint); these check its parts the service cannot see.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from pathlib import Path

import pytest

from floe_runner import pod


def test_the_proof_is_the_services_hmac() -> None:
    # The same vector as HandoverServerTest: both sides compute one proof.
    assert (
        pod.proof(bytes(range(32)), "Y2hhbGxlbmdl", "rn-0123abcd")
        == "608f4c3a06b8098dc7ccbd0608bded033be9cc5c536ed36352420817fac16149"
    )


@pytest.mark.parametrize("path", ["relative/x", "/lake/../etc/passwd", ""])
def test_a_granted_file_goes_only_to_a_plain_absolute_path(path: str) -> None:
    with pytest.raises(ValueError, match="absolute and plain"):
        pod._safe_path(path)


def _frame(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">cI", kind, len(payload)) + payload


def test_granted_files_arrive_before_the_frame_that_names_them(tmp_path: Path) -> None:
    service, relay_end = socket.socketpair()
    harness, harness_end = socket.socketpair()
    notes: list[str] = []
    relay = threading.Thread(
        target=pod._service_frames, args=(pod.Link(relay_end), harness_end, notes)
    )
    relay.start()
    granted = tmp_path / "lake" / "t" / "data.parquet"
    answer = json.dumps({"type": "answer", "ok": True}).encode()
    service.sendall(
        _frame(pod.FILE, json.dumps({"path": str(granted), "size": 6}).encode())
        + _frame(pod.DATA, b"abc")
        + _frame(pod.DATA, b"def")
        + _frame(pod.DATA, b"")
        + _frame(pod.JSON, answer)
    )
    reader = harness.makefile("rb")
    (length,) = struct.unpack(">I", reader.read(4))
    assert reader.read(length) == answer
    assert granted.read_bytes() == b"abcdef"
    assert granted.stat().st_mode & 0o777 == 0o444
    service.close()
    relay.join(timeout=5)
    assert not relay.is_alive()
    # The service went away: the harness's channel ends with it.
    assert reader.read(1) == b""


def test_a_file_the_pod_has_already_is_never_overwritten(tmp_path: Path) -> None:
    existing = tmp_path / "kept"
    existing.write_bytes(b"mine")
    service, relay_end = socket.socketpair()
    _harness, harness_end = socket.socketpair()
    notes: list[str] = []
    service.sendall(_frame(pod.FILE, json.dumps({"path": str(existing), "size": 1}).encode()))
    service.close()
    pod._service_frames(pod.Link(relay_end), harness_end, notes)
    assert existing.read_bytes() == b"mine"
    assert "channel to the service ended" in notes[0]


def test_a_pod_the_service_does_not_challenge_is_refused() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    closer = threading.Thread(target=lambda: server.accept()[0].close())
    closer.start()
    with pytest.raises(pod.Refused):
        pod.connect(f"127.0.0.1:{port}", "rn-1", b"s" * 32, timeout=5)
    closer.join()
    server.close()
