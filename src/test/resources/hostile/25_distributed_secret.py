# Row 25: a distributed run's sandbox hunts for the distributed engine's client secret while another
# distributed run's dispatcher holds it: in its environment and everyone's (/proc/*/environ,
# cmdline), in the secret's file (params["secret_file"], told here: a real attacker would guess), in
# the service's home and in every readable file this run can see. params["control"] is planted in
# this run's own /tmp first, to prove the search finds what is there. One row per place looked at.
import os

# floe-test: include _secret_hits.py
# floe-test: include _secret_places.py
with open("/tmp/control.txt", "w") as f:
    f.write(params["control"])
record("environ", "read", hits("\n".join(f"{k}={v}" for k, v in os.environ.items()).encode()))
for pid in os.listdir("/proc"):
    if pid.isdigit():
        for name in ("environ", "cmdline"):
            read_file(f"/proc/{pid}/{name}")
read_file(params["secret_file"])
search_tree(("/", params["home"], os.path.dirname(params["secret_file"])))
result = pl.DataFrame(rows, schema={"place": pl.String, "status": pl.String, "hits": pl.List(pl.String)})
