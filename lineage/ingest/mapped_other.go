//go:build !linux

package ingest

import (
	"os"
)

// readMapped maps nothing here: the caller streams the file.
// (The mapped reader gives pages back with Linux's MADV_DONTNEED as it
// goes; without that the whole file would stay resident.)
func (r *reader) readMapped(f *os.File, name string) (handled bool, err error) {
	return false, nil
}
