package lineage

import (
	"encoding/binary"
	"slices"
	"strings"

	"github.com/lineage-project/lineage/graph"
)

// Formats returns the weight-format and publishing markers of v's tags and
// library (0 when unknown, and for a graph-only store).
func (s *Store) Formats(v graph.NodeID) Formats { return meta(s.formats, v, 0) }

// Hints returns the evidence of v's parents that is not a declaration:
// statements in its card's body and values read from its repository's
// files, in the order they were found (nil when there is none).
func (s *Store) Hints(v graph.NodeID) []Hint {
	i, ok := slices.BinarySearch(s.hintNodes, int32(v))
	if !ok {
		return nil
	}
	return decodeHints(s.hintData[s.hintOff[i]:s.hintOff[i+1]])
}

// HasHints reports whether v has any hint, without decoding them.
func (s *Store) HasHints(v graph.NodeID) bool {
	_, ok := slices.BinarySearch(s.hintNodes, int32(v))
	return ok
}

// The hints of all models are kept in three arrays, sparse because few
// models have any: the models that have hints (sorted), the offsets of
// each one's hints in a byte blob, and the blob, each hint encoded as its
// kind (one byte) and three length-prefixed strings (key, source, value).

// encodeHints appends hs to dst.
func encodeHints(dst []byte, hs []Hint) []byte {
	for _, h := range hs {
		dst = append(dst, byte(h.Kind))
		for _, str := range []string{h.Key, h.Source, h.Value} {
			dst = binary.AppendUvarint(dst, uint64(len(str)))
			dst = append(dst, str...)
		}
	}
	return dst
}

// decodeHints reads what encodeHints wrote; a malformed blob (which a
// checked index cannot hold) gives the hints up to the fault.
func decodeHints(b []byte) []Hint {
	var out []Hint
	for len(b) > 0 {
		h := Hint{Kind: HintKind(b[0])}
		b = b[1:]
		var strs [3]string
		for i := range strs {
			n, k := binary.Uvarint(b)
			if k <= 0 || uint64(len(b)-k) < n {
				return out
			}
			strs[i] = string(b[k : k+int(n)])
			b = b[k+int(n):]
		}
		h.Key, h.Source, h.Value = strs[0], strs[1], strs[2]
		out = append(out, h)
	}
	return out
}

// validHints reports whether every hint in b decodes whole.
func validHints(b []byte) bool {
	for len(b) > 0 {
		if HintKind(b[0]) != HintCard && HintKind(b[0]) != HintFile {
			return false
		}
		b = b[1:]
		for range 3 {
			n, k := binary.Uvarint(b)
			if k <= 0 || uint64(len(b)-k) < n {
				return false
			}
			b = b[k+int(n):]
		}
	}
	return true
}

// addHints records r's hints for v: a later record's hints of a kind
// replace the earlier ones of that kind (a card's body hints, a listing's
// file evidence), so a model's hints are those of its latest card and its
// latest listing record. The strings are copied (records alias input).
func (b *Builder) addHints(v graph.NodeID, hs []Hint) {
	if len(hs) == 0 {
		return
	}
	if b.hints == nil {
		b.hints = map[graph.NodeID][]Hint{}
	}
	old := b.hints[v]
	kept := old[:0]
	for _, h := range old {
		if !slices.ContainsFunc(hs, func(n Hint) bool { return n.Kind == h.Kind }) {
			kept = append(kept, h)
		}
	}
	for _, h := range hs {
		kept = append(kept, Hint{Kind: h.Kind, Source: strings.Clone(h.Source), Key: strings.Clone(h.Key), Value: strings.Clone(h.Value)})
	}
	b.hints[v] = kept
}

// finishHints lays the builder's hints out as the store's sparse arrays.
func (b *Builder) finishHints(s *Store) {
	s.hintOff = []uint32{0}
	nodes := make([]graph.NodeID, 0, len(b.hints))
	for v := range b.hints {
		nodes = append(nodes, v)
	}
	slices.Sort(nodes)
	for _, v := range nodes {
		s.hintNodes = append(s.hintNodes, int32(v))
		s.hintData = encodeHints(s.hintData, b.hints[v])
		s.hintOff = append(s.hintOff, uint32(len(s.hintData)))
	}
	b.hints = nil
}
