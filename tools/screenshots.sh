#!/usr/bin/env bash
# Regenerates the screenshots README.md shows (docs/page.png, docs/page-dicom.png, docs/page-dicom-window.png) from a
# run of the page's browser tests (test/XrayClassifier.Tests/Local/PageBrowserTests.cs: Playwright driving Debian's
# Chromium against serve). The tests copy the shots named in PageBrowserTests.DocsScreenshots into a staging folder
# (XRAY_DOCS_SCREENSHOTS); they replace docs/'s only when every test of the run passed, so docs/ never shows a page
# that failed its test. A normal test run leaves docs/ alone.
# Usage: bash tools/screenshots.sh   (then review and commit docs/)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

staging="$(mktemp -d "${TMPDIR:-/tmp}/xray-docs-screenshots.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
export XRAY_DOCS_SCREENSHOTS="$staging"
if ! bash tools/test.sh --filter "FullyQualifiedName~XrayClassifier.Tests.Local.PageBrowserTests"; then
  echo "error: the page's browser tests failed; docs/ is unchanged (their screenshots are in TestResults/page/)" >&2
  exit 1
fi
shopt -s nullglob
shots=("$staging"/*.png)
if [ "${#shots[@]}" -eq 0 ]; then
  echo "error: the tests passed but wrote no docs/ screenshot into $staging" >&2
  exit 1
fi
for shot in "${shots[@]}"; do
  cp "$shot" "docs/$(basename "$shot")"
  echo "docs/$(basename "$shot")"
done
