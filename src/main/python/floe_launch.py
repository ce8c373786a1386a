"""Start one Floe run: ``python -I -B /abs/path/floe_launch.py /abs/run/job.json``."""

import os
import sys

# Isolated mode (-I) keeps both this file's directory and the cwd off sys.path, so a stray
# polars.py in the run directory cannot shadow a real module; the harness itself is put back here.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from floe_harness.main import main

raise SystemExit(main(sys.argv[1:]))
