#!/usr/bin/env bash
# Registry load benchmark (issue #3): a registry holding N signed labels in
# SQLite (default 100,000), served by `iotlabel serve` with rate limits off,
# loaded with wrk from the same 2-core machine. Measures label lookup
# (GET /v1/labels/{id}, random IDs), the consumer page (GET /l/{id}) and, as
# the baseline, a static file served by the same binary (GET /openapi.json).
#
#   bash bench/registry.sh                  # N=100000, 15 s per run, 32 connections
#   N=10000 DURATION=5s bash bench/registry.sh
#
# The seeded database is kept in $WORK (default /tmp/iotlabel-bench-registry)
# and reused when it already holds N labels.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
DURATION=${DURATION:-15s}
CONNS=${CONNS:-32}
WORK=${WORK:-/tmp/iotlabel-bench-registry}
PORT=${PORT:-18080}
command -v wrk >/dev/null || { echo "bench/registry.sh needs wrk (apt-get install wrk)" >&2; exit 2; }
mkdir -p "$WORK"
bin="$WORK/iotlabel"
go build -o "$bin" ./cmd/iotlabel
if [ ! -s "$WORK/ids.txt" ] || [ "$(wc -l <"$WORK/ids.txt")" -ne "$N" ]; then
  rm -f "$WORK"/r.db* "$WORK/ids.txt"
  go run ./bench/seedregistry -db "$WORK/r.db" -n "$N" -out "$WORK"
fi
"$bin" serve --db "$WORK/r.db" --trust "$WORK/issuer.pub" --listen "127.0.0.1:$PORT" --rate 0 --token-rate 0 \
  2>"$WORK/serve.log" &
srv=$!
trap 'kill $srv 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
base="http://127.0.0.1:$PORT"
echo "registry: $(wc -l <"$WORK/ids.txt") labels, $(du -h "$WORK/r.db" | cut -f1) database; wrk -t2 -c$CONNS -d$DURATION"

run() { # name, wrk arguments...
  local name=$1; shift
  local out
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency "$@")
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)
  printf '%-28s %10s req/s   p50 %8s   p99 %8s   %s\n' "$name" "$rps" "$p50" "$p99" "$errs"
  echo "$rps" >"$WORK/$name.rps"
}
# Warm the page cache and the connection pool once.
wrk -t2 -c"$CONNS" -d3s -s bench/registry.lua "$base" -- /v1/labels/ "$WORK/ids.txt" >/dev/null
run static-openapi.json "$base/openapi.json"
run label-lookup -s bench/registry.lua "$base" -- /v1/labels/ "$WORK/ids.txt"
run consumer-page -s bench/registry.lua "$base" -- /l/ "$WORK/ids.txt"
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
r = {n: float(open(f"{w}/{n}.rps").read()) for n in ("static-openapi.json", "label-lookup", "consumer-page")}
base = r["static-openapi.json"]
for n in ("label-lookup", "consumer-page"):
    print(f"{n:28s} {r[n] / base:6.2f} x the static baseline")
PY
