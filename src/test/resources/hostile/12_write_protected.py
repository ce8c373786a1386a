# Row 12: write into the warehouse, the catalog DB, site-packages, the harness, the interpreter, the
# job file and the output directory; and through the catalog object. params["name"] is the file
# name to create (the test looks for it on the host afterwards).
import errno
import json
import os
import sqlite3
import sys

import polars

job_path = sys.argv[1]
job = json.load(open(job_path))
props = job["catalog"]["properties"]
warehouse = props["warehouse"].removeprefix("file://")
catalog_db = props["uri"].split("file:", 1)[-1].split("?", 1)[0]
site_packages = os.path.dirname(os.path.dirname(polars.__file__))
harness = os.path.dirname(os.path.abspath(sys.argv[0]))
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
    "run_dir": os.path.dirname(job_path),
    "out_dir": os.path.join(os.path.dirname(job_path), "out"),
    "usr_bin": "/usr/bin",
    "etc": "/etc",
}.items():
    attempt(what, create(directory))
attempt("catalog_db_append", lambda: open(catalog_db, "ab").close())
attempt("job_file_append", lambda: open(job_path, "ab").close())


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
