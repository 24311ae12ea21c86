#!/usr/bin/env bash
# Installs the pinned S3-protocol server for the upload-bucket tests (package.json + package-lock.json:
# s3rver) into this folder's node_modules with `npm ci --ignore-scripts`. Idempotent: skipped when the
# installed tree came from the same lock file.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stamp="$here/node_modules/.installed-from-lock"
if [ -f "$stamp" ] && cmp -s "$stamp" "$here/package-lock.json"; then
  echo "s3 test server: already installed" >&2
  exit 0
fi
command -v npm >/dev/null || { echo "s3 test server: npm is needed (apt-get install nodejs npm)" >&2; exit 1; }
(cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
cp "$here/package-lock.json" "$stamp"
echo "s3 test server: installed (s3rver)" >&2
