"""Runs the sandbox image's harness once (ImagesIT): a query and a script on a test lake, each in a
runner started from the image as FLOE_TEST_RUNNER says, handed its job over its channel exactly as
the service hands one (floe_run.Harness). Exits 0 when both answered right.

    FLOE_TEST_RUNNER='["buildah", "run", …, "--", "/opt/floe/venv/bin/python", "-I", "-B",
      "/opt/floe/harness/floe_launch.py"]' python tests/image_check.py WORK_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

from floe_run import Harness, create_lake


def main(work: Path) -> int:
    # The image's runner has its own uid: the lake is readable by all, the run directories writable.
    lake_dir = work / "lake"
    lake_dir.mkdir(parents=True, mode=0o755)
    lake = create_lake(lake_dir)
    query_dir = work / "run-query"
    script_dir = work / "run-script"
    for run_dir in (query_dir, script_dir):
        run_dir.mkdir(mode=0o777)
        run_dir.chmod(0o777)
    query_harness = Harness(lake, query_dir)
    (query_dir / "out").chmod(0o777)
    query = query_harness.query(
        "SELECT species, COUNT(*) AS n FROM flowers GROUP BY species ORDER BY species"
    )
    assert query.rows == [
        {"species": "setosa", "n": 2},
        {"species": "versicolor", "n": 2},
        {"species": "virginica", "n": 1},
    ], query.rows
    script_harness = Harness(lake, script_dir)
    (script_dir / "out").chmod(0o777)
    script = script_harness.script(
        "import os\n"
        "rows = scan('default.flowers').collect().height\n"
        "result = pl.DataFrame({'uid': [os.getuid()], 'rows': [rows]})\n"
    )
    uid = script.rows[0]["uid"]
    assert uid != 0, "the image's runner runs as root"
    assert script.rows[0]["rows"] == 5, script.rows
    print(f"image harness: query {query.rows}; script ran as uid {uid}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
