//go:build linux

package lineage

import (
	"bytes"
	"context"
	"os"
	"runtime"
	"syscall"
	"unsafe"
)

// madvPopulateRead is MADV_POPULATE_READ (not in package syscall).
const madvPopulateRead = 22

// readMappedJSONLines reads a JSON Lines file by mapping it instead of
// copying it into buffers: the page cache is read in place (at Hub scale
// the copy was a twentieth of the build's CPU). Pages are given back
// (MADV_DONTNEED) as their records are delivered, so the process holds a
// few megabytes of the file at a time, not the whole file. It is used only
// for a Builder's input (records alias the mapping, which is gone when
// this returns; the Builder copies what it keeps) and only when no digest
// is wanted. A file truncated while it is read is an error, not a crash
// (see faultLog).
//
// handled is false, with nothing read, when f is not a regular, non-empty,
// uncompressed JSON Lines file (a JSON array, gzip, anything odd): the
// caller then reads it as a stream, with that path's messages.
func readMappedJSONLines(ctx context.Context, f *os.File, name string, emit Emit) (handled bool, err error) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() <= 0 || int64(int(st.Size())) != st.Size() {
		return false, nil
	}
	m, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return false, nil
	}
	defer syscall.Munmap(m)
	// What the stream reader skips before the first record: blank lines
	// (counted, for line numbers) and a byte-order mark.
	start, newlines, isLines := 0, 0, false
	var probe faultLog
	probe.guard(func() {
		if len(m) >= 2 && m[0] == 0x1f && m[1] == 0x8b {
			return // gzip
		}
		for start < len(m) {
			switch c := m[start]; {
			case c == ' ' || c == '\t' || c == '\r' || c == '\n':
				if c == '\n' {
					newlines++
				}
				start++
				continue
			case c == 0xef && bytes.HasPrefix(m[start:], []byte("\xef\xbb\xbf")):
				start += 3
				continue
			}
			isLines = m[start] == '{'
			return
		}
	})
	if err := probe.err(name); err != nil {
		return true, err
	}
	if !isLines {
		return false, nil
	}
	syscall.Madvise(m, syscall.MADV_SEQUENTIAL)
	progress := progressOf(ctx)
	if progress != nil {
		progress(int64(start))
	}
	page := os.Getpagesize()
	released := 0 // m[:released] has been given back
	done := func(end int) {
		if to := end &^ (page - 1); to-released >= 8<<20 {
			syscall.Madvise(m[released:to], syscall.MADV_DONTNEED)
			released = to
		}
	}
	pool := newChunkPool(4*runtime.GOMAXPROCS(0) + 4) // record slices only
	err = parseLines(ctx, name, emit, pool, done, func(chunks chan<- lineChunk, failed func() bool) error {
		seq, skip := 0, newlines
		for pos := start; pos < len(m); {
			if err := ctx.Err(); err != nil {
				return err
			}
			if failed() {
				return nil
			}
			end := min(pos+chunkSize, len(m))
			if end < len(m) {
				if i := bytes.IndexByte(m[end:], '\n'); i >= 0 {
					end += i + 1
				} else {
					end = len(m)
				}
			}
			data := m[pos:end]
			// Map the chunk's pages in one call here, ahead of the
			// workers, instead of a fault per sixteen pages in them
			// (MADV_POPULATE_READ, Linux 5.14; older kernels refuse it
			// and the pages fault in as before; a file cut short makes it
			// fail, and the worker's read then reports it).
			if lo := pos &^ (page - 1); end > lo {
				syscall.Syscall(syscall.SYS_MADVISE, uintptr(unsafe.Pointer(&m[lo])), uintptr(end-lo), madvPopulateRead)
			}
			chunks <- lineChunk{seq: seq, skip: skip, data: data, end: end}
			if progress != nil {
				progress(int64(len(data)))
			}
			seq, skip = seq+1, 0
			pos = end
		}
		return nil
	})
	return true, err
}
