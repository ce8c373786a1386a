"""Saves a finished run's result into an Iceberg table: one save is one Iceberg commit.

Runs in the trusted writer and never runs user code. Schema changes (merge, overwrite) and the data
go into a single transaction, and an overwrite removes the old data files and adds the new ones in
one OVERWRITE snapshot, so a failure anywhere before the catalog swaps the metadata pointer leaves
the table at its previous snapshot and schema. Losing the optimistic race to a concurrent writer
(``CommitFailedException``, ``ValidationException``, a create race, SQLite's "database is locked")
is retried from a fresh load of the table, up to ``max_attempts`` times with jittered backoff.
Inside each attempt PyIceberg itself re-tries a lost ``CommitFailedException`` up to
``commit.retry.num-retries`` (4) times, re-parenting the new snapshot without rewriting data
files; the answer's ``attempts`` counts ours, the fresh starts.

The landed-token check: the service's ``commit_token`` is written into the summary of the snapshot
a save produces. Every attempt first looks for it in the freshly loaded table, so a save whose
commit did land (a lost response, a lock error after the swap, a writer that died after committing
and whose job the service sent again) is reported, never committed twice.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import (
    CommitFailedException,
    CommitStateUnknownException,
    NamespaceAlreadyExistsError,
    NoSuchTableError,
    TableAlreadyExistsError,
    ValidationException,
)
from pyiceberg.expressions import AlwaysTrue
from pyiceberg.manifest import DataFile, ManifestContent
from pyiceberg.table import Table, Transaction
from pyiceberg.table.snapshots import Snapshot
from sqlalchemy.exc import OperationalError

from floe_trusted.contract import CommitJob, FindLanded, NotLanded, Refused, Saved, SaveMode
from floe_trusted.pyiceberg_private import overwrite_files, write_data_files
from floe_trusted.refusal import Refusal
from floe_trusted.result_file import read_result
from floe_trusted.schema_modes import reconcile_schema

FIRST_BACKOFF_SECONDS = 0.05
MAX_BACKOFF_SECONDS = 2.0
TOKEN_PROPERTY = "floe.commit-token"
# Set on the snapshot that created the table, so a landed save found later still says so.
CREATED_PROPERTY = "floe.created-table"

CatalogOpener = Callable[[], Catalog]


def commit(job: CommitJob, open_catalog: CatalogOpener) -> Saved | Refused:
    """Saves ``job.arrow_path`` into ``job.identifier``; see the module docstring.

    A refusal is an answer (SCHEMA_MISMATCH, NAMESPACE_NOT_FOUND or CONFLICT); an exception is a
    bug, or a result file that is not a valid Arrow stream (the table untouched).
    """
    try:
        data = read_result(job.arrow_path)
    except Refusal as refusal:
        return refusal.answer()
    return _commit_with_retries(job, data, open_catalog)


def find_landed(request: FindLanded, catalog: Catalog) -> Saved | NotLanded:
    """The commit of ``request.commit_token``, if it landed (``attempts`` 0: found, not made)."""
    try:
        table = catalog.load_table(identifier_parts(request.identifier))
    except NoSuchTableError:
        return NotLanded()
    snapshot = _landed(table, request.commit_token)
    if snapshot is None:
        return NotLanded()
    summary = snapshot.summary
    assert summary is not None
    mode: SaveMode = "append" if summary.operation.value == "append" else "overwrite"
    return _saved(request.identifier, int(summary.get("added-records") or 0), mode, snapshot, 0)


@dataclass
class _Attempt:
    number: int = 0
    catalog: Catalog | None = None


def _commit_with_retries(
    job: CommitJob, data: pa.Table, open_catalog: CatalogOpener
) -> Saved | Refused:
    identifier = identifier_parts(job.identifier)
    state = _Attempt()
    for attempt in range(1, job.max_attempts + 1):
        state.number = attempt
        try:
            if state.catalog is None:  # in the loop: opening a SqlCatalog can meet a lock too
                state.catalog = open_catalog()
            return _commit_once(state.catalog, identifier, job, data, attempt)
        except Refusal as refusal:
            return refusal.answer()
        except Exception as error:
            if not _lost_a_race(error):
                raise
            print(
                f"commit to {job.identifier} attempt {attempt} lost a race: "
                f"{type(error).__name__}: {error}",
                file=sys.stderr,
            )
        landed = _find_after_a_lost_race(state.catalog, identifier, job.commit_token)
        if landed is not None:
            return _saved(job.identifier, data.num_rows, job.mode, landed, attempt)
        if attempt < job.max_attempts:
            backoff = min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1))
            time.sleep(backoff * random.uniform(0.5, 1.5))
    return Refusal(
        "CONFLICT",
        f"Cannot save to '{job.identifier}': other writers kept committing to it (or held the"
        f" catalog's lock) for {job.max_attempts} attempts in a row, so nothing was saved; retry"
        " the request.",
    ).answer()


def identifier_parts(identifier: str) -> tuple[str, str]:
    namespace, name = identifier.split(".")  # the contract checked it is namespace.table
    return namespace, name


def _lost_a_race(error: BaseException) -> bool:
    """Whether ``error`` means another writer got there first (so a fresh attempt may succeed)."""
    if isinstance(
        error,
        CommitFailedException
        | ValidationException
        | TableAlreadyExistsError
        | CommitStateUnknownException,
    ):
        return True
    return _database_locked(error)


def _database_locked(error: BaseException) -> bool:
    seen: BaseException | None = error
    for _ in range(8):  # the error and what it was raised from
        if seen is None:
            return False
        if isinstance(seen, OperationalError) and "locked" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _landed(table: Table, token: str) -> Snapshot | None:
    for snapshot in table.metadata.snapshots:
        if snapshot.summary is not None and snapshot.summary.get(TOKEN_PROPERTY) == token:
            return snapshot
    return None


def _find_after_a_lost_race(
    catalog: Catalog | None, identifier: tuple[str, str], token: str
) -> Snapshot | None:
    """The snapshot an earlier attempt of this save committed, if one did land after all."""
    if catalog is None:
        return None
    try:
        table = catalog.load_table(identifier)
    except Exception as error:
        if isinstance(error, NoSuchTableError) or _lost_a_race(error):
            return None
        raise
    return _landed(table, token)


def _saved(label: str, rows: int, mode: SaveMode, snapshot: Snapshot, attempts: int) -> Saved:
    summary = snapshot.summary
    created = summary is not None and summary.get(CREATED_PROPERTY) == "true"
    return Saved(label, rows, mode, str(snapshot.snapshot_id), created, attempts)


def _commit_once(
    catalog: Catalog, identifier: tuple[str, str], job: CommitJob, data: pa.Table, attempt: int
) -> Saved:
    properties = {TOKEN_PROPERTY: job.commit_token}
    try:
        table = catalog.load_table(identifier)
    except NoSuchTableError:
        _ensure_namespace(catalog, job.identifier, identifier[0], job.create_namespaces)
        # The table and its first snapshot in one commit: nobody ever sees it empty. Every field
        # is optional, because the result's are all nullable (see result_file._storable).
        create = catalog.create_table_transaction(identifier, schema=data.schema)
        create.append(data, snapshot_properties=properties | {CREATED_PROPERTY: "true"})
        committed = create.commit_transaction()
    else:
        landed = _landed(table, job.commit_token)
        if landed is not None:  # this job was committed before (the service sent it again)
            return _saved(job.identifier, data.num_rows, job.mode, landed, attempt)
        tx = table.transaction()
        to_write = reconcile_schema(tx, table, data, job.identifier, job.schema_mode)
        if job.mode == "append":
            tx.append(to_write, snapshot_properties=properties)
        else:
            _overwrite_in_one_snapshot(tx, table, to_write, properties)
        committed = tx.commit_transaction()
    snapshot = _landed(committed, job.commit_token)
    assert snapshot is not None, "the commit response is this commit's metadata"
    return _saved(job.identifier, data.num_rows, job.mode, snapshot, attempt)


def require_namespace(catalog: Catalog, name: str, namespace: str, create: bool) -> bool:
    """Whether the namespace exists; refused when it does not and may not be created."""
    if catalog.namespace_exists(namespace):
        return True
    if not create:
        raise Refusal(
            "NAMESPACE_NOT_FOUND",
            f"Cannot save to '{name}': namespace '{namespace}' does not exist and this server"
            " does not create namespaces; ask for it to be created, or save to an existing one.",
        )
    return False


def _ensure_namespace(catalog: Catalog, name: str, namespace: str, create: bool) -> None:
    if require_namespace(catalog, name, namespace, create):
        return
    try:
        catalog.create_namespace(namespace)
    except NamespaceAlreadyExistsError:
        pass  # another writer created it first
    except Exception:
        if not catalog.namespace_exists(namespace):
            raise


def _overwrite_in_one_snapshot(
    tx: Transaction, table: Table, data: pa.Table, properties: dict[str, str]
) -> None:
    """Replaces every data file of the table with ``data``: one OVERWRITE snapshot.

    ``Table.overwrite`` adds two snapshots, a DELETE and then an APPEND (in one commit, but time
    travel to the first shows an empty table); a save is one snapshot.
    """
    current = tx.table_metadata.current_snapshot()
    if current is None:
        tx.append(data, snapshot_properties=properties)
        return
    with overwrite_files(tx, properties) as overwrite:
        # The predicate makes the producer look at every manifest, and makes a concurrent commit
        # that added files a ValidationException on PyIceberg's retry (so that we start over
        # rather than keep the other writer's rows under an overwrite that did not see them).
        overwrite.delete_by_predicate(AlwaysTrue())
        for data_file in _live_data_files(current, table):
            overwrite.delete_data_file(data_file)
        if data.num_rows > 0:
            for data_file in write_data_files(
                tx.table_metadata, data, table.io, overwrite.commit_uuid
            ):
                overwrite.append_data_file(data_file)


def _live_data_files(snapshot: Snapshot, table: Table) -> Iterator[DataFile]:
    for manifest in snapshot.manifests(table.io):
        if manifest.content != ManifestContent.DATA:
            continue
        for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True):
            yield entry.data_file
