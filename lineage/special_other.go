//go:build !amd64

package lineage

// special is specialSWAR where there is no vector version.
func special(b []byte, start int) int { return specialSWAR(b, start) }

// idSpecials has no vector version here: fastValidID checks byte by byte.
func idSpecials(string) (uint64, bool) { return 0, false }
