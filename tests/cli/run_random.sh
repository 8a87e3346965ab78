#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tests/cli/run_random.sh - property test of `rviommu run`: random
# scenarios that are valid by construction (devices in first/second-stage,
# identity and blocked domains, shared buffers, every DMA pattern and
# direction, MSIs, affinity changes, detach/attach, map/unmap with DMA in
# flight, VM assignment (1..4 vCPUs) and vCPU migration) must never fail an invariant
# (exit 1) or crash.  The generator follows docs/scenario-format.md (chunk
# <= size, map steps never reuse an IOVA of their domain), so a rejection
# (exit 2) of one of them is a generator or validator bug: more than 5 % of
# them rejected fails the test.  Every 10th seed also yields one
# deliberately broken variant (chunk > size, 9 vectors, an unknown device,
# overlapping maps, a map step over a live mapping) that must be rejected
# with exit 2 and a message naming the field by its JSON path.
# Scenarios come from Python's seeded RNG, so a failure names a seed that
# reproduces it.  $1 = the rviommu binary; $2 (optional) = how many.
set -u
BIN=$1
N=${2:-80}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 - "$BIN" "$N" "$T" <<'PY'
import json, os, random, subprocess, sys
def gen(rng):
    nd = rng.randint(1, 6)
    devs = [{"name": "d%d" % i, "bdf": "00:%02x.0" % (i + 1), "vectors": rng.randint(1, 4), "ats": rng.random() < 0.3} for i in range(nd)]
    for d in devs:
        d["pri"] = d["ats"] and rng.random() < 0.5
    doms = []
    di = 0
    names = [d["name"] for d in devs]
    rng.shuffle(names)
    while names:
        k = rng.randint(1, min(3, len(names)))
        mem, names = names[:k], names[k:]
        t = rng.choice(["dma", "dma", "dma", "identity", "blocked"])
        d = {"name": "D%d" % di, "type": t, "devices": mem}
        if t == "dma":
            d["stage"] = rng.choice(["auto", "first", "second"])
            maps = []
            base = 0x100000
            for m in range(rng.randint(1, 4)):
                size = rng.choice([0x1000, 0x4000, 0x10000, 0x200000])
                maps.append({"name": "m%d" % m, "iova": hex(base), "size": hex(size), "prot": rng.choice(["rw", "rw", "r", "w"]), "demand": rng.random() < 0.25})
                if doms and rng.random() < 0.3:
                    od = rng.choice([x for x in doms if x["type"] == "dma"] or [None])
                    if od and od.get("maps"):
                        om = rng.choice(od["maps"])
                        if int(om["size"], 16) >= size:
                            maps[-1]["pa"] = "@%s.%s" % (od["name"], om["name"])
                base += size + rng.choice([0, 0x1000, 0x200000])
                base = (base + 0x1fffff) & ~0x1fffff if size == 0x200000 else base
            d["maps"] = maps
        doms.append(d)
        di += 1
    vms = [{"name": "v0", "hart": rng.randint(0, 7), "vcpus": rng.randint(1, 4)}]
    steps = []
    used = {}  # domain -> map-step slots already mapped
    for _ in range(rng.randint(5, 40)):
        op = rng.choice(["dma"] * 5 + ["msi"] * 3 + ["affinity", "detach", "attach", "unmap", "map", "wait", "vm_assign", "vcpu_migrate"])
        dv = rng.choice(devs)
        if op == "dma":
            size = rng.choice([0x100, 0x1000, 0x8000, 0x20000])  # the spec: chunk <= size
            steps.append({"op": "dma", "device": dv["name"], "dir": rng.choice(["write", "read", "mixed"]),
                          "pattern": rng.choice(["sequential", "strided", "random", "sg"]),
                          "iova": hex(rng.choice([0x100000, 0x104000, 0x0, 0x10000, 0x28000000])), "size": hex(size),
                          "chunk": rng.choice([c for c in (1, 64, 256, 4096) if c <= size]), "count": rng.randint(1, 200)})
        elif op == "msi":
            steps.append({"op": "msi", "device": dv["name"], "vector": rng.randrange(dv["vectors"]), "count": rng.randint(1, 3)})
        elif op == "affinity":
            steps.append({"op": "affinity", "device": dv["name"], "vector": rng.randrange(dv["vectors"]), "hart": rng.randint(0, 9)})
        elif op == "detach":
            steps.append({"op": "detach", "device": dv["name"]})
        elif op == "attach":
            steps.append({"op": "attach", "device": dv["name"], "domain": rng.choice(doms)["name"]})
        elif op in ("unmap", "map"):
            dd = [x for x in doms if x["type"] == "dma"]
            if not dd: continue
            x = rng.choice(dd)
            if op == "unmap":
                steps.append({"op": "unmap", "domain": x["name"], "iova": hex(rng.choice([0x100000, 0x101000, 0x104000])), "size": hex(rng.choice([0x1000, 0x3000]))})
            else:
                # map never overwrites: each of the 16 slots once per domain
                free = [k for k in range(16) if k not in used.setdefault(x["name"], set())]
                if not free: continue
                k = rng.choice(free)
                used[x["name"]].add(k)
                steps.append({"op": "map", "domain": x["name"], "iova": hex(0x40000000 + k * 0x10000), "size": "0x2000"})
        elif op == "wait":
            steps.append({"op": "wait"})
        elif op == "vm_assign":
            steps.append({"op": "vm_assign", "device": dv["name"], "vm": "v0"})
        else:
            steps.append({"op": "vcpu_migrate", "vm": "v0", "vcpu": rng.randint(0, vms[0]["vcpus"] - 1),
                          "hart": rng.randint(0, 7)})
    return {"name": "gen", "devices": devs, "domains": doms, "vms": vms, "steps": steps}
def breaks(s, rng):
    """One deliberate mistake in s; returns the JSON path the tool must name."""
    dma = [i for i, x in enumerate(s["steps"]) if x["op"] == "dma"]
    two = [i for i, d in enumerate(s["domains"]) if len(d.get("maps", [])) >= 2]
    maps = [i for i, x in enumerate(s["steps"]) if x["op"] == "map"]
    kinds = ["vectors", "device"] + (["chunk"] if dma else []) + (["overlap"] if two else []) + (["remap"] if maps else [])
    kind = rng.choice(kinds)
    if kind == "vectors":
        j = rng.randrange(len(s["devices"]))
        s["devices"][j]["vectors"] = 9
        return "devices[%d].vectors" % j
    if kind == "device":
        k = rng.randrange(len(s["steps"]))
        s["steps"][k] = {"op": "msi", "device": "nosuch"}
        return "steps[%d].device" % k
    if kind == "chunk":
        k = rng.choice(dma)
        s["steps"][k].update(size="0x100", chunk=4096)
        return "steps[%d].chunk" % k
    if kind == "overlap":
        j = rng.choice(two)
        s["domains"][j]["maps"][1]["iova"] = s["domains"][j]["maps"][0]["iova"]
        return "domains[%d].maps[1].iova" % j
    k = rng.choice(maps)  # the same map again, right after: found at run time
    s["steps"].insert(k + 1, dict(s["steps"][k]))
    return "steps[%d].iova" % (k + 1)

def run(s, name, seed):
    path = os.path.join(T, name)
    with open(path, "w") as f:
        json.dump(s, f, indent=1)
    return subprocess.run([BIN, "run", "--scenario", path, "--seed", str(seed)],
                          capture_output=True, text=True, timeout=120)

BIN, N, T = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ok = usage = broken = 0
bad = []
for i in range(N):
    p = run(gen(random.Random(i)), "s%d.json" % i, i)
    if p.returncode == 0:
        ok += 1
    elif p.returncode == 2:
        usage += 1
        print("REJECTED: generator seed %d (valid by construction): %s" % (i, p.stderr.strip()[:300]))
    else:
        viol = [l for l in p.stdout.splitlines() if "violation" in l][:3]
        bad.append(i)
        print("FAIL: generator seed %d: exit %d %s %s" % (i, p.returncode, p.stderr[:300], viol))
    if i % 10 == 9:
        rng = random.Random(1000003 * i)
        s = gen(rng)
        field = breaks(s, rng)
        p = run(s, "b%d.json" % i, i)
        if p.returncode == 2 and p.stderr.startswith("rviommu run: scenario ") and (field + ": ") in p.stderr:
            broken += 1
        else:
            bad.append(i)
            print("FAIL: broken variant of seed %d (%s): exit %d, want 2 naming the field: %s" % (i, field, p.returncode, p.stderr[:300]))
print("run_random.sh: %d passed, %d valid ones rejected, %d broken ones rejected as expected, %d failed" % (ok, usage, broken, len(bad)))
if bad or usage * 20 > N:
    sys.exit(1)
PY
