#!/usr/bin/env python3
"""Generate a vulnerability data set and SBOM for bench/vuln.sh.

Both iotlabel and osv-scanner read it: N OSV records zipped the way OSV publishes
an ecosystem (osvdb/osv-scanner/<Ecosystem>/all.zip) and a CycloneDX SBOM of C
packages. The generator knows the ground truth, so the benchmark checks findings,
not only time: expected.txt lists every (package, advisory) pair that must be reported.

Two shapes:
  synthetic  one ecosystem (Go), small records (~400 bytes): summary, one range.
  realistic  five ecosystems (Go, npm, PyPI, Maven, crates.io) with records of the
             size and make-up of real OSV ones (~3-4 KB): aliases, a paragraph of
             details, references, a CVSS vector, up to three affected packages,
             explicit version lists beside the ranges, database_specific fields.
"""
import argparse, json, os, random, zipfile

ap = argparse.ArgumentParser()
ap.add_argument("--records", type=int, default=100000)
ap.add_argument("--components", type=int, default=5000)
ap.add_argument("--modules", type=int, default=20000, help="distinct packages the advisories spread over")
ap.add_argument("--shape", choices=["synthetic", "realistic"], default="synthetic")
ap.add_argument("--out", required=True)
ap.add_argument("--seed", type=int, default=42)
a = ap.parse_args()
rnd = random.Random(a.seed)

ECOS = ["Go"] if a.shape == "synthetic" else ["Go", "npm", "PyPI", "Maven", "crates.io"]

def pkg(i):
    """The package i: its ecosystem, OSV name and package URL (without version)."""
    eco = ECOS[i % len(ECOS)]
    if eco == "Go":
        n = f"example.com/iot/mod{i:05d}"
        return eco, n, f"pkg:golang/{n}"
    if eco == "npm":
        n = f"iot-lib-{i:05d}"
        return eco, n, f"pkg:npm/{n}"
    if eco == "PyPI":
        n = f"iot-py-{i:05d}"
        return eco, n, f"pkg:pypi/{n}"
    if eco == "Maven":
        return eco, f"org.example.iot:lib{i:05d}", f"pkg:maven/org.example.iot/lib{i:05d}"
    n = f"iot-crate-{i:05d}"
    return eco, n, f"pkg:cargo/{n}"

def ver(t):
    return "%d.%d.%d" % t

WORDS = ("device firmware buffer overflow parser remote attacker crafted packet memory heap stack "
         "authentication bypass handler request response header length check missing validation "
         "denial service crash null pointer dereference integer wrap allocation copy boundary "
         "protocol message client server session token credential exposure injection command").split()

def paragraph(n):
    return " ".join(rnd.choice(WORDS) for _ in range(n)).capitalize() + "."

versions = {i: (1, i % 20, 0) for i in range(a.components)}  # the SBOM: package i at 1.<i%20>.0
expected = []
zips = {}
for eco in ECOS:
    d = os.path.join(a.out, "osvdb", "osv-scanner", eco)
    os.makedirs(d, exist_ok=True)
    zips[eco] = zipfile.ZipFile(os.path.join(d, "all.zip"), "w", zipfile.ZIP_DEFLATED)

for n in range(a.records):
    first = rnd.randrange(a.modules)
    eco = ECOS[first % len(ECOS)]
    rid = f"{'GO' if eco == 'Go' else 'GHSA'}-SYN-{n:06d}"
    npk = 1 if a.shape == "synthetic" else rnd.choice([1, 1, 1, 2, 3])
    mods = [first] + [first + len(ECOS) * rnd.randrange(1, 50) for _ in range(npk - 1)]
    affected = []
    for m in mods:
        if m >= a.modules:
            continue
        _, name, _ = pkg(m)
        intro = (1, rnd.randrange(0, 15), 0)
        fixed = (1, intro[1] + rnd.randrange(1, 8), rnd.randrange(0, 3))
        rng = {"type": "SEMVER" if eco in ("Go", "npm", "crates.io") else "ECOSYSTEM",
               "events": [{"introduced": ver(intro)}, {"fixed": ver(fixed)}]}
        af = {"package": {"ecosystem": eco, "name": name}, "ranges": [rng]}
        if a.shape == "realistic":
            af["package"]["purl"] = pkg(m)[2]
            if eco in ("PyPI", "Maven", "npm"):
                af["versions"] = [ver((1, mi, p)) for mi in range(intro[1], fixed[1] + 1) for p in range(3)
                                  if intro <= (1, mi, p) < fixed]
            af["database_specific"] = {"source": f"https://github.com/advisories/{rid}"}
        affected.append(af)
        if m in versions and intro <= versions[m] < fixed:
            expected.append(f"{name}\t{rid}")
    rec = {"schema_version": "1.6.0", "id": rid, "modified": "2026-10-01T00:00:00Z",
           "published": "2026-09-01T00:00:00Z", "summary": f"Synthetic vulnerability {n} in {pkg(first)[1]}",
           "affected": affected}
    if a.shape == "realistic":
        cve = f"CVE-2026-{n:06d}"
        rec["aliases"] = [cve]
        rec["details"] = "\n\n".join(paragraph(rnd.randrange(40, 90)) for _ in range(rnd.randrange(2, 5)))
        rec["severity"] = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]
        rec["references"] = [{"type": t, "url": f"https://example.org/{t.lower()}/{rid}/{k}"}
                             for k, t in enumerate(["ADVISORY", "WEB", "PACKAGE", "FIX", "REPORT", "WEB"][:rnd.randrange(3, 7)])]
        rec["database_specific"] = {"cwe_ids": ["CWE-787"], "severity": "HIGH", "github_reviewed": True,
                                    "github_reviewed_at": "2026-09-02T00:00:00Z", "nvd_published_at": "2026-09-01T00:00:00Z"}
    zips[eco].writestr(f"{rid}.json", json.dumps(rec, indent=2 if a.shape == "realistic" else None))
for z in zips.values():
    z.close()

bom = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": []}
for i in range(a.components):
    eco, name, purl = pkg(i)
    v = ver(versions[i])
    bom["components"].append({"type": "library", "bom-ref": f"c{i}", "name": name, "version": v,
                              "purl": f"{purl}@{'v' + v if eco == 'Go' else v}"})
with open(os.path.join(a.out, "sbom.cdx.json"), "w") as f:
    json.dump(bom, f)
with open(os.path.join(a.out, "expected.txt"), "w") as f:
    f.write("\n".join(sorted(set(expected))) + "\n")
print(f"{a.shape}: {a.records} advisories in {len(ECOS)} ecosystems, {a.components} components, {len(set(expected))} expected findings")
