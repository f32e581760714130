#!/usr/bin/env bash
# Memory on large and hostile inputs: peak RSS of iotlabel sbom scan on a 1,000,000-component CycloneDX
# SBOM (against the database and one-shot with --osv), and what hostile inputs cost before they are
# refused: a zip of eight 200 MB entries that compresses to about 1.6 MB, an SPDX SBOM past the limit
# for SBOMs read whole, an evidence file past its limit; and the import of a 250 MB NVD feed, read as a stream.
#
#   COMPONENTS=1000000 N=100000 bash bench/sbom-memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
C=${COMPONENTS:-1000000} N=${N:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/iotlabel" ./cmd/iotlabel
python3 bench/gen_vuln_data.py --records "$N" --components 5000 --out "$work/data" > /dev/null
python3 - "$work/big.cdx.json" "$C" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:  # written as it goes: the generator holds no component list either
    f.write('{"bomFormat":"CycloneDX","specVersion":"1.5","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79","version":1,"components":[')
    for i in range(n):
        v = "1.%d.0" % (i % 20)
        f.write(('' if i == 0 else ',') + '{"type":"library","bom-ref":"c%d","name":"example.com/iot/mod%05d","version":"%s","purl":"pkg:golang/example.com/iot/mod%05d@v%s"}' % (i, i, v, i, v))
    f.write(']}')
PY
echo "SBOM: $C components, $(du -h "$work/big.cdx.json" | cut -f1)"
"$work/iotlabel" vulndb import --db "$work/v.db" "$work/data/osvdb" > /dev/null

measure() { # label, command...
  local label=$1; shift
  local rc=0
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2> "$work/err" || rc=$?
  read -r secs kb < <(tail -1 "$work/time")
  printf '%-52s %7.2f s  %6d MB peak RSS  exit %d  %s\n' "$label" "$secs" $((kb / 1024)) "$rc" "$(head -c 150 "$work/err" | tr '\n' ' ')"
}
measure "sbom scan --db, JSON" "$work/iotlabel" sbom scan "$work/big.cdx.json" --db "$work/v.db" --format json --max-age 100y
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('  components %d, findings %d, not checked %d' % (r['components'], len(r['findings']), len(r['not_checked'])))" "$work/out"
measure "sbom scan --db, text" "$work/iotlabel" sbom scan "$work/big.cdx.json" --db "$work/v.db" --max-age 100y
measure "sbom scan --osv (one shot), JSON" "$work/iotlabel" sbom scan "$work/big.cdx.json" --osv "$work/data/osvdb" --format json --max-age 100y

python3 - "$work/bomb.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for i in range(8):
        with z.open(f"GO-BOMB-{i}.json", "w", force_zip64=True) as w:
            w.write(b'{"id":"GO-BOMB-%d","affected":[],"details":"' % i)
            chunk = b"A" * (1 << 20)
            for _ in range(200):
                w.write(chunk)
            w.write(b'"}')
PY
echo "zip bomb: $(du -h "$work/bomb.zip" | cut -f1)"
measure "vulndb import of the zip bomb" "$work/iotlabel" vulndb import --db "$work/b.db" "$work/bomb.zip"
measure "sbom scan --osv on the zip bomb" "$work/iotlabel" sbom scan "$work/data/sbom.cdx.json" --osv "$work/bomb.zip"

python3 - "$work/big.spdx.json" <<'PY'
import json, sys
pk = [{"SPDXID": "SPDXRef-P%d" % i, "name": "pkg%d" % i, "versionInfo": "1.0", "downloadLocation": "NOASSERTION"} for i in range(700000)]
json.dump({"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "big", "documentNamespace": "https://example.org/big",
           "creationInfo": {"created": "2026-01-01T00:00:00Z", "creators": ["Tool: bench"]}, "packages": pk}, open(sys.argv[1], "w"))
PY
echo "SPDX SBOM: $(du -h "$work/big.spdx.json" | cut -f1)"
measure "sbom scan of an SPDX SBOM past --max-sbom-size" "$work/iotlabel" sbom scan "$work/big.spdx.json" --db "$work/v.db"
python3 - "$work/nvdcve-2.0-big.json" <<'PY'
import sys
pad = "x" * 900
with open(sys.argv[1], "w") as f:  # an NVD JSON 2.0 feed the size of a busy year's
    f.write('{"resultsPerPage":200000,"format":"NVD_CVE","version":"2.0","timestamp":"2026-10-01T00:00:00.000","vulnerabilities":[')
    for i in range(200000):
        f.write(('' if i == 0 else ',') + '{"cve":{"id":"CVE-2099-%06d","lastModified":"2026-10-01T00:00:00.000","vulnStatus":"Analyzed","descriptions":[{"lang":"en","value":"%s"}],"configurations":[{"nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:example:p%d:*:*:*:*:*:*:*:*","versionEndExcluding":"2.0"}]}]}]}}' % (i, pad, i % 5000))
    f.write(']}')
PY
echo "NVD feed: $(du -h "$work/nvdcve-2.0-big.json" | cut -f1)"
measure "vulndb import of the NVD feed (streamed)" "$work/iotlabel" vulndb import --db "$work/n.db" "$work/nvdcve-2.0-big.json"
head -c $((20 << 20)) /dev/zero | tr '\0' ' ' > "$work/big.jsonl"
measure "assess with a 20 MiB evidence file" "$work/iotlabel" assess examples/router-tier2/declaration.yaml --evidence "$work/big.jsonl"
