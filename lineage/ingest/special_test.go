package ingest

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lineage-project/lineage/lineage"
)

// specialBytes is special byte by byte over the plain table: the
// reference both the vector scan and the eight-byte scan are held to.
func specialBytes(b []byte, start int) int {
	for i := start; i < len(b); i++ {
		if !plain[b[i]] {
			return i
		}
	}
	return len(b)
}

// checkSpecial compares special (the SSE2 scan on amd64) and specialSWAR
// (the eight-byte scan, and special elsewhere) each with the byte-by-byte
// reference, on every start of b.
func checkSpecial(t *testing.T, b []byte) {
	t.Helper()
	for start := 0; start <= len(b); start++ {
		want := specialBytes(b, start)
		if got := special(b, start); got != want {
			t.Fatalf("special(%q, %d) = %d, the byte table says %d", b, start, got, want)
		}
		if got := specialSWAR(b, start); got != want {
			t.Fatalf("specialSWAR(%q, %d) = %d, the byte table says %d", b, start, got, want)
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
		want := specialBytes(b, start)
		if got := special(b, start); got != want {
			t.Fatalf("special(%q, %d) = %d, the byte table says %d", b, start, got, want)
		}
		if got := specialSWAR(b, start); got != want {
			t.Fatalf("specialSWAR(%q, %d) = %d, the byte table says %d", b, start, got, want)
		}
	})
}

// TestMayKeepTagKeepsAllKeepTagKeeps checks the scanner's pre-filter never
// drops a tag keepTag keeps: the kept words in every letter case, base_model
// tags down to the bare prefix, and random tags of every length up to 40.
func TestMayKeepTagKeepsEveryTagRead(t *testing.T) {
	var tags []string
	words := []string{"peft", "lora", "qlora", "adapter", "base_model:", "base_model:x", "base_model:adapter:org/x"}
	words = append(words, lineage.FormatTags()...)
	for _, w := range words {
		for mask := 0; mask < 1<<len(w) && mask < 1<<8; mask++ {
			b := []byte(w)
			for i := range b {
				if mask&(1<<i) != 0 && b[i] >= 'a' && b[i] <= 'z' {
					b[i] -= 'a' - 'A'
				}
			}
			tags = append(tags, string(b))
		}
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		b := make([]byte, r.IntN(41))
		for i := range b {
			b[i] = "abdelopqrtBLPA:_-"[r.IntN(17)]
		}
		tags = append(tags, string(b))
	}
	kept, formats := 0, 0
	for _, tag := range tags {
		if keepTag([]byte(tag)) {
			kept++
			if !mayKeepTag([]byte(tag)) {
				t.Fatalf("mayKeepTag(%q) = false, but keepTag keeps it", tag)
			}
		}
		if lineage.FormatOf(tag) != 0 {
			formats++
			if !mayKeepTag([]byte(tag)) {
				t.Fatalf("mayKeepTag(%q) = false, but FormatOf reads it", tag)
			}
		}
	}
	if formats < 100 {
		t.Fatalf("only %d of the tags are format tags; the test proves little", formats)
	}
	if kept < 100 {
		t.Fatalf("only %d of the tags are kept; the test proves little", kept)
	}
}

func checkHubTime(t *testing.T, s string) {
	t.Helper()
	gt, gok := parseHubTime(s)
	wt, wok := parseHubTimeBytes(s)
	if gt != wt || gok != wok {
		t.Fatalf("parseHubTime(%q) = %d, %v; parseHubTimeBytes says %d, %v", s, gt, gok, wt, wok)
	}
	if v := hubTimeValid(s); v != wok {
		t.Fatalf("hubTimeValid(%q) = %v, parseHubTimeBytes says %v", s, v, wok)
	}
}

// TestParseHubTimeMatchesBytes holds the word-at-a-time date parser equal to
// the byte-by-byte one: on valid dates of every month, day, hour, minute
// and second bound, in both lengths, and on each of them with any one byte
// replaced by each byte either side of the digit and separator ranges.
func TestParseHubTimeMatchesBytes(t *testing.T) {
	var valid []string
	for _, y := range []int{0, 1969, 1970, 2000, 2024, 2100, 9999} {
		for _, mo := range []int{0, 1, 2, 9, 10, 12, 13, 19} {
			for _, d := range []int{0, 1, 9, 10, 28, 29, 31, 32, 39} {
				for _, hms := range [][3]int{{0, 0, 0}, {23, 59, 60}, {24, 0, 0}, {9, 60, 61}, {12, 34, 56}} {
					valid = append(valid,
						fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, hms[0], hms[1], hms[2]),
						fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d.123Z", y, mo, d, hms[0], hms[1], hms[2]))
				}
			}
		}
	}
	ok := 0
	for _, s := range valid {
		checkHubTime(t, s)
		if _, good := parseHubTimeBytes(s); good {
			ok++
		}
	}
	if ok < 500 {
		t.Fatalf("only %d of %d dates parse; the test proves little", ok, len(valid))
	}
	subs := []byte("/0189:;-,.TSZYz \x00\x80\xb0\xff")
	for _, s := range []string{"2024-02-29T23:59:60Z", "2022-03-03T17:43:24.000Z", "1999-12-31T00:00:00.999Z"} {
		for i := 0; i < len(s); i++ {
			for _, c := range subs {
				b := []byte(s)
				b[i] = c
				checkHubTime(t, string(b))
			}
		}
		for n := 0; n <= len(s)+2; n++ {
			checkHubTime(t, (s + "00")[:n])
		}
	}
}

func FuzzParseHubTime(f *testing.F) {
	f.Add("2022-03-03T17:43:24.000Z")
	f.Add("2022-03-03T17:43:24Z")
	f.Add("2022-13-03T17:43:24Z")
	f.Fuzz(func(t *testing.T, s string) {
		checkHubTime(t, s)
	})
}

// TestParseHubTimeMatchesTimeParse holds the Hub date parser to the
// standard library's RFC 3339 parser on every calendar edge: the last days
// of every month, February 29 to 31 in leap and common years (1900, 2000,
// 2023, 2024), month 0 and 13, hour 24, second 60, with and without
// milliseconds. Impossible dates are rejected, never moved to another day.
func TestParseHubTimeMatchesTimeParse(t *testing.T) {
	n, rejected := 0, 0
	for _, y := range []int{0, 4, 100, 1900, 1970, 1999, 2000, 2023, 2024, 2100, 2400, 9999} {
		for mo := 0; mo <= 13; mo++ {
			for _, d := range []int{0, 1, 27, 28, 29, 30, 31, 32} {
				for _, hms := range []string{"00:00:00", "23:59:59", "23:59:60", "24:00:00", "12:60:00"} {
					for _, frac := range []string{"", ".000", ".999"} {
						s := fmt.Sprintf("%04d-%02d-%02dT%sZ%s", y, mo, d, hms, "")
						s = s[:len(s)-1] + frac + "Z"
						got, ok := parseHubTime(s)
						want, err := time.Parse(time.RFC3339, s)
						if ok != (err == nil) || ok && got != want.Unix() {
							t.Fatalf("parseHubTime(%q) = %d, %v; time.Parse says %v, %v", s, got, ok, want.Unix(), err)
						}
						if b, bok := parseHubTimeBytes(s); bok != ok || b != got {
							t.Fatalf("parseHubTimeBytes(%q) = %d, %v; parseHubTime says %d, %v", s, b, bok, got, ok)
						}
						if v := hubTimeValid(s); v != ok {
							t.Fatalf("hubTimeValid(%q) = %v, parseHubTime says %v", s, v, ok)
						}
						n++
						if !ok {
							rejected++
						}
					}
				}
			}
		}
	}
	if rejected == 0 || rejected == n {
		t.Fatalf("%d of %d dates rejected; the grid proves little", rejected, n)
	}
	// The case the issue found: February 31st was stored as March 3rd.
	if ts, ok := parseTime("2023-02-31T00:00:00.000Z"); ok {
		t.Errorf("parseTime(2023-02-31) = %d, true; want it rejected", ts)
	}
}
