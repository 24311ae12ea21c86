#!/usr/bin/env bash
# One command for the benchmark of issue 6 (README): prepares natives, model, images, the published
# ReadyToRun function and (when ../shared/peers/node and node are there) the Node peer, then measures
# both in the same run and writes bench/RESULTS.md. Takes a few minutes on 2 cores.
#   bash bench/run.sh archive [OBJECTS]   only issue 23's archive section (default 1,000 objects a side on s3rver: ours
#                                         through S3 Batch events, Distributed Map batches and (S3 Batch) the int8 model
#                                         against the peer, batched runs, costs on paper),
#                                         written into bench/RESULTS.md between its markers; the rest is kept.
#   bash bench/run.sh preview   only the display preview's section (what ?preview= adds on a 2500×2048 DICOM)
#   bash bench/run.sh int8   only the int8 part: quantize the default model (XrayClassifier.Local quantize, on
#                            synthetic radiographs), then its model run, warm end to end, cold start and peak RSS
#                            beside fp32's, both against the peer on its fp32 model (bench/out/int8/int8.json).
# x86_64 only: it measures nothing on arm64. The arm64 bootstrap runs here only under QEMU, whose timings mean nothing
# (BootstrapSpawner refuses an emulated bootstrap); Graviton figures must come from Graviton.
set -euo pipefail
part="${1:-all}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
out="$repo/bench/out"
say() { printf 'bench: %s\n' "$*" >&2; }

bash tools/prerequisites.sh
bash efs-layout/fill.sh

# Images: the synthetic chest X-ray at the sizes and encodings of the issue. JPEGs are encoded by PIL
# (an encoder independent of the libvips under test).
images="$out/images"
mkdir -p "$images"
gen() { dotnet run --project tools/XrayClassifier.ModelGen -c Release -- sample-xray "$@" >&2; }
[ -s "$images/chest-1024-8bit.png" ] || gen --out "$images/chest-1024-8bit.png" --width 1024 --height 1024 --bits 8
[ -s "$images/chest-2048-16bit.png" ] || gen --out "$images/chest-2048-16bit.png" --width 2048 --height 2048 --bits 16
if [ ! -s "$images/chest-2048x2500-q90.jpg" ] || [ ! -s "$images/chest-rgb-1536x1536-q90.jpg" ]; then
  gen --out "$out/src-2048x2500.png" --width 2048 --height 2500 --bits 8
  gen --out "$out/src-1536.png" --width 1536 --height 1536 --bits 8
  /usr/bin/python3 - "$out" "$images" <<'PY'
import sys
from PIL import Image
out, images = sys.argv[1], sys.argv[2]
Image.open(f"{out}/src-2048x2500.png").convert("L").save(f"{images}/chest-2048x2500-q90.jpg", quality=90)
# An RGB JPEG as phone photos of films and some PACS exports arrive: three channels, slightly tinted.
g = Image.open(f"{out}/src-1536.png").convert("L")
rgb = Image.merge("RGB", (g, g.point(lambda v: int(v * 0.97)), g.point(lambda v: int(v * 0.92))))
rgb.save(f"{images}/chest-rgb-1536x1536-q90.jpg", quality=90)
PY
  rm -f "$out/src-2048x2500.png" "$out/src-1536.png"
fi

# The Node peer (../shared/peers/node is not part of the product: without it only this project is measured).
peer_args=()
prepare_peer() {
  local peer_src="$repo/../shared/peers/node"
  if [ -f "$peer_src/bench.js" ] && command -v node >/dev/null; then
    say "preparing the Node peer from $peer_src"
    mkdir -p "$out/peer-src"
    cp "$peer_src"/*.js "$peer_src"/package.json "$peer_src"/package-lock.json "$out/peer-src/"
    [ -d "$out/peer-src/node_modules/sharp" ] || (cd "$out/peer-src" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
    peer_args=(--peer "$out/peer-src")
  else
    say "no Node peer (../shared/peers/node or node missing): measuring this project only"
  fi
}

# The benchmark's own EFS root: the filled natives and model, its own cache and workspace.
efs="$out/efs"
mkdir -p "$efs/cache" "$efs/workspace"
ln -sfn "$repo/efs-layout/runtime" "$efs/runtime"
ln -sfn "$repo/efs-layout/models" "$efs/models"

# An int8 copy of the default model, made by the project's own quantiser (`quantize`) on synthetic radiographs, in its
# own EFS root $1/efs (natives linked, the model under models/chest-xray); the report in $1/quantize.txt.
make_int8_model() {
  local dir="$1"
  rm -rf "$dir" && mkdir -p "$dir/calibration" "$dir/held-out" "$dir/efs/cache" "$dir/efs/workspace" "$dir/efs/models"
  ln -sfn "$repo/efs-layout/runtime" "$dir/efs/runtime"
  dotnet build tools/XrayClassifier.Local -c Release -o "$out/local" >&2
  local_tool() { dotnet "$out/local/XrayClassifier.Local.dll" "$@" --efs-root "$repo/efs-layout"; }
  for s in 1 2 3 4 5 6 7 8 9 10 11 12; do local_tool sample-xray "$dir/calibration/x$s.jpg" --width 1400 --height 1700 --seed "$s" 2>/dev/null; done
  for s in 41 42 43 44; do local_tool sample-xray "$dir/held-out/x$s.jpg" --width 1400 --height 1700 --seed "$s" 2>/dev/null; done
  local_tool quantize "$repo/efs-layout/models/chest-xray" --images "$dir/calibration" --held-out "$dir/held-out" \
    --out "$dir/efs/models/chest-xray" | tee "$dir/quantize.txt" >&2
}

measure_preview() {
  # What the display preview (?preview=png|levels) adds, on a 2500×2048 chest DICOM (12 of 16 bits, its own window) as a
  # PACS sends it, JPEG Lossless (pydicom writes it, dcmtk compresses it): its own section of RESULTS.md.
  study="$images/chest-2500x2048-16bit.dcm"
  if [ ! -s "$study" ]; then
    /usr/bin/python3 - "$out/study-native.dcm" <<'PY'
import sys
import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
rows, cols = 2500, 2048
v, u = np.mgrid[0:rows, 0:cols].astype(np.float64)
u, v = u / cols - 0.5, v / rows - 0.5
img = 0.25 + 0.5 * np.exp(-(u * u / 0.12 + v * v / 0.35))
img -= 0.33 * (np.exp(-((u - 0.17) ** 2 / 0.008 + (v + 0.03) ** 2 / 0.05)) + np.exp(-((u + 0.17) ** 2 / 0.008 + (v + 0.03) ** 2 / 0.05)))
img += 0.18 * np.exp(-u * u / 0.0012) + 0.05 * np.sin(v * 75 + 18 * u * u) * np.exp(-u * u / 0.05)
img += np.random.default_rng(31).normal(0, 0.002, (rows, cols))
meta = FileMetaDataset()
meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = "1.2.840.10008.5.1.4.1.1.1.1", generate_uid()
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds = Dataset()
ds.file_meta, ds.is_little_endian, ds.is_implicit_VR = meta, True, False
ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
ds.Modality, ds.BodyPartExamined, ds.ViewPosition, ds.PixelSpacing = "DX", "CHEST", "PA", [0.139, 0.139]
ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.Rows, ds.Columns = 1, "MONOCHROME2", rows, cols
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
ds.WindowCenter, ds.WindowWidth = 2048, 3000
ds.PixelData = np.round(np.clip(img, 0, 1) * 4095).astype("<u2").tobytes()
ds.save_as(sys.argv[1], write_like_original=False)
PY
    dcmcjpeg +el +sv 1 "$out/study-native.dcm" "$study"
    rm -f "$out/study-native.dcm"
  fi
  say "measuring the display preview on $(basename "$study")"
  dotnet "$out/bench/XrayClassifier.Bench.dll" preview --efs-root "$efs" --study "$study" --width 2048 --height 2500 \
    --markdown "$out/run/preview.md" >> "$out/run/function-log.jsonl"
  if [ -n "${preview_only:-}" ]; then
    # Alone: the section replaces the last run's (it is the file's last one: a full run appends it).
    /usr/bin/python3 - "$repo/bench/RESULTS.md" <<'PY'
import sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
cut = text.find("\n## Display preview")
open(path, "w", encoding="utf-8").write((text if cut < 0 else text[:cut]).rstrip("\n") + "\n")
PY
  fi
  { echo; cat "$out/run/preview.md"; echo
    echo "(Measured $(date -u '+%Y-%m-%d %H:%M') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end: the three variants alternate, so their ratios compare even on a busy machine.)"
  } >> "$repo/bench/RESULTS.md"
}

if [ "$part" = preview ]; then
  # The display preview's section alone (its section of bench/RESULTS.md replaced): the function's handler in-process.
  dotnet build bench/XrayClassifier.Bench -c Release -o "$out/bench" >&2
  mkdir -p "$out/run"
  preview_only=1 measure_preview
  say "done: the display preview section of bench/RESULTS.md"
  exit 0
fi

if [ "$part" = archive ]; then
  # Issue 23's section alone: the S3-protocol server (s3rver, the tests' pinned one), the bench, the peer.
  bash test/XrayClassifier.Tests/S3/server/install.sh
  dotnet build bench/XrayClassifier.Bench -c Release -o "$out/bench" >&2
  prepare_peer
  mkdir -p "$out/archive"
  make_int8_model "$out/archive/int8"
  dotnet "$out/bench/XrayClassifier.Bench.dll" archive --efs-root "$efs" --int8-efs-root "$out/archive/int8/efs" --images "$images" --objects "${2:-1000}" \
    --out "$out/archive" --results "$repo/bench/RESULTS.md" "${peer_args[@]}"
  say "done: the archive section of bench/RESULTS.md"
  exit 0
fi

# The function as Lambda runs it: the deployable zip (framework-dependent, ReadyToRun for linux-x64),
# unpacked as Lambda unpacks it into /var/task.
say "packaging the function (tools/package.sh: the Native AOT bootstrap and the managed zip) and publishing the cold-start host"
bash tools/package.sh --aot >&2
rm -rf "$out/bootstrap" && mkdir -p "$out/bootstrap"
/usr/bin/python3 -m zipfile -e "$repo/artifacts/XrayClassifier.Bootstrap.zip" "$out/bootstrap"
chmod 755 "$out/bootstrap/bootstrap"   # Python's zipfile drops the mode bits Lambda honours
bash tools/package.sh >&2
rm -rf "$out/function" && mkdir -p "$out/function"
/usr/bin/python3 -m zipfile -e "$repo/artifacts/XrayClassifier.Function.zip" "$out/function"
dotnet publish bench/XrayClassifier.ColdHost -c Release -r linux-x64 --self-contained false \
  -p:PublishReadyToRun=true -o "$out/coldhost" >&2
dotnet build bench/XrayClassifier.Bench -c Release -o "$out/bench" >&2

prepare_peer

if [ "$part" = int8 ]; then
  [ ${#peer_args[@]} -gt 0 ] || { say "the int8 part compares with the Node peer: ../shared/peers/node and node are needed"; exit 1; }
  int8="$out/int8"
  make_int8_model "$int8"
  dotnet "$out/bench/XrayClassifier.Bench.dll" int8 --efs-root "$efs" --int8-efs-root "$int8/efs" --image "$images/chest-1024-8bit.png" \
    --bootstrap "$out/bootstrap/bootstrap" --function-dir "$out/function" --cold-host "$out/coldhost/XrayClassifier.ColdHost" \
    --out "$int8/run" "${peer_args[@]}" > "$int8/function-log.jsonl"
  say "done: $int8/run/int8.json"
  exit 0
fi
mkdir -p "$out/run"
# The function logs a JSON line per request to stdout, as on Lambda: keep them, off the terminal.
dotnet "$out/bench/XrayClassifier.Bench.dll" all --efs-root "$efs" --images "$images" \
  --bootstrap "$out/bootstrap/bootstrap" --function-dir "$out/function" --cold-host "$out/coldhost/XrayClassifier.ColdHost" \
  --out "$out/run" --results "$repo/bench/RESULTS.md" "${peer_args[@]}" > "$out/run/function-log.jsonl"

measure_preview
say "done: bench/RESULTS.md"
