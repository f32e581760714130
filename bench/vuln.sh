#!/usr/bin/env bash
# One-shot vulnerability scans, iotlabel beside osv-scanner, offline, on the same SBOMs and the same OSV
# data, in one run: what a CI job that scans one SBOM per build with no database at hand sees.
#
# Data: bench/gen_vuln_data.py writes N OSV records zipped as OSV publishes an ecosystem
# (osvdb/osv-scanner/<Ecosystem>/all.zip, which is where osv-scanner's offline mode reads them) and a
# CycloneDX SBOM with its ground truth, in two shapes: "synthetic" (one ecosystem, small records) and
# "realistic" (five ecosystems, records of real OSV size and make-up). For each shape and each SBOM size
# it reports wall time, peak RSS and findings (missed/extra against the ground truth) of:
#   iotlabel sbom scan --osv osvdb      one shot: reads the zips, keeps what the SBOM can match, scans
#   osv-scanner scan --offline          one shot: loads the SBOM's ecosystems' zips, scans
# and, once per shape, iotlabel's database path: vulndb import, then sbom scan --db per size.
#
#   SHAPES="synthetic realistic" SIZES="10 100 1000 5000" N=100000 bash bench/vuln.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
SHAPES=${SHAPES:-synthetic realistic}
SIZES=${SIZES:-10 100 1000 5000}
OSV_SCANNER_VERSION=${OSV_SCANNER_VERSION:-v2.2.4}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/iotlabel" ./cmd/iotlabel
osv=$(command -v osv-scanner || true)
if [ -z "$osv" ]; then
  GOFLAGS=-mod=mod go install "github.com/google/osv-scanner/v2/cmd/osv-scanner@$OSV_SCANNER_VERSION"
  osv="$(go env GOPATH)/bin/osv-scanner"
fi
largest=0
for s in $SIZES; do [ "$s" -gt "$largest" ] && largest=$s; done

measure() { # label, output file, command...: prints "label secs MB"
  local label=$1 out=$2; shift 2
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$out" 2>"$work/stderr" || true
  read -r secs kb < <(tail -1 "$work/time")
  printf '%-44s %8.2f s  %7d MB peak RSS\n' "$label" "$secs" $((kb / 1024))
  echo "$label $secs $((kb / 1024))" >> "$work/results"
}

findings() { # shape dir, size
  python3 - "$1" "$2" <<'PY'
import json, sys
d, n = sys.argv[1], sys.argv[2]
names = set(c["name"] for c in json.load(open(f"{d}/sbom-{n}.cdx.json"))["components"])
exp = set(l for l in open(f"{d}/expected.txt").read().split("\n") if l and l.split("\t")[0] in names)
def ours(path):
    out = set()
    for f in json.load(open(path))["findings"]:
        ids = [f["vulnerability"]] + f.get("aliases", [])
        out.add(f["component"] + "\t" + next((i for i in ids if "-SYN-" in i), ids[0]))
    return out
iot, db = ours(f"{d}/iot-{n}.json"), ours(f"{d}/db-{n}.json")
osv = set()
for r in json.load(open(f"{d}/osv-{n}.json")).get("results", []):
    for p in r["packages"]:
        for v in p.get("vulnerabilities", []):
            osv.add(p["package"]["name"] + "\t" + v["id"])
for name, got in (("iotlabel --osv", iot), ("iotlabel --db", db), ("osv-scanner", osv)):
    print(f"  {name:15s} findings {len(got):6d}  missed {len(exp - got)}  extra {len(got - exp)}  (ground truth {len(exp)})")
PY
}

for shape in $SHAPES; do
  d="$work/$shape"
  mkdir -p "$d"
  python3 bench/gen_vuln_data.py --shape "$shape" --records "$N" --components "$largest" --out "$d"
  for n in $SIZES; do
    python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); b["components"]=b["components"][:int(sys.argv[2])]; json.dump(b, open(sys.argv[3],"w"))' \
      "$d/sbom.cdx.json" "$n" "$d/sbom-$n.cdx.json"
  done
  echo "== $shape: $N records, $(du -sh "$d/osvdb" | cut -f1) of zips"
  measure "$shape iotlabel vulndb import" "$work/import.out" "$work/iotlabel" vulndb import --db "$d/v.db" "$d/osvdb"
  for n in $SIZES; do
    echo "-- $shape, $n components"
    measure "$shape $n iotlabel sbom scan --osv (one shot)" "$d/iot-$n.json" \
      "$work/iotlabel" sbom scan "$d/sbom-$n.cdx.json" --osv "$d/osvdb" --format json
    measure "$shape $n iotlabel sbom scan --db" "$d/db-$n.json" \
      "$work/iotlabel" sbom scan "$d/sbom-$n.cdx.json" --db "$d/v.db" --format json
    measure "$shape $n osv-scanner $OSV_SCANNER_VERSION --offline" "$d/osv-$n.json" \
      env OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY="$d/osvdb" "$osv" scan source --offline --offline-vulnerabilities -L "$d/sbom-$n.cdx.json" --format json
    findings "$d" "$n"
  done
done

echo "== summary: one shot, iotlabel --osv against osv-scanner --offline"
python3 - "$work/results" <<'PY'
import sys
r = {}
for line in open(sys.argv[1]):
    *label, secs, mb = line.split()
    r[" ".join(label)] = (float(secs), int(mb))
print(f"{'shape':10s} {'components':>10s} {'iotlabel':>16s} {'osv-scanner':>16s} {'speed-up':>9s} {'memory':>7s}")
for k, (s, m) in r.items():
    if "--osv" not in k:
        continue
    shape, n = k.split()[:2]
    o = next(v for kk, v in r.items() if kk.startswith(f"{shape} {n} osv-scanner"))
    print(f"{shape:10s} {n:>10s} {s:7.2f} s {m:4d} MB {o[0]:7.2f} s {o[1]:4d} MB {o[0]/max(s,0.01):8.1f}x {100*m/max(o[1],1):6.0f}%")
PY
