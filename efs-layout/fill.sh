#!/usr/bin/env bash
# Fills efs-layout/ — the tree copied to the root of the EFS access point — on a bare machine:
#   runtime/linux-x64/, runtime/linux-arm64/  ONNX Runtime 1.32.0 (Microsoft.ML.OnnxRuntime) + libvips 8.18.7
#                                             (NetVips.Native.linux-*), from the NuGet packages pinned in
#                                             runtime/RuntimePackages.csproj
#   models/chest-xray/model.onnx              the generated default model (CheXNet architecture, untrained)
#   cache/, workspace/                        empty folders the function writes to
# Idempotent: what is already there and checks out is kept. Nothing it writes is committed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
runtime="$here/runtime"
packages="$repo/.cache/nuget-runtime"

say() { printf 'efs-layout: %s\n' "$*" >&2; }
die() { printf 'efs-layout: error: %s\n' "$*" >&2; exit 1; }

# ELF header: byte 4 is the class (2 = 64-bit), bytes 18-19 the machine (62 = x86-64, 183 = AArch64).
elf_machine() {
  local f="$1"
  [ "$(od -An -tx1 -N4 "$f" | tr -d ' \n')" = "7f454c46" ] || { echo "not-elf"; return; }
  local cls machine
  cls=$(od -An -tu1 -j4 -N1 "$f" | tr -d ' ')
  machine=$(od -An -tu2 -j18 -N2 "$f" | tr -d ' ')
  [ "$cls" = 2 ] || { echo "elf32"; return; }
  case "$machine" in 62) echo x86_64;; 183) echo aarch64;; *) echo "machine-$machine";; esac
}

runtime_ok() {
  (cd "$runtime" && sha256sum --quiet --check SHA256SUMS >/dev/null 2>&1)
}

if runtime_ok; then
  say "native runtime already present and verified"
else
  command -v dotnet >/dev/null || die "the .NET SDK is needed to restore the pinned NuGet packages"
  say "restoring the pinned NuGet packages (Microsoft.ML.OnnxRuntime 1.32.0, NetVips.Native.linux-{x64,arm64} 8.18.7)"
  # A folder of our own, so the paths below do not depend on the user's NuGet settings.
  dotnet restore "$runtime/RuntimePackages.csproj" --packages "$packages" --verbosity quiet \
    -p:MSBuildProjectExtensionsPath="$packages/obj/" >&2 \
    || die "dotnet restore of runtime/RuntimePackages.csproj failed (is a NuGet feed reachable?)"
  for rid in linux-x64 linux-arm64; do
    mkdir -p "$runtime/$rid"
    install -m 0644 "$packages/microsoft.ml.onnxruntime/1.32.0/runtimes/$rid/native/libonnxruntime.so" "$runtime/$rid/"
    install -m 0644 "$packages/netvips.native.$rid/8.18.7/runtimes/$rid/native/libvips.so.42" "$runtime/$rid/"
  done
  (cd "$runtime" && sha256sum --check SHA256SUMS) >&2 || die "checksums of the native libraries do not match runtime/SHA256SUMS"
fi

for rid in linux-x64 linux-arm64; do
  want=$([ "$rid" = linux-x64 ] && echo x86_64 || echo aarch64)
  for lib in libonnxruntime.so libvips.so.42; do
    got=$(elf_machine "$runtime/$rid/$lib")
    [ "$got" = "$want" ] || die "$runtime/$rid/$lib is $got, expected a 64-bit $want ELF shared object"
  done
done
say "runtime/linux-x64 and runtime/linux-arm64 verified (sha256 + ELF architecture)"

mkdir -p "$here/cache" "$here/workspace"

model="$here/models/chest-xray/model.onnx"
if [ -s "$model" ] && [ "${XRAY_REGENERATE_MODEL:-0}" != 1 ]; then
  say "default model present: $model"
else
  say "generating the default model (DenseNet-121 CheXNet architecture, deterministic untrained weights)"
  dotnet run --project "$repo/tools/XrayClassifier.ModelGen" -c Release -- chexnet --out "$model" >&2
fi
say "done: $here"
