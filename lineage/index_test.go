package lineage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lineage-project/lineage/graph"
)

// indexFixture is a small store with every node-table field set: dates,
// counts, library, pipeline, license, a cycle, a dangling parent, case
// variants and URL forms.
const indexFixture = `{"id":"Org/Base","author":"Org","createdAt":"2023-05-06T07:08:09.000Z","lastModified":"2024-01-01T00:00:00Z","downloads":1000,"downloadsAllTime":5000,"likes":42,"library_name":"transformers","pipeline_tag":"text-generation","cardData":{"license":"apache-2.0"}}
{"id":"org/chat","createdAt":"2023-06-01","downloads":10,"likes":1,"cardData":{"base_model":"org/base","base_model_relation":"finetune","license":"mit"}}
{"id":"org/chat-GGUF","tags":["base_model:quantized:org/chat"],"library_name":"gguf"}
{"id":"org/lora","library_name":"peft","tags":["base_model:https://huggingface.co/org/chat/tree/main"]}
{"id":"org/merge","cardData":{"base_model":["org/chat","other/model"]}}
{"id":"cyc/a","cardData":{"base_model":"cyc/c"}}
{"id":"cyc/b","cardData":{"base_model":"cyc/a"}}
{"id":"cyc/c","cardData":{"base_model":"cyc/b"}}
{"id":"self/ref","cardData":{"base_model":["self/ref","org/base"]}}
{"id":"bad/path","cardData":{"base_model":"./local"}}
`

func fixtureStore(t testing.TB) *Store {
	t.Helper()
	return buildPlain(t, memSrc{"fixture.jsonl", []byte(indexFixture)})
}

// writeIndexBytes writes s to a temporary index file and returns its bytes.
func writeIndexBytes(t testing.TB, s *Store) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.lidx")
	if err := s.WriteIndex(p); err != nil {
		t.Fatalf("WriteIndex: %v", err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// compareStores checks that two stores answer every query identically.
func compareStores(t *testing.T, want, got *Store) {
	t.Helper()
	if got.NumModels() != want.NumModels() || got.G.NumEdges() != want.G.NumEdges() {
		t.Fatalf("loaded store has %d models %d edges, want %d %d", got.NumModels(), got.G.NumEdges(), want.NumModels(), want.G.NumEdges())
	}
	if !reflect.DeepEqual(got.Stats(), want.Stats()) {
		t.Errorf("Stats() = %+v, want %+v", got.Stats(), want.Stats())
	}
	if !slices.Equal(got.Sources(), want.Sources()) {
		t.Errorf("Sources() = %v, want %v", got.Sources(), want.Sources())
	}
	if !reflect.DeepEqual(got.Examples(), want.Examples()) {
		t.Errorf("Examples() = %v, want %v", got.Examples(), want.Examples())
	}
	if got.Diagnostics() != nil {
		t.Errorf("Diagnostics() of a loaded store = %d entries, want nil", len(got.Diagnostics()))
	}
	for v := graph.NodeID(0); int(v) < want.NumModels(); v++ {
		if got.Name(v) != want.Name(v) || got.HasRecord(v) != want.HasRecord(v) || got.InCycle(v) != want.InCycle(v) ||
			!got.Created(v).Equal(want.Created(v)) || got.Downloads(v) != want.Downloads(v) || got.Likes(v) != want.Likes(v) ||
			got.Library(v) != want.Library(v) || got.Pipeline(v) != want.Pipeline(v) || got.License(v) != want.License(v) {
			t.Fatalf("node %d: loaded (%q %v %v %v %d %d %q %q %q), want (%q %v %v %v %d %d %q %q %q)", v,
				got.Name(v), got.HasRecord(v), got.InCycle(v), got.Created(v), got.Downloads(v), got.Likes(v), got.Library(v), got.Pipeline(v), got.License(v),
				want.Name(v), want.HasRecord(v), want.InCycle(v), want.Created(v), want.Downloads(v), want.Likes(v), want.Library(v), want.Pipeline(v), want.License(v))
		}
		if got.Formats(v) != want.Formats(v) || !reflect.DeepEqual(got.Hints(v), want.Hints(v)) {
			t.Fatalf("node %s: loaded formats %v hints %v, want %v %v", want.Name(v), got.Formats(v), got.Hints(v), want.Formats(v), want.Hints(v))
		}
		if u, err := got.Lookup(strings.ToUpper(want.Name(v))); err != nil || u != v {
			t.Fatalf("Lookup(%q) on loaded store = %d, %v; want %d", strings.ToUpper(want.Name(v)), u, err, v)
		}
		wo, wl := want.G.Out(v)
		go_, gl := got.G.Out(v)
		if !slices.Equal(wo, go_) || !slices.Equal(wl, gl) {
			t.Fatalf("Out(%s) loaded = %v %v, want %v %v", want.Name(v), go_, gl, wo, wl)
		}
	}
	for _, rels := range []string{"", "finetune", "adapter,quantized", "merge"} {
		set := mustRelations(t, rels)
		if !reflect.DeepEqual(got.Rank(0, set), want.Rank(0, set)) {
			t.Errorf("Rank(0, %q) differs after loading:\n got %v\nwant %v", rels, rankString(got.Rank(0, set)), rankString(want.Rank(0, set)))
		}
	}
	// Ancestors and descendants of a spread of nodes.
	step := max(1, want.NumModels()/200)
	for v := graph.NodeID(0); int(v) < want.NumModels(); v += graph.NodeID(step) {
		if !reflect.DeepEqual(got.Ancestors(v), want.Ancestors(v)) {
			t.Fatalf("Ancestors(%s) differs after loading: got %+v, want %+v", want.Name(v), got.Ancestors(v), want.Ancestors(v))
		}
		if !reflect.DeepEqual(got.Descendants(v, 0, graph.AllLabels, 50), want.Descendants(v, 0, graph.AllLabels, 50)) {
			t.Fatalf("Descendants(%s) differs after loading", want.Name(v))
		}
	}
	var wb, gb bytes.Buffer
	if err := want.WriteEdgeList(&wb); err != nil {
		t.Fatal(err)
	}
	if err := got.WriteEdgeList(&gb); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(wb.Bytes(), gb.Bytes()) {
		t.Errorf("WriteEdgeList differs after loading")
	}
	wb.Reset()
	gb.Reset()
	if err := want.WriteListing(&wb); err != nil {
		t.Fatal(err)
	}
	if err := got.WriteListing(&gb); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(wb.Bytes(), gb.Bytes()) {
		t.Errorf("WriteListing differs after loading")
	}
}

func TestIndexRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		store func(testing.TB) *Store
	}{
		{"fixture", fixtureStore},
		{"sample", sampleStore},
		{"dsl", func(t testing.TB) *Store { return dslStore(t, "a:; b: a adapter; m: a merge, b merge; x: y; y: x") }},
		{"empty", func(t testing.TB) *Store { return NewBuilder(BuilderOptions{}).Finish() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.store(t)
			p := filepath.Join(t.TempDir(), "lineage.idx")
			if err := want.WriteIndex(p); err != nil {
				t.Fatalf("WriteIndex: %v", err)
			}
			got, err := LoadIndex(p)
			if err != nil {
				t.Fatalf("LoadIndex: %v", err)
			}
			compareStores(t, want, got)
			// Writing the loaded store again gives the same bytes.
			b1, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if b2 := writeIndexBytes(t, got); !bytes.Equal(b1, b2) {
				t.Errorf("WriteIndex(LoadIndex(f)) differs from f (%d vs %d bytes)", len(b2), len(b1))
			}
			// DecodeIndex of the bytes, at an unaligned address too.
			for _, shift := range []int{0, 1, 3} {
				buf := make([]byte, len(b1)+shift)
				copy(buf[shift:], b1)
				d, err := DecodeIndex(buf[shift:])
				if err != nil {
					t.Fatalf("DecodeIndex(shift %d): %v", shift, err)
				}
				if !reflect.DeepEqual(d.Rank(0, graph.AllLabels), want.Rank(0, graph.AllLabels)) {
					t.Errorf("DecodeIndex(shift %d).Rank differs", shift)
				}
			}
		})
	}
}

func TestIndexFixtureAnswers(t *testing.T) {
	s, err := DecodeIndex(writeIndexBytes(t, fixtureStore(t)))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rankString(s.Rank(0, graph.AllLabels)), "Org/Base=5 other/model=1"; got != want {
		t.Errorf("Rank after loading = %q, want %q", got, want)
	}
	v := mustLookup(t, s, "ORG/BASE")
	if s.Name(v) != "Org/Base" || s.Downloads(v) != 1000 || s.Likes(v) != 42 || s.License(v) != "apache-2.0" || s.Library(v) != "transformers" || s.Pipeline(v) != "text-generation" {
		t.Errorf("Org/Base after loading: %q downloads %d likes %d license %q library %q pipeline %q", s.Name(v), s.Downloads(v), s.Likes(v), s.License(v), s.Library(v), s.Pipeline(v))
	}
	if got := s.Created(v).Format("2006-01-02T15:04:05Z"); got != "2023-05-06T07:08:09Z" {
		t.Errorf("Created(Org/Base) after loading = %s, want 2023-05-06T07:08:09Z", got)
	}
	if got := strings.Join(s.Ancestors(mustLookup(t, s, "org/lora")).Foundations, " "); got != "Org/Base" {
		t.Errorf("Ancestors(org/lora).Foundations after loading = %q, want Org/Base", got)
	}
	st := s.Stats()
	if st.Cycles != 1 || st.ModelsInCycles != 3 || st.SelfReferences != 1 || st.DanglingParents != 1 || st.Rejected != 1 {
		t.Errorf("Stats after loading: cycles %d in-cycles %d self %d dangling %d rejected %d, want 1 3 1 1 1", st.Cycles, st.ModelsInCycles, st.SelfReferences, st.DanglingParents, st.Rejected)
	}
	if !s.InCycle(mustLookup(t, s, "cyc/b")) {
		t.Errorf("InCycle(cyc/b) after loading = false, want true")
	}
}

// checkIndexErr asserts err is a clean index error.
func checkIndexErr(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: nil error, want ErrIndexCorrupt or ErrIndexVersion", what)
	}
	if !errors.Is(err, ErrIndexCorrupt) && !errors.Is(err, ErrIndexVersion) {
		t.Fatalf("%s: error %v does not wrap ErrIndexCorrupt or ErrIndexVersion", what, err)
	}
}

// decodeNoPanic decodes data, turning a panic into a test failure.
func decodeNoPanic(t *testing.T, what string, data []byte) (s *Store, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s: DecodeIndex panicked: %v", what, r)
		}
	}()
	return DecodeIndex(data)
}

func TestIndexTruncated(t *testing.T) {
	data := writeIndexBytes(t, fixtureStore(t))
	for _, n := range flipPositions(len(data), 1024, 500) {
		_, err := decodeNoPanic(t, "truncated", data[:n])
		checkIndexErr(t, fmt.Sprintf("DecodeIndex(first %d bytes)", n), err)
	}
	// Extended by trailing bytes.
	_, err := decodeNoPanic(t, "extended", append(slices.Clone(data), 0, 0, 0, 0, 0, 0, 0, 0))
	checkIndexErr(t, "DecodeIndex(extended)", err)
	// Truncated on disk.
	p := filepath.Join(t.TempDir(), "trunc.idx")
	if err := os.WriteFile(p, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadIndex(p)
	checkIndexErr(t, "LoadIndex(truncated file)", err)
}

// flipPositions returns the byte positions to corrupt in an index of n
// bytes: the first and last edge bytes (header, section table, first
// sections, info) one by one, and a spread of positions through the rest.
func flipPositions(n, edge, spread int) []int {
	var ps []int
	for i := 0; i < n; i++ {
		if i < edge || i >= n-edge {
			ps = append(ps, i)
		}
	}
	for i := 0; i < spread && n > 2*edge; i++ {
		ps = append(ps, edge+(i*7919)%(n-2*edge))
	}
	return ps
}

// TestIndexFlippedByte flips bytes all over a small and the sample index,
// with several masks: each must give an index error, never a panic or a
// silently different store.
func TestIndexFlippedByte(t *testing.T) {
	for _, tt := range []struct {
		name   string
		store  func(testing.TB) *Store
		edge   int
		spread int
		masks  []byte
	}{
		{"fixture", fixtureStore, 1024, 1000, []byte{0x01, 0x80, 0xff}},
		{"sample", sampleStore, 256, 150, []byte{0x10}},
	} {
		b := writeIndexBytes(t, tt.store(t))
		for _, pos := range flipPositions(len(b), tt.edge, tt.spread) {
			for _, mask := range tt.masks {
				b[pos] ^= mask // in place: a failed decode keeps no reference
				_, err := decodeNoPanic(t, "flip", b)
				checkIndexErr(t, fmt.Sprintf("DecodeIndex(%s index, byte %d ^ %#x)", tt.name, pos, mask), err)
				b[pos] ^= mask
			}
		}
		if _, err := DecodeIndex(b); err != nil {
			t.Fatalf("DecodeIndex(%s index restored) = %v", tt.name, err)
		}
	}
}

func TestIndexVersionAndMagic(t *testing.T) {
	data := writeIndexBytes(t, fixtureStore(t))
	for _, v := range []uint32{0, IndexVersion + 1, 1 << 31} {
		b := slices.Clone(data)
		binary.LittleEndian.PutUint32(b[8:], v)
		_, err := DecodeIndex(b)
		if !errors.Is(err, ErrIndexVersion) {
			t.Errorf("DecodeIndex(version %d) error = %v, want ErrIndexVersion", v, err)
		}
	}
	dir := t.TempDir()
	for name, content := range map[string][]byte{
		"empty":   nil,
		"jsonl":   []byte(indexFixture),
		"gzip":    gzipBytes(t, []byte(indexFixture)),
		"magic":   []byte("LNGIDX\r\n"),
		"zeros":   make([]byte, 4096),
		"header":  data[:headerSize],
		"garbage": bytes.Repeat([]byte{0xA5}, 1024),
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadIndex(p)
		if !errors.Is(err, ErrIndexCorrupt) {
			t.Errorf("LoadIndex(%s file) error = %v, want ErrIndexCorrupt", name, err)
		}
		if err != nil && !strings.Contains(err.Error(), p) {
			t.Errorf("LoadIndex(%s file) error %q does not name the file", name, err)
		}
	}
	if _, err := LoadIndex(filepath.Join(dir, "missing")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadIndex(missing) error = %v, want one wrapping os.ErrNotExist", err)
	}
}

// TestIndexConsistencyChecks forges files whose checksum is right but
// whose content is inconsistent: decode must refuse them.
func TestIndexConsistencyChecks(t *testing.T) {
	data := writeIndexBytes(t, dslStore(t, "a:; b: a; c: b; d: a"))
	section := func(b []byte, kind int) (off, cnt, elem uint64) {
		e := b[headerSize+(kind-1)*tableEntry:]
		return binary.LittleEndian.Uint64(e[8:]), binary.LittleEndian.Uint64(e[16:]), uint64(binary.LittleEndian.Uint32(e[4:]))
	}
	reseal := resealIndex
	tests := []struct {
		name string
		edit func(b []byte)
	}{
		{"name table repeats a node", func(b []byte) {
			off, cnt, _ := section(b, secTable)
			full, empty := -1, -1
			for i := 0; i < int(cnt); i++ {
				if int32(binary.LittleEndian.Uint32(b[off+uint64(4*i):])) >= 0 {
					full = i
				} else {
					empty = i
				}
			}
			if full < 0 || empty < 0 {
				t.Fatalf("name table has no full or no empty slot")
			}
			copy(b[off+uint64(4*empty):off+uint64(4*empty+4)], b[off+uint64(4*full):off+uint64(4*full+4)])
		}},
		{"name table node out of range", func(b []byte) {
			off, cnt, _ := section(b, secTable)
			for i := 0; i < int(cnt); i++ {
				if int32(binary.LittleEndian.Uint32(b[off+uint64(4*i):])) >= 0 {
					binary.LittleEndian.PutUint32(b[off+uint64(4*i):], 99)
					return
				}
			}
		}},
		{"name table misses a node", func(b []byte) {
			off, cnt, _ := section(b, secTable)
			for i := 0; i < int(cnt); i++ {
				if int32(binary.LittleEndian.Uint32(b[off+uint64(4*i):])) >= 0 {
					binary.LittleEndian.PutUint32(b[off+uint64(4*i):], 0xffffffff)
					return
				}
			}
		}},
		{"name offsets decrease", func(b []byte) {
			off, _, _ := section(b, secNameOff)
			binary.LittleEndian.PutUint32(b[off+4:], 0xffff)
		}},
		{"edge target out of range", func(b []byte) {
			off, _, _ := section(b, secFwdDst)
			binary.LittleEndian.PutUint32(b[off:], 1000)
		}},
		{"edge without reverse twin", func(b []byte) {
			off, _, _ := section(b, secFwdLab)
			b[off] ^= 1
		}},
		{"string index out of range", func(b []byte) {
			off, _, _ := section(b, secLibrary)
			binary.LittleEndian.PutUint16(b[off:], 500)
		}},
		{"info not json", func(b []byte) {
			off, _, _ := section(b, secInfo)
			b[off] = '!'
		}},
		{"strings not json", func(b []byte) {
			off, _, _ := section(b, secStrings)
			b[off] = '!'
		}},
		{"section offset unaligned", func(b []byte) {
			binary.LittleEndian.PutUint64(b[headerSize+(secNames-1)*tableEntry+8:], 33)
		}},
		{"section past the end", func(b []byte) {
			binary.LittleEndian.PutUint64(b[headerSize+(secFlags-1)*tableEntry+16:], uint64(len(b)))
		}},
		{"section kind out of order", func(b []byte) {
			binary.LittleEndian.PutUint32(b[headerSize+(secFlags-1)*tableEntry:], secNames)
		}},
		{"huge element size", func(b []byte) {
			binary.LittleEndian.PutUint32(b[headerSize+(secFlags-1)*tableEntry+4:], 1<<31)
		}},
		{"section count", func(b []byte) {
			binary.LittleEndian.PutUint32(b[12:], numSections+1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := slices.Clone(data)
			tt.edit(b)
			_, err := decodeNoPanic(t, tt.name, reseal(b))
			checkIndexErr(t, "DecodeIndex("+tt.name+")", err)
			if strings.Contains(err.Error(), "checksum") {
				t.Errorf("DecodeIndex(%s) = %v: the edit was caught by a checksum, not by the consistency check under test", tt.name, err)
			}
		})
	}
	if _, err := DecodeIndex(reseal(slices.Clone(data))); err != nil {
		t.Fatalf("DecodeIndex(resealed original) = %v, want nil", err)
	}
}

// resealIndex recomputes the checksums of an edited index so that a test
// reaches the consistency checks behind them. It follows WriteIndex's
// layout: a header, a table of numSections entries (kind, element size,
// offset, count, CRC-32C of the section) covered by the header's CRC-32C,
// then the sections. Entries pointing outside b are left as they are.
func resealIndex(b []byte) []byte {
	if len(b) < headerSize+numSections*tableEntry {
		return b
	}
	n := uint64(len(b))
	for i := 0; i < numSections; i++ {
		e := b[headerSize+i*tableEntry:]
		elem := uint64(binary.LittleEndian.Uint32(e[4:]))
		off, cnt := binary.LittleEndian.Uint64(e[8:]), binary.LittleEndian.Uint64(e[16:])
		if elem <= 8 && off <= n && cnt <= n && cnt*elem <= n-off {
			binary.LittleEndian.PutUint32(e[24:], crc32.Checksum(b[off:off+cnt*elem], castagnoli))
		}
	}
	binary.LittleEndian.PutUint32(b[24:], crc32.Checksum(b[headerSize:headerSize+numSections*tableEntry], castagnoli))
	return b
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteIndexAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "lineage.idx")
	first := fixtureStore(t)
	if err := first.WriteIndex(p); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"lineage.idx"}) {
		t.Errorf("directory after WriteIndex = %v, want only lineage.idx (no temp files)", got)
	}
	// Readable by others like any file the user writes, not private as
	// the temporary file it was renamed from.
	if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("index mode = %v (err %v), want -rw-r--r--", st.Mode(), err)
	}
	orig, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}

	// A write into a missing directory fails and leaves the existing
	// index (and its directory) untouched.
	if err := dslStore(t, "x:; y: x").WriteIndex(filepath.Join(dir, "missing", "lineage.idx")); err == nil {
		t.Errorf("WriteIndex(missing/dir) = nil, want an error")
	}
	// A write whose rename fails (the target is a non-empty directory)
	// removes its temporary file.
	blocker := filepath.Join(dir, "blocked.idx")
	if err := os.MkdirAll(filepath.Join(blocker, "keep"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := dslStore(t, "x:; y: x").WriteIndex(blocker); err == nil {
		t.Errorf("WriteIndex(onto a directory) = nil, want an error")
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"blocked.idx", "lineage.idx"}) {
		t.Errorf("directory after failed writes = %v, want [blocked.idx lineage.idx] (no temp files)", got)
	}
	now, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(now, orig) {
		t.Fatalf("existing index changed by failed writes (err %v)", err)
	}
	loaded, err := LoadIndex(p)
	if err != nil {
		t.Fatalf("LoadIndex(existing) after failed writes: %v", err)
	}
	compareStores(t, first, loaded)

	// A successful overwrite replaces the index whole.
	second := dslStore(t, "x:; y: x; z: y")
	if err := second.WriteIndex(p); err != nil {
		t.Fatal(err)
	}
	loaded, err = LoadIndex(p)
	if err != nil {
		t.Fatal(err)
	}
	compareStores(t, second, loaded)
	if got := listDir(t, dir); !slices.Equal(got, []string{"blocked.idx", "lineage.idx"}) {
		t.Errorf("directory after overwrite = %v, want [blocked.idx lineage.idx]", got)
	}
}

// TestIndexLoadedStoreIsIndependent checks that a loaded store stays valid
// after its file is replaced or removed (it must not map the file lazily).
func TestIndexLoadedStoreIsIndependent(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "lineage.idx")
	want := fixtureStore(t)
	if err := want.WriteIndex(p); err != nil {
		t.Fatal(err)
	}
	got, err := LoadIndex(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := dslStore(t, "q:; r: q").WriteIndex(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	compareStores(t, want, got)
}

// TestLoadIndexNotRegular: a FIFO, a directory or a device given as an
// index is refused at once (opening a FIFO would wait for a writer), with
// a message that says an index must be a regular file.
func TestLoadIndexNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	for _, p := range []string{fifo, dir, os.DevNull} {
		done := make(chan error, 1)
		go func() { _, err := LoadIndex(p); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "must be a regular file") || !errors.Is(err, ErrUsage) {
				t.Errorf("LoadIndex(%s) = %v, want a regular-file usage error", p, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("LoadIndex(%s) hangs", p)
		}
	}
}

// TestStoreClose: a loaded store answers until Close, and Close twice is
// harmless; a built store's Close does nothing.
func TestStoreClose(t *testing.T) {
	s := fixtureStore(t)
	p := filepath.Join(t.TempDir(), "x.lidx")
	if err := s.WriteIndex(p); err != nil {
		t.Fatal(err)
	}
	l, err := LoadIndex(p)
	if err != nil {
		t.Fatal(err)
	}
	compareStores(t, s, l)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close of a built store = %v", err)
	}
}
