//go:build !unix

package lineage

import "os"

func mapFile(f *os.File, size int64) ([]byte, bool) { return nil, false }

func unmapFile([]byte) error { return nil }
