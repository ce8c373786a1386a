"""The long-lived trusted writer: framed requests on stdin, framed answers on stdout, one at a time.

Started by the service (``env -i``, ``python -I -B``, the service's own code only), it imports
PyIceberg once, announces ``ready``, and then serves commit, seed, find_landed and check_save
requests until stdin closes. Catalog objects (a ``SqlCatalog``'s engine and connection pool, a REST
session) are kept between requests; tables are loaded fresh by every request, so commits made by
others between two requests are always seen. Logs go to stderr, which the service writes to its own
log.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import BinaryIO

import pyarrow as pa
import pyiceberg.catalog.sql  # noqa: F401  (imported before `ready`, not during the first save)
from pyiceberg.catalog import Catalog, load_catalog

from floe_frames import read_frame, write_frame
from floe_trusted.check import check_save
from floe_trusted.commit import commit, find_landed
from floe_trusted.contract import (
    PROTOCOL_VERSION,
    Answer,
    CatalogAccess,
    CheckSave,
    CommitJob,
    ContractError,
    Failed,
    FindLanded,
    Ready,
    Request,
    SeedJob,
    parse_request,
    to_wire,
)
from floe_trusted.seed import seed_csv

MAX_CATALOGS = 8


def _load(access: CatalogAccess) -> Catalog:
    try:
        return load_catalog(access.name, **access.properties)
    except Exception as exc:
        # Two writers opening a new SQL catalog at once both create its tables; the loser finds
        # them made, and opening it again finds them there.
        if "already exists" not in str(exc):
            raise
        return load_catalog(access.name, **access.properties)


class Writer:
    """Answers requests, keeping one catalog object per distinct catalog access."""

    def __init__(self) -> None:
        self._catalogs: dict[tuple[str, tuple[tuple[str, str], ...]], Catalog] = {}

    def catalog(self, access: CatalogAccess) -> Catalog:
        key = access.key()
        catalog = self._catalogs.get(key)
        if catalog is None:
            catalog = _load(access)
            if len(self._catalogs) >= MAX_CATALOGS:
                self._catalogs.pop(next(iter(self._catalogs)))
            self._catalogs[key] = catalog
        return catalog

    def answer(self, request: Request) -> Answer:
        try:
            if isinstance(request, CommitJob):
                return commit(request, lambda: self.catalog(request.catalog))
            if isinstance(request, SeedJob):
                return seed_csv(request, self.catalog(request.catalog))
            if isinstance(request, CheckSave):
                return check_save(request, self.catalog(request.catalog))
            assert isinstance(request, FindLanded)
            return find_landed(request, self.catalog(request.catalog))
        except Exception as error:
            traceback.print_exc(file=sys.stderr)
            # The next request starts from a fresh catalog object, whatever state this one is in.
            self._catalogs.pop(request.catalog.key(), None)
            return Failed(f"{type(error).__name__}: {error}")


def serve(source: BinaryIO, sink: BinaryIO) -> int:
    """Serves until ``source`` ends; a broken frame ends the writer (the service starts another)."""
    writer = Writer()
    write_frame(sink, to_wire(Ready(PROTOCOL_VERSION, os.getpid())))
    while True:
        raw = read_frame(source)
        if raw is None:
            return 0
        try:
            request = parse_request(raw)
        except ContractError as error:
            answer: Answer = Failed(f"the request breaks the contract: {error}")
        else:
            answer = writer.answer(request)
        write_frame(sink, to_wire(answer))
        # A save holds its whole result in memory: give it back before waiting for the next.
        pa.default_memory_pool().release_unused()


def main() -> int:
    # The protocol gets its own copies of fds 0 and 1; then fd 0 is /dev/null and fd 1 is stderr,
    # so nothing a library reads or prints (Python or C) can touch a frame.
    source = os.fdopen(os.dup(0), "rb")
    sink = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        return serve(source, sink)
    except BrokenPipeError:
        return 0  # the service went away
