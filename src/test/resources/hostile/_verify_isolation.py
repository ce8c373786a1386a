# Included (by the test's and the bench's fixture loader) into every fixture that bombs the
# machine: the rule for bombs in security-cases.md, checked from inside the run.
import os


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

