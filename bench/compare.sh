#!/usr/bin/env bash
# compare.sh LISTING.jsonl[.gz] [TOP]
#
# Runs `lineage rank --in LISTING --top TOP --json` and the networkx peer
# (bench/peer_networkx.py) on the same listing, interleaved (lineage, peer,
# lineage, peer, ...), each run under /usr/bin/time -v; prints the median
# wall seconds and peak RSS of each (with the range of the walls) and the
# ratios of the medians, peer/lineage, then compares the two top-TOP lists
# (ids compared case-insensitively, and descendant counts) and prints AGREE
# or the differences.
#
# RUNS (default 5) is the number of lineage runs, PEER_RUNS (default 3) of
# peer runs: the machines here are noisy, so one run of each is not a
# measurement. LINEAGE=/path/to/lineage selects the binary; by default
# ./cmd/lineage is built into a temporary directory. PYTHON (default
# /usr/bin/python3) must have networkx.
#
# Exit status: 0 the lists agree, 1 they differ or a run failed, 2 usage.
set -euo pipefail

usage() { echo "usage: $0 LISTING.jsonl[.gz] [TOP]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
listing=$1
top=${2:-25}
[ -r "$listing" ] || { echo "compare: cannot read $listing" >&2; exit 2; }
[[ $top =~ ^[0-9]+$ ]] && [ "$top" -gt 0 ] || usage

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
python=${PYTHON:-/usr/bin/python3}

if [ ! -x /usr/bin/time ]; then
	echo "compare: /usr/bin/time missing, installing package time" >&2
	apt-get install -y time >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

lineage=${LINEAGE:-}
if [ -z "$lineage" ]; then
	echo "compare: building ./cmd/lineage" >&2
	(cd "$root" && go build -o "$work/lineage" ./cmd/lineage)
	lineage=$work/lineage
fi

# measure NAME CMD...: runs CMD with stdout to $work/NAME.out and the
# /usr/bin/time -v report in $work/NAME.time.
measure() {
	local name=$1
	shift
	echo "compare: running $name" >&2
	if ! /usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err"; then
		echo "compare: $name failed:" >&2
		cat "$work/$name.err" "$work/$name.time" >&2
		exit 1
	fi
}

runs=${RUNS:-5}
peer_runs=${PEER_RUNS:-3}
[[ $runs =~ ^[1-9][0-9]*$ && $peer_runs =~ ^[1-9][0-9]*$ ]] || { echo "compare: RUNS and PEER_RUNS must be positive integers" >&2; exit 2; }
for ((i = 1; i <= runs || i <= peer_runs; i++)); do
	if ((i <= runs)); then
		measure "lineage.$i" "$lineage" rank --in "$listing" --top "$top" --json
	fi
	if ((i <= peer_runs)); then
		measure "peer.$i" "$python" "$here/peer_networkx.py" "$listing" --top "$top"
	fi
done

"$python" - "$work" "$top" "$listing" "$runs" "$peer_runs" <<'EOF'
import json
import statistics
import sys

work, top, listing = sys.argv[1], int(sys.argv[2]), sys.argv[3]
runs, peer_runs = int(sys.argv[4]), int(sys.argv[5])


def usage(name):
    wall = rss = None
    with open(f"{work}/{name}.time") as f:
        for line in f:
            key, _, value = line.strip().rpartition(": ")
            if key.startswith("Elapsed (wall clock) time"):
                seconds = 0.0
                for part in value.split(":"):
                    seconds = seconds * 60 + float(part)
                wall = seconds
            elif key == "Maximum resident set size (kbytes)":
                rss = int(value) / 1024
    return wall, rss


def medians(name, n):
    walls, rss = zip(*(usage(f"{name}.{i}") for i in range(1, n + 1)))
    return statistics.median(walls), statistics.median(rss), min(walls), max(walls)


lw, lr, lmin, lmax = medians("lineage", runs)
pw, pr, pmin, pmax = medians("peer", peer_runs)
print(f"listing: {listing}  top: {top}  runs: lineage {runs}, networkx {peer_runs} (interleaved; medians)")
print(f"{'':10} {'wall s':>10} {'range':>15} {'peak RSS MiB':>14}")
print(f"{'lineage':10} {lw:10.2f} {lmin:7.2f}-{lmax:<7.2f} {lr:14.1f}")
print(f"{'networkx':10} {pw:10.2f} {pmin:7.2f}-{pmax:<7.2f} {pr:14.1f}")
print(f"{'peer/lin':10} {pw / max(lw, 1e-9):9.1f}x {'':15} {pr / max(lr, 1e-9):13.1f}x")

outs = set()
for i in range(1, runs + 1):
    with open(f"{work}/lineage.{i}.out") as f:
        outs.add(f.read())
if len(outs) != 1:
    print("DIFFER: the lineage runs printed different rankings")
    sys.exit(1)
with open(f"{work}/lineage.1.out") as f:
    doc = json.load(f)
ours = [(str(x["id"]).lower(), int(x["descendants"])) for x in doc.get("foundations", [])]
peer = []
with open(f"{work}/peer.1.out") as f:
    for line in f:
        if line.strip():
            count, node = line.rstrip("\n").split("\t", 1)
            peer.append((node.lower(), int(count)))

print()
if ours == peer:
    print(f"AGREE ({len(ours)} foundations)")
    sys.exit(0)

print(f"DIFFER: lineage listed {len(ours)}, networkx {len(peer)}")
for rank in range(max(len(ours), len(peer))):
    a = ours[rank] if rank < len(ours) else None
    b = peer[rank] if rank < len(peer) else None
    if a != b:
        fa = f"{a[1]}\t{a[0]}" if a else "-"
        fb = f"{b[1]}\t{b[0]}" if b else "-"
        print(f"  #{rank + 1}: lineage {fa}  |  networkx {fb}")
ours_d, peer_d = dict(ours), dict(peer)
for node in sorted(ours_d.keys() - peer_d.keys()):
    print(f"  only lineage: {node} ({ours_d[node]})")
for node in sorted(peer_d.keys() - ours_d.keys()):
    print(f"  only networkx: {node} ({peer_d[node]})")
for node in sorted(ours_d.keys() & peer_d.keys()):
    if ours_d[node] != peer_d[node]:
        print(f"  count differs: {node} lineage {ours_d[node]} networkx {peer_d[node]}")
sys.exit(1)
EOF
