//go:build linux

package ingest

import (
	"bytes"
	"os"

	"golang.org/x/sys/unix"
)

// readMapped reads a JSON Lines file by mapping it instead of
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
func (r *reader) readMapped(f *os.File, name string) (handled bool, err error) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() <= 0 || int64(int(st.Size())) != st.Size() {
		return false, nil
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return false, nil
	}
	defer unix.Munmap(m)
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
			// CR-only line ends are read by the streamed reader, which
			// turns them into line ends.
			head := m[start:min(len(m), start+1<<16)]
			isLines = m[start] == '{' && !(bytes.IndexByte(head, '\r') >= 0 && bytes.IndexByte(head, '\n') < 0)
			return
		}
	})
	if err := probe.err(); err != nil {
		return true, err
	}
	if !isLines {
		return false, nil
	}
	unix.Madvise(m, unix.MADV_SEQUENTIAL)
	progress := r.opt.Progress
	if progress != nil {
		progress(int64(start))
	}
	page := os.Getpagesize()
	released := 0 // m[:released] has been given back
	done := func(end int) {
		if to := end &^ (page - 1); to-released >= 8<<20 {
			unix.Madvise(m[released:to], unix.MADV_DONTNEED)
			released = to
		}
	}
	pool := newChunkPool(4*r.workers + 4) // record slices only
	err = r.parseLines(name, pool, done, 1, func(send func(lineChunk) bool, failed func() bool) error {
		skip := newlines
		for pos := start; pos < len(m); {
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
				unix.Madvise(m[lo:end], unix.MADV_POPULATE_READ)
			}
			if !send(lineChunk{skip: skip, data: data, end: end}) {
				return nil
			}
			if progress != nil {
				progress(int64(len(data)))
			}
			skip = 0
			pos = end
		}
		return nil
	})
	return true, err
}
