package lineage

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkMapNodes is Diff's name join alone, on the 2M indexes that the
// benchmarks of relate_bench_test.go leave in $TMPDIR/lineage-bench.
func BenchmarkMapNodes(b *testing.B) {
	dir := filepath.Join(os.TempDir(), "lineage-bench")
	old, err1 := LoadIndex(filepath.Join(dir, "hub-2000000-seed1-old.idx"))
	cur, err2 := LoadIndex(filepath.Join(dir, "hub-2000000-seed1.idx"))
	if err1 != nil || err2 != nil {
		b.Skip("no 2M indexes (run LINEAGE_BENCH_2M=1 go test -bench Diff ./lineage first)")
	}
	for b.Loop() {
		mapNodes(old, cur)
	}
}
