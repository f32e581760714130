#!/usr/bin/env bash
# Fleet-scale probe benchmark (issue #4 §5): bench/fleetsim starts N
# simulated devices (default 5,000) on 127.1.x.y with mixed services and
# planted weaknesses; `iotlabel probe` then probes every default port of
# every device. Reports wall time, the probe's peak resident memory (from
# /usr/bin/time), and whether every planted weakness was found with no
# false finding.
#
#   bash bench/probe-fleet.sh            # N=5000
#   N=500 bash bench/probe-fleet.sh
#
# The probe runs unpaced (--rate 0) with 256 hosts at once: the fakes answer
# at loopback speed, and this measures the prober, not a device's patience.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-5000}
HOSTS=${HOSTS:-256}
WORK=${WORK:-/tmp/iotlabel-bench-probe}
mkdir -p "$WORK"
go build -o "$WORK/iotlabel" ./cmd/iotlabel
go build -o "$WORK/fleetsim" ./bench/fleetsim
rm -f "$WORK/range.txt"
"$WORK/fleetsim" -n "$N" -truth "$WORK/truth.txt" >"$WORK/range.txt" &
sim=$!
trap 'kill $sim 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$WORK/range.txt" ] && break; sleep 0.1; done
range=$(cat "$WORK/range.txt")
echo "fleet: $N devices at $range, $(wc -l <"$WORK/truth.txt") planted weaknesses"
start=$(date +%s.%N)
set +e
/usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$WORK/iotlabel" probe "$range" --rate 0 --hosts "$HOSTS" \
  --format json --out "$WORK/fleet.jsonl"
rc=$?
set -e
end=$(date +%s.%N)
[ "$rc" -le 1 ] || { echo "probe failed with exit $rc" >&2; exit 1; }
read -r wall rss < <(tail -1 "$WORK/time.txt")
echo "probe: wall ${wall}s, peak RSS $((rss / 1024)) MiB ($(wc -l <"$WORK/fleet.jsonl") evidence lines)"
python3 - "$WORK/fleet.jsonl" "$WORK/truth.txt" <<'PY'
import json, sys
found = set()
for line in open(sys.argv[1]):
    it = json.loads(line)
    if it["result"] == "fail":
        found.add(f'{it["check"]} {it["target"]}' + (f'/{it["username"]}' if it.get("username") else ""))
truth = {l.strip() for l in open(sys.argv[2]) if l.strip()}
missed, false = truth - found, found - truth
print(f"planted {len(truth)}, found {len(found & truth)}, missed {len(missed)}, false findings {len(false)}")
for x in sorted(missed)[:10]: print("  missed", x)
for x in sorted(false)[:10]: print("  false", x)
sys.exit(1 if missed or false else 0)
PY
