#!/usr/bin/env bash
# scale.sh [MODELS] — whole-process figures at Hub scale, for BENCHMARKS.md.
#
# Generates a MODELS-model listing with cmd/hubsynth (default 2,000,000,
# seed 1, kept in $TMPDIR/lineage-bench), then measures with /usr/bin/time
# (peak RSS) and hyperfine (median of repeated runs, when installed):
#   build --in LISTING -o INDEX (five runs: median and range)
#   rank --index INDEX --top 25
#   ancestors --index INDEX <the deepest model of the largest family>
#   descendants --index INDEX <the largest foundation> (limit 50)
#   tree --index INDEX <a model> -o x.dot (DOT only: no renderer)
# Run it on a quiet machine; it prints a markdown table.
set -euo pipefail
models=${1:-2000000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
dir=${TMPDIR:-/tmp}/lineage-bench
mkdir -p "$dir"
listing=$dir/hub-$models-seed1.jsonl
index=$dir/hub-$models.idx
bin=$dir/bin
mkdir -p "$bin"
(cd "$root" && go build -o "$bin/lineage" ./cmd/lineage && go build -o "$bin/hubsynth" ./cmd/hubsynth)
[ -x /usr/bin/time ] || apt-get install -y time >/dev/null
if [ ! -s "$listing" ]; then
	"$bin/hubsynth" --models "$models" --seed 1 --quiet -o "$listing.tmp" && mv "$listing.tmp" "$listing"
fi
L=$bin/lineage

# peak RSS (MiB) and wall (s) of one run
one() {
	/usr/bin/time -f "%e %M" -o "$dir/time.txt" "$@" >/dev/null 2>&1
	read -r wall kb <"$dir/time.txt"
	echo "$wall $((kb / 1024))"
}

# build: five runs, the median and range of the walls, the largest RSS (a
# single run is an anecdote here: writing and syncing a 185 MiB index now
# and then takes seconds longer when the disk is busy).
bwalls=() brss=0
for _ in 1 2 3 4 5; do
	read -r w r < <(one "$L" build --in "$listing" -o "$index")
	bwalls+=("$w")
	((r > brss)) && brss=$r
done
bwall=$(printf '%s\n' "${bwalls[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%s s (median of 5, %s-%s s)", a[3], a[1], a[5]}')
top=$("$L" rank --index "$index" --top 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["foundations"][0]["id"])')
deep=$("$L" descendants --index "$index" "$top" --limit 0 --json | python3 -c '
import json,sys
d=json.load(sys.stdin)["descendants"]
print(max(d, key=lambda h:(h["depth"], h["id"]))["id"])')

declare -a names cmds
names+=("rank --index (top 25)");            cmds+=("$L rank --index $index --top 25")
names+=("ancestors --index (depth-max model)"); cmds+=("$L ancestors --index $index $deep")
names+=("descendants --index (largest family)"); cmds+=("$L descendants --index $index $top")
names+=("tree --index -o x.dot (largest family, 150 nodes)"); cmds+=("$L tree --index $index $top -o $dir/x.dot --quiet")

echo "| command | median wall | peak RSS |"
echo "|---|---|---|"
echo "| build --in (2M listing -> index) | ${bwall} | ${brss} MiB |"
for i in "${!names[@]}"; do
	read -r _ rss < <(one ${cmds[$i]})
	if command -v hyperfine >/dev/null; then
		med=$(hyperfine --warmup 2 --runs 15 --export-json "$dir/h.json" "${cmds[$i]}" >/dev/null 2>&1 &&
			python3 -c "import json; r=json.load(open('$dir/h.json'))['results'][0]; print('%.1f ms' % (r['median']*1000))")
	else
		read -r w _ < <(one ${cmds[$i]})
		med="$w s (one run)"
	fi
	echo "| ${names[$i]} | $med | $rss MiB |"
done
echo
echo "largest foundation: $top; deepest model: $deep"
