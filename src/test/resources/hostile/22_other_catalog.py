# Row 22: read a catalog this request did not name. params["db"] and params["warehouse"] are the
# host paths of another configured catalog (the run is told where to look); the run tries the
# files directly, and through a PyIceberg catalog of its own pointed at them.
import errno
import os

outcome = {}
for what in ("db", "warehouse"):
    path = params[what]
    try:
        if os.path.isdir(path):
            outcome[what] = "listed: " + ",".join(sorted(os.listdir(path)))
        else:
            outcome[what] = f"read {len(open(path, 'rb').read())} bytes"
    except OSError as e:
        outcome[what] = errno.errorcode.get(e.errno, type(e).__name__)
try:
    from pyiceberg.catalog.sql import SqlCatalog

    other = SqlCatalog(
        "other",
        uri=f"sqlite:///file:{params['db']}?mode=ro&uri=true",
        warehouse="file://" + params["warehouse"],
        init_catalog_tables="false",
    )
    outcome["pyiceberg"] = "tables: " + ",".join(".".join(t) for t in other.list_tables("default"))
except Exception as e:
    outcome["pyiceberg"] = type(e).__name__
result = pl.DataFrame({"probe": list(outcome), "outcome": list(outcome.values())})
