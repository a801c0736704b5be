package synth

import (
	"io"
	"testing"
)

// go test -run '^$' -bench . -benchmem ./lineage/synth
func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(io.Discard, Options{Models: 100_000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateParquet(b *testing.B) {
	for b.Loop() {
		if _, err := GenerateParquet(io.Discard, Options{Models: 100_000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
