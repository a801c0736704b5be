// Package modelid is the one place that says what a Hugging Face model id
// is: its normalised ORG/NAME form (Normalize), its case-insensitive key
// (Fold), the total order every output sorts ids by (Compare), and the
// problem kinds of values that cannot be ids. Hub ids are ASCII and
// compared without regard to ASCII letter case, as on the Hub.
//
// It imports nothing of ours and does no I/O, so the Hub client and the
// readers can share it without importing the rest of lineage. On amd64 an
// id of up to 64 bytes is checked sixteen bytes at a time with SSE2 (every
// amd64 CPU has it); a byte-by-byte check, held equal to it by tests and
// fuzzing, serves longer ids and every other architecture.
package modelid

import (
	"math/bits"
	"strings"
)

// Problem kinds Normalize returns for values that cannot be Hub ids (the
// same strings as lineage's diagnostic kinds of the same names).
const (
	Empty     = "empty_value"
	LocalPath = "local_path"
	HTML      = "html_residue"
	InvalidID = "invalid_id"
)

// Normalize reduces a model reference to the Hub's ORG/NAME form (or a
// legacy NAME without org), keeping its letter case. It strips surrounding
// whitespace and quotes, https://huggingface.co/ and hf.co/ prefixes, a
// trailing slash and /tree/REV, /blob/..., /resolve/... suffixes.
//
// It returns the id and "" when the value is a usable id; changed reports
// whether the input was in a URL, revision or padded form that had to be
// rewritten. When the value cannot be a Hub id it returns "" and the problem
// kind (Empty, LocalPath, HTML or InvalidID).
// Normalize is idempotent: normalising its output returns it unchanged.
func Normalize(raw string) (id string, changed bool, problem string) {
	if fastValidID(raw) {
		return raw, false, "" // the common case, without allocating
	}
	s := strings.TrimSpace(raw)
	s = strings.Trim(s, "'\"`")
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false, Empty
	}
	if strings.ContainsAny(s, "<>\"") || strings.Contains(s, "&quot;") || strings.Contains(s, "&lt;") {
		return "", false, HTML
	}
	if strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") || strings.HasPrefix(s, "~") ||
		strings.ContainsRune(s, '\\') || (len(s) > 1 && s[1] == ':') {
		return "", false, LocalPath
	}
	for _, p := range []string{"https://", "http://"} {
		if HasPrefixFold(s, p) {
			s = s[len(p):]
			break
		}
	}
	hub := false
	for _, p := range []string{"www.huggingface.co/", "huggingface.co/", "hf.co/"} {
		if HasPrefixFold(s, p) {
			s = s[len(p):]
			hub = true
			break
		}
	}
	if !hub && strings.HasPrefix(s, "/") {
		return "", false, LocalPath
	}
	if hub {
		// huggingface.co/models/ORG/NAME is not a form the Hub uses, but
		// huggingface.co/ORG/NAME?x=y#z is.
		if i := strings.IndexAny(s, "?#"); i >= 0 {
			s = s[:i]
		}
	}
	s = strings.Trim(s, "/")
	parts := strings.Split(s, "/")
	if hub && len(parts) > 2 && isRevisionWord(parts[1]) {
		parts = parts[:1] // a legacy id without org: hf.co/gpt2/tree/main
	}
	if len(parts) > 2 {
		switch strings.ToLower(parts[2]) {
		case "tree", "blob", "resolve", "raw", "commit", "discussions", "files":
			parts = parts[:2]
		default:
			if hub {
				return "", false, InvalidID
			}
			return "", false, LocalPath
		}
	}
	for _, p := range parts {
		if !validPart(p) {
			return "", false, InvalidID
		}
	}
	if len(parts) == 2 {
		// An org spelled as a Hub host (hf.co/hf.co/x) would be stripped
		// again by a second call: not an id, and keeps this idempotent.
		switch strings.ToLower(parts[0]) {
		case "hf.co", "huggingface.co", "www.huggingface.co":
			return "", false, InvalidID
		}
	}
	id = strings.Join(parts, "/")
	return id, id != raw, ""
}

// fastValidID reports whether s is already a normalised id: one or two
// valid parts separated by a single '/'.
//
// Where idSpecials has a vector version (amd64), it finds the bytes other
// than ASCII letters, digits and '_' of an id of up to 64 bytes at once, and
// only those (the separators, a few per id) are checked one by one; else,
// and for longer ids, validIDBytes checks byte by byte. A test holds the two
// equal.
func fastValidID(s string) bool {
	m, ok := idSpecials(s)
	if !ok {
		return validIDBytes(s)
	}
	if len(s) == 0 {
		return false
	}
	slash := false
	for ; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		switch c := s[i]; c {
		case '/':
			// Neither part empty: the parts' own ends are checked where
			// they are separators.
			if slash || i == 0 || i == len(s)-1 {
				return false
			}
			slash = true
		case '-', '.':
			// Not at either end of a part, not doubled.
			if i == 0 || i == len(s)-1 || s[i-1] == c || s[i-1] == '/' || s[i+1] == '/' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// validIDBytes is fastValidID byte by byte: the reference, and the path for
// ids over 64 bytes.
func validIDBytes(s string) bool {
	i := strings.IndexByte(s, '/')
	if i < 0 {
		return validPart(s)
	}
	return validPart(s[:i]) && validPart(s[i+1:])
}

// HasPrefixFold reports whether s starts with prefix, ignoring ASCII case;
// prefix must be lower case.
func HasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if Lower(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

// validPart reports whether p is a valid Hub namespace or repository name:
// 1..96 ASCII letters, digits, '-', '_' or '.', not starting or ending with
// '-' or '.', without "--" or "..".
func validPart(p string) bool {
	if len(p) == 0 || len(p) > 96 {
		return false
	}
	for i := 0; i < len(p); i++ {
		switch idByte[p[i]] {
		case idPlain:
		case idSep:
			c := p[i]
			if i == 0 || i == len(p)-1 || p[i-1] == c {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// idByte classifies the bytes of an id part for validPart.
var idByte = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
			t[c] = idPlain
		case c == '-' || c == '.':
			t[c] = idSep
		}
	}
	return t
}()

const (
	idInvalid = iota
	idPlain
	idSep
)

// Fold returns the case-folded key of a normalised id (ASCII lower case;
// Hub ids are ASCII). It does not allocate when id is already lower case.
func Fold(id string) string {
	for i := 0; i < len(id); i++ {
		if c := id[i]; c >= 'A' && c <= 'Z' {
			b := []byte(id)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return id
}

// Compare compares a and b case-insensitively (ASCII), then by bytes so
// that the order is total.
func Compare(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		x, y := Lower(a[i]), Lower(b[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// Lower lower-cases an ASCII capital and returns any other byte unchanged.
func Lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Salvage guesses the id a broken value meant: markup and quotes cut
// off, stray characters trimmed from the ends ("org/x\">...</a>" and
// "org/x~" give "org/x"). It reports false when no valid id remains or the
// value is a local path.
func Salvage(raw string) (string, bool) {
	s := raw
	if i := strings.IndexAny(s, "<>\"'"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	id, _, problem := Normalize(s)
	if problem != "" || !strings.Contains(id, "/") {
		return "", false
	}
	return id, true
}

func isRevisionWord(p string) bool {
	switch strings.ToLower(p) {
	case "tree", "blob", "resolve", "raw", "commit", "discussions", "files":
		return true
	}
	return false
}

// EqualFoldASCII compares b and s ignoring ASCII case, without converting
// either (it runs for every unknown key of every record).
func EqualFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		if Lower(b[i]) != Lower(s[i]) {
			return false
		}
	}
	return true
}
