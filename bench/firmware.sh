#!/usr/bin/env bash
# Firmware analysis benchmark (issue #12): an image of at least 32 MB — a legacy uImage holding a
# SquashFS (xz) of a few hundred real ELF binaries and libraries from this machine, plus planted
# weaknesses — analysed by `iotlabel firmware scan`, with Debian's binwalk (`binwalk -e`) and
# unsquashfs run on the same image in the same run for comparison. Peak RSS by GNU time.
#
#   bash bench/firmware.sh            # BINARIES=520
#   BINARIES=800 bash bench/firmware.sh
#
# Needs: mksquashfs (squashfs-tools), mkimage (u-boot-tools), binwalk, GNU time (package time).
set -euo pipefail
cd "$(dirname "$0")/.."
BINARIES=${BINARIES:-520}
WORK=${WORK:-/tmp/iotlabel-bench-firmware}
for t in mksquashfs unsquashfs mkimage binwalk /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "bench/firmware.sh needs $t" >&2; exit 2; }
done
rm -rf "$WORK"
mkdir -p "$WORK/root/bin" "$WORK/root/lib" "$WORK/root/etc"
go build -o "$WORK/iotlabel" ./cmd/iotlabel

# Real binaries: executables and shared libraries of 50 KB to 1 MB, in name order, until BINARIES files.
n=0
while read -r f; do
  case "$f" in *.so*) dest="$WORK/root/lib/$(basename "$f")" ;; *) dest="$WORK/root/bin/$(basename "$f")" ;; esac
  [ -e "$dest" ] && continue
  head -c 4 "$f" | grep -q $'\x7fELF' || continue
  cp "$f" "$dest"
  n=$((n + 1))
  [ "$n" -ge "$BINARIES" ] && break
done < <(find /usr/bin /usr/sbin /usr/lib/x86_64-linux-gnu -maxdepth 1 -type f -size +50k -size -1024k | sort)
printf 'root:%s:19000:0:99999:7:::\n' "$(openssl passwd -1 -salt Zk3xQ1p0 xc3511)" >"$WORK/root/etc/shadow"
printf '::respawn:/bin/telnetd -l /bin/sh\n' >"$WORK/root/etc/inittab"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/root/etc/server.key" 2>/dev/null
mksquashfs "$WORK/root" "$WORK/rootfs.sqfs" -comp xz -noappend -all-root -quiet -no-progress
mkimage -A mips -O linux -T filesystem -C none -n bench -d "$WORK/rootfs.sqfs" "$WORK/firmware.bin" >/dev/null
size=$(stat -c %s "$WORK/firmware.bin")
echo "image: $(du -h "$WORK/firmware.bin" | cut -f1) ($size bytes), $n ELF files, $(du -sh "$WORK/root" | cut -f1) unpacked"
[ "$size" -ge $((32 << 20)) ] || echo "warning: the image is below 32 MB; raise BINARIES" >&2

measure() { # name, command...: wall seconds and peak RSS
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>&1 || true
  read -r secs kb < <(tail -1 "$WORK/$name.time") # GNU time puts "Command exited with non-zero status" first
  printf '%-24s %8.2f s   %6d MiB peak RSS\n' "$name" "$secs" $((kb / 1024))
}
measure "iotlabel firmware scan" "$WORK/iotlabel" firmware scan "$WORK/firmware.bin" --db "$WORK/vuln.db" --format json --out "$WORK/report.json"
python3 - "$WORK/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
fails = [f["check"] for f in r["findings"] if f["result"] == "fail"]
print(f"  found: {len(r['layers'])} layers, {r['files']} files, {len(r['components'])} components, "
      f"{r['hardening']['Binaries']} ELF files, failing checks {fails}")
PY
(cd "$WORK" && rm -rf binwalk && mkdir binwalk && cd binwalk && measure "binwalk -e" binwalk -e --run-as=root "$WORK/firmware.bin")
measure "unsquashfs" unsquashfs -d "$WORK/unsquashed" -no-progress "$WORK/rootfs.sqfs"
echo "cracker (go test -bench Crack ./firmware):"
go test -run '^$' -bench Crack -benchtime 300x ./firmware | awk '/^Benchmark/ {printf "  %-30s %8.0f checks/s\n", $1, 1e9 / $3}'
