#!/usr/bin/env bash
# The project's test command (README, second command; .ci/run calls it). On a bare machine it installs
# the prerequisites, fills efs-layout/ (native libraries from NuGet, the generated model), installs the
# pinned CloudFormation validators (deploy/install-validators.sh: AWS's cfn-lint with pip, the npm ones) and the S3-protocol test server
# (test/XrayClassifier.Tests/S3/server/install.sh, npm ci --ignore-scripts), in CI (CI=true, which .ci/run sets) audits
# the NuGet dependencies (tools/audit-dependencies.sh), then runs every test against the real ONNX Runtime and libvips.
# Ends with the plain line "N passed, N failed".
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

bash tools/prerequisites.sh || { echo "0 passed, 1 failed"; exit 1; }
bash efs-layout/fill.sh || { echo "0 passed, 1 failed"; exit 1; }
bash deploy/install-validators.sh || { echo "0 passed, 1 failed"; exit 1; }
bash test/XrayClassifier.Tests/S3/server/install.sh || { echo "0 passed, 1 failed"; exit 1; }
# CI's dependency audit (dotnet list package --vulnerable --include-transitive); it says when the package sources
# give it no vulnerability data to check against instead of passing silently (README "Security review").
if [ "${CI:-}" = true ]; then bash tools/audit-dependencies.sh || { echo "0 passed, 1 failed"; exit 1; }; fi

# Warnings fail the build here as in CI (Directory.Build.props).
export XRAY_WARNINGS_AS_ERRORS=true
results="$repo/TestResults/latest"
rm -rf "$results"
dotnet test XrayClassifier.sln -c Release --logger "trx;LogFileName=tests.trx" --results-directory "$results" "$@"
status=$?

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  # <Counters total=".." executed=".." passed=".." failed=".." error=".." timeout=".." aborted=".." ...>
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0}))
done
# A run that died before writing its results (build error, crash) is a failure, never "0 failed".
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
