#!/usr/bin/env bash
# The dependency audit CI runs (.ci/run sets CI=true, and tools/test.sh then runs this; by hand: bash tools/audit-dependencies.sh):
#   dotnet list XrayClassifier.sln package --vulnerable --include-transitive
# fails on any package with a known vulnerability, of any severity. It reads each package's vulnerabilities from the
# sources' registration metadata; the build's NuGetAudit (Directory.Build.props) reads the sources' VulnerabilityInfo
# resource, which a source serving vulnerability data has (nuget.org has both). Both report "no vulnerable packages"
# when no source has any data, which is not the same as none being known. So this first asks each source's service
# index whether it serves vulnerability data and says plainly when no check was possible:
#   exit 0  checked, nothing vulnerable                 exit 1  a vulnerable package (listed)
#   exit 0  NOT CHECKED (no source has vulnerability data, or the sources cannot be reached), unless
#           XRAY_REQUIRE_DEPENDENCY_AUDIT=true, when that is exit 1 too (for CI that can reach nuget.org).
# XRAY_AUDIT_TARGET: the solution or project to audit (default XrayClassifier.sln; Deploy/DependencyAuditTests audits
# a small project against a feed of their own).
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
required="${XRAY_REQUIRE_DEPENDENCY_AUDIT:-false}"
target="${XRAY_AUDIT_TARGET:-XrayClassifier.sln}"
[ -e "$target" ] || { echo "dependency audit: $target does not exist" >&2; exit 1; }

not_checked() {
  echo "dependency audit: NOT CHECKED: $1" >&2
  [ "$required" = true ] && { echo "dependency audit: XRAY_REQUIRE_DEPENDENCY_AUDIT=true, so this fails" >&2; exit 1; }
  exit 0
}

# The enabled sources ("E" in the short listing), or XRAY_AUDIT_SOURCES (space-separated service index URLs: a mirror
# of nuget.org's vulnerability data, or the test's own feed), and whether each V3 index lists a VulnerabilityInfo resource.
# The sources are the target's: NuGet reads the nuget.config files from its directory upwards.
sources="${XRAY_AUDIT_SOURCES:-$(cd "$(dirname "$target")" && dotnet nuget list source --format short 2>/dev/null | awk '$1 ~ /^E/ {print $2}')}"
[ -n "$sources" ] || not_checked "no enabled NuGet package source"
with_data=()
for source in $sources; do
  index=$(curl -fsSL --max-time 30 "$source" 2>/dev/null) || { echo "dependency audit: $source cannot be reached" >&2; continue; }
  if grep -q '"VulnerabilityInfo/' <<<"$index"; then with_data+=("$source"); else echo "dependency audit: $source serves no vulnerability data (no VulnerabilityInfo resource)" >&2; fi
done

# Run either way, so the step itself is exercised; what its silence means depends on the sources. It reads the
# restored assets and, without them, reports nothing at all (exit 0), so restore first: a fresh clone has none, and
# after a build this restore is a no-op. In CI (CI=true) the restore's own NuGetAudit already fails on a finding.
report=$(mktemp); trap 'rm -f "$report"' EXIT
source_args=()
[ -n "${XRAY_AUDIT_SOURCES:-}" ] && for source in $sources; do source_args+=(--source "$source"); done
if ! dotnet restore "$target" >"$report" 2>&1; then
  if grep -q 'error NU190[1-4]' "$report"; then
    grep -o 'error NU190[1-4]: .*' "$report" | sort -u | sed 's/^/dependency audit: VULNERABLE (NuGetAudit) /' >&2
    exit 1
  fi
  echo "dependency audit: FAILED: dotnet restore $target: $(tail -c 1000 "$report")" >&2
  exit 1
fi
if ! dotnet list "$target" package --vulnerable --include-transitive --format json "${source_args[@]}" >"$report" 2>&1; then
  not_checked "dotnet list package --vulnerable failed: $(head -c 400 "$report")"
fi
status=0
/usr/bin/python3 - "$report" "${#with_data[@]}" <<'PY' || status=$?
import json, sys
report = json.load(open(sys.argv[1]))
found = []
for project in report.get("projects", []):
    for framework in project.get("frameworks", []):
        for kind in ("topLevelPackages", "transitivePackages"):
            for package in framework.get(kind, []):
                for v in package.get("vulnerabilities", []):
                    found.append(f'{project["path"]}: {package["id"]} {package["resolvedVersion"]} ({v.get("severity")}) {v.get("advisoryurl")}')
for line in sorted(set(found)):
    print("dependency audit: VULNERABLE " + line, file=sys.stderr)
if found:
    sys.exit(1)
if sys.argv[2] == "0":
    sys.exit(3)
print(f'dependency audit: checked {len(report.get("projects", []))} projects against ' + ", ".join(s if isinstance(s, str) else s.get("url", str(s)) for s in report.get("sources", [])) + ": no known vulnerability", file=sys.stderr)
PY
case "$status" in
  0) exit 0 ;;
  3) not_checked "no package source serves vulnerability data, so neither NuGetAudit nor 'dotnet list package --vulnerable' (which ran, and found nothing) had anything to check against" ;;
  *) exit 1 ;;
esac
