# Row 18: signal or read another tenant's concurrent run. params["victim_pid"] is the host pid of
# that run's Python process (the test found it on the host); params["victim_marker"] is a string
# only that run's job file holds.
import errno
import os
import signal
import sys

def verify_isolation():
    """Refuse to go on unless this run is in its own PID namespace and Floe's per-run cgroups.

    Under a runner without isolation this script would bomb the host itself (security-cases.md,
    the rule for bombs): it raises instead, and the test fails on the refusal.
    """
    lines = open("/proc/self/cgroup").read().splitlines()
    unified = any(line.startswith("0::") and "/floe-runs-" in line for line in lines)

    def in_run_group(controller):
        return any(
            controller in line.split(":", 2)[1].split(",") and "/floe-runs-" in line.split(":", 2)[2]
            for line in lines
        )

    visible = [p for p in os.listdir("/proc") if p.isdigit()]
    problems = []
    if os.getpid() > 50 or len(visible) > 50:
        problems.append(f"no PID namespace of its own (pid {os.getpid()}, {len(visible)} visible)")
    if not (unified or (in_run_group("memory") and in_run_group("pids"))):
        problems.append("not in Floe's per-run memory and pids cgroups")
    if os.getuid() == 0:
        problems.append("running as root")
    if problems:
        raise RuntimeError("hostile fixture refused to run: " + "; ".join(problems))


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
