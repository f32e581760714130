#!/usr/bin/env python3
"""Generate a synthetic vulnerability data set and SBOM for bench/vuln.sh.

Both iotlabel and osv-scanner read it: N OSV records for the Go ecosystem (zipped
the way OSV publishes an ecosystem, all.zip), and a CycloneDX SBOM of C Go modules.
The generator knows the ground truth, so the benchmark can check findings, not only
time: expected.txt lists every (module, advisory) pair that must be reported.
"""
import argparse, json, os, random, zipfile

ap = argparse.ArgumentParser()
ap.add_argument("--records", type=int, default=100000)
ap.add_argument("--components", type=int, default=5000)
ap.add_argument("--modules", type=int, default=20000, help="distinct modules the advisories spread over")
ap.add_argument("--out", required=True)
ap.add_argument("--seed", type=int, default=42)
a = ap.parse_args()
rnd = random.Random(a.seed)
os.makedirs(os.path.join(a.out, "osvdb", "osv-scanner", "Go"), exist_ok=True)

def mod(i):
    return f"example.com/iot/mod{i:05d}"

# The SBOM: the first C modules, each at version 1.<i%20>.0
versions = {i: (1, i % 20, 0) for i in range(a.components)}
expected = []
zpath = os.path.join(a.out, "osvdb", "osv-scanner", "Go", "all.zip")
with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
    for n in range(a.records):
        m = rnd.randrange(a.modules)
        intro = (1, rnd.randrange(0, 15), 0)
        fixed = (1, intro[1] + rnd.randrange(1, 8), rnd.randrange(0, 3))
        rec = {
            "schema_version": "1.6.0",
            "id": f"GO-SYN-{n:06d}",
            "modified": "2026-10-01T00:00:00Z",
            "published": "2026-09-01T00:00:00Z",
            "summary": f"Synthetic vulnerability {n} in {mod(m)}",
            "affected": [{
                "package": {"ecosystem": "Go", "name": mod(m)},
                "ranges": [{"type": "SEMVER", "events": [
                    {"introduced": "%d.%d.%d" % intro}, {"fixed": "%d.%d.%d" % fixed}]}],
            }],
        }
        z.writestr(f"GO-SYN-{n:06d}.json", json.dumps(rec))
        if m in versions and intro <= versions[m] < fixed:
            expected.append(f"{mod(m)}\tGO-SYN-{n:06d}")

bom = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
    {"type": "library", "bom-ref": f"c{i}", "name": mod(i), "version": "%d.%d.%d" % versions[i],
     "purl": f"pkg:golang/{mod(i)}@v%d.%d.%d" % versions[i]} for i in range(a.components)]}
with open(os.path.join(a.out, "sbom.cdx.json"), "w") as f:
    json.dump(bom, f)
with open(os.path.join(a.out, "expected.txt"), "w") as f:
    f.write("\n".join(sorted(expected)) + "\n")
print(f"{a.records} advisories, {a.components} components, {len(expected)} expected findings")
