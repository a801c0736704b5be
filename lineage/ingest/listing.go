package ingest

import (
	"bytes"
	stdjson "encoding/json"
	"fmt"
	"strconv"

	json "github.com/goccy/go-json"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/hubapi"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// jsonRecord is one model of a Hub API listing, in the field names the Hub
// API and huggingface_hub use.
type jsonRecord struct {
	ID               string          `json:"id"`
	ModelID          string          `json:"modelId"`
	Author           string          `json:"author"`
	CreatedAt        flexString      `json:"createdAt"`
	CreatedAt2       flexString      `json:"created_at"`
	LastModified     flexString      `json:"lastModified"`
	LastModified2    flexString      `json:"last_modified"`
	Downloads        flexNum         `json:"downloads"` // preset to -1: absent stays -1
	DownloadsAllTime flexNum         `json:"downloadsAllTime"`
	Likes            flexNum         `json:"likes"`
	Library          string          `json:"library_name"`
	Pipeline         string          `json:"pipeline_tag"`
	Tags             lineageTags     `json:"tags"`
	Evidence         json.RawMessage `json:"lineageEvidence"`
	Aliases          json.RawMessage `json:"lineageAliases"`
	CardData         json.RawMessage `json:"cardData"`
	CardData2        json.RawMessage `json:"card_data"`
	BaseModels       json.RawMessage `json:"baseModels"`

	// Dates the fast scanner already parsed (the string field is then "").
	createdTS, created2TS, modifiedTS, modified2TS                 int64
	createdParsed, created2Parsed, modifiedParsed, modified2Parsed bool
}

// ParseListingRecord parses one JSON object of a Hub API listing. line is its
// line (JSON Lines) or element number (JSON array). It reports problems
// through diag and returns ok=false when the record cannot be used at all.
// It never panics on any input.
func ParseListingRecord(source string, line int, data []byte, diag func(lineage.Diagnostic)) (rec lineage.Record, ok bool) {
	ok = parseListing(&rec, source, line, data, false, false, nil, Limits{}.withDefaults(), diag)
	return rec, ok
}

// parseListing is ParseListingRecord; owned says data is never reused, so
// the record's strings may alias it; lean says only the graph is wanted
// (see withGraphOnly); ar (nil: none) holds the record's small slices.
func parseListing(rec *lineage.Record, source string, line int, data []byte, owned, lean bool, ar *lineage.Arena, lim Limits, diag func(lineage.Diagnostic)) (ok bool) {
	bad := func(value, detail string) {
		diag(lineage.Diagnostic{Kind: lineage.KindBadRecord, Source: source, Line: line, Value: value, Detail: detail})
	}
	if len(data) > lim.MaxRecordBytes {
		bad("", fmt.Sprintf("record is over the %d-byte limit; skipped", lim.MaxRecordBytes))
		return false
	}
	// j stays on the stack on the fast path; the general decoder gets a
	// record of its own (a value it decodes into escapes to the heap).
	j := jsonRecord{Downloads: -1, DownloadsAllTime: -1, Likes: -1}
	var pre lineage.CardMeta
	hasPre := false
	if scanListing(data, owned, lean, ar, &j, &pre, &hasPre) {
		return assembleListing(rec, source, line, &j, &pre, hasPre, ar, diag)
	}
	return parseListingGeneral(rec, source, line, data, lim, diag)
}

// parseListingGeneral decodes one listing record with the general decoder.
func parseListingGeneral(rec *lineage.Record, source string, line int, data []byte, lim Limits, diag func(lineage.Diagnostic)) (ok bool) {
	bad := func(value, detail string) {
		diag(lineage.Diagnostic{Kind: lineage.KindBadRecord, Source: source, Line: line, Value: value, Detail: detail})
	}
	j := &jsonRecord{Downloads: -1, DownloadsAllTime: -1, Likes: -1}
	if d := jsonDepth(data); d > lim.MaxDepth {
		bad("", fmt.Sprintf("record nests %d levels deep, over the limit of %d; skipped", d, lim.MaxDepth))
		return false
	}
	if !stdjson.Valid(data) {
		// goccy/go-json reads past the end of some truncated input (an
		// escape ending a key: {"\y\) and panics; only valid JSON reaches it.
		bad(snippet(data), fmt.Sprintf("invalid JSON: %v", stdjson.Unmarshal(data, new(stdjson.RawMessage))))
		return false
	}
	if err := json.Unmarshal(data, j); err != nil {
		bad(snippet(data), "invalid JSON: "+err.Error())
		return false
	}
	return assembleListing(rec, source, line, j, nil, false, nil, diag)
}

// parseListingSlow is ParseListingRecord without the fast scanner (for
// tests that compare the two paths).
func parseListingSlow(source string, line int, data []byte, diag func(lineage.Diagnostic)) (rec lineage.Record, ok bool) {
	ok = parseListingGeneral(&rec, source, line, data, Limits{}.withDefaults(), diag)
	return rec, ok
}

// assembleListing turns a decoded listing object into a Record through
// AssembleListing. pre is the already-scanned cardData when hasPre is set;
// otherwise j.CardData is decoded here.
func assembleListing(rec *lineage.Record, source string, line int, j *jsonRecord, pre *lineage.CardMeta, hasPre bool, ar *lineage.Arena, diag func(lineage.Diagnostic)) (ok bool) {
	l := lineage.Listing{ID: j.ID, Author: j.Author, Library: j.Library, Pipeline: j.Pipeline,
		Tags: j.Tags.kept, Formats: j.Tags.formats | lineage.FormatOf(j.Library),
		Downloads: number(j.Downloads), DownloadsAllTime: number(j.DownloadsAllTime), Likes: number(j.Likes)}
	if l.ID == "" {
		l.ID = j.ModelID
	}
	// The first spelling of a date wins when it is non-empty.
	date := func(a, b string, aTS, bTS int64, aOK, bOK bool) (int64, string) {
		if aOK {
			return aTS, ""
		}
		v := a
		if v == "" {
			if bOK {
				return bTS, ""
			}
			v = b
		}
		ts, ok := parseTime(v)
		if !ok {
			return 0, v
		}
		return ts, ""
	}
	l.Created, l.BadCreated = date(string(j.CreatedAt), string(j.CreatedAt2), j.createdTS, j.created2TS, j.createdParsed, j.created2Parsed)
	l.Modified, l.BadModified = date(string(j.LastModified), string(j.LastModified2), j.modifiedTS, j.modified2TS, j.modifiedParsed, j.modified2Parsed)
	bad := func(value, detail string) {
		diag(lineage.Diagnostic{Kind: lineage.KindBadRecord, Source: source, Line: line, Value: value, Detail: detail})
	}
	var card *lineage.CardMeta
	if hasPre {
		card = pre
	} else {
		cd, name := j.CardData, "cardData"
		if len(cd) == 0 || string(cd) == "null" {
			cd, name = j.CardData2, "card_data"
		}
		if len(cd) == 0 {
			// nothing to read (and no closure to make)
		} else if m, ok := cardDataMeta(cd, name, bad, dupKey(source, line, diag)); ok {
			card = &m // the general path: allocated only here
		}
	}
	if len(j.BaseModels) > 0 && string(j.BaseModels) != "null" {
		var bm hubapi.BaseModels
		if err := json.Unmarshal(j.BaseModels, &bm); err != nil {
			// The Hub also returns baseModels as a bare list of models.
			var list []hubapi.ModelRef
			if err2 := json.Unmarshal(j.BaseModels, &list); err2 != nil {
				bad("baseModels", "baseModels is not {relation, models}: "+err.Error())
			} else {
				bm.Models = append(bm.Models, list...)
			}
		}
		l.BaseModels = &bm
	}
	if len(j.Aliases) > 0 && string(j.Aliases) != "null" {
		var al []string
		if err := json.Unmarshal(j.Aliases, &al); err != nil {
			bad("lineageAliases", "lineageAliases is not a list of ids: "+err.Error())
		} else {
			l.Aliases = al
		}
	}
	if len(j.Evidence) > 0 && string(j.Evidence) != "null" {
		// A variable of its own: decoding into l's field would move l (and
		// the card data it points to) to the heap for every record.
		var ev []hubapi.FileFact
		if err := json.Unmarshal(j.Evidence, &ev); err != nil {
			bad("lineageEvidence", "lineageEvidence is not a list of {file, key, value}: "+err.Error())
		} else {
			l.Evidence = ev
		}
	}
	return lineage.AssembleListingInto(rec, source, line, &l, card, ar, diag)
}

// dupKey reports a key given twice in a record's card data.
func dupKey(source string, line int, diag func(lineage.Diagnostic)) func(value, detail string) {
	return func(value, detail string) {
		diag(lineage.Diagnostic{Kind: lineage.KindDuplicateKey, Source: source, Line: line, Value: value, Detail: detail})
	}
}

// cardDataMeta reads a listing's cardData (name says which spelling it
// came under): a JSON object, or YAML text as huggingface_hub writes
// card_data, reporting what it cannot read through bad. ok is false when
// there is no usable cardData.
func cardDataMeta(cd []byte, name string, bad, dup func(value, detail string)) (meta lineage.CardMeta, ok bool) {
	cd = bytes.TrimSpace(cd)
	if len(cd) == 0 || string(cd) == "null" {
		return meta, false
	}
	var m map[string]any
	switch cd[0] {
	case '{':
		if !stdjson.Valid(cd) {
			// goccy/go-json can read past the end of truncated input.
			bad(name, name+" is not valid JSON; ignored")
			return meta, false
		}
		if err := json.Unmarshal(cd, &m); err != nil {
			bad(name, name+" is not a JSON object: "+err.Error())
			return meta, false
		}
	case '"':
		var s string
		if err := json.Unmarshal(cd, &s); err != nil {
			bad(name, name+" is not a JSON string: "+err.Error())
			return meta, false
		}
		return cardTextMeta([]byte(s), name, bad, dup)
	default:
		bad(name, name+" is neither an object nor a YAML string; ignored")
		return meta, false
	}
	if m == nil {
		return meta, false
	}
	return lineage.CardMetaFromMap(m), true
}

// cardTextMeta reads card metadata given as YAML text (huggingface_hub's
// card_data, a parquet cardData string): the front matter of a whole card,
// or bare YAML.
func cardTextMeta(yml []byte, name string, bad, dup func(value, detail string)) (meta lineage.CardMeta, ok bool) {
	if y, _, found, _, _ := frontMatter(yml); found {
		yml = y
	}
	m, err := parseYAMLMap(yml, Limits{}.withDefaults(), func(key string, line int) {
		dup(key, name+" YAML gives "+key+" more than once; the last value is used (as huggingface_hub reads it)")
	})
	if err != nil {
		bad(name, name+" YAML: "+err.Error())
	}
	if m == nil {
		return meta, false
	}
	return lineage.CardMetaFromMap(m), true
}

func number(n flexNum) int64 {
	f := float64(n)
	if f < 0 || f != f || f > 1<<62 {
		return -1
	}
	return int64(f)
}

func snippet(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

// lineageTags decodes a listing's tags array keeping only the tags lineage
// reads (base_model:..., and peft/lora/adapter markers) and the format
// markers of all of them: Hub records carry a dozen other tags each, and
// allocating them dominates decoding.
type lineageTags struct {
	kept    []string
	formats lineage.Formats // the format markers of all the tags (see FormatOf)
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *lineageTags) UnmarshalJSON(data []byte) error {
	*t = lineageTags{}
	i := 0
	skipWS := func() {
		for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
			i++
		}
	}
	skipWS()
	if i < len(data) && data[i] == 'n' {
		return nil // null
	}
	if i >= len(data) || data[i] != '[' {
		return fmt.Errorf("tags: want an array of strings")
	}
	i++
	for {
		skipWS()
		if i < len(data) && data[i] == ']' {
			return nil
		}
		if i >= len(data) || data[i] != '"' {
			return fmt.Errorf("tags: want an array of strings")
		}
		start := i
		i++
		escaped := false
		for i < len(data) && data[i] != '"' {
			if data[i] == '\\' {
				escaped = true
				i++
			}
			i++
		}
		if i >= len(data) {
			return fmt.Errorf("tags: unterminated string")
		}
		i++
		raw := data[start+1 : i-1]
		t.formats |= lineage.FormatOf(raw)
		if keepTag(raw) {
			var s string
			if escaped {
				if err := json.Unmarshal(data[start:i], &s); err != nil {
					return fmt.Errorf("tags: %w", err)
				}
			} else {
				s = string(raw)
			}
			t.kept = append(t.kept, s)
		}
		skipWS()
		if i < len(data) && data[i] == ',' {
			i++
			continue
		}
		if i < len(data) && data[i] == ']' {
			return nil
		}
		return fmt.Errorf("tags: want , or ] after a tag")
	}
}

func keepTag(raw []byte) bool {
	if bytes.HasPrefix(raw, []byte("base_model:")) {
		return true
	}
	switch len(raw) {
	case 4:
		return modelid.EqualFoldASCII(raw, "peft") || modelid.EqualFoldASCII(raw, "lora")
	case 5:
		return modelid.EqualFoldASCII(raw, "qlora")
	case 7:
		return modelid.EqualFoldASCII(raw, "adapter")
	}
	return false
}

// jsonDepth returns the deepest nesting of arrays and objects in data,
// ignoring brackets inside strings.
func jsonDepth(data []byte) int {
	depth, best := 0, 0
	in := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if in {
			switch c {
			case '\\':
				i++
			case '"':
				in = false
			}
			continue
		}
		switch c {
		case '"':
			in = true
		case '[', '{':
			depth++
			best = max(best, depth)
		case ']', '}':
			depth--
		}
	}
	return best
}

// flexString is a JSON string that also accepts a number (unix seconds in
// a date field) or any other value as its raw text, so that one odd field
// is reported by its own check (e.g. "createdAt is not a date") instead of
// rejecting the whole record. null leaves it unchanged.
type flexString string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	default:
		*f = flexString(b)
	}
	return nil
}

// flexNum is a JSON number that also accepts a numeric string; any other
// value means unknown (-1). null leaves it unchanged.
type flexNum float64

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexNum) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	if b[0] == '"' {
		b = bytes.Trim(b, `"`)
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		*f = -1
		return nil
	}
	*f = flexNum(v)
	return nil
}
