#!/usr/bin/env bash
# The main job, locally (README, first command): fill efs-layout/ (native libraries from NuGet, the
# generated default model), build, make a synthetic chest X-ray, and classify it through the real Lambda
# handler (FunctionHandler, with a real API Gateway proxy event), printing the response body.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bash efs-layout/fill.sh
mkdir -p samples
sample="samples/chest-xray-1024.png"
[ -s "$sample" ] || dotnet run --project tools/XrayClassifier.ModelGen -c Release -- sample-xray --out "$sample" >&2
dotnet run --project tools/XrayClassifier.Local -c Release -- classify "$sample" --efs-root efs-layout
