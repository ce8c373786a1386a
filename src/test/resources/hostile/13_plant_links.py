# Row 13: plant links for the host to follow when it reads the run's files afterwards: replace the
# result and error files with symlinks to a host file (params["target"]: a host file holding a
# secret), hard-link the catalog DB into the output directory and the scratch space, create links
# beside the result. params["variant"]: "report" returns what happened; "exit" then leaves with
# status 0 and no result written, so the host looks at whatever the out directory holds.
import errno
import json
import os
import sys

job = json.load(open(sys.argv[1]))
out = os.path.dirname(job["result_path"])
catalog_db = job["catalog"]["properties"]["uri"].split("file:", 1)[-1].split("?", 1)[0]
target = params["target"]
outcome = {}


def attempt(what, action):
    try:
        action()
        outcome[what] = "done"
    except OSError as e:
        outcome[what] = errno.errorcode.get(e.errno, type(e).__name__)


attempt("unlink_result", lambda: os.unlink(job["result_path"]))
attempt("symlink_over_result", lambda: os.symlink(target, job["result_path"]))
attempt("rename_over_result", lambda: os.rename("/tmp", job["result_path"]))
attempt("unlink_error", lambda: os.unlink(job["error_path"]))
attempt("symlink_over_error", lambda: os.symlink(target, job["error_path"]))
attempt("symlink_in_out", lambda: os.symlink(target, os.path.join(out, "result.link")))
attempt("hardlink_db_in_out", lambda: os.link(catalog_db, os.path.join(out, "db.link")))
attempt("hardlink_db_in_tmp", lambda: os.link(catalog_db, "/tmp/db.link"))
attempt("hardlink_job_in_tmp", lambda: os.link(sys.argv[1], "/tmp/job.link"))
attempt("symlink_in_tmp", lambda: os.symlink(target, "/tmp/target.link"))
attempt("mkfifo_in_out", lambda: os.mkfifo(os.path.join(out, "fifo")))
# What the run's own view of its result file is now: a plain, empty file.
st = os.lstat(job["result_path"])
outcome["result_is_plain_file"] = str(os.path.isfile(job["result_path"]) and not os.path.islink(job["result_path"]))
outcome["result_size"] = str(st.st_size)
if params["variant"] == "exit":
    sys.stdout.flush()
    os._exit(0)
result = pl.DataFrame({"attempt": list(outcome), "outcome": list(outcome.values())})
