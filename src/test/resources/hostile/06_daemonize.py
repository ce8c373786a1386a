# Row 6: daemonize a grandchild (double fork + setsid) that outlives the script, then succeed at
# once (or, with params["linger"], sleep until cancelled). The grandchild execs a sleeper carrying
# params["marker"]: it must die with the run.
import os
import sys
import time

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

pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        os.closerange(0, 1024)
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(10**6)", params["marker"]])
    os._exit(0)
os.waitpid(pid, 0)
time.sleep(0.5)  # the grandchild is running, re-parented, in a session of its own
alive = any(
    params["marker"] in open(f"/proc/{p}/cmdline").read()
    for p in os.listdir("/proc")
    if p.isdigit() and os.path.exists(f"/proc/{p}/cmdline")
)
result = pl.DataFrame({"daemon_started": [alive]})
if params.get("linger"):
    time.sleep(600)
