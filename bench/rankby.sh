#!/usr/bin/env bash
# rankby.sh [RUNS] — whole-process cost of rank --by at Hub scale, for
# BENCHMARKS.md.
#
# Uses the 2,000,000-model listing of cmd/hubsynth (seed 1; generated once
# into $TMPDIR/lineage-bench-rankby) and its index, then runs, interleaved
# (one of each in turn, RUNS rounds, default 9), each under /usr/bin/time -v:
#   rank --index INDEX --top 25                        (by descendants)
#   rank --index INDEX --top 25 --by downloads
#   rank --index INDEX --top 25 --by downloads --since 2025-01-01
#   rank --index INDEX --top 25 --by pagerank
# and, with BASE=/path/to/an/older/lineage, that binary's plain rank too.
# It prints the median wall time, the median CPU time (user + system) and
# the largest peak RSS of each. On a loaded machine compare CPU times:
# wall time then measures the neighbours.
set -euo pipefail
runs=${1:-9}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
dir=${TMPDIR:-/tmp}/lineage-bench-rankby
mkdir -p "$dir"
listing=$dir/hub-2000000-seed1.jsonl
index=$dir/hub-2000000.idx
(cd "$root" && go build -o "$dir/lineage" ./cmd/lineage && go build -o "$dir/hubsynth" ./cmd/hubsynth)
[ -x /usr/bin/time ] || apt-get install -y time >/dev/null
if [ ! -s "$listing" ]; then
	"$dir/hubsynth" --models 2000000 --seed 1 --quiet -o "$listing.tmp" && mv "$listing.tmp" "$listing"
fi
[ -s "$index" ] || "$dir/lineage" build --in "$listing" -o "$index" --quiet >/dev/null
L=$dir/lineage

names=("rank (by descendants)" "rank --by downloads" "rank --by downloads --since 2025-01-01" "rank --by pagerank")
cmds=("$L rank --index $index --top 25 --quiet"
	"$L rank --index $index --top 25 --by downloads --quiet"
	"$L rank --index $index --top 25 --by downloads --since 2025-01-01 --quiet"
	"$L rank --index $index --top 25 --by pagerank --quiet")
if [ -n "${BASE:-}" ]; then
	names+=("rank (by descendants), BASE binary")
	cmds+=("$BASE rank --index $index --top 25 --quiet")
fi

for i in "${!cmds[@]}"; do : >"$dir/runs.$i"; done
for _ in $(seq "$runs"); do
	for i in "${!cmds[@]}"; do
		/usr/bin/time -v -o "$dir/time.txt" ${cmds[$i]} >/dev/null 2>&1
		awk -F': ' '
			/Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (k = 1; k <= n; k++) w = w * 60 + p[k] }
			/User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { m = $2 }
			END { printf "%.3f %.3f %d\n", w, u + s, m / 1024 }' "$dir/time.txt" >>"$dir/runs.$i"
	done
done

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "| command (2M models, --index, --top 25) | median wall | median CPU | peak RSS |"
echo "|---|---|---|---|"
for i in "${!cmds[@]}"; do
	w=$(cut -d' ' -f1 "$dir/runs.$i" | median)
	c=$(cut -d' ' -f2 "$dir/runs.$i" | median)
	m=$(cut -d' ' -f3 "$dir/runs.$i" | sort -n | tail -1)
	echo "| \`${names[$i]}\` | $w s | $c s | $m MiB |"
done
echo "($runs runs each, interleaved; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
