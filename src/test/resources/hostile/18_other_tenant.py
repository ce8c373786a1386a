# Row 18: signal or read another tenant's concurrent run. params["victim_pid"] is the host pid of
# that run's Python process (the test found it on the host); params["victim_marker"] is a string
# only that run's job holds; params["runners"] is the host directory of every runner.
import errno
import os
import signal
import stat
import sys

# floe-test: include _verify_isolation.py

verify_isolation()

victim = int(params["victim_pid"])
outcome = {}
try:
    os.kill(victim, signal.SIGKILL)
    outcome["kill_victim_pid"] = "delivered"
except OSError as e:
    outcome["kill_victim_pid"] = errno.errorcode[e.errno]
for what in ("environ", "cmdline", "mem"):
    try:
        open(f"/proc/{victim}/{what}", "rb").read(4096)
        outcome["read_" + what] = "read"
    except OSError as e:
        outcome["read_" + what] = errno.errorcode[e.errno]
# Everything visible to this run: its own processes, and its own run directory only.
ours = {os.getpid(), os.getppid(), 1}
others = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in ours]
foreign = [p for p in others if params["victim_marker"].encode() in open(f"/proc/{p}/cmdline", "rb").read()]
# Everything this run can see of the file system (its own job is in memory, not in a file).
skip = ("/usr", "/proc", "/dev", "/sys", "/lib", "/bin", "/sbin", sys.base_prefix, sys.prefix)
found_in_files = []
for root, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if not os.path.join(root, d).startswith(skip)]
    for name in files:
        path = os.path.join(root, name)
        if not stat.S_ISREG(os.lstat(path).st_mode):
            continue  # this run's own result pipe would block a reader
        try:
            if params["victim_marker"].encode() in open(path, "rb").read():
                found_in_files.append(path)
        except OSError:
            pass
outcome["victim_processes_visible"] = str(len(foreign))
outcome["runner_dirs_visible"] = str(os.path.exists(params["runners"]))
outcome["victim_files_found"] = str(len(found_in_files))
result = pl.DataFrame({"check": list(outcome), "outcome": list(outcome.values())})
