# Row 13: plant links for the host to follow when it reads the run's files afterwards: replace the
# result and error files with symlinks to a host file (params["target"]: a host file holding a
# secret), hard-link the catalog DB into the output directory and the scratch space, create links
# beside the result. params["variant"]: "report" returns what happened; "exit" then leaves with
# status 0 and no result written, so the host looks at whatever the out directory holds.
# params["out"] is the run's output directory as it sees it; params["catalog_db"] the host path of
# the catalog database (a real attacker would guess it).
import errno
import os
import sys

out = params["out"]
result_path = os.path.join(out, "result.arrows")
error_path = os.path.join(out, "error.json")
catalog_db = params["catalog_db"]
target = params["target"]
outcome = {}


def attempt(what, action):
    try:
        action()
        outcome[what] = "done"
    except OSError as e:
        outcome[what] = errno.errorcode.get(e.errno, type(e).__name__)


attempt("unlink_result", lambda: os.unlink(result_path))
attempt("symlink_over_result", lambda: os.symlink(target, result_path))
attempt("rename_over_result", lambda: os.rename("/tmp", result_path))
attempt("unlink_error", lambda: os.unlink(error_path))
attempt("symlink_over_error", lambda: os.symlink(target, error_path))
attempt("symlink_in_out", lambda: os.symlink(target, os.path.join(out, "result.link")))
attempt("hardlink_db_in_out", lambda: os.link(catalog_db, os.path.join(out, "db.link")))
attempt("hardlink_db_in_tmp", lambda: os.link(catalog_db, "/tmp/db.link"))
attempt("hardlink_error_in_tmp", lambda: os.link(error_path, "/tmp/error.link"))
attempt("symlink_in_tmp", lambda: os.symlink(target, "/tmp/target.link"))
attempt("mkfifo_in_out", lambda: os.mkfifo(os.path.join(out, "fifo")))
# What the run's own view of its result file is now: a plain, empty file.
st = os.lstat(result_path)
outcome["result_is_plain_file"] = str(os.path.isfile(result_path) and not os.path.islink(result_path))
outcome["result_size"] = str(st.st_size)
if params["variant"] == "exit":
    sys.stdout.flush()
    os._exit(0)
result = pl.DataFrame({"attempt": list(outcome), "outcome": list(outcome.values())})
