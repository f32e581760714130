#!/usr/bin/env bash
# Probe comparison (issue #4 §5): iotlabel, nmap's service detection and hydra
# against the same simulated fleet (bench/fleetsim, default 100 devices on
# 127.1.x.y), in one run. Reports wall time and findings for each:
#   - nmap -sV on the same TCP ports as iotlabel's default list;
#   - hydra with the same credential list (iotlabel's built-in list,
#     probe/data/credentials.txt) on the telnet (2323) and HTTP (8080)
#     services nmap found open, as hydra is used after a scan (hydra has no
#     MQTT module), stopping at the first login found per host (-f), as
#     iotlabel does;
#   - iotlabel probe on the default ports, every check.
# Each tool's findings are compared with the fleet's planted weaknesses.
#
#   bash bench/probe.sh          # N=40
#   N=100 bash bench/probe.sh
#
# Needs nmap and hydra (apt-get install nmap hydra) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-40}
WORK=${WORK:-/tmp/iotlabel-bench-probe-compare}
for tool in nmap hydra python3; do
  command -v "$tool" >/dev/null || { echo "bench/probe.sh needs $tool" >&2; exit 2; }
done
mkdir -p "$WORK"
go build -o "$WORK/iotlabel" ./cmd/iotlabel
go build -o "$WORK/fleetsim" ./bench/fleetsim
rm -f "$WORK/range.txt"
"$WORK/fleetsim" -n "$N" -first 127.1.0.1 -truth "$WORK/truth.txt" >"$WORK/range.txt" &
sim=$!
trap 'kill $sim 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$WORK/range.txt" ] && break; sleep 0.1; done
range=$(cat "$WORK/range.txt")
tcp_ports="21,22,23,80,443,554,1883,2323,7547,8080,8443,8883"  # the TCP part of probe.DefaultPorts
python3 -c "
import ipaddress,sys
a,b=sys.argv[1].split('-'); a,b=ipaddress.ip_address(a),ipaddress.ip_address(b)
print('\n'.join(str(ipaddress.ip_address(i)) for i in range(int(a),int(b)+1)))" "$range" >"$WORK/hosts.txt"
grep -v '^#' probe/data/credentials.txt >"$WORK/creds.txt"
echo "fleet: $N devices ($range), $(wc -l <"$WORK/truth.txt") planted weaknesses; TCP ports $tcp_ports"

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2-$1:.2f}')"; }

t0=$(now)
"$WORK/iotlabel" probe "$range" --ports "$tcp_ports" --rate 0 --format json --out "$WORK/iotlabel.jsonl" || true
t1=$(now)
nmap -sV -Pn -n -T4 -p "$tcp_ports" -iL "$WORK/hosts.txt" -oX "$WORK/nmap.xml" >/dev/null
t2=$(now)
for port in 2323 8080; do
  python3 - "$WORK/nmap.xml" "$port" >"$WORK/hosts-$port.txt" <<'PY'
import sys, xml.etree.ElementTree as ET
for host in ET.parse(sys.argv[1]).getroot().iter("host"):
    for p in host.iter("port"):
        if p.get("portid") == sys.argv[2] and p.find("state").get("state") == "open":
            print(host.find("address").get("addr"))
PY
done
rm -f "$WORK"/hydra-*.txt
t2b=$(now)
hydra -I -f -C "$WORK/creds.txt" -M "$WORK/hosts-2323.txt" -s 2323 -t 4 -o "$WORK/hydra-telnet.txt" telnet >/dev/null 2>&1 || true
hydra -I -f -C "$WORK/creds.txt" -M "$WORK/hosts-8080.txt" -s 8080 -t 4 -o "$WORK/hydra-http.txt" http-get / >/dev/null 2>&1 || true
t3=$(now)
echo "iotlabel probe: $(elapsed "$t0" "$t1") s (every check, MQTT included)"
echo "nmap -sV:       $(elapsed "$t1" "$t2") s (service detection only)"
echo "hydra:          $(elapsed "$t2b" "$t3") s (telnet and HTTP logins only, on the hosts nmap found)"
python3 - "$WORK" <<'PY'
import json, re, sys, xml.etree.ElementTree as ET
work = sys.argv[1]
truth = {l.strip() for l in open(f"{work}/truth.txt") if l.strip()}
ours, services = set(), set()
for line in open(f"{work}/iotlabel.jsonl"):
    it = json.loads(line)
    if it["check"] == "service-open":
        services.add(it["target"])
    elif it["result"] == "fail":
        ours.add(f'{it["check"]} {it["target"]}' + (f'/{it["username"]}' if it.get("username") else ""))
nmap_open = set()
for host in ET.parse(f"{work}/nmap.xml").getroot().iter("host"):
    addr = host.find("address").get("addr")
    for p in host.iter("port"):
        if p.find("state").get("state") == "open":
            nmap_open.add(f'{addr}:{p.get("portid")}')
hydra = set()
for name, port in (("telnet", 2323), ("http", 8080)):
    try:
        for line in open(f"{work}/hydra-{name}.txt"):
            m = re.search(r"host: (\S+)\s+login: (\S+)", line)
            if m:
                hydra.add(f"default-credentials {m.group(1)}:{port}/{m.group(2)}")
    except FileNotFoundError:
        pass
print(f"iotlabel: {len(services)} services, {len(ours & truth)} of {len(truth)} planted weaknesses, {len(ours - truth)} false findings")
print(f"nmap:     {len(nmap_open)} open ports; iotlabel named {len(nmap_open & services)} of them, missed {len(nmap_open - services)}")
print(f"hydra:    {len(hydra)} logins reported, {len(hydra & truth)} real, {len(hydra - truth)} false (pages that take any login); iotlabel missed {len((hydra & truth) - ours)} of the real ones")
sys.exit(1 if (nmap_open - services) or ((hydra & truth) - ours) or (truth - ours) or (ours - truth) else 0)
PY
