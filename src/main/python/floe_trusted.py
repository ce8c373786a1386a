"""Launcher of Floe's trusted writer: `python -I -B floe_trusted.py <command> <job.json>`.

Runs outside the sandbox with catalog write access and never runs user code.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from floe_trusted.main import main

raise SystemExit(main(sys.argv[1:]))
