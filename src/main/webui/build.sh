#!/usr/bin/env bash
# The console's build, run by Maven (generate-resources): its packages from the npm registry exactly
# as package-lock.json pins them (npm ci, no install scripts), then one esbuild bundle into $1
# (target/classes/META-INF/resources: Quarkus serves it at /). npm ci runs again only when the lock
# file changed since the last install (a stamp in node_modules).
set -euo pipefail
out="${1:?usage: build.sh <output directory>}"
cd "$(dirname "$0")"
for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "[floe] the web console's build needs Node.js 20 or later with npm, and '$tool' is not on" \
      "the PATH; install them (Debian/Ubuntu: apt-get install nodejs npm) and build again." >&2
    exit 1
  fi
done
major="$(node -p 'process.versions.node.split(".")[0]')"
if ((major < 20)); then
  echo "[floe] the web console's build needs Node.js 20 or later; this one is $(node --version)." >&2
  exit 1
fi
lock_hash="$(sha256sum package-lock.json | cut -c1-64)"
if [[ "$(cat node_modules/.floe-lock-hash 2>/dev/null)" != "$lock_hash" ]]; then
  npm ci --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error
  echo "$lock_hash" > node_modules/.floe-lock-hash
fi
node build.mjs "$out"
