# Row 20: shadow modules. params["variant"]:
# - "plant": write polars.py, pyarrow.py, sitecustomize.py, usercustomize.py into the working
#   directory (/tmp) and try the output directory; then start a Python the way the harness does
#   (-I) with PYTHONPATH and PYTHONSTARTUP pointing at them, and report what this interpreter
#   itself ran with;
# - "check": in the next run, report whether anything planted is still there and which polars ran.
import errno
import os
import subprocess
import sys

import polars

SHADOW = "raise SystemExit('SHADOWED')\n"
outcome = {}
if params["variant"] == "plant":
    for name in ("polars.py", "pyarrow.py", "sitecustomize.py", "usercustomize.py", "floe_harness.py"):
        with open(os.path.join("/tmp", name), "w") as f:
            f.write(SHADOW)
    out = params["out"]
    try:
        open(os.path.join(out, "polars.py"), "w").write(SHADOW)
        outcome["plant_in_out_dir"] = "written"
    except OSError as e:
        outcome["plant_in_out_dir"] = errno.errorcode[e.errno]
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": "/tmp", "PYTHONSTARTUP": "/tmp/polars.py"}
    child = subprocess.run(
        [sys.executable, "-I", "-c", "import polars; print(polars.__file__)"],
        cwd="/tmp", env=env, capture_output=True, text=True, timeout=60,
    )
    outcome["child_imported"] = (child.stdout + child.stderr).strip()[-200:]
else:
    outcome["tmp_contents"] = ",".join(sorted(n for n in os.listdir("/tmp") if n.endswith(".py")))
outcome["polars_file"] = polars.__file__
outcome["cwd"] = os.getcwd()
outcome["flags"] = f"isolated={sys.flags.isolated} ignore_environment={sys.flags.ignore_environment} no_user_site={sys.flags.no_user_site} safe_path={getattr(sys.flags, 'safe_path', None)}"
outcome["path_has_cwd_or_tmp"] = str(any(p in ("", ".", "/tmp", os.getcwd()) for p in sys.path))
outcome["sitecustomize"] = str(sys.modules.get("sitecustomize"))
outcome["pythonpath_env"] = str(os.environ.get("PYTHONPATH"))
result = pl.DataFrame({"check": list(outcome), "outcome": list(outcome.values())})
