package ingest

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	json "github.com/goccy/go-json"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// A Hub listing record is a flat JSON object of a dozen known fields. At Hub
// scale (two million records) a general JSON decoder spends most of its time
// building values lineage then throws away (a dozen tags per record, nested
// card data). scanListing is a single-pass scanner for the common shape: it
// reads only the fields lineage keeps, skips everything else without
// allocating, and gives up (returns false) on anything unusual — an escaped
// string where a value is kept, an unexpected type, malformed JSON — in
// which case the caller decodes the record with the general decoder. Both
// paths feed the same assembly code, so they cannot disagree on meaning;
// a test checks that they produce identical records.

// scanner walks one JSON document.
type scanner struct {
	b []byte
	i int
	// owned says the input buffer is never modified or reused, so kept
	// strings may alias it instead of being copied (the buffer then lives
	// as long as any of them).
	owned bool
	// lean: only the graph is wanted (see withGraphOnly).
	lean bool
	// ar, when not nil, holds the string lists kept (see Arena).
	ar *lineage.Arena
}

// text returns v as a string: aliasing the input when it is owned, else a copy.
func (s *scanner) text(v []byte) string {
	if s.owned && len(v) > 0 {
		return unsafe.String(&v[0], len(v))
	}
	return string(v)
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// atEnd reports whether only white space remains (a NUL byte is not the end).
func (s *scanner) atEnd() bool {
	s.ws()
	return s.i >= len(s.b)
}

func (s *scanner) eat(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

// plain marks the bytes a kept string may hold on the fast path: printable
// ASCII other than '"' and '\\' (escapes, control characters and non-ASCII
// text go to the general decoder).
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str reads a string without escapes and returns its bytes (aliasing the
// input). ok is false for an escaped, non-ASCII or malformed string.
//
// special finds the first byte that ends or spoils a plain string ('"',
// '\\', a control character or non-ASCII) several bytes at a time: one
// pass, where a search for the closing quote and a check of the bytes
// before it would be two (strings here are short, so per-call cost
// dominates).
func (s *scanner) str() ([]byte, bool) {
	if s.peek() != '"' {
		return nil, false
	}
	end := special(s.b, s.i+1)
	if end >= len(s.b) || s.b[end] != '"' {
		return nil, false
	}
	v := s.b[s.i+1 : end]
	s.i = end + 1
	return v, true
}

// specialSWAR returns the index of the first byte at or after start that
// ends or spoils a plain string, or len(b): eight bytes at a time.
func specialSWAR(b []byte, start int) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	i := start
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		q := x ^ ('"' * lo)
		e := x ^ ('\\' * lo)
		// Each term flags its lowest matching byte exactly (borrows only
		// spoil bytes above a match), so the lowest flag is the first
		// special byte.
		m := (x | (x - 0x20*lo) | ((q - lo) &^ q) | ((e - lo) &^ e)) & hi
		if m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if !plain[b[i]] {
			return i
		}
	}
	return len(b)
}

// mayKeepTag is false for most tags that keepTag rejects and FormatOf
// knows nothing of, and true for every tag either of them reads (a test
// holds it to that): the usual tag is settled without a call, being
// neither a base_model tag nor of the length of a kept or format tag.
func mayKeepTag(v []byte) bool {
	const lengths = 1<<3 | 1<<4 | 1<<5 | 1<<7 | 1<<8 | 1<<9 | 1<<12 | 1<<18
	return len(v) >= 11 && v[0] == 'b' || len(v) < 64 && lengths>>len(v)&1 != 0
}

// tagList reads the tags field: strList(keepTag), with the array case in
// one loop (a dozen tags per record, each otherwise three calls).
func (s *scanner) tagList() (out []string, formats lineage.Formats, ok bool) {
	if s.peek() != '[' {
		out, _, ok = s.strList(func(v []byte) bool {
			formats |= lineage.FormatOf(v)
			return keepTag(v)
		})
		return out, formats, ok
	}
	b := s.b
	i := s.i + 1
	first := true
	for {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
			i++
		}
		if i >= len(b) {
			return nil, 0, false
		}
		if first && b[i] == ']' {
			s.i = i + 1
			return out, formats, true
		}
		first = false
		if b[i] != '"' {
			return nil, 0, false
		}
		end := special(b, i+1)
		if end >= len(b) || b[end] != '"' {
			return nil, 0, false
		}
		if v := b[i+1 : end]; mayKeepTag(v) {
			formats |= lineage.FormatOf(v)
			if keepTag(v) {
				out = s.add(out, s.text(v))
			}
		}
		i = end + 1
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
			i++
		}
		if i >= len(b) {
			return nil, 0, false
		}
		switch b[i] {
		case ',':
			i++
		case ']':
			s.i = i + 1
			return out, formats, true
		default:
			return nil, 0, false
		}
	}
}

// skipStr skips a string, escapes allowed.
func (s *scanner) skipStr() bool {
	if s.peek() != '"' {
		return false
	}
	i := s.i + 1
	for i < len(s.b) {
		switch c := s.b[i]; {
		case c == '\\':
			if i+1 >= len(s.b) {
				return false
			}
			switch s.b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s.b) {
					return false
				}
				for _, h := range s.b[i+2 : i+6] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return false
					}
				}
				i += 6
			default:
				return false
			}
			continue
		case c == '"':
			s.i = i + 1
			return true
		case c < 0x20:
			return false
		}
		i++
	}
	return false
}

// skip skips any JSON value.
func (s *scanner) skip(depth int) bool {
	if depth > DefaultMaxDepth {
		return false
	}
	switch s.peek() {
	case '"':
		return s.skipStr()
	case '{':
		s.i++
		if s.eat('}') {
			return true
		}
		for {
			if !s.skipStr() || !s.eat(':') || !s.skip(depth+1) {
				return false
			}
			if s.eat(',') {
				continue
			}
			return s.eat('}')
		}
	case '[':
		s.i++
		if s.eat(']') {
			return true
		}
		for {
			if !s.skip(depth + 1) {
				return false
			}
			if s.eat(',') {
				continue
			}
			return s.eat(']')
		}
	case 't':
		return s.lit("true")
	case 'f':
		return s.lit("false")
	case 'n':
		return s.lit("null")
	default:
		return s.skipNumber()
	}
}

// skipNumber skips a number in strict JSON grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) skipNumber() bool {
	b, i := s.b, s.i
	digits := func() bool {
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if !digits() {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	s.i = i
	return true
}

func (s *scanner) lit(w string) bool {
	if s.i+len(w) <= len(s.b) && string(s.b[s.i:s.i+len(w)]) == w {
		s.i += len(w)
		return true
	}
	return false
}

// num reads a non-negative integer or null (-1). Other numbers give up.
func (s *scanner) num() (float64, bool) {
	if s.peek() == 'n' {
		return -1, s.lit("null")
	}
	var n float64
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		n = n*10 + float64(s.b[s.i]-'0')
		s.i++
	}
	if s.i == start || s.i-start > 15 {
		return 0, false
	}
	if s.i < len(s.b) {
		switch s.b[s.i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	return n, true
}

// optStr reads a string or null ("").
func (s *scanner) optStr() ([]byte, bool) {
	if s.peek() == 'n' {
		return nil, s.lit("null")
	}
	return s.str()
}

// add appends v to list, a list this scanner builds one string at a time:
// in the arena when there is one (the list is then always the arena's last
// strings: lists are built one after another), else in an array of its own
// of four for the usual few.
func (s *scanner) add(list []string, v string) []string {
	if a := s.ar; a != nil {
		a.AppendStr(v)
		return a.StrList(a.Len() - len(list) - 1)
	}
	if list == nil {
		list = make([]string, 0, 4)
	}
	return append(list, v)
}

// strList reads a string, a list of strings, or null; present is false for
// null. Anything else gives up.
func (s *scanner) strList(keep func([]byte) bool) (out []string, present bool, ok bool) {
	switch s.peek() {
	case 'n':
		return nil, false, s.lit("null")
	case '"':
		v, ok := s.str()
		if !ok {
			return nil, false, false
		}
		return s.add(nil, s.text(v)), true, true
	case '[':
		s.i++
		if s.eat(']') {
			return nil, true, true
		}
		for {
			v, ok := s.str()
			if !ok {
				return nil, false, false
			}
			if keep == nil || keep(v) {
				out = s.add(out, s.text(v))
			}
			if s.eat(',') {
				continue
			}
			return out, true, s.eat(']')
		}
	}
	return nil, false, false
}

// firstStr reads what strList reads and returns only its first string
// (CardMetaFromMap keeps only that), without building the list.
func (s *scanner) firstStr() (first []byte, ok bool) {
	switch s.peek() {
	case 'n':
		return nil, s.lit("null")
	case '"':
		return s.str()
	case '[':
		s.i++
		if s.eat(']') {
			return nil, true
		}
		for n := 0; ; n++ {
			v, ok := s.str()
			if !ok {
				return nil, false
			}
			if n == 0 {
				first = v
			}
			if s.eat(',') {
				continue
			}
			return first, s.eat(']')
		}
	}
	return nil, false
}

// interned holds the few distinct values of library_name, pipeline_tag
// and license, so two million records share them instead of allocating
// each. Readers load an immutable snapshot (no lock, no contention between
// decoding workers); a miss copies it under a lock. A snapshot answers most
// lookups from a small direct-mapped array indexed by a cheap hash of the
// bytes (one compare), and the rest from its map.
type internTable struct {
	m     map[string]string
	quick [512]string
}

func quickSlot(b []byte) int {
	n := len(b)
	return (n*31 + int(b[0])*7 + int(b[n-1])*3 + int(b[n/2])) & 511
}

var (
	internSnap atomic.Pointer[internTable]
	internMu   sync.Mutex
)

func intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if t := internSnap.Load(); t != nil {
		if q := t.quick[quickSlot(b)]; q == string(b) {
			return q
		}
		if s, ok := t.m[string(b)]; ok {
			return s
		}
	}
	if len(b) > 64 {
		return string(b) // not a vocabulary word; don't grow the table
	}
	internMu.Lock()
	defer internMu.Unlock()
	old := internSnap.Load()
	if old != nil {
		if s, ok := old.m[string(b)]; ok {
			return s
		}
		if len(old.m) >= 4096 {
			return string(b)
		}
	}
	t := &internTable{m: make(map[string]string, 1)}
	if old != nil {
		t.m = make(map[string]string, len(old.m)+1)
		t.quick = old.quick
		for k, v := range old.m {
			t.m[k] = v
		}
	}
	s := string(b)
	t.m[s] = s
	if i := quickSlot(b); t.quick[i] == "" {
		t.quick[i] = s
	}
	internSnap.Store(t)
	return s
}

// listingKeys are the JSON field names of jsonRecord: the keys the
// general decoder reads, which the scanner must either read the same way
// or leave (with the whole record) to it.
var listingKeys = func() []string {
	var out []string
	t := reflect.TypeOf(jsonRecord{})
	for i := 0; i < t.NumField(); i++ {
		if k, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); k != "" && k != "-" {
			out = append(out, k)
		}
	}
	return out
}()

// scanListing fills j (and meta, when the record has an object cardData)
// from data. It returns false when the record must go to the general
// decoder instead.
func scanListing(data []byte, owned, lean bool, ar *lineage.Arena, j *jsonRecord, meta *lineage.CardMeta, hasMeta *bool) bool {
	s := scanner{b: data, owned: owned, lean: lean, ar: ar}
	fromCardData := new(bool)
	if !s.eat('{') {
		return false
	}
	if s.eat('}') {
		return s.atEnd()
	}
	for {
		key, ok := s.str()
		if !ok || !s.eat(':') {
			return false
		}
		var v []byte
		switch string(key) {
		case "id":
			if v, ok = s.optStr(); !ok {
				return false
			}
			j.ID = s.text(v)
		case "modelId":
			if v, ok = s.optStr(); !ok {
				return false
			}
			j.ModelID = s.text(v)
		case "author":
			if v, ok = s.optStr(); !ok {
				return false
			}
			j.Author = s.text(v)
		case "createdAt", "created_at", "lastModified", "last_modified":
			if v, ok = s.optStr(); !ok {
				return false
			}
			// The Hub's own date form is parsed here, without making a
			// string; anything else is kept for the general date parser.
			var str string
			ts, parsed := int64(0), false
			if len(v) > 0 {
				if s.lean {
					parsed = hubTimeValid(unsafe.String(&v[0], len(v))) // checked, not converted
				} else {
					ts, parsed = parseHubTime(unsafe.String(&v[0], len(v)))
				}
			}
			if !parsed {
				str = s.text(v)
			}
			switch string(key) {
			case "createdAt":
				j.CreatedAt, j.createdTS, j.createdParsed = flexString(str), ts, parsed
			case "created_at":
				j.CreatedAt2, j.created2TS, j.created2Parsed = flexString(str), ts, parsed
			case "lastModified":
				j.LastModified, j.modifiedTS, j.modifiedParsed = flexString(str), ts, parsed
			default:
				j.LastModified2, j.modified2TS, j.modified2Parsed = flexString(str), ts, parsed
			}
		case "downloads", "downloadsAllTime", "likes":
			n, ok := s.num()
			if !ok {
				return false
			}
			switch string(key) {
			case "downloads":
				j.Downloads = flexNum(n)
			case "downloadsAllTime":
				j.DownloadsAllTime = flexNum(n)
			default:
				j.Likes = flexNum(n)
			}
		case "library_name", "pipeline_tag":
			if v, ok = s.optStr(); !ok {
				return false
			}
			switch {
			case s.lean && s.owned:
				// Read (library_name can make a relation) while the record
				// lives; nothing keeps them.
				if string(key) == "library_name" {
					j.Library = s.text(v)
				} else {
					j.Pipeline = s.text(v)
				}
			case string(key) == "library_name":
				j.Library = intern(v)
			default:
				j.Pipeline = intern(v)
			}
		case "tags":
			tags, formats, ok := s.tagList()
			if !ok {
				return false
			}
			j.Tags = lineageTags{tags, formats}
		case "cardData", "card_data":
			// The general path uses cardData, and card_data only when
			// cardData is absent or null.
			if string(key) == "card_data" && *fromCardData {
				if !s.skip(0) {
					return false
				}
				break
			}
			switch s.peek() {
			case '{':
				*meta = lineage.CardMeta{}
				if !scanCardData(&s, meta) {
					return false
				}
				*hasMeta = true
				*fromCardData = string(key) == "cardData"
			case 'n':
				if !s.lit("null") {
					return false
				}
				if string(key) == "cardData" {
					// a null cardData after an object one: general path
					if *fromCardData {
						return false
					}
				}
			default:
				return false // a YAML string or something odd: general path
			}
		case "baseModels", "lineageEvidence", "lineageAliases":
			// Rare or small: kept raw for the general decoder of the field.
			start := s.i
			if !s.skip(0) {
				return false
			}
			raw := data[start:s.i]
			if string(bytes.TrimSpace(raw)) != "null" {
				switch string(key) {
				case "baseModels":
					j.BaseModels = json.RawMessage(raw)
				case "lineageEvidence":
					j.Evidence = json.RawMessage(raw)
				default:
					j.Aliases = json.RawMessage(raw)
				}
			}
		default:
			// The general decoder matches field names case-insensitively;
			// leave such records to it.
			for _, k := range listingKeys {
				if modelid.EqualFoldASCII(key, k) {
					return false
				}
			}
			if !s.skip(0) {
				return false
			}
		}
		if s.eat(',') {
			continue
		}
		if !s.eat('}') {
			return false
		}
		return s.atEnd()
	}
}

// scanCardData reads the keys of a cardData object that CardMetaFromMap reads,
// with the same meaning, skipping the rest.
func scanCardData(s *scanner, c *lineage.CardMeta) bool {
	if !s.eat('{') {
		return false
	}
	if s.eat('}') {
		return true
	}
	for {
		key, ok := s.str()
		if !ok || !s.eat(':') {
			return false
		}
		switch string(key) {
		case "base_model":
			// CardMetaFromMap: present (even null) sets hasBaseModel.
			l, _, ok := s.strList(nil)
			if !ok {
				return false
			}
			c.HasBaseModel, c.BaseModel, c.Bad = true, l, nil
		case "finetuned_from":
			l, _, ok := s.strList(nil)
			if !ok {
				return false
			}
			c.FinetunedFrom = l
		case "base_model_relation":
			if s.peek() == 'n' {
				if !s.lit("null") {
					return false
				}
				c.HasRelation, c.Relation = false, ""
				break
			}
			v, ok := s.str()
			if !ok {
				return false
			}
			c.HasRelation, c.Relation = true, s.text(v)
		case "license", "pipeline_tag", "library_name":
			v, ok := s.firstStr()
			if !ok {
				return false
			}
			first := intern(v)
			switch string(key) {
			case "license":
				c.License = first
			case "pipeline_tag":
				c.Pipeline = first
			default:
				c.Library = first
			}
		case "tags", "language":
			l, _, ok := s.strList(nil)
			if !ok {
				return false
			}
			if string(key) == "tags" {
				c.Tags = l
			} else {
				c.Languages = l
			}
		default:
			if !s.skip(1) {
				return false
			}
		}
		if s.eat(',') {
			continue
		}
		return s.eat('}')
	}
}
