package lineage

import (
	"math/rand/v2"
	"testing"
)

// checkSpecial compares special with specialSWAR on every start of b.
func checkSpecial(t *testing.T, b []byte) {
	t.Helper()
	for start := 0; start <= len(b); start++ {
		if got, want := special(b, start), specialSWAR(b, start); got != want {
			t.Fatalf("special(%q, %d) = %d, specialSWAR says %d", b, start, got, want)
		}
	}
}

// TestSpecialMatchesSWAR holds the vector scan equal to the eight-byte one
// on every length up to 80, every start, and every position of each kind
// of special byte (and of the bytes either side of each class boundary).
func TestSpecialMatchesSWAR(t *testing.T) {
	probes := []byte{'"', '\\', 0x00, 0x1f, 0x20, 0x21, 0x5b, 0x5d, 0x7e, 0x7f, 0x80, 0x9f, 0xa0, 0xff}
	for n := 0; n <= 80; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = 'a' + byte(i%26)
		}
		checkSpecial(t, b)
		for _, c := range probes {
			for at := 0; at < n; at++ {
				b[at] = c
				checkSpecial(t, b)
				b[at] = 'a' + byte(at%26)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, r.IntN(100))
		for i := range b {
			if r.IntN(20) == 0 {
				b[i] = probes[r.IntN(len(probes))]
			} else {
				b[i] = byte(0x20 + r.IntN(0x5f))
			}
		}
		checkSpecial(t, b)
	}
}

func FuzzSpecial(f *testing.F) {
	f.Add([]byte(`org/name","x":1}`), 0)
	f.Add([]byte("abc\\\"def"), 2)
	f.Add([]byte("caf\xc3\xa9\""), 1)
	f.Fuzz(func(t *testing.T, b []byte, start int) {
		if start < 0 || start > len(b) {
			return
		}
		if got, want := special(b, start), specialSWAR(b, start); got != want {
			t.Fatalf("special(%q, %d) = %d, specialSWAR says %d", b, start, got, want)
		}
	})
}
