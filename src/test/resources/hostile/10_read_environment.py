# Row 10: look for the service's secrets in every environment and command line this run can see:
# its own environment, /proc/<pid>/environ and cmdline of every visible process (pid 1 included),
# and /proc/<service pid>/* (params["service_pid"] is the service's pid on the host).
# Secrets are recognised by their prefix (_secret_hits.py). Everything found is returned, never
# filtered.
import errno
import os

# floe-test: include _secret_hits.py


rows = []


def probe(place, read):
    try:
        data = read()
        rows.append({"place": place, "readable": True, "hits": hits(data)})
    except OSError as e:
        rows.append({"place": place, "readable": False, "hits": [errno.errorcode.get(e.errno, "?")]})


probe("os.environ", lambda: "\0".join(f"{k}={v}" for k, v in os.environ.items()).encode())
names = set(os.environ)
pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
for pid in pids:
    for what in ("environ", "cmdline"):
        probe(f"/proc/{pid}/{what}", lambda: open(f"/proc/{pid}/{what}", "rb").read())
    try:
        for entry in open(f"/proc/{pid}/environ", "rb").read().split(b"\0"):
            if b"=" in entry:
                names.add(entry.split(b"=", 1)[0].decode("latin-1"))
    except OSError:
        pass
service = int(params["service_pid"])
for what in ("environ", "cmdline", "maps", "status", "cwd/", "root/"):
    path = f"/proc/{service}/{what}"
    if what.endswith("/"):
        probe(path, lambda: "\0".join(os.listdir(path)).encode())
    else:
        probe(path, lambda: open(path, "rb").read())
result = pl.DataFrame(rows).with_columns(
    visible_pids=pl.lit(len(pids)), env_names=pl.lit(sorted(names))
)
