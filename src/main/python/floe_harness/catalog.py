"""The catalog as user code sees it: reads pass through, writes are refused."""

from __future__ import annotations

from typing import Any, NoReturn, cast

from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.table import Table
from pyiceberg.typedef import Identifier

READ_ONLY_MESSAGE = "the catalog is read-only inside a run; use destination to save a result"

# By prefix rather than by list, so that write methods added by later PyIceberg versions are
# refused too; commit_table is what every Table write (append, overwrite, schema updates) ends in.
_WRITE_PREFIXES = (
    "commit_",
    "create_",
    "destroy_",
    "drop_",
    "purge_",
    "register_",
    "rename_",
    "update_",
)


def _refuse(*_args: object, **_kwargs: object) -> NoReturn:
    raise PermissionError(READ_ONLY_MESSAGE)


class ReadOnlyCatalog:
    def __init__(self, inner: Catalog) -> None:
        self._inner = inner

    @classmethod
    def load(cls, name: str, properties: dict[str, str]) -> ReadOnlyCatalog:
        return cls(load_catalog(name, **properties))

    @property
    def name(self) -> str:
        return self._inner.name

    def load_table(self, identifier: str | Identifier) -> Table:
        table = self._inner.load_table(identifier)
        # Writes through the table (table.append(...)) commit via table.catalog: route them here.
        table.catalog = cast(Catalog, self)
        return table

    def list_namespaces(self) -> list[Identifier]:
        return self._inner.list_namespaces()

    def list_tables(self, namespace: str | Identifier) -> list[Identifier]:
        return self._inner.list_tables(namespace)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name.startswith(_WRITE_PREFIXES) and callable(attribute):
            return _refuse
        return attribute

    def __repr__(self) -> str:
        return f"ReadOnlyCatalog({self._inner.name!r})"
