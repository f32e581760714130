#!/usr/bin/env bash
# Registry load benchmark (issues #3 and #14): a registry holding N signed
# labels (default 100,000), served by `iotlabel serve` with rate limits off,
# loaded with wrk from the same machine. Measures label lookup
# (GET /v1/labels/{id}, random IDs), the consumer page (GET /l/{id}) and, as
# the ceiling, a fixed static response of the same size as a label response,
# served by the same binary through the same middleware (serve --bench-static).
#
#   bash bench/registry.sh                        # SQLite, one server
#   REPLICAS=3 bash bench/registry.sh             # three replicas on one PostgreSQL
#   N=10000 DURATION=5s bash bench/registry.sh
#
# With REPLICAS > 1 (or DB=postgres) the labels live in PostgreSQL: $PG_DSN when
# set (an empty database, which is filled), else a throwaway server started here (initdb in $WORK/pg, 127.0.0.1 only,
# removed on exit). Each replica gets its own wrk with CONNS/REPLICAS
# connections, all at once, as behind a load balancer that spreads connections;
# the figures are their sum (req/s) and the worst replica's latency.
# The seeded data is kept in $WORK (default /tmp/iotlabel-bench-registry[-pg])
# and reused when it holds N labels.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
DURATION=${DURATION:-15s}
CONNS=${CONNS:-32}
PORT=${PORT:-18080}
REPLICAS=${REPLICAS:-1}
DB=${DB:-sqlite}
if [ "$REPLICAS" -gt 1 ]; then DB=postgres; fi
suffix=; if [ "$DB" = postgres ]; then suffix=-pg; fi
WORK=${WORK:-/tmp/iotlabel-bench-registry$suffix}
command -v wrk >/dev/null || { echo "bench/registry.sh needs wrk (apt-get install wrk)" >&2; exit 2; }
mkdir -p "$WORK"
bin="$WORK/iotlabel"
go build -o "$bin" ./cmd/iotlabel

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -z "${pgstop:-}" ] || eval "$pgstop"
}
trap cleanup EXIT

if [ "$DB" = postgres ]; then
  if [ -z "${PG_DSN:-}" ]; then
    pgbin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
    as_pg=()
    [ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)
    pgdir="$WORK/pg"
    if [ ! -d "$pgdir/data" ]; then
      mkdir -p "$pgdir"
      [ "$(id -u)" = 0 ] && chown postgres: "$pgdir"
      "${as_pg[@]}" "$pgbin/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
      -o "-c listen_addresses=127.0.0.1 -p 25433 -k $pgdir -c max_connections=200" start >/dev/null
    pgstop="${as_pg[*]} $pgbin/pg_ctl -D $pgdir/data -m fast stop >/dev/null"
    PG_DSN="postgres://postgres@127.0.0.1:25433/postgres?sslmode=disable"
  fi
  dbspec=$PG_DSN
else
  dbspec="$WORK/r.db"
fi

if [ ! -s "$WORK/ids.txt" ] || [ "$(wc -l <"$WORK/ids.txt")" -ne "$N" ]; then
  if [ -n "${pgstop:-}" ]; then # our own throwaway server: start again from nothing
    psql "$PG_DSN" -qc 'DROP SCHEMA public CASCADE; CREATE SCHEMA public' >/dev/null
  elif [ "$DB" = postgres ]; then
    echo "bench/registry.sh: $WORK/ids.txt does not list $N labels; PG_DSN must name an empty database to seed" >&2
  else
    rm -f "$WORK"/r.db*
  fi
  rm -f "$WORK/ids.txt"
  go run ./bench/seedregistry -db "$dbspec" -n "$N" -out "$WORK"
fi

start() { # static-size: starts REPLICAS servers on PORT, PORT+1, …
  for i in $(seq 0 $((REPLICAS - 1))); do
    "$bin" serve --db "$dbspec" --trust "$WORK/issuer.pub" --listen "127.0.0.1:$((PORT + i))" --rate 0 --token-rate 0 \
      --bench-static "$1" 2>"$WORK/serve-$i.log" &
    pids+=($!)
  done
  for i in $(seq 0 $((REPLICAS - 1))); do
    for _ in $(seq 100); do
      curl -fsS "http://127.0.0.1:$((PORT + i))/healthz" >/dev/null 2>&1 && break
      sleep 0.1
    done
  done
}
stop() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
}
# The ceiling's size is that of a label response: measure one, restart.
start 1
size=$(curl -fsS "http://127.0.0.1:$PORT/v1/labels/$(head -1 "$WORK/ids.txt")" | wc -c)
stop
start "$size"
threads=$((REPLICAS == 1 ? 2 : 1))
conns=$((CONNS / REPLICAS))
echo "registry: $(wc -l <"$WORK/ids.txt") labels in $DB, $REPLICAS replica(s); label response $size bytes; per replica wrk -t$threads -c$conns -d$DURATION"

run() { # name, path: every replica at once, then the sum and the worst latency
  local name=$1 path=$2 loads=()
  for i in $(seq 0 $((REPLICAS - 1))); do
    local base="http://127.0.0.1:$((PORT + i))"
    if [ "$path" = static ]; then
      wrk -t$threads -c$conns -d"$DURATION" --latency "$base/bench/static" >"$WORK/$name-$i.out" &
    else
      wrk -t$threads -c$conns -d"$DURATION" --latency -s bench/registry.lua "$base" -- "$path" "$WORK/ids.txt" >"$WORK/$name-$i.out" &
    fi
    loads+=($!)
  done
  wait "${loads[@]}"
  python3 - "$WORK" "$name" "$REPLICAS" <<'PY'
import re, sys
w, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    return float(m[1]) * {"us": 0.001, "ms": 1, "s": 1000}[m[2]]
rps, p50, p99, errs = 0.0, 0.0, 0.0, []
for i in range(n):
    out = open(f"{w}/{name}-{i}.out").read()
    rps += float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p50 = max(p50, ms(re.search(r"^\s+50%\s+(\S+)", out, re.M)[1]))
    p99 = max(p99, ms(re.search(r"^\s+99%\s+(\S+)", out, re.M)[1]))
    errs += re.findall(r"(Non-2xx.*|Socket errors.*)", out)
print(f"{name:28s} {rps:10.2f} req/s   p50 {p50:7.2f}ms   p99 {p99:7.2f}ms   {' '.join(errs)}")
open(f"{w}/{name}.rps", "w").write(str(rps))
PY
}
# Warm the page cache and the connection pools once.
warm=()
for i in $(seq 0 $((REPLICAS - 1))); do
  wrk -t1 -c"$conns" -d3s -s bench/registry.lua "http://127.0.0.1:$((PORT + i))" -- /v1/labels/ "$WORK/ids.txt" >/dev/null &
  warm+=($!)
done
wait "${warm[@]}"
run static-ceiling static
run label-lookup /v1/labels/
run consumer-page /l/
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
r = {n: float(open(f"{w}/{n}.rps").read()) for n in ("static-ceiling", "label-lookup", "consumer-page")}
for n in ("label-lookup", "consumer-page"):
    print(f"{n:28s} {r[n] / r['static-ceiling']:6.2f} x the static ceiling")
PY
