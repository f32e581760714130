#!/usr/bin/env bash
# Wall time of one `iotlabel assess` of a shipped example, as a user runs it:
# process start, embedded catalog load and validation, declaration parsing,
# assessment and text rendering. Prints the mean and the slowest of N runs.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-50}
bin=$(mktemp -d)/iotlabel
go build -o "$bin" ./cmd/iotlabel
"$bin" assess examples/router-tier2/declaration.yaml --as-of 2026-11-22 >/dev/null  # warm the page cache
python3 - "$bin" "$N" <<'PY'
import subprocess, sys, time
binary, n = sys.argv[1], int(sys.argv[2])
times = []
for _ in range(n):
    t = time.perf_counter()
    subprocess.run([binary, "assess", "examples/router-tier2/declaration.yaml", "--as-of", "2026-11-22"], check=True, stdout=subprocess.DEVNULL)
    times.append((time.perf_counter() - t) * 1000)
times.sort()
print(f"iotlabel assess (router-tier2), {n} runs: mean {sum(times)/n:.1f} ms, median {times[n//2]:.1f} ms, max {times[-1]:.1f} ms")
PY
