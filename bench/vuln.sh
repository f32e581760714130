#!/usr/bin/env bash
# Compares iotlabel with osv-scanner, offline, on the same SBOM and the same OSV data in one run.
#
# Data: bench/gen_vuln_data.py writes N synthetic OSV records for the Go ecosystem (an ecosystem both
# tools support), zipped as OSV publishes an ecosystem (osv-scanner/Go/all.zip), a CycloneDX SBOM of
# C Go modules, and the ground truth. Reports wall time, peak RSS and findings (missed/extra versus
# the ground truth) for: iotlabel import, iotlabel scan, and osv-scanner's offline scan (which loads
# the ecosystem zip on every run — that is its offline model; iotlabel imports once into SQLite).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000} C=${C:-5000}
OSV_SCANNER_VERSION=${OSV_SCANNER_VERSION:-v2.2.4}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/iotlabel" ./cmd/iotlabel
osv=$(command -v osv-scanner || true)
if [ -z "$osv" ]; then
  GOFLAGS=-mod=mod go install "github.com/google/osv-scanner/v2/cmd/osv-scanner@$OSV_SCANNER_VERSION"
  osv="$(go env GOPATH)/bin/osv-scanner"
fi
python3 bench/gen_vuln_data.py --records "$N" --components "$C" --out "$work"

measure() { # label, output file, command...
  local label=$1 out=$2; shift 2
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$out" 2>"$work/stderr" || true
  read -r secs kb < <(tail -1 "$work/time")
  printf '%-28s %8.2f s  %7d MB peak RSS\n' "$label" "$secs" $((kb / 1024))
}
measure "iotlabel vulndb import"  /dev/null "$work/iotlabel" vulndb import --db "$work/v.db" "$work/osvdb/osv-scanner/Go/all.zip"
measure "iotlabel sbom scan"      "$work/iot.json" "$work/iotlabel" sbom scan "$work/sbom.cdx.json" --db "$work/v.db" --format json
measure "osv-scanner $OSV_SCANNER_VERSION (offline)" "$work/osv.json" \
  env OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY="$work/osvdb" "$osv" scan source --offline --offline-vulnerabilities -L "$work/sbom.cdx.json" --format json

python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
exp = set(l for l in open(f"{w}/expected.txt").read().split("\n") if l)
iot = set(f["component"] + "\t" + f["vulnerability"] for f in json.load(open(f"{w}/iot.json"))["findings"])
osv = set()
for r in json.load(open(f"{w}/osv.json")).get("results", []):
    for p in r["packages"]:
        for v in p.get("vulnerabilities", []):
            osv.add(p["package"]["name"] + "\t" + v["id"])
for name, got in (("iotlabel", iot), ("osv-scanner", osv)):
    print(f"{name:12s} findings {len(got):6d}  missed {len(exp - got)}  extra {len(got - exp)}  (ground truth {len(exp)})")
print("same findings:", iot == osv)
PY
