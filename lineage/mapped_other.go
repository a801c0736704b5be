//go:build !linux

package lineage

import (
	"context"
	"os"
)

// readMappedJSONLines maps nothing here: the caller streams the file.
// (The mapped reader gives pages back with Linux's MADV_DONTNEED as it
// goes; without that the whole file would stay resident.)
func readMappedJSONLines(ctx context.Context, f *os.File, name string, emit Emit) (handled bool, err error) {
	return false, nil
}
