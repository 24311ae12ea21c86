#!/usr/bin/env bash
# Builds the Lambda deployment package the way `dotnet lambda package` (Amazon.Lambda.Tools) does for
# the dotnet10 managed runtime — that tool is not installable here, so this is its publish + zip step:
#   dotnet publish -c Release -r linux-x64 --self-contained false -p:GenerateRuntimeConfigurationFiles=true
#   (+ ReadyToRun for x86_64: crossgen2 for linux-x64 comes from NuGet and cuts JIT time at cold start)
# then every published file zipped at the root with Unix permissions (0644), sorted, with a fixed
# timestamp so the same build gives the same zip. It builds under artifacts/build (--artifacts-path) so a
# RID-specific restore never rewrites the obj/ that the solution build and the tests use.
#   bash tools/package.sh                 → artifacts/XrayClassifier.Function.zip        (x86_64, ReadyToRun)
#   bash tools/package.sh --arch arm64    → artifacts/XrayClassifier.Function-arm64.zip  (portable IL: the
#                                            linux-arm64 runtime pack crossgen2 needs is not served here)
#   bash tools/package.sh --aot           → artifacts/XrayClassifier.Bootstrap.zip       (x86_64: one Native AOT
#                                            executable, bootstrap, for the provided.al2023 custom runtime; also
#                                            unpacked in artifacts/bootstrap/ for the local tool's invoke --bootstrap)
#   bash tools/package.sh --aot --arch arm64
#                                         → artifacts/XrayClassifier.Bootstrap-arm64.zip (the same for Graviton,
#                                            cross-compiled here; unpacked in artifacts/bootstrap-arm64/, which the
#                                            local tool runs under QEMU)
# Beside each zip, its software bill of materials: {zip}.cdx.json (CycloneDX 1.6 JSON, write_sbom below).
# The zip carries managed code only. The model and the native libraries (ONNX Runtime, libvips) live on
# EFS (efs-layout/); a .so or .onnx in the publish output fails the build rather than ship 100+ MB.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

arch=x86_64
aot=false
while [ $# -gt 0 ]; do
  case "$1" in
    --aot) aot=true; shift ;;
    --arch) arch="${2:-}"; shift 2 || { echo "package: --arch needs x86_64 or arm64" >&2; exit 2; } ;;
    --arch=*) arch="${1#--arch=}"; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "package: unknown argument '$1' (usage: bash tools/package.sh [--arch x86_64|arm64] [--aot])" >&2; exit 2 ;;
  esac
done
case "$arch" in
  x86_64) rid=linux-x64; r2r=true; zip="artifacts/XrayClassifier.Function.zip" ;;
  arm64) rid=linux-arm64; r2r=false; zip="artifacts/XrayClassifier.Function-arm64.zip" ;;
  *) echo "package: --arch must be x86_64 or arm64, not '$arch'" >&2; exit 2 ;;
esac

# Zips every file of a folder at the root, sorted, with a fixed timestamp (the same build gives the same zip) and
# Unix mode bits, which Lambda honours: 0755 for an executable (the bootstrap), else 0644 (readable by the runtime's user).
write_zip() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
tmp = dst + ".tmp"
with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            info = zipfile.ZipInfo(os.path.relpath(path, src).replace(os.sep, "/"), date_time=(2000, 1, 1, 0, 0, 0))
            info.create_system = 3
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.external_attr = ((0o100000 | mode) & 0xFFFF) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as f:
                z.writestr(info, f.read())
os.replace(tmp, dst)
PY
}

# The zip's software bill of materials, {zip}.cdx.json (CycloneDX 1.6 JSON): every NuGet package the published project
# resolved (the CycloneDX dotnet tool, pinned in dotnet-tools.json, reading the publish's own restore under
# $2/obj), the zip itself with its SHA-256 as the BOM's subject, and what the function loads from EFS: the native
# libraries with the SHA-256 pinned in efs-layout/runtime/SHA256SUMS (and the NuGet package each comes from, pinned in
# efs-layout/runtime/RuntimePackages.csproj), and the model file when efs-layout holds one.
#   write_sbom ZIP ARTIFACTS_PATH PROJECT RID
write_sbom() {
  local zip="$1" artifacts="$2" project="$3" rid="$4"
  local name; name="$(basename "$project" .csproj)"
  dotnet tool restore >/dev/null || { echo "package: dotnet tool restore (CycloneDX) failed" >&2; return 1; }
  local tmp; tmp="$(mktemp -d)"
  # -dpr: no restore of its own (it would rewrite the obj/ the solution build uses); -ed: no build-only packages.
  dotnet CycloneDX "$project" --base-intermediate-output-path "$artifacts/obj" --disable-package-restore \
    --runtime "$rid" --exclude-dev --spec-version 1.6 --output-format Json --output "$tmp" --filename bom.json \
    --set-name "$name" >&2 || { rm -rf "$tmp"; echo "package: CycloneDX failed for $project" >&2; return 1; }
  local status=0
  /usr/bin/python3 - "$tmp/bom.json" "$zip" "$zip.cdx.json" efs-layout "$(git rev-parse --short HEAD 2>/dev/null || echo 0.0.0)" <<'PY' || status=$?
import hashlib, json, os, re, sys
bom_path, zip_path, out_path, efs, version = sys.argv[1:6]
bom = json.load(open(bom_path))

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()

bom["metadata"]["component"].update({
    "name": os.path.basename(zip_path), "version": version,
    "hashes": [{"alg": "SHA-256", "content": sha256(zip_path)}],
})
pins = dict(re.findall(r'<PackageDownload Include="([^"]+)" Version="\[([^\]]+)\]"', open(os.path.join(efs, "runtime", "RuntimePackages.csproj")).read()))
package_of = {"libonnxruntime.so": lambda rid: "Microsoft.ML.OnnxRuntime", "libvips.so.42": lambda rid: "NetVips.Native." + rid}
components = bom.setdefault("components", [])
for line in open(os.path.join(efs, "runtime", "SHA256SUMS")):
    digest, path = line.split()
    rid, lib = path.split("/")
    package = package_of[lib](rid)
    on_disk = os.path.join(efs, "runtime", path)
    if os.path.exists(on_disk) and sha256(on_disk) != digest:
        sys.exit(f"package: {on_disk} does not match its pinned SHA-256 in SHA256SUMS")
    components.append({
        "type": "library", "bom-ref": f"efs:runtime/{path}", "name": lib, "version": pins[package],
        "purl": f"pkg:nuget/{package}@{pins[package]}",
        "hashes": [{"alg": "SHA-256", "content": digest}],
        "properties": [{"name": "xray:efs-path", "value": f"runtime/{path}"}, {"name": "xray:runtime-identifier", "value": rid}],
    })
models = os.path.join(efs, "models")
for model in sorted(os.listdir(models)) if os.path.isdir(models) else []:
    manifest_path = os.path.join(models, model, "manifest.json")
    if not os.path.exists(manifest_path):
        continue
    manifest = json.load(open(manifest_path))
    onnx = os.path.join(models, model, manifest.get("model", "model.onnx"))
    if os.path.exists(onnx):
        components.append({
            "type": "machine-learning-model", "bom-ref": f"efs:models/{model}", "name": manifest.get("name", model),
            "version": str(manifest.get("version", "")), "hashes": [{"alg": "SHA-256", "content": sha256(onnx)}],
            "properties": [{"name": "xray:efs-path", "value": f"models/{model}/{os.path.basename(onnx)}"}],
        })
with open(out_path + ".tmp", "w") as f:
    json.dump(bom, f, indent=2)
os.replace(out_path + ".tmp", out_path)
PY
  rm -rf "$tmp"
  [ "$status" -eq 0 ] && echo "package: $zip.cdx.json (SBOM: NuGet packages, EFS natives and model with SHA-256)" >&2
  return "$status"
}

publish="artifacts/publish/$rid"
rm -rf "$publish"
mkdir -p artifacts
if [ "$aot" = true ]; then
  install_missing() {
    local missing=() p
    for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "package: installing ${missing[*]} (Native AOT links with them)" >&2
    local sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_ apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  }
  # Native AOT links with the system's C toolchain against its glibc: the executable must need no more than Amazon
  # Linux 2023's glibc 2.34 (Deploy/BootstrapTests checks both architectures).
  cross=()
  case "$arch" in
    x86_64)
      # clang or gcc, whichever is there (gcc installed on a bare Debian machine).
      command -v clang >/dev/null || command -v gcc >/dev/null || install_missing gcc libc6-dev
      bootstrap_dir=artifacts/bootstrap; zip="artifacts/XrayClassifier.Bootstrap.zip" ;;
    arm64)
      # Cross-linked here as Microsoft's Native AOT cross-compilation guide says: the ILCompiler targets hand the
      # linker --target=aarch64-linux-gnu, which only clang understands (aarch64-linux-gnu-gcc refuses it), and clang
      # finds the target's crt files and libgcc in Debian's gcc-aarch64-linux-gnu and its libc in libc6-dev-arm64-cross
      # by that triple. No SysRoot: Debian's cross packages are not laid out as one (libraries in /usr/aarch64-linux-gnu/lib,
      # crt files under /usr/lib/gcc-cross), and --sysroot would hide the latter. bfd from binutils-aarch64-linux-gnu
      # links (clang runs aarch64-linux-gnu-ld.bfd); the host's objcopy cannot read an aarch64 file, so StripSymbols
      # gets the cross one. The compiler is the x64 ILCompiler the SDK already uses; the arm64 runtime it links comes
      # from NuGet's Microsoft.NETCore.App.Runtime.NativeAOT.linux-arm64 (the SDK restores it, same version).
      install_missing clang gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu
      cross=(-p:CppCompilerAndLinker=clang -p:LinkerFlavor=bfd -p:ObjCopyName=aarch64-linux-gnu-objcopy)
      bootstrap_dir=artifacts/bootstrap-arm64; zip="artifacts/XrayClassifier.Bootstrap-arm64.zip" ;;
  esac
  publish="artifacts/publish/$rid-aot"
  rm -rf "$publish"
  echo "package: dotnet publish src/XrayClassifier.Bootstrap -r $rid (Native AOT)" >&2
  # Its own artifacts path: the managed publish may build the same project for the same RID at the same time (tests).
  dotnet publish src/XrayClassifier.Bootstrap -c Release -r "$rid" "${cross[@]}" \
    --artifacts-path artifacts/build-aot -o "$publish" --nologo -v quiet >&2
  [ -x "$publish/bootstrap" ] || { echo "package: $publish/bootstrap is missing" >&2; exit 1; }
  rm -rf "$bootstrap_dir" && mkdir -p "$bootstrap_dir" && cp "$publish/bootstrap" "$bootstrap_dir/"
  write_zip "$bootstrap_dir" "$zip"
  echo "package: $zip ($(stat -c %s "$zip") bytes, bootstrap, $arch, Native AOT)" >&2
  write_sbom "$zip" artifacts/build-aot src/XrayClassifier.Bootstrap/XrayClassifier.Bootstrap.csproj "$rid"
  echo "$zip"
  exit 0
fi
echo "package: dotnet publish src/XrayClassifier.Function -r $rid (ReadyToRun: $r2r)" >&2
dotnet publish src/XrayClassifier.Function -c Release -r "$rid" --self-contained false \
  -p:PublishReadyToRun="$r2r" -p:GenerateRuntimeConfigurationFiles=true \
  --artifacts-path artifacts/build -o "$publish" --nologo -v quiet >&2

bad=$(find "$publish" -type f \( -name '*.so' -o -name '*.so.*' -o -name '*.onnx' -o -name '*.dylib' -o -name '*.dll.so' \) | head -5)
if [ -n "$bad" ]; then
  echo "package: the publish output holds native libraries or models, which belong on EFS:" >&2
  echo "$bad" >&2
  exit 1
fi
for need in XrayClassifier.Function.dll XrayClassifier.Function.deps.json XrayClassifier.Function.runtimeconfig.json; do
  [ -f "$publish/$need" ] || { echo "package: $publish/$need is missing" >&2; exit 1; }
done

# Managed code only: nothing in it is executable.
chmod -R a-x,a+X "$publish"
write_zip "$publish" "$zip"
echo "package: $zip ($(stat -c %s "$zip") bytes, $(unzip -Z1 "$zip" | wc -l) files, $arch)" >&2
write_sbom "$zip" artifacts/build src/XrayClassifier.Function/XrayClassifier.Function.csproj "$rid"
echo "$zip"
