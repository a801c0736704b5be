package lineage

import (
	"bytes"
	"errors"
	"testing"

	"github.com/lineage-project/lineage/graph"
)

// Seed corpora are short synthetic inputs in the shapes found on the Hub
// (no card prose is copied from real cards).

// FuzzDecodeIndex must never panic. An input that starts with the index
// magic is decoded as it is and with its checksums repaired (so that the
// structural checks behind the checksums are reached); any other input is
// a list of edits to a real small index (the seed []byte{0} is that index
// unchanged): a flags byte (bit 0: repair the checksums), then edits of
// three bytes of position and one XOR mask. A store that decodes must
// answer every query without panicking.
//
// The whole index (1.8 KiB) is deliberately not a raw seed: the fuzzing
// engine minimises every new interesting input, quadratically in its
// size, and on kilobyte inputs that took the whole fuzzing time.
func FuzzDecodeIndex(f *testing.F) {
	base := writeIndexBytes(f, shrinkTable(f, dslStore(f, "a:; B: a adapter; m: a merge, B merge; x: y; y: x; Org/Q-GGUF: m")))
	if s, err := DecodeIndex(bytes.Clone(base)); err != nil || s.NumModels() != 6 {
		f.Fatalf("DecodeIndex(base) = %v; want the 6-model store", err)
	}
	f.Add([]byte{0})
	f.Add(base[:headerSize+2*tableEntry])
	f.Add(writeIndexBytes(f, shrinkTable(f, NewBuilder(BuilderOptions{}).Finish()))[:headerSize])
	f.Add([]byte{0, 0, 0, 28, 1})                                    // reserved header byte
	f.Add([]byte{1, 0, 0, 40, 0x80})                                 // a section's element size, checksums repaired
	f.Add([]byte{1, 0, 2, 0x40, 0x01, 0, 2, 0x48, 0x01})             // section data, checksums repaired
	f.Add([]byte{1, 0xff, 0xff, 0xf0, 0x20, 0xff, 0xff, 0xff, 0x01}) // the info section
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(what string, b []byte) {
			s, err := DecodeIndex(b)
			if err != nil {
				if !errors.Is(err, ErrIndexCorrupt) && !errors.Is(err, ErrIndexVersion) {
					t.Fatalf("DecodeIndex(%s) error %v wraps neither ErrIndexCorrupt nor ErrIndexVersion", what, err)
				}
				return
			}
			n := s.NumModels()
			for v := graph.NodeID(0); int(v) < n && v < 64; v++ {
				s.Name(v)
				s.Created(v)
				s.Library(v)
				s.Pipeline(v)
				s.License(v)
				s.Lookup(s.Name(v))
				s.Ancestors(v)
				s.Descendants(v, 0, graph.AllLabels, 10)
				s.Paths(v, 4)
			}
			s.Rank(10, graph.AllLabels)
			s.Suggest("org/name", 3)
			_ = s.Stats()
			var buf bytes.Buffer
			if err := s.WriteEdgeList(&buf); err != nil {
				t.Fatal(err)
			}
			if err := s.WriteListing(&buf); err != nil {
				t.Fatal(err)
			}
		}
		if bytes.HasPrefix(data, []byte("LNGIDX")) {
			check("fuzzed bytes", bytes.Clone(data))
			check("fuzzed bytes, checksums repaired", resealIndex(bytes.Clone(data)))
			return
		}
		if len(data) == 0 {
			return
		}
		b := bytes.Clone(base)
		for i := 1; i+4 <= len(data); i += 4 {
			pos := int(data[i])<<16 | int(data[i+1])<<8 | int(data[i+2])
			b[pos%len(b)] ^= data[i+3]
		}
		if data[0]&1 != 0 {
			b = resealIndex(b)
		}
		check("edited index", b)
	})
}

// shrinkTable rebuilds the name table of s at the smallest size that keeps
// it at most half full (a built store starts at 65536 slots), laid out as
// the index format defines it: foldHash, linear probing. It keeps fuzz
// seeds a few KiB instead of 256 KiB. It checks every name is still found.
func shrinkTable(t testing.TB, s *Store) *Store {
	t.Helper()
	n := s.NumModels()
	size := 2
	for size < 2*n {
		size *= 2
	}
	table := nameTableSized(s.names, s.nameOff, size)
	old := s.table
	s.table = table
	for v := graph.NodeID(0); int(v) < n; v++ {
		if u, err := s.Lookup(s.Name(v)); err != nil || u != v {
			s.table = old
			t.Logf("shrinkTable: Lookup(%q) = %d, %v after shrinking; kept the full table", s.Name(v), u, err)
			return s
		}
	}
	return s
}
