"""A dry run's save check: would saving this result pass, and what would the table look like?

The same code as a save decides (``commit.require_namespace``, ``schema_modes.reconcile_schema``),
applied to the dry run's result schema (an Arrow stream with no rows) in a transaction that is
never committed: the verdict is the one the real save then gives, and nothing is written.
"""

from __future__ import annotations

from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.schema import Schema
from pyiceberg.types import NestedField

from floe_trusted.commit import identifier_parts, require_namespace
from floe_trusted.contract import CheckSave, Column, Refused, WouldSave
from floe_trusted.pyiceberg_private import iceberg_schema_of
from floe_trusted.refusal import Refusal
from floe_trusted.result_file import read_result
from floe_trusted.schema_modes import differences, reconcile_schema

# The format version PyIceberg gives a table it creates.
NEW_TABLE_FORMAT_VERSION = 2


def check_save(job: CheckSave, catalog: Catalog) -> WouldSave | Refused:
    try:
        data = read_result(job.arrow_path)
        parts = identifier_parts(job.identifier)
        try:
            table = catalog.load_table(parts)
        except NoSuchTableError:
            require_namespace(catalog, job.identifier, parts[0], job.create_namespaces)
            schema = iceberg_schema_of(data.schema, NEW_TABLE_FORMAT_VERSION)
            return WouldSave(job.identifier, True, _columns(schema), ())
        tx = table.transaction()  # never committed
        reconcile_schema(tx, table, data, job.identifier, job.schema_mode)
        return WouldSave(
            job.identifier,
            False,
            _columns(tx.table_metadata.schema()),
            tuple(differences(table, data)),
        )
    except Refusal as refusal:
        return refusal.answer()


def _columns(schema: Schema) -> tuple[Column, ...]:
    return tuple(Column(f.name, _type(f)) for f in schema.fields)


def _type(field: NestedField) -> str:
    return str(field.field_type)
