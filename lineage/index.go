package lineage

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage/safefile"
)

// IndexVersion is the index file format version this package reads and
// writes. Any change to the layout bumps it.
const IndexVersion = 5

const indexMagic = "LNGIDX\r\n"

// Section kinds of the index file, in file order.
const (
	secFwdOff = iota + 1
	secFwdDst
	secFwdLab
	secRevOff
	secRevDst
	secRevLab
	secNames
	secNameOff
	secTable
	secCreated
	secModified
	secDownloads
	secDownloadsAll
	secLikes
	secLibrary
	secPipeline
	secLicense
	secFlags
	secFormats
	secHintNodes
	secHintOff
	secHintData
	secStrings
	secInfo
	numSections = secInfo
)

const headerSize = 32
const tableEntry = 32

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(z)))
}

func isLittleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

// WriteIndex writes the store to path atomically (package safefile: a
// temporary file beside the target, synced, renamed over it; through a
// symbolic link to its target; never over a device or FIFO). The file holds a
// header (magic, format version, length, CRC-32C of the rest), a section
// table (each section's offset, length and CRC-32C; the header's CRC covers
// the table), and the arrays of the graph and the node table, 8-byte
// aligned, in little-endian order.
func (s *Store) WriteIndex(path string) (err error) {
	if !isLittleEndian() {
		return errors.New("write index: index files are little-endian and this platform is not")
	}
	if s.GraphOnly() {
		return errors.New("write index: the store was built graph-only (without model metadata); build it without BuildOptions.GraphOnly to write an index")
	}
	if s.rec != nil {
		return errors.New("write index: the store holds recovered edges (WithEdges); an index holds declared lineage only: write the store they were added to")
	}
	fwdOff, fwdDst, fwdLab, revOff, revDst, revLab := s.G.CSR()
	strs, err := json.Marshal(s.strs)
	if err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	info, err := json.Marshal(s.info)
	if err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	type sec struct {
		elem int
		data []byte
	}
	secs := [numSections]sec{
		{4, bytesOf(fwdOff)}, {4, bytesOf(fwdDst)}, {1, bytesOf(fwdLab)},
		{4, bytesOf(revOff)}, {4, bytesOf(revDst)}, {1, bytesOf(revLab)},
		{1, s.names}, {4, bytesOf(s.nameOff)}, {4, bytesOf(s.table)},
		{8, bytesOf(s.created)}, {8, bytesOf(s.modified)}, {8, bytesOf(s.downloads)}, {8, bytesOf(s.downloadsAll)}, {8, bytesOf(s.likes)},
		{2, bytesOf(s.library)}, {2, bytesOf(s.pipeline)}, {2, bytesOf(s.license)}, {1, s.flags},
		{4, bytesOf(s.formats)}, {4, bytesOf(s.hintNodes)}, {4, bytesOf(s.hintOff)}, {1, s.hintData},
		{1, strs}, {1, info},
	}
	head := make([]byte, headerSize+numSections*tableEntry)
	off := uint64(len(head))
	align := func(x uint64) uint64 { return (x + 7) &^ 7 }
	pad := make([]byte, 8)
	var parts [][]byte
	pos := off
	for i, sc := range secs {
		off = align(off)
		if p := off - pos; p > 0 {
			parts = append(parts, pad[:p])
		}
		e := head[headerSize+i*tableEntry:]
		binary.LittleEndian.PutUint32(e[0:], uint32(i+1))
		binary.LittleEndian.PutUint32(e[4:], uint32(sc.elem))
		binary.LittleEndian.PutUint64(e[8:], off)
		binary.LittleEndian.PutUint64(e[16:], uint64(len(sc.data)/sc.elem))
		binary.LittleEndian.PutUint32(e[24:], crc32.Checksum(sc.data, castagnoli))
		parts = append(parts, sc.data)
		off += uint64(len(sc.data))
		pos = off
	}
	total := off
	copy(head, indexMagic)
	binary.LittleEndian.PutUint32(head[8:], IndexVersion)
	binary.LittleEndian.PutUint32(head[12:], numSections)
	binary.LittleEndian.PutUint64(head[16:], total)
	// The header checksum covers the section table, which holds each
	// section's own CRC-32C; sections are verified in parallel on load.
	binary.LittleEndian.PutUint32(head[24:], crc32.Checksum(head[headerSize:], castagnoli))

	err = safefile.Write(path, func(f io.Writer) error {
		w := bufio.NewWriterSize(f, 1<<20)
		if _, err := w.Write(head); err != nil {
			return err
		}
		for _, p := range parts {
			if _, err := w.Write(p); err != nil {
				return err
			}
		}
		return w.Flush()
	})
	if err != nil {
		return fmt.Errorf("write index %s: %w", path, err)
	}
	return nil
}

// LoadIndex maps (or, where mapping is unavailable, reads in one call) an
// index file written by WriteIndex,
// verifies its version, length and checksum, and wraps the arrays in place
// (no per-node allocation). A truncated, corrupted or other-version file is
// an error wrapping ErrIndexCorrupt or ErrIndexVersion, never a wrong answer.
func LoadIndex(path string) (*Store, error) {
	// Checked before opening: opening a FIFO would wait for a writer.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("load index %s: %w: an index must be a regular file (it is memory-mapped), and this is %s; write one with lineage build -o FILE", path, ErrUsage, safefile.Describe(st.Mode()))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load index: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("load index: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("load index %s: %w: an index must be a regular file (it is memory-mapped)", path, ErrUsage)
	}
	// Map the file where the platform allows (page-aligned, so every
	// section is 8-byte aligned); else one read into a []uint64-backed
	// buffer, aligned likewise.
	buf, ok := mapFile(f, st.Size())
	if !ok {
		words := make([]uint64, (st.Size()+7)/8)
		buf = bytesOf(words)[:st.Size()]
		if _, err := io.ReadFull(f, buf); err != nil {
			return nil, fmt.Errorf("load index %s: %w: %v", path, ErrIndexCorrupt, err)
		}
	}
	s, err := decodeIndex(buf)
	if err != nil {
		if ok {
			unmapFile(buf)
		}
		return nil, fmt.Errorf("load index %s: %w", path, err)
	}
	if ok {
		s.mapping = buf
	}
	return s, nil
}

// Close releases what the store holds outside the Go heap: the mapping of
// the index file it was loaded from. A store must not be used after Close.
// A store that was built, or loaded from a copy, holds nothing and Close
// does nothing. While a store loaded from a file is in use, the file must
// not be truncated or rewritten in place (lineage build writes a new file
// and renames it over the old one, which is safe): the mapping shows the
// file as it is, and pages cut off from it fault.
func (s *Store) Close() error {
	if s.mapping == nil {
		return nil
	}
	m := s.mapping
	s.mapping = nil
	return unmapFile(m)
}

// DecodeIndex decodes an index held in memory. The store aliases data.
func DecodeIndex(data []byte) (*Store, error) {
	if uintptr(unsafe.Pointer(unsafe.SliceData(data)))%8 != 0 {
		words := make([]uint64, (len(data)+7)/8)
		buf := bytesOf(words)[:len(data)]
		copy(buf, data)
		data = buf
	}
	return decodeIndex(data)
}

func decodeIndex(buf []byte) (*Store, error) {
	corrupt := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s; rebuild it with lineage build", ErrIndexCorrupt, fmt.Sprintf(format, a...))
	}
	if !isLittleEndian() {
		return nil, errors.New("index files are little-endian and this platform is not")
	}
	if len(buf) < headerSize || string(buf[:8]) != indexMagic {
		return nil, corrupt("not a lineage index (bad magic)")
	}
	if v := binary.LittleEndian.Uint32(buf[8:]); v != IndexVersion {
		return nil, fmt.Errorf("%w: the file is format version %d, this lineage reads version %d; rebuild it with lineage build", ErrIndexVersion, v, IndexVersion)
	}
	nsec := binary.LittleEndian.Uint32(buf[12:])
	total := binary.LittleEndian.Uint64(buf[16:])
	if total != uint64(len(buf)) {
		return nil, corrupt("file is %d bytes, header says %d (truncated or extended)", len(buf), total)
	}
	if nsec != numSections || len(buf) < headerSize+int(nsec)*tableEntry {
		return nil, corrupt("section table has %d entries, want %d", nsec, numSections)
	}
	if crc := crc32.Checksum(buf[headerSize:headerSize+int(nsec)*tableEntry], castagnoli); crc != binary.LittleEndian.Uint32(buf[24:]) {
		return nil, corrupt("section table checksum mismatch")
	}
	if binary.LittleEndian.Uint32(buf[28:]) != 0 {
		// Reserved header bytes, outside every checksum, are written as zero.
		return nil, corrupt("reserved header bytes are not zero")
	}
	var raw [numSections + 1][]byte
	var sums [numSections + 1]uint32
	// Sections follow the table in order; the alignment padding between
	// them (outside every section checksum) must be zero.
	end := uint64(headerSize + int(nsec)*tableEntry)
	for i := 0; i < int(nsec); i++ {
		e := buf[headerSize+i*tableEntry:]
		kind := binary.LittleEndian.Uint32(e)
		elem := uint64(binary.LittleEndian.Uint32(e[4:]))
		off := binary.LittleEndian.Uint64(e[8:])
		cnt := binary.LittleEndian.Uint64(e[16:])
		if kind != uint32(i+1) || elem == 0 || elem > 8 || off%8 != 0 || cnt > uint64(len(buf)) || off > uint64(len(buf)) || cnt*elem > uint64(len(buf))-off {
			return nil, corrupt("section %d out of bounds", i+1)
		}
		if off < end || off-end > 7 {
			return nil, corrupt("section %d out of place", i+1)
		}
		for _, c := range buf[end:off] {
			if c != 0 {
				return nil, corrupt("non-zero padding before section %d", i+1)
			}
		}
		raw[kind] = buf[off : off+cnt*elem]
		sums[kind] = binary.LittleEndian.Uint32(e[24:])
		end = off + cnt*elem
	}
	if end != uint64(len(buf)) {
		return nil, corrupt("%d bytes after the last section", uint64(len(buf))-end)
	}
	// Checksums are verified while the structure is validated: the two are
	// independent, and together they are most of the load time at Hub
	// scale. A checksum failure is reported first: it is the real cause of
	// any structural error.
	badSection := make(chan int, 1)
	go func() { badSection <- verifySections(raw[1:], sums[1:]) }()
	s, err := validateSections(raw, corrupt)
	if bad := <-badSection; bad > 0 {
		return nil, corrupt("section %d checksum mismatch", bad)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// validateSections wraps the sections as a Store, checking every length,
// offset and index, so that no accepted file can make a query go out of
// range.
func validateSections(raw [numSections + 1][]byte, corrupt func(string, ...any) error) (*Store, error) {
	i32 := func(b []byte) []int32 { return castSlice[int32](b) }
	s := &Store{
		names: raw[secNames], nameOff: castSlice[uint32](raw[secNameOff]), table: i32(raw[secTable]),
		created: castSlice[int64](raw[secCreated]), modified: castSlice[int64](raw[secModified]),
		downloads: castSlice[int64](raw[secDownloads]), downloadsAll: castSlice[int64](raw[secDownloadsAll]),
		likes:   castSlice[int64](raw[secLikes]),
		library: castSlice[uint16](raw[secLibrary]), pipeline: castSlice[uint16](raw[secPipeline]), license: castSlice[uint16](raw[secLicense]),
		flags:   raw[secFlags],
		formats: castSlice[Formats](raw[secFormats]), hintNodes: i32(raw[secHintNodes]), hintOff: castSlice[uint32](raw[secHintOff]),
		hintData: raw[secHintData],
	}
	fwdOff := i32(raw[secFwdOff])
	n := len(fwdOff) - 1
	if n < 0 {
		return nil, corrupt("empty offset table")
	}
	g, err := graph.FromCSR(n, fwdOff, castSlice[graph.NodeID](raw[secFwdDst]), castSlice[graph.Label](raw[secFwdLab]),
		i32(raw[secRevOff]), castSlice[graph.NodeID](raw[secRevDst]), castSlice[graph.Label](raw[secRevLab]))
	if err != nil {
		return nil, corrupt("%v", err)
	}
	s.G = g
	if err := json.Unmarshal(raw[secStrings], &s.strs); err != nil || len(s.strs) == 0 {
		return nil, corrupt("string table unreadable")
	}
	if err := json.Unmarshal(raw[secInfo], &s.info); err != nil {
		return nil, corrupt("info section unreadable")
	}
	for _, a := range s.info.Aliases {
		if a[0] < 0 || int(a[0]) >= n || a[1] < 0 || int(a[1]) >= n {
			return nil, corrupt("alias out of range")
		}
		if s.aliasOf == nil {
			s.aliasOf = map[graph.NodeID]graph.NodeID{}
		}
		s.aliasOf[graph.NodeID(a[0])] = graph.NodeID(a[1])
	}
	// Node table consistency: every per-node array has n entries, names
	// are in bounds, order is a permutation, string indices are in range.
	if len(s.table) < n || len(s.table)&(len(s.table)-1) != 0 {
		return nil, corrupt("name table has %d slots for %d nodes", len(s.table), n)
	}
	for _, l := range []int{len(s.created), len(s.modified), len(s.downloads), len(s.downloadsAll), len(s.likes), len(s.library), len(s.pipeline), len(s.license), len(s.flags), len(s.formats)} {
		if l != n {
			return nil, corrupt("node table has %d entries for %d nodes", l, n)
		}
	}
	if len(s.nameOff) != n+1 || s.nameOff[0] != 0 || int(s.nameOff[n]) != len(s.names) {
		return nil, corrupt("name offsets inconsistent")
	}
	for v := 0; v < n; v++ {
		if s.nameOff[v+1] < s.nameOff[v] {
			return nil, corrupt("name offsets decrease at node %d", v)
		}
	}
	// Lookups compare the name of every node they probe, so a table entry
	// can at worst miss a model, never return a wrong one: checking the
	// bounds (and the count, cheaply) is enough.
	filled := 0
	for _, v := range s.table {
		if v >= 0 {
			filled++
		}
		if int(v) >= n || v < -1 {
			return nil, corrupt("name table holds an invalid node")
		}
	}
	if filled != n {
		return nil, corrupt("name table holds %d of %d nodes", filled, n)
	}
	// Hints: models in increasing order, offsets that rise to the blob's
	// end, and each model's hints decoding whole.
	if len(s.hintOff) != len(s.hintNodes)+1 || s.hintOff[0] != 0 || int(s.hintOff[len(s.hintNodes)]) != len(s.hintData) {
		return nil, corrupt("hint offsets inconsistent")
	}
	for i, v := range s.hintNodes {
		if v < 0 || int(v) >= n || i > 0 && v <= s.hintNodes[i-1] || s.hintOff[i+1] <= s.hintOff[i] ||
			!validHints(s.hintData[s.hintOff[i]:s.hintOff[i+1]]) {
			return nil, corrupt("hints of entry %d invalid", i)
		}
	}
	for _, t := range [][]uint16{s.library, s.pipeline, s.license} {
		for _, x := range t {
			if int(x) >= len(s.strs) {
				return nil, corrupt("string index out of range")
			}
		}
	}
	return s, nil
}

func castSlice[T any](b []byte) []T {
	var z T
	sz := int(unsafe.Sizeof(z))
	if len(b) == 0 {
		return []T{}
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), len(b)/sz)
}

// verifySections checks every section's CRC-32C, spreading the sections
// over the CPUs (largest first). It returns the 1-based number of a bad
// section, or 0.
func verifySections(raw [][]byte, sums []uint32) int {
	idx := make([]int, len(raw))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return len(raw[idx[a]]) > len(raw[idx[b]]) })
	// CRCs are per section: balance whole sections greedily across workers.
	workers := min(runtime.GOMAXPROCS(0), len(raw))
	load := make([]int, workers)
	assign := make([][]int, workers)
	for _, i := range idx {
		w := 0
		for j := range load {
			if load[j] < load[w] {
				w = j
			}
		}
		load[w] += len(raw[i])
		assign[w] = append(assign[w], i)
	}
	var bad atomic.Int32
	var wg sync.WaitGroup
	for _, list := range assign {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, i := range list {
				if crc32.Checksum(raw[i], castagnoli) != sums[i] {
					bad.CompareAndSwap(0, int32(i+1))
				}
			}
		}()
	}
	wg.Wait()
	return int(bad.Load())
}
