#!/usr/bin/env bash
# Installs what the tests need beyond the .NET SDK, on a bare Debian machine (the README's first command,
# tools/run-sample.sh, needs none of it: only the .NET SDK):
#   python3 + Pillow + NumPy (Debian's, at /usr/bin/python3): the independent reference pipeline the
#     fidelity tests compare the image tensor against (PIL decode/convert/resize, as torchvision does);
#   python3-torch, python3-torchvision, python3-onnx: export a model from PyTorch to check that a model
#     exported the way users export theirs loads and runs (tests only; the function never needs them);
#   curl: the local API emulator's end-to-end test sends the README's curl command;
#   chromium: the web page is tested in a real browser (Microsoft.Playwright drives /usr/bin/chromium;
#     no browser is downloaded);
#   binutils: objdump reads the symbol versions the native libraries need (Lambda's glibc ceiling);
#   gcc: links the Native AOT bootstrap (tools/package.sh --aot) and builds the glibc-ceiling test's library;
#   nodejs + npm (unless a Node.js is already on PATH): the CloudFormation template validators;
#   orthanc + orthanc-dicomweb: a real PACS for SR delivery and the STOW-RS round trip (tests start their own, on loopback).
#   clang, gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, binutils-aarch64-linux-gnu: cross-link the arm64 (Graviton)
#     bootstrap (tools/package.sh --aot --arch arm64; clang drives the link, the rest is the target's crt, libc, ld);
#   qemu-user-static, libstdc++6-arm64-cross: run that bootstrap under emulation with the linux-arm64 ONNX Runtime and
#     libvips (they link libstdc++ and libgcc_s; the loader and libc come with libc6-dev-arm64-cross's libc6-arm64-cross).
# Idempotent; needs root (it is, on these machines) only when something is missing.
set -euo pipefail
want=(python3 python3-pil python3-numpy python3-skimage python3-torch python3-torchvision python3-onnx curl binutils gcc
      dcmtk dicom3tools libgdcm-tools python3-pydicom chromium orthanc orthanc-dicomweb
      clang gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu qemu-user-static libstdc++6-arm64-cross)
command -v npm >/dev/null && command -v node >/dev/null || want+=(nodejs npm)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "prerequisites: all present (${want[*]})" >&2
  exit 0
fi
echo "prerequisites: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
$sudo_ apt-get update -qq >&2
$sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
