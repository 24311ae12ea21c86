#!/usr/bin/env bash
# Installs the pinned CloudFormation validators (deploy/package.json + package-lock.json: cfn-lint,
# @aws-cdk/cfnspec; asl-validator for the archive state machine) into deploy/node_modules with `npm ci --ignore-scripts`. Idempotent: skipped when the
# installed tree came from the same lock file.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stamp="$here/node_modules/.installed-from-lock"
if [ -f "$stamp" ] && cmp -s "$stamp" "$here/package-lock.json"; then
  echo "deploy: validators already installed" >&2
  exit 0
fi
command -v npm >/dev/null || { echo "deploy: npm is needed for the template validators (apt-get install nodejs npm)" >&2; exit 1; }
(cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
cp "$here/package-lock.json" "$stamp"
echo "deploy: validators installed (cfn-lint, @aws-cdk/cfnspec, asl-validator)" >&2
