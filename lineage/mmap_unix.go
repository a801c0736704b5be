//go:build unix

package lineage

import (
	"os"
	"syscall"
)

// mapFile maps a file read-only into memory (pages come from the page
// cache; nothing is copied), until unmapFile (Store.Close).
func mapFile(f *os.File, size int64) ([]byte, bool) {
	if size <= 0 || int64(int(size)) != size {
		return nil, false
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED|mapPopulate)
	if err != nil {
		return nil, false
	}
	return data, true
}

func unmapFile(b []byte) error { return syscall.Munmap(b) }
