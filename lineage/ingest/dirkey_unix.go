//go:build unix

package ingest

import (
	"io/fs"
	"syscall"
)

// dirKey identifies a directory however it is reached: its device and
// inode.
func dirKey(path string, st fs.FileInfo) any {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return [2]uint64{uint64(s.Dev), uint64(s.Ino)}
	}
	return path
}
