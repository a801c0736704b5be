package lineage

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/lineage-project/lineage/lineage/modelid"
)

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = modelid.Lower(c)
	}
	return string(b)
}

// TestFoldHashFolds checks that foldHash ignores ASCII letter case and
// nothing else: a string and its lower-cased form hash alike, for every
// length up to 40 and bytes either side of 'A'..'Z' and of their non-ASCII
// twins (0xc1..0xda, which must not fold); and that a change to any one
// byte other than a case change gives another hash.
func TestFoldHashFolds(t *testing.T) {
	alphabet := []byte("@AMZ[`amz{09-./_ \x00\x7f\x80\xc0\xc1\xda\xdb\xe1\xff")
	r := rand.New(rand.NewPCG(5, 6))
	for n := 0; n <= 40; n++ {
		for range 300 {
			b := make([]byte, n)
			for i := range b {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
			s := string(b)
			if foldHash(s) != foldHash(lowerASCII(s)) {
				t.Fatalf("foldHash(%q) = %#x, of its lower case %q %#x", s, foldHash(s), lowerASCII(s), foldHash(lowerASCII(s)))
			}
			if n == 0 {
				continue
			}
			i := r.IntN(n)
			c := alphabet[r.IntN(len(alphabet))]
			if modelid.Lower(c) == modelid.Lower(b[i]) {
				continue
			}
			b[i] = c
			if u := string(b); foldHash(u) == foldHash(s) {
				t.Fatalf("foldHash(%q) == foldHash(%q): one byte apart, same hash %#x", s, u, foldHash(s))
			}
		}
	}
	// A trailing NUL is not the zero padding of a short word.
	if foldHash("ab") == foldHash("ab\x00") || foldHash("abcdefgh") == foldHash("abcdefgh\x00") {
		t.Fatal("foldHash ignores a trailing NUL")
	}
}

// TestFoldHashSpreads hashes a million Hub-like ids (a few orgs, numbered
// names) and checks what the name table relies on: no two share the full
// hash; the high 32 bits (the fingerprint) collide about as often as a
// random function's would (expected about 116 pairs); and the low 21 bits
// (the slot in a table of 2M) fill buckets no worse than random (expected
// largest bucket about 8).
func TestFoldHashSpreads(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes a million ids; -short skips it")
	}
	const n = 1 << 20
	full := make(map[uint64]string, n)
	fp := make(map[uint32]int, n)
	buckets := make([]uint8, 1<<21)
	fpPairs, maxBucket := 0, uint8(0)
	for i := range n {
		id := fmt.Sprintf("org-%d/Model-%d-7B-Instruct", i%977, i)
		h := foldHash(id)
		if prev, ok := full[h]; ok {
			t.Fatalf("foldHash(%q) == foldHash(%q) = %#x", id, prev, h)
		}
		full[h] = id
		fpPairs += fp[uint32(h>>32)]
		fp[uint32(h>>32)]++
		b := &buckets[h&(1<<21-1)]
		*b++
		maxBucket = max(maxBucket, *b)
	}
	if fpPairs > 300 {
		t.Errorf("%d pairs of a million ids share the high 32 bits, want about 116", fpPairs)
	}
	if maxBucket > 14 {
		t.Errorf("largest of 2M low-bit buckets holds %d of a million ids, want about 8", maxBucket)
	}
	t.Logf("fingerprint pairs %d, largest bucket %d", fpPairs, maxBucket)
}

// TestFoldHashGolden pins foldHash: the name table of an index file is
// laid out by it, so a change that does not bump IndexVersion would make
// every older index answer "not found". If this fails on purpose, bump
// IndexVersion and rewrite these values and testdata/index-v*.lidx.
func TestFoldHashGolden(t *testing.T) {
	golden := []struct {
		id   string
		hash uint64
	}{
		{"", 0x0},
		{"a", 0xc4e5f8beafe3d212},
		{"gpt2", 0x2cc881f7d1148fbb},
		{"org/name", 0x92adf50d59262d48},
		{"meta-llama/Llama-3.1-8B-Instruct", 0x7ac8fb3f0c001bab},
		{"deepseek-ai/DeepSeek-R1", 0x21f56ef5fa4c9448},
		{"TheBloke/zephyr-7B-beta-GGUF", 0xe02b702e0b1f2875},
		{"12345678", 0x2e7337d47dd7ffc5},
		{"123456789abcdefg", 0x4f4a55a3f2eaee4b},
	}
	for _, g := range golden {
		if got := foldHash(g.id); got != g.hash {
			t.Errorf("foldHash(%q) = %#x, want %#x (an index format change: bump IndexVersion)", g.id, got, g.hash)
		}
	}
}
