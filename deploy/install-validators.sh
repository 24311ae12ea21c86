#!/usr/bin/env bash
# Installs the pinned CloudFormation validators the Deploy tests run:
#   AWS's cfn-lint (Python, deploy/requirements.txt) with `python3 -m pip`, for the python3 on PATH, which the tests
#     run it with (python3 -c 'from cfnlint.runner import main; ...'). Skipped when that version is already installed;
#     with no package index to install from (pip cannot reach PyPI) this fails, saying so, rather than going on without it.
#   the npm validators (deploy/package.json + package-lock.json: the npm package also named cfn-lint, a separate
#     JavaScript validator that deploy/validate-template.js feeds @aws-cdk/cfnspec, and asl-validator for the archive
#     state machine) into deploy/node_modules with `npm ci --ignore-scripts`; skipped when the installed tree came
#     from the same lock file.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

pin=$(sed -n 's/^cfn-lint==\([0-9.]*\)$/\1/p' "$here/requirements.txt")
[ -n "$pin" ] || { echo "deploy: deploy/requirements.txt pins no cfn-lint==VERSION" >&2; exit 1; }
installed() { python3 -c 'import importlib.metadata as m; print(m.version("cfn-lint"))' 2>/dev/null || true; }
command -v python3 >/dev/null || { echo "deploy: python3 is needed for AWS's cfn-lint $pin (apt-get install python3 python3-pip)" >&2; exit 1; }
if [ "$(installed)" = "$pin" ]; then
  echo "deploy: AWS cfn-lint $pin already installed ($(command -v python3))" >&2
else
  echo "deploy: installing AWS cfn-lint $pin (found: $(installed | grep . || echo none)) with $(command -v python3) -m pip" >&2
  if ! python3 -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2 || [ "$(installed)" != "$pin" ]; then
    cat >&2 <<MSG
deploy: FAILED to install AWS's cfn-lint $pin for $(command -v python3); the template tests need it.
  Install it where that python3 can import it, from a machine that reaches PyPI or a mirror of it, e.g.
    python3 -m pip install cfn-lint==$pin          (PIP_INDEX_URL=<mirror> for a mirror)
  or put a python3 that has it first on PATH (a virtualenv: python3 -m venv .venv && .venv/bin/pip install cfn-lint==$pin).
MSG
    exit 1
  fi
  echo "deploy: AWS cfn-lint $pin installed" >&2
fi

stamp="$here/node_modules/.installed-from-lock"
if [ -f "$stamp" ] && cmp -s "$stamp" "$here/package-lock.json"; then
  echo "deploy: npm validators already installed" >&2
  exit 0
fi
command -v npm >/dev/null || { echo "deploy: npm is needed for the template validators (apt-get install nodejs npm)" >&2; exit 1; }
(cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
cp "$here/package-lock.json" "$stamp"
echo "deploy: npm validators installed (npm's cfn-lint, @aws-cdk/cfnspec, asl-validator)" >&2
