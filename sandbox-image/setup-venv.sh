#!/usr/bin/env bash
# Creates Floe's Python environments under $1 (default .floe), each keyed on the hash of its requirements:
#   venv/      the sandbox's environment (sandbox-image/requirements.txt) — what user code can import
#   dev-venv/  the sandbox's requirements plus test tools (requirements-dev.txt) and the `floe` CLI
#              (clients/python, installed editable) — for the test suite
#   distributed-venv/  the trusted dispatcher's environment for distributed runs: the official Polars Cloud
#              client (requirements-distributed.txt, which pins its own polars, 2.0.0, apart from the
#              sandbox's) plus pytest for its tests (requirements-distributed-dev.txt); never user code's
#   moto-venv/ test-only: moto's S3 server (requirements-moto.txt), the object store of the REST catalog tests
# Re-running is cheap: an environment whose stamp matches its requirements is left alone.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
home="${1:-$here/../.floe}"
python="${FLOE_BOOTSTRAP_PYTHON:-python3}"
mkdir -p "$home"

make_env() { # name, then requirement files or project directories (installed editable)
  local dir="$home/$1"; shift
  # A project directory counts by its pyproject.toml: editable installs pick up source edits by themselves.
  local inputs=() args=()
  for f in "$@"; do
    if [[ -d "$f" ]]; then inputs+=("$f/pyproject.toml"); args+=(-e "$f"); else inputs+=("$f"); args+=(-r "$f"); fi
  done
  local hash; hash="$(cat "${inputs[@]}" | sha256sum | cut -c1-16)"
  if [[ -x "$dir/bin/python" && "$(cat "$dir/.requirements-hash" 2>/dev/null)" == "$hash" ]]; then
    return 0
  fi
  echo "[floe] creating Python environment $dir (requirements hash $hash)" >&2
  rm -rf "$dir"
  "$python" -m venv "$dir"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "${args[@]}"
  # The stamp is written last: an interrupted install has none and is rebuilt next time.
  echo "$hash" > "$dir/.requirements-hash"
}

"$python" -c 'import sys; assert sys.version_info >= (3, 11), "Floe needs Python >= 3.11"'
make_env venv "$here/requirements.txt"
make_env dev-venv "$here/requirements.txt" "$here/requirements-dev.txt" "$root/clients/python"
make_env distributed-venv "$here/requirements-distributed.txt" "$here/requirements-distributed-dev.txt"
make_env moto-venv "$here/requirements-moto.txt"
