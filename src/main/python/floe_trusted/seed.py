"""Creates a demo table from a CSV file when it does not exist yet."""

from __future__ import annotations

import contextlib

import pyarrow.csv as pacsv
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NamespaceAlreadyExistsError, TableAlreadyExistsError

from floe_trusted.contract import Seeded, SeedJob


def seed_csv(job: SeedJob, catalog: Catalog) -> Seeded:
    namespace, _ = job.identifier.split(".")
    with contextlib.suppress(NamespaceAlreadyExistsError):
        catalog.create_namespace(namespace)
    data = pacsv.read_csv(job.csv_path)
    try:
        table = catalog.create_table(job.identifier, schema=data.schema)
    except TableAlreadyExistsError:
        # Another Floe seeded it first: theirs stands.
        return Seeded(created=False, rows=0)
    table.append(data)
    return Seeded(created=True, rows=data.num_rows)
