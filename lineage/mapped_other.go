//go:build !unix

package lineage

import (
	"context"
	"os"
)

// readMappedJSONLines maps nothing here: the caller streams the file.
func readMappedJSONLines(ctx context.Context, f *os.File, name string, emit Emit) (handled bool, err error) {
	return false, nil
}
