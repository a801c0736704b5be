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

// idAlphabet holds each class of byte fastValidID tells apart and the
// bytes either side of each range boundary it tests.
const idAlphabet = "aZ09_-./ @[`{:\x80\xff\x00"

func checkValidID(t *testing.T, s string) {
	t.Helper()
	if got, want := fastValidID(s), validIDBytes(s); got != want {
		t.Fatalf("fastValidID(%q) = %v, validIDBytes says %v", s, got, want)
	}
}

// TestFastValidIDMatchesBytes holds fastValidID equal to the byte-by-byte
// check on every string of up to four bytes over idAlphabet, on those
// strings placed at the start, middle and end of longer ids, and on random
// ids around the 64-byte limit of the vector path.
func TestFastValidIDMatchesBytes(t *testing.T) {
	var all []string
	var gen func(prefix string, n int)
	gen = func(prefix string, n int) {
		all = append(all, prefix)
		if n == 0 {
			return
		}
		for i := 0; i < len(idAlphabet); i++ {
			gen(prefix+idAlphabet[i:i+1], n-1)
		}
	}
	gen("", 4)
	pad := "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_abc"
	for _, s := range all {
		checkValidID(t, s)
		checkValidID(t, "org/"+s)
		checkValidID(t, s+"/x")
		checkValidID(t, pad[:13]+s+pad[:20])
		checkValidID(t, pad[:60-len(s)]+s)
		checkValidID(t, pad[:62-len(s)]+s)
		checkValidID(t, pad[:64-len(s)]+s)
		checkValidID(t, pad[:65-len(s)]+s)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		b := make([]byte, r.IntN(140))
		for i := range b {
			if r.IntN(8) == 0 {
				b[i] = idAlphabet[r.IntN(len(idAlphabet))]
			} else {
				b[i] = pad[r.IntN(len(pad))]
			}
		}
		checkValidID(t, string(b))
	}
}

func FuzzFastValidID(f *testing.F) {
	f.Add("meta-llama/Llama-3.1-8B-Instruct")
	f.Add("a--b/c")
	f.Add("x/.y")
	f.Fuzz(func(t *testing.T, s string) {
		checkValidID(t, s)
	})
}
