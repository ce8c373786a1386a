# Row 12: write into the warehouse, the catalog DB, site-packages, the harness, the interpreter, the
# root and the output directory; and through the catalog object. params["name"] is the file name
# to create (the test looks for it on the host afterwards); params["warehouse"] and
# params["catalog_db"] are host paths, params["out"] the run's output directory as it sees it.
import errno
import os
import sqlite3
import sys

import floe_harness
import polars

warehouse = params["warehouse"]
catalog_db = params["catalog_db"]
site_packages = os.path.dirname(os.path.dirname(polars.__file__))
harness = os.path.dirname(os.path.dirname(os.path.abspath(floe_harness.__file__)))
table_dir = catalog.load_table("default.flowers").location().removeprefix("file://")
name = params["name"]
outcome = {}


def attempt(what, action):
    try:
        action()
        outcome[what] = "written"
    except OSError as e:
        outcome[what] = errno.errorcode.get(e.errno, type(e).__name__)
    except Exception as e:  # the catalog's own refusal, sqlite's errors
        outcome[what] = type(e).__name__


def create(directory):
    return lambda: open(os.path.join(directory, name), "x").close()


for what, directory in {
    "warehouse": warehouse,
    "table_dir": table_dir,
    "table_data": os.path.join(table_dir, "data"),
    "catalog_dir": os.path.dirname(catalog_db),
    "site_packages": site_packages,
    "polars_package": os.path.dirname(polars.__file__),
    "harness": harness,
    "python_prefix": sys.base_prefix,
    "root": "/",
    "out_dir": params["out"],
    "usr_bin": "/usr/bin",
    "etc": "/etc",
}.items():
    attempt(what, create(directory))
attempt("catalog_db_append", lambda: open(catalog_db, "ab").close())


def sqlite_write():
    db = sqlite3.connect(f"file:{catalog_db}?mode=rw", uri=True)
    db.execute("CREATE TABLE hostile (x)")
    db.commit()


def sqlite_update():
    db = sqlite3.connect(f"file:{catalog_db}?mode=rw", uri=True)
    db.execute("UPDATE iceberg_tables SET metadata_location = 'file:///hostile'")
    db.commit()


attempt("catalog_db_sqlite_create", sqlite_write)
attempt("catalog_db_sqlite_update", sqlite_update)
attempt("catalog_create_namespace", lambda: catalog.create_namespace(name.replace("-", "_")))
attempt("catalog_drop_table", lambda: catalog.drop_table("default.flowers"))
attempt("chmod_warehouse", lambda: os.chmod(warehouse, 0o777))
result = pl.DataFrame({"target": list(outcome), "outcome": list(outcome.values())})
