#!/usr/bin/env bash
# catalog impact on a registry of N labels (default 100,000; each a real router-tier2 assessment with its stored
# declaration, seeded by bench/seedregistry): the built-in catalog against an edited copy in which Tier 2 asks a
# lab's word on secure development, so that every label moves. Reports wall time and peak RSS.
#
#   N=100000 WORK=/tmp/iotlabel-impact bash bench/impact.sh     (WORK keeps the seeded registry between runs)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
go build -o "$WORK/iotlabel" ./cmd/iotlabel
if [ ! -s "$WORK/ids.txt" ] || [ "$(wc -l <"$WORK/ids.txt")" -ne "$N" ]; then
  rm -f "$WORK"/r.db* "$WORK/ids.txt"
  go run ./bench/seedregistry -db "$WORK/r.db" -n "$N" -out "$WORK"
fi
rm -rf "$WORK/cat"
"$WORK/iotlabel" catalog export --format yaml --out "$WORK/cat"
python3 - "$WORK/cat/tiers.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
old = "{id: secure-development, evidence: declared}\n  - level: 3"
assert old in s
open(p, "w").write(s.replace(old, "{id: secure-development, evidence: lab}\n  - level: 3", 1))
PY
/usr/bin/time -f "%e %M" -o "$WORK/time" "$WORK/iotlabel" catalog impact "$WORK/cat" --db "$WORK/r.db" > "$WORK/impact.txt"
read -r secs kb < <(tail -1 "$WORK/time")
head -5 "$WORK/impact.txt" | cut -c1-160
printf 'catalog impact over %d labels: %.1f s, %d MB peak RSS\n' "$N" "$secs" $((kb / 1024))
