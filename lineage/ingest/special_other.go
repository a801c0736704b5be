//go:build !amd64 || purego

package ingest

// special is specialSWAR where there is no vector version.
func special(b []byte, start int) int { return specialSWAR(b, start) }
