#!/usr/bin/env bash
# The main job, locally (README, first command), on a machine with only the .NET SDK: fill efs-layout/
# (native libraries from NuGet, the generated default model), make a synthetic 2048×2500 chest radiograph
# (samples/xray.jpg) and the API Gateway event that POSTs it (samples/event.json, for `invoke`), and
# classify it through the real Lambda handler (FunctionHandler, a real API Gateway proxy event), printing
# the response body.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bash efs-layout/fill.sh
local_tool=(dotnet run --project tools/XrayClassifier.Local -c Release --)
mkdir -p samples
[ -s samples/xray.jpg ] || "${local_tool[@]}" sample-xray samples/xray.jpg --efs-root efs-layout >&2
# What an API built as the usual tutorials build it (one /xray resource, stage v1) hands the function.
"${local_tool[@]}" event samples/xray.jpg --resource /xray > samples/event.json
"${local_tool[@]}" classify samples/xray.jpg --efs-root efs-layout
