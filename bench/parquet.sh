#!/usr/bin/env bash
# parquet.sh [MODELS] — lineage on a hub-stats models.parquet, and DuckDB
# on the same file, for BENCHMARKS.md.
#
# Generates a MODELS-row hub-stats models.parquet with cmd/hubsynth
# (default 2,000,000, seed 1; the same models as hubsynth's JSON Lines
# listing, kept in $TMPDIR/lineage-bench with it), then runs, interleaved,
# RUNS times each (default 5), every run under /usr/bin/time -v:
#   lineage build --in LISTING.parquet -o INDEX
#   lineage rank --in LISTING.parquet --top 25 --json
#   lineage build --in LISTING.jsonl -o INDEX   (the same models, for scale)
#   node bench/peer_duckdb.cjs LISTING.parquet 25   (DuckDB: read_parquet
#     and a recursive CTE counting each foundation's distinct descendants)
# and prints each one's median wall (and range) and largest peak RSS, then
# checks that lineage rank and DuckDB print the same top 25.
#
# DuckDB is the npm package @duckdb/node-api, installed with npm into
# $DUCKDB_DIR (default $TMPDIR/lineage-bench/duckdb) when missing; without
# node and npm the peer is skipped. Exit status: 0 ok (and the rankings
# agree), 1 a run failed or the rankings differ, 2 usage.
set -euo pipefail
models=${1:-2000000}
runs=${RUNS:-5}
[[ $models =~ ^[1-9][0-9]*$ && $runs =~ ^[1-9][0-9]*$ ]] || { echo "usage: [RUNS=N] $0 [MODELS]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
dir=${TMPDIR:-/tmp}/lineage-bench
bin=$dir/bin
work=$dir/parquet-runs
mkdir -p "$dir" "$bin"
rm -rf "$work" && mkdir -p "$work"
pq=$dir/hub-$models-seed1.parquet
jsonl=$dir/hub-$models-seed1.jsonl
index=$dir/hub-$models-parquet.idx
(cd "$root" && go build -o "$bin/lineage" ./cmd/lineage && go build -o "$bin/hubsynth" ./cmd/hubsynth)
[ -x /usr/bin/time ] || apt-get install -y time >/dev/null
for f in "$pq" "$jsonl"; do
	if [ ! -s "$f" ]; then
		ext=${f##*.}
		"$bin/hubsynth" --models "$models" --seed 1 --quiet -o "$work/new.$ext" && mv "$work/new.$ext" "$f"
	fi
done

duck=""
duckdir=${DUCKDB_DIR:-$dir/duckdb}
if command -v node >/dev/null && command -v npm >/dev/null; then
	if [ ! -d "$duckdir/node_modules/@duckdb/node-api" ]; then
		mkdir -p "$duckdir"
		npm install --silent --prefix "$duckdir" @duckdb/node-api >/dev/null
	fi
	duck=$duckdir/node_modules
else
	echo "parquet: node/npm not found; DuckDB skipped" >&2
fi

L=$bin/lineage
measure() { # NAME CMD...: stdout to $work/NAME.out, the time -v report to $work/NAME.time
	local name=$1
	shift
	if ! /usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err"; then
		echo "parquet: $name failed:" >&2
		cat "$work/$name.err" "$work/$name.time" >&2
		exit 1
	fi
}
for ((i = 1; i <= runs; i++)); do
	measure "build-parquet.$i" "$L" build --in "$pq" -o "$index" --quiet
	measure "rank-parquet.$i" "$L" rank --in "$pq" --top 25 --json --quiet
	measure "build-jsonl.$i" "$L" build --in "$jsonl" -o "$index.jsonl" --quiet
	if [ -n "$duck" ]; then
		measure "duckdb.$i" env NODE_PATH="$duck" node "$here/peer_duckdb.cjs" "$pq" 25
	fi
done

python3 - "$work" "$runs" "$pq" "$jsonl" <<'EOF'
import json, os, statistics, sys
work, runs, pq, jsonl = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

def usage(name):
    wall = rss = None
    with open(f"{work}/{name}.time") as f:
        for line in f:
            key, _, value = line.strip().rpartition(": ")
            if key.startswith("Elapsed (wall clock) time"):
                s = 0.0
                for part in value.split(":"):
                    s = s * 60 + float(part)
                wall = s
            elif key == "Maximum resident set size (kbytes)":
                rss = int(value) / 1024
    return wall, rss

print(f"parquet: {pq} ({os.path.getsize(pq) / 1e6:.0f} MB); JSON Lines: {os.path.getsize(jsonl) / 1e6:.0f} MB; {runs} runs each, interleaved")
print("| command | median wall | range | peak RSS (largest) |")
print("|---|---|---|---|")
names = [("build-parquet", "lineage build --in x.parquet -o idx"), ("rank-parquet", "lineage rank --in x.parquet --top 25"),
         ("build-jsonl", "lineage build --in x.jsonl -o idx (same models)"), ("duckdb", "DuckDB read_parquet + recursive CTE, top 25")]
for name, label in names:
    if not os.path.exists(f"{work}/{name}.1.time"):
        continue
    walls, rss = zip(*(usage(f"{name}.{i}") for i in range(1, runs + 1)))
    print(f"| {label} | {statistics.median(walls):.2f} s | {min(walls):.2f}-{max(walls):.2f} s | {max(rss):.0f} MiB |")

if not os.path.exists(f"{work}/duckdb.1.out"):
    sys.exit(0)
with open(f"{work}/rank-parquet.1.out") as f:
    ours = [(x["id"].lower(), int(x["descendants"])) for x in json.load(f)["foundations"]]
with open(f"{work}/duckdb.1.out") as f:
    peer = [(l.split("\t", 1)[1].strip(), int(l.split("\t", 1)[0])) for l in f if l.strip()]
print()
if ours == peer:
    print(f"AGREE ({len(ours)} foundations; top: {ours[0][0]} {ours[0][1]})")
    sys.exit(0)
print("DIFFER:")
for i in range(max(len(ours), len(peer))):
    a = ours[i] if i < len(ours) else None
    b = peer[i] if i < len(peer) else None
    if a != b:
        print(f"  #{i + 1}: lineage {a}  duckdb {b}")
sys.exit(1)
EOF
