"""Nothing the sandbox wrote is ever unpickled in the dispatcher.

Polars keeps a pickled Python object in a plan as bytes and unpickles it (``pickle.loads``, or
``cloudpickle.loads``) when the plan is converted or run. The dispatcher installs this guard before
it imports Polars: from then on only bytes the dispatcher pickled itself (while it builds its own
scans of the granted tables) can be unpickled in this process; anything else raises. The plan check
refuses such plans first, with a clear message; this is the proof that a plan it missed still runs
no code here.
"""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Callable, Iterator
from typing import Any


class UntrustedPickle(RuntimeError):
    """Something tried to unpickle bytes the dispatcher did not produce."""


_trusted: set[bytes] = set()
_recording = False
_installed = False


def install() -> None:
    """Guards ``pickle`` and ``cloudpickle`` (when installed); idempotent."""
    global _installed
    if _installed:
        return
    _guard(pickle)
    try:
        import cloudpickle
    except ImportError:
        pass
    else:
        _guard(cloudpickle)
    _installed = True


@contextlib.contextmanager
def trusted() -> Iterator[None]:
    """What this process pickles meanwhile may be unpickled later (its own scans)."""
    global _recording
    _recording = True
    try:
        yield
    finally:
        _recording = False


def _guard(module: Any) -> None:
    loads: Callable[..., Any] = module.loads
    dumps: Callable[..., bytes] = module.dumps

    def guarded_loads(data: Any, /, *args: Any, **kwargs: Any) -> Any:
        if bytes(data) not in _trusted:
            raise UntrustedPickle(
                "the dispatcher refuses to unpickle bytes it did not pickle itself"
            )
        return loads(data, *args, **kwargs)

    def recording_dumps(obj: Any, /, *args: Any, **kwargs: Any) -> bytes:
        data = dumps(obj, *args, **kwargs)
        if _recording:
            _trusted.add(bytes(data))
        return data

    module.loads = guarded_loads
    module.dumps = recording_dumps
