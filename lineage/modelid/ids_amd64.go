//go:build amd64 && !purego

package modelid

// idSpecials returns a mask with bit i set when s[i] is not an ASCII
// letter, digit or '_', for an s of at most 64 bytes; ok is false for a
// longer s, or when its last sixteen-byte block would be read across a page
// boundary past its end (then the caller checks byte by byte).
//
//go:noescape
func idSpecials(s string) (mask uint64, ok bool)
