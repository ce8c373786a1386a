# Row 15: gain privilege: setuid(0), subprocess / os.system, setuid-root binaries (su, mount,
# newgrp, passwd), sudo, unshare -r. Every outcome is returned; none may end as root.
import os
import shutil
import subprocess

# floe-test: include _attempt.py


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL)
    return f"exit {p.returncode}: {(p.stdout + p.stderr).strip()[:120]}"


attempt("setuid_0", lambda: os.setuid(0))
attempt("setgid_0", lambda: os.setgid(0))
attempt("setresuid_0", lambda: os.setresuid(0, 0, 0))
attempt("id_via_subprocess", lambda: run(["id", "-u"]))
attempt("id_via_os_system", lambda: os.system("id -u > /tmp/id.txt") or open("/tmp/id.txt").read().strip())
attempt("su_root", lambda: run(["su", "root", "-c", "id -u"]))
attempt("mount_tmpfs", lambda: run(["mount", "-t", "tmpfs", "none", "/tmp"]))
attempt("unshare_r", lambda: run(["unshare", "-r", "id", "-u"]))
attempt("sudo", lambda: run(["sudo", "-n", "id", "-u"]) if shutil.which("sudo") else "not installed")
setuid_binaries = sorted({
    os.path.realpath(p) for d in ("/usr/bin", "/usr/sbin", "/bin", "/sbin") if os.path.isdir(d)
    for p in (os.path.join(d, n) for n in os.listdir(d)) if os.path.isfile(p) and os.stat(p).st_mode & 0o4000
})
outcome["setuid_binaries_present"] = ",".join(os.path.basename(p) for p in setuid_binaries)
status = dict(line.split(":\t", 1) for line in open("/proc/self/status").read().splitlines() if ":\t" in line)
for key in ("Uid", "Gid", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp"):
    outcome["status_" + key] = status[key].strip()
outcome["euid"] = str(os.geteuid())
result = pl.DataFrame({"check": list(outcome), "outcome": list(outcome.values())})
