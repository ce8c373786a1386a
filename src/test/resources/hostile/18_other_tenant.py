# Row 18: signal or read another tenant's concurrent run. params["victim_pid"] is the host pid of
# that run's Python process (the test found it on the host); params["victim_marker"] is a string
# only that run's job file holds.
import errno
import os
import signal
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
runs = os.path.dirname(os.path.dirname(sys.argv[1]))
found_in_files = []
for root, _dirs, files in os.walk(runs):
    for name in files:
        try:
            if params["victim_marker"].encode() in open(os.path.join(root, name), "rb").read():
                found_in_files.append(os.path.join(root, name))
        except OSError:
            pass
# job.json holds this run's own params, victim_marker included: only other files count.
found_in_files = [f for f in found_in_files if f != sys.argv[1]]
outcome["victim_processes_visible"] = str(len(foreign))
outcome["run_dirs_visible"] = str(len(os.listdir(runs)))
outcome["victim_files_found"] = str(len(found_in_files))
result = pl.DataFrame({"check": list(outcome), "outcome": list(outcome.values())})
