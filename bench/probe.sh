#!/usr/bin/env bash
# Probe comparison (issues #4 §5, #15): iotlabel, nmap's service detection
# and hydra against the same simulated fleet (bench/fleetsim, default 40
# devices on 127.1.x.y, web servers with real Server headers, one telnet
# login in ten with a 1 s failure delay and three tries per connection), in
# one run. Reports wall time, the median time per host, and findings:
#   - nmap -sV on the same TCP ports as iotlabel's default list, one
#     process per host, all at once (its time per host is each process's);
#   - hydra with the same credential list (iotlabel's built-in list,
#     probe/data/credentials.txt) and its default parallelism, aimed where
#     its module applies, as one would after a scan: telnet on the hosts
#     nmap found with 2323 open, http-get on those whose / asks for HTTP
#     Basic authentication (hydra has no MQTT module), stopping at the first
#     login found per host (-f), as iotlabel does;
#   - iotlabel probe on the default ports, every check, paced as it ships
#     (10 logins per second per host, 4 sessions per service).
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
"$WORK/iotlabel" probe "$range" --ports "$tcp_ports" --format json --out "$WORK/iotlabel.jsonl" || true
t1=$(now)
rm -rf "$WORK/nmap" && mkdir -p "$WORK/nmap"
pids=()
while read -r h; do
  (s=$(now); nmap -sV -Pn -n -T4 -p "$tcp_ports" -oX "$WORK/nmap/$h.xml" "$h" >/dev/null; echo "$h $s $(now)" >>"$WORK/nmap/times.txt") &
  pids+=($!)
done <"$WORK/hosts.txt"
wait "${pids[@]}"  # not the simulator
t2=$(now)
python3 - "$WORK" <<'PY'
# Where hydra's modules apply: telnet where nmap found 2323 open; http-get
# only where / answers 401 with a Basic challenge (hydra would call any
# page that answers 200 a login).
import glob, sys, urllib.request, urllib.error, xml.etree.ElementTree as ET
work = sys.argv[1]
open_on = {"2323": [], "8080": []}
for host in (h for f in sorted(glob.glob(f"{work}/nmap/*.xml")) for h in ET.parse(f).getroot().iter("host")):
    for p in host.iter("port"):
        if p.get("portid") in open_on and p.find("state").get("state") == "open":
            open_on[p.get("portid")].append(host.find("address").get("addr"))
basic = []
for addr in open_on["8080"]:
    try:
        urllib.request.urlopen(f"http://{addr}:8080/", timeout=5)
    except urllib.error.HTTPError as e:
        if e.code == 401 and e.headers.get("WWW-Authenticate", "").lower().startswith("basic"):
            basic.append(addr)
    except OSError:
        pass
open(f"{work}/hosts-2323.txt", "w").write("".join(a + "\n" for a in open_on["2323"]))
open(f"{work}/hosts-8080.txt", "w").write("".join(a + "\n" for a in basic))
PY
rm -f "$WORK"/hydra-*.txt
t2b=$(now)
hydra -I -f -C "$WORK/creds.txt" -M "$WORK/hosts-2323.txt" -s 2323 -o "$WORK/hydra-telnet.txt" telnet >/dev/null 2>&1 || true
hydra -I -f -C "$WORK/creds.txt" -M "$WORK/hosts-8080.txt" -s 8080 -o "$WORK/hydra-http.txt" http-get / >/dev/null 2>&1 || true
t3=$(now)
echo "iotlabel probe: $(elapsed "$t0" "$t1") s (every check, MQTT included)"
echo "nmap -sV:       $(elapsed "$t1" "$t2") s (service detection only)"
echo "fleet: nmap -sV took $(python3 -c "print(f'{($t2-$t1)/($t1-$t0):.1f}')")x as long as iotlabel"
echo "hydra:          $(elapsed "$t2b" "$t3") s (telnet and HTTP Basic logins only, on the hosts nmap found)"
python3 - "$WORK" "$t0" <<'PY'
import datetime, glob, json, re, statistics, sys, xml.etree.ElementTree as ET
work, t0 = sys.argv[1], float(sys.argv[2])
truth = {l.strip() for l in open(f"{work}/truth.txt") if l.strip()}
ours, services, last = set(), set(), {}
for line in open(f"{work}/iotlabel.jsonl"):
    it = json.loads(line)
    host = it["target"].rsplit(":", 1)[0] if ":" in it["target"] else it["target"]
    when = datetime.datetime.fromisoformat(it["time"].replace("Z", "+00:00")).timestamp()
    last[host] = max(last.get(host, 0), when)
    if it["check"] == "service-open":
        services.add(it["target"])
    elif it["result"] == "fail":
        ours.add(f'{it["check"]} {it["target"]}' + (f'/{it["username"]}' if it.get("username") else ""))
nmap_open = set()
nmap_host = [float(e) - float(s) for _, s, e in (l.split() for l in open(f"{work}/nmap/times.txt"))]
for host in (h for f in sorted(glob.glob(f"{work}/nmap/*.xml")) for h in ET.parse(f).getroot().iter("host")):
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
# Per host: iotlabel's hosts all start with the run (fewer hosts than
# --hosts), so a host's time is its last evidence item's time minus the
# start (an upper bound); nmap's is its process's.
ours_host = [t - t0 for t in last.values()]
m_ours, m_nmap = statistics.median(ours_host), statistics.median(nmap_host)
print(f"per host (median): iotlabel {m_ours:.2f} s, nmap {m_nmap:.1f} s: {m_nmap / m_ours:.1f}x")
print(f"iotlabel: {len(services)} services, {len(ours & truth)} of {len(truth)} planted weaknesses, {len(ours - truth)} false findings")
print(f"nmap:     {len(nmap_open)} open ports; iotlabel named {len(nmap_open & services)} of them, missed {len(nmap_open - services)}")
print(f"hydra:    {len(hydra)} logins reported, {len(hydra & truth)} real, {len(hydra - truth)} false {sorted(hydra - truth)}; iotlabel missed {len((hydra & truth) - ours)} of the real ones")
sys.exit(1 if (nmap_open - services) or ((hydra & truth) - ours) or (truth - ours) or (ours - truth) else 0)
PY
