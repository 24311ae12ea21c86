#!/usr/bin/env bash
# Coverage-guided fuzzing of one parser: tools/fuzz.sh TARGET [SECONDS]   (tools/fuzz.sh list: the targets)
# Installs what it needs (Debian's afl++, the pinned sharpfuzz tool from dotnet-tools.json), builds the
# harness (tools/XrayClassifier.Fuzz) into corpus/.build, instruments XrayClassifier.Function.dll there with
# sharpfuzz, seeds corpus/TARGET/seeds (test fixtures, shipped manifests, generated inputs, and the DICOM
# reference corpus when its tools are installed), then runs afl-fuzz on one core under nice for SECONDS
# (default 600). Crashes, contract violations and hangs land in corpus/TARGET/afl/default/{crashes,hangs};
# corpus/ is ignored by git. A finding becomes a regression test with its input under
# test/XrayClassifier.Tests/Fixtures/fuzz/TARGET/ before it is fixed (replay one: tools/fuzz.sh replay TARGET FILE).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
target="${1:?usage: tools/fuzz.sh TARGET [SECONDS] | list | replay TARGET PATH...}"
seconds="${2:-600}"
corpus="$repo/tools/XrayClassifier.Fuzz/corpus"
build="$corpus/.build"
harness=(dotnet "$build/XrayClassifier.Fuzz.dll")

need_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v afl-fuzz >/dev/null; then
  need_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive need_root apt-get install -y -qq afl++ >/dev/null
fi
dotnet tool restore >/dev/null

# Build once per change of the sources; instrument only the parsers' assembly (the harness and the
# framework stay uninstrumented, so coverage is the parsers' own).
stamp="$build/.sources"
sources=$(find src/XrayClassifier.Function tools/XrayClassifier.Fuzz tools/XrayClassifier.Tooling -name '*.cs' -newer "$stamp" -not -path '*/obj/*' -not -path '*/bin/*' -not -path '*/corpus/*' 2>/dev/null | head -1 || true)
if [ ! -f "$stamp" ] || [ -n "$sources" ]; then
  rm -rf "$build"
  dotnet build tools/XrayClassifier.Fuzz -c Release -o "$build" -p:UseAppHost=false >/dev/null
  dotnet sharpfuzz "$build/XrayClassifier.Function.dll" XrayClassifier.Function
  touch "$stamp"
fi

case "$target" in
  list) "${harness[@]}" list; exit 0 ;;
  replay) shift; "${harness[@]}" replay "$@"; exit $? ;;
esac

seeds="$corpus/$target/seeds"
rm -rf "$seeds"
if [ "$target" = dicom ] || [ "$target" = part10 ]; then
  # The reference corpus (pydicom, dcmtk and gdcm writing every transfer syntax) when its tools are here.
  reference="$corpus/dicom-reference"
  if [ ! -d "$reference" ] && python3 -c 'import pydicom' 2>/dev/null && command -v dcmconv >/dev/null; then
    mkdir -p "$reference"
    python3 test/XrayClassifier.Tests/Dicom/Reference/make_corpus.py "$reference" >/dev/null || echo "fuzz.sh: the DICOM reference corpus could not be made; generated seeds only" >&2
    python3 test/XrayClassifier.Tests/Dicom/Reference/make_refused.py "$reference" >/dev/null || true
    find "$reference" -name '*.dcm' -size +64k -delete   # AFL wants small seeds; the generated ones cover each syntax
  fi
fi
(cd "$repo" && "${harness[@]}" seed "$target" "$seeds")
# Checked-in regression inputs seed the next run too.
if [ -d "test/XrayClassifier.Tests/Fixtures/fuzz/$target" ]; then cp test/XrayClassifier.Tests/Fixtures/fuzz/"$target"/* "$seeds"/; fi

out="$corpus/$target/afl"
resume=()
if [ -f "$out/default/fuzzer_stats" ]; then resume=(-i -); else resume=(-i "$seeds"); fi
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
export DOTNET_TieredPGO=0 DOTNET_gcServer=0
nice -n 10 afl-fuzz "${resume[@]}" -o "$out" -t 5000 -m none -V "$seconds" -- "${harness[@]}" fuzz "$target" || true

stats="$out/default/fuzzer_stats"
if [ -f "$stats" ]; then
  awk -F' *: *' '/^(execs_done|execs_per_sec|run_time|corpus_count|saved_crashes|saved_hangs|bitmap_cvg)/ {printf "%s=%s ", $1, $2} END {print ""}' "$stats"
fi
crashes=$(find "$out/default/crashes" "$out/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
echo "fuzz.sh: $target: $crashes finding(s) in $out/default/{crashes,hangs}"
