package lineage

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Limits applied to every input so that hostile or broken files cannot
// exhaust memory; each violation is reported and the rest of the input read.
const (
	MaxRecordBytes      = 16 << 20 // one JSON record or line
	MaxFrontMatterBytes = 1 << 20  // one card's YAML front matter
	maxYAMLDepth        = 64
)

// frontMatter extracts the YAML front matter of a model card. It accepts a
// UTF-8 BOM, CRLF line endings and blank lines before the opening "---".
// When the closing "---" is missing it takes the lines up to the first
// Markdown heading or HTML line and reports closed=false. firstLine is the
// 1-based line number of the first YAML line. found is false when the card
// has no front matter.
func frontMatter(data []byte) (yml []byte, firstLine int, found, closed bool) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	line := 1
	// Skip leading blank lines.
	for {
		i := bytes.IndexByte(data, '\n')
		var l []byte
		if i < 0 {
			l = data
		} else {
			l = data[:i]
		}
		if len(bytes.TrimSpace(l)) != 0 {
			break
		}
		if i < 0 {
			return nil, 0, false, false
		}
		data = data[i+1:]
		line++
	}
	first, rest, _ := bytes.Cut(data, []byte("\n"))
	if string(bytes.TrimRight(first, " \t\r")) != "---" {
		return nil, 0, false, false
	}
	firstLine = line + 1
	body := rest
	off := 0
	for off <= len(body) {
		i := bytes.IndexByte(body[off:], '\n')
		var l []byte
		if i < 0 {
			l = body[off:]
		} else {
			l = body[off : off+i]
		}
		t := bytes.TrimRight(l, " \t\r")
		if string(t) == "---" || string(t) == "..." {
			return bytes.ReplaceAll(body[:off], []byte("\r\n"), []byte("\n")), firstLine, true, true
		}
		if i < 0 {
			break
		}
		off += i + 1
	}
	// No closing delimiter: stop at the first Markdown heading or HTML line.
	off = 0
	for off < len(body) {
		i := bytes.IndexByte(body[off:], '\n')
		var l []byte
		if i < 0 {
			l = body[off:]
		} else {
			l = body[off : off+i]
		}
		if len(l) > 0 && (l[0] == '#' || l[0] == '<') {
			break
		}
		if i < 0 {
			off = len(body)
			break
		}
		off += i + 1
	}
	return bytes.ReplaceAll(body[:off], []byte("\r\n"), []byte("\n")), firstLine, true, false
}

// parseYAMLMap decodes a YAML mapping with the limits applied: size, nesting
// depth (alias expansion bombs are refused by the YAML library itself).
func parseYAMLMap(yml []byte) (map[string]any, error) {
	if len(yml) > MaxFrontMatterBytes {
		return nil, fmt.Errorf("front matter is %d bytes, over the %d-byte limit", len(yml), MaxFrontMatterBytes)
	}
	if !utf8.Valid(yml) {
		return nil, fmt.Errorf("front matter is not valid UTF-8")
	}
	var node yaml.Node
	if err := yaml.Unmarshal(yml, &node); err != nil {
		return nil, err
	}
	if len(node.Content) == 0 {
		return map[string]any{}, nil
	}
	if d := yamlDepth(&node, 0); d > maxYAMLDepth {
		return nil, fmt.Errorf("front matter nests %d levels deep, over the limit of %d", d, maxYAMLDepth)
	}
	root := node.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("front matter is a %s, not a mapping of keys", yamlKind(root.Kind))
	}
	m := map[string]any{}
	if err := root.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

func yamlDepth(n *yaml.Node, d int) int {
	if d > maxYAMLDepth {
		return d
	}
	best := d
	for _, c := range n.Content {
		if x := yamlDepth(c, d+1); x > best {
			best = x
		}
	}
	return best
}

func yamlKind(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar"
	case yaml.AliasNode:
		return "alias"
	}
	return "document"
}

// ParseCard parses one model card for model id, read from source (used in
// messages). It returns the record (with ok=false when the card states
// nothing usable, e.g. no front matter) and the diagnostics found. It never
// panics on any input.
func ParseCard(id, source string, data []byte, diag func(Diagnostic)) (rec Record, ok bool) {
	rec = Record{ID: id, Kind: KindCard, Source: source, Line: 1, Downloads: -1, DownloadsAllTime: -1, Likes: -1}
	yml, first, found, closed := frontMatter(data)
	if !found {
		// A card without front matter still names a model that exists.
		return rec, true
	}
	rec.Line = first
	if !closed {
		diag(Diagnostic{Kind: KindBadRecord, Source: source, Line: first - 1, ID: id, Detail: "front matter has no closing ---; add a line --- after the YAML"})
	}
	m, err := parseYAMLMap(yml)
	if err != nil {
		line := first
		// The YAML parser counts lines from the front matter's first line.
		if _, after, ok := strings.Cut(err.Error(), "line "); ok {
			digits := after[:len(after)-len(strings.TrimLeft(after, "0123456789"))]
			if n, e := strconv.Atoi(digits); e == nil && n > 0 && n < 1<<20 {
				line = first + n - 1
			}
		}
		diag(Diagnostic{Kind: KindBadRecord, Source: source, Line: line, ID: id, Detail: fmt.Sprintf("parse card %s: %v", id, err)})
		return rec, true
	}
	meta := CardMetaFromMap(m)
	rec.License, rec.Pipeline, rec.Library = meta.License, meta.Pipeline, meta.Library
	rec.Tags, rec.Languages = meta.Tags, meta.Languages
	rec.Formats = FormatOf(meta.Library)
	for _, t := range meta.Tags {
		rec.Formats |= FormatOf(t)
	}
	rec.ResolveParents(Statement{Card: &meta, CardOrigin: "front matter"}, diag)
	return rec, true
}
