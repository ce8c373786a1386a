# Row 11: read the service's config and keys, the catalog DB, other runs' directories, /etc/shadow,
# ~/.aws. params["paths"] are host paths the test planted secrets in, params["home"] the service's
# home, params["catalog_db"] and params["runners"] the catalog database and the runners' directory
# (the run is told where to look: a real attacker would guess). Every readable file under the
# directories this run can see is searched for the secret prefix (_secret_hits.py);
# params["control"] is planted in this run's own /tmp first, to prove the search finds what is
# there. Everything found is returned.
import os

# floe-test: include _secret_hits.py
# floe-test: include _secret_places.py
home = params["home"]
catalog_db = params["catalog_db"]
with open("/tmp/control.txt", "w") as f:
    f.write(params["control"])
targets = list(params["paths"]) + [
    "/etc/shadow",
    "/etc/gshadow",
    "/root/.aws/credentials",
    "/root/.ssh/id_rsa",
    os.path.expanduser("~/.aws/credentials"),
    "/home",
    catalog_db,
    params["runners"],
]
for path in targets:
    if os.path.isdir(path):
        record(path, "dir:" + ",".join(sorted(os.listdir(path))))
    else:
        read_file(path)
search_tree(("/", home))
record("home", "dir:" + ",".join(sorted(os.listdir(home))))
record("tmp", "dir:" + ",".join(sorted(os.listdir("/tmp"))))
result = pl.DataFrame(rows, schema={"place": pl.String, "status": pl.String, "hits": pl.List(pl.String)})
