#!/usr/bin/env python3
"""The peer workload in Loro (https://loro.dev), for gsp-bench to compare with.

Each of R replicas starts from the same base (D deals x 12 fields, one Loro root map per
deal, named by the deal's UUID), makes U random field updates offline, and exports them as
one Loro update; then a document holding the base imports all R updates (the merge, timed).
The workload is generated with the same SplitMix64 sequence as gsp-bench's PeerWorkload.swift,
so both sides make exactly the same updates; each side checks its merged state against the
expected one, and prints the expected state's digest so gsp-bench can check they agree.

usage: loro_peer.py REPLICAS UPDATES DEALS SEED RUNS    (prints one JSON object)
Timing and memory are measured in a child process that only loads and merges.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

MASK = (1 << 64) - 1
FIELDS = ["title", "account", "contact", "region", "owner", "stage",
          "next_step", "product", "amount", "probability", "close_day", "active"]
WORDS = ["Nordlicht", "Sakura", "Atlas", "Pampa", "Kestrel", "Orion", "Hanse", "Lumen",
         "Zeta", "Kappa", "Delta", "Sigma", "Tundra", "Mistral", "Sirocco", "Monsoon"]


class SplitMix:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def uuid_bytes(self):
        return b"".join(self.next().to_bytes(8, "little")[:8] for _ in range(2))


def value(field, rng):
    """A value of the field's kind; the draw order matches PeerWorkload.swift."""
    if field == 0:
        return f"{WORDS[rng.below(16)]} rollout {rng.below(1000)}"
    if field < 6:
        return f"{WORDS[rng.below(16)]} {FIELDS[field]}"
    if field == 6:
        return f"call {WORDS[rng.below(16)]} back in {rng.below(30)} days"
    if field == 7:
        return f"Phone X{rng.below(9)}"
    if field == 8:
        return rng.below(1_000_000) * 100
    if field == 9:
        return rng.below(101)
    if field == 10:
        return 20_000 + rng.below(800)
    return rng.below(4) != 0


def workload(replicas, updates, deals, seed):
    rng = SplitMix(seed)
    rows = [str(uuid.UUID(bytes=rng.uuid_bytes())) for _ in range(deals)]
    base_peer = rng.next()
    peers = [rng.next() for _ in range(replicas)]
    base = [[value(f, rng) for f in range(12)] for _ in range(deals)]
    edits = []
    for _ in range(replicas):
        mine = []
        seen = {}
        for _ in range(updates):
            d = rng.below(deals)
            f = rng.below(12)
            # A write of the value the replica already sees is no edit (Loro drops it): draw again.
            current = seen.get((d, f), base[d][f])
            v = value(f, rng)
            while v == current:
                v = value(f, rng)
            seen[(d, f)] = v
            mine.append((d, f, v))
        edits.append(mine)
    return rows, base_peer, peers, base, edits


def expected_state(base, peers, edits):
    """Last writer wins by (update index, peer id): what both Loro's Lamport order and the
    HLCs gsp-bench stamps give for this workload."""
    state = [list(row) for row in base]
    stamp = {}
    for r, mine in enumerate(edits):
        for k, (d, f, v) in enumerate(mine):
            s = (k, peers[r])
            if stamp.get((d, f), (-1, -1)) < s:
                stamp[(d, f)] = s
                state[d][f] = v
    return state


def render(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def digest(rows, state):
    """FNV-1a 64 over 'uuid,field,value' lines in deal order: the same on both sides."""
    h = 0xCBF29CE484222325
    for d, row in enumerate(state):
        for f, v in enumerate(row):
            for b in f"{rows[d]},{FIELDS[f]},{render(v)}\n".encode():
                h = ((h ^ b) * 0x100000001B3) & MASK
    return f"{h:016x}"


def build(folder, replicas, updates, deals, seed):
    from loro import LoroDoc, ExportMode
    rows, base_peer, peers, base, edits = workload(replicas, updates, deals, seed)
    doc = LoroDoc()
    doc.peer_id = base_peer
    for d, row in enumerate(base):
        m = doc.get_map(rows[d])
        for f, v in enumerate(row):
            m.insert(FIELDS[f], v)
    doc.commit()
    snapshot = doc.export(ExportMode.Snapshot())
    base_vv = doc.oplog_vv
    sizes = []
    for r, mine in enumerate(edits):
        replica = LoroDoc()
        replica.import_(snapshot)
        replica.peer_id = peers[r]
        for d, f, v in mine:
            replica.get_map(rows[d]).insert(FIELDS[f], v)
            replica.commit()  # each edit its own transaction, as a rep's app would make it
        blob = replica.export(ExportMode.Updates(base_vv))
        sizes.append(len(blob))
        with open(os.path.join(folder, f"update-{r:04d}.bin"), "wb") as out:
            out.write(blob)
    with open(os.path.join(folder, "base.bin"), "wb") as out:
        out.write(snapshot)
    expected = expected_state(base, peers, edits)
    with open(os.path.join(folder, "expected.json"), "w") as out:
        json.dump({"rows": rows, "state": expected}, out)
    return sum(sizes), digest(rows, expected)


def memory_mib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return 0.0


def merge(folder, runs):
    """Child process: load base and updates, merge them `runs` times, check, report."""
    from loro import LoroDoc
    baseline = memory_mib("VmRSS:")
    with open(os.path.join(folder, "base.bin"), "rb") as f:
        snapshot = f.read()
    names = sorted(n for n in os.listdir(folder) if n.startswith("update-"))
    blobs = []
    for n in names:
        with open(os.path.join(folder, n), "rb") as f:
            blobs.append(f.read())
    times = []
    doc = None
    for _ in range(runs):
        doc = LoroDoc()
        doc.import_(snapshot)
        start = time.perf_counter()
        doc.import_batch(blobs)
        times.append(time.perf_counter() - start)
    peak = memory_mib("VmHWM:")
    with open(os.path.join(folder, "expected.json")) as f:
        expected = json.load(f)
    value = doc.get_deep_value()
    rows = expected["rows"]
    merged = [[value[rows[d]][name] for name in FIELDS] for d in range(len(rows))]
    if merged != expected["state"]:
        wrong = sum(1 for a, b in zip(merged, expected["state"]) if a != b)
        raise SystemExit(f"loro merged state differs from the expected state in {wrong} deals")
    times.sort()
    print(json.dumps({"seconds": times[len(times) // 2], "peak_mib": peak, "baseline_mib": baseline,
                      "digest": digest(rows, merged)}))


def main():
    if sys.argv[1] == "merge":
        merge(sys.argv[2], int(sys.argv[3]))
        return
    replicas, updates, deals, seed, runs = (int(a) for a in sys.argv[1:6])
    import loro
    with tempfile.TemporaryDirectory(prefix="gsp-bench-loro-") as folder:
        total, expected_digest = build(folder, replicas, updates, deals, seed)
        child = subprocess.run([sys.executable, __file__, "merge", folder, str(runs)],
                               check=True, stdout=subprocess.PIPE, text=True)
        merged = json.loads(child.stdout)
    if merged["digest"] != expected_digest:
        raise SystemExit("loro merged state digest differs from the expected one")
    print(json.dumps({"loro_version": getattr(loro, "LORO_VERSION", "?"), "update_bytes": total,
                      "bytes_per_update": total / (replicas * updates), "expected_digest": expected_digest,
                      "merge_seconds": merged["seconds"], "peak_mib": merged["peak_mib"],
                      "baseline_mib": merged["baseline_mib"]}))


if __name__ == "__main__":
    main()
