package synth

import (
	"strconv"
	"time"

	"github.com/lineage-project/lineage/lineage/hubapi"
)

// The JSON keys of a record, with the punctuation before each value.
var (
	keyID        = `{"` + hubapi.FieldID.Name() + `":`
	keyAuthor    = key(hubapi.FieldAuthor)
	keyCreated   = key(hubapi.FieldCreatedAt)
	keyModified  = key(hubapi.FieldLastModified)
	keyDownloads = key(hubapi.FieldDownloads)
	keyAllTime   = key(hubapi.FieldDownloadsAllTime)
	keyLikes     = key(hubapi.FieldLikes)
	keyTrending  = key(hubapi.FieldTrendingScore)
	keyLibrary   = key(hubapi.FieldLibrary)
	keyPipeline  = key(hubapi.FieldPipeline)
	keyGated     = key(hubapi.FieldGated)
	keyTags      = key(hubapi.FieldTags) + "["
	keyCardData  = key(hubapi.FieldCardData) + "{"
	keyTotal     = key(hubapi.FieldSafetensors) + `{"total":`
)

func key(f hubapi.Field) string { return `,"` + f.Name() + `":` }

// appendRecord appends m as one JSON line in the Hub API's shape.
func (g *gen) appendRecord(b []byte, m *model) []byte {
	b = append(b, keyID...)
	b = appendStr(b, m.id)
	b = append(b, keyAuthor...)
	b = appendStr(b, m.author)
	b = append(b, keyCreated...)
	b = appendTime(b, m.created)
	b = append(b, keyModified...)
	b = appendTime(b, m.modified)
	b = append(b, keyDownloads...)
	b = strconv.AppendInt(b, int64(m.downloads), 10)
	b = append(b, keyAllTime...)
	b = strconv.AppendInt(b, int64(m.downloadsAll), 10)
	b = append(b, keyLikes...)
	b = strconv.AppendInt(b, int64(m.likes), 10)
	b = append(b, keyTrending...)
	b = strconv.AppendInt(b, int64(m.trending), 10)
	if m.lib != "" {
		b = append(b, keyLibrary...)
		b = appendStr(b, m.lib)
	}
	if m.pipe != "" {
		b = append(b, keyPipeline...)
		b = appendStr(b, m.pipe)
	}
	if m.gated != "" { // the API's false is left out
		b = append(b, keyGated...)
		b = appendStr(b, m.gated)
	}
	b = append(b, keyTags...)
	for i, t := range m.tags {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendStr(b, t)
	}
	b = append(b, ']')
	if m.card {
		b = append(b, keyCardData...)
		b = appendCard(b, m)
		b = append(b, '}')
	}
	if m.params > 0 {
		b = append(b, keyTotal...)
		b = strconv.AppendInt(b, m.params, 10)
		b = append(b, '}')
	}
	return append(b, "}\n"...)
}

// appendCard appends the members of m's cardData object (model-card keys,
// not Hub API fields).
func appendCard(b []byte, m *model) []byte {
	comma := false
	if m.cardBase {
		b = append(b, `"base_model":`...)
		if m.cardList {
			b = append(b, '[')
		}
		for i, p := range m.parents {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendStr(b, p.id)
		}
		if m.self {
			if len(m.parents) > 0 {
				b = append(b, ',')
			}
			b = appendStr(b, m.id)
		}
		if m.cardList {
			b = append(b, ']')
		}
		comma = true
		if m.cardRel {
			b = append(b, `,"base_model_relation":`...)
			b = appendStr(b, RelationNames[m.rel])
		}
	}
	if m.license != "" {
		if comma {
			b = append(b, ',')
		}
		b = append(b, `"license":`...)
		b = appendStr(b, m.license)
		comma = true
	}
	if m.lang != "" {
		if comma {
			b = append(b, ',')
		}
		b = append(b, `"language":[`...)
		b = appendStr(b, m.lang)
		b = append(b, ']')
	}
	return b
}

func appendTime(b []byte, t int64) []byte {
	b = append(b, '"')
	b = time.Unix(t, 0).UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	return append(b, '"')
}

// appendStr appends s as a JSON string.
func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
