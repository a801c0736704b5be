//go:build amd64 && !purego

package ingest

// special returns the index of the first byte at or after start that ends or
// spoils a plain string ('"', '\\', a control character or non-ASCII), or
// len(b). It reads sixteen bytes at a time with SSE2 (part of every amd64
// CPU). Near the end of b it still reads a whole sixteen bytes when they
// cannot cross into another page, and ignores those past len(b); else it
// reads byte by byte. specialSWAR is the reference: a test holds the two
// equal on every start and length, with b ending at a page followed by
// unmapped memory.
//
// Requires 0 <= start <= len(b).
//
//go:noescape
func specialByte(b []byte, start int) int

func special(b []byte, start int) int { return specialByte(b, start) }
