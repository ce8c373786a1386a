"""Creates a demo table from a CSV file when it does not exist yet."""

from __future__ import annotations

import contextlib
from typing import Any

import pyarrow.csv as pacsv
from pyiceberg.catalog import load_catalog
from pyiceberg.exceptions import NamespaceAlreadyExistsError, TableAlreadyExistsError


def seed_csv(job: dict[str, Any]) -> dict[str, Any]:
    """job: {"catalog": {"name", "properties"}, "identifier": "ns.table", "csv_path": path}."""
    catalog = load_catalog(job["catalog"]["name"], **job["catalog"]["properties"])
    namespace, _ = job["identifier"].split(".")
    with contextlib.suppress(NamespaceAlreadyExistsError):
        catalog.create_namespace(namespace)
    data = pacsv.read_csv(job["csv_path"])
    try:
        table = catalog.create_table(job["identifier"], schema=data.schema)
    except TableAlreadyExistsError:
        # Another Floe seeded it first: theirs stands.
        return {"created": False, "rows": 0}
    table.append(data)
    return {"created": True, "rows": data.num_rows}
