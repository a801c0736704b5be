//go:build !amd64 || purego

package modelid

// idSpecials has no vector version here: fastValidID checks byte by byte.
func idSpecials(string) (uint64, bool) { return 0, false }
