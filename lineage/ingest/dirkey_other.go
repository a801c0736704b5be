//go:build !unix

package ingest

import (
	"io/fs"
	"path/filepath"
)

// dirKey identifies a directory however it is reached: its path with every
// link resolved.
func dirKey(path string, st fs.FileInfo) any {
	if p, err := filepath.EvalSymlinks(path); err == nil {
		return p
	}
	return path
}
