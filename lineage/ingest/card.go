package ingest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/hubapi"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// Model cards: README.md files whose YAML front matter states lineage
// (base_model, base_model_relation, the legacy finetuned_from), and whose
// body may hold hints of it (mergekit configurations, training
// configurations, "fine-tuned version of [X](https://huggingface.co/X)"
// links). A card is read only up to Limits.MaxCardBytes, never whole.

// readCards parses cards in parallel, a bounded read each, and delivers
// them in path order. A card that cannot be opened or read is a
// skipped_input problem; the others are read.
func (r *reader) readCards(cards []cardFile) {
	if len(cards) == 0 {
		return
	}
	slices.SortStableFunc(cards, func(a, b cardFile) int { return strings.Compare(a.path, b.path) })
	type job struct{ cards []cardFile }
	type result struct {
		recs    []lineage.Record
		diags   []lineage.Diagnostic
		read    int      // cards read
		skipped []string // cards skipped, "path: reason"
		bytes   int64
	}
	const per = 256
	ordered(r.ctx, r.workers,
		func(send func(job) bool) error {
			for s := 0; s < len(cards); s += per {
				if !send(job{cards[s:min(s+per, len(cards))]}) {
					return nil
				}
			}
			return nil
		},
		func(j job) (res result) {
			diag := func(d lineage.Diagnostic) { res.diags = append(res.diags, d) }
			for _, c := range j.cards {
				if c.path == "" { // a cached model without a card
					res.recs = append(res.recs, lineage.Record{ID: c.id, Kind: lineage.KindCard, Source: "models--" + strings.Replace(c.id, "/", "--", 1),
						Downloads: -1, DownloadsAllTime: -1, Likes: -1})
					continue
				}
				if _, _, problem := modelid.Normalize(c.id); problem != "" {
					diag(lineage.Diagnostic{Kind: problem, Source: c.path, Value: c.id, Detail: "card folder is not a Hub id (want ORG/NAME/README.md); skipped"})
					continue
				}
				data, truncated, err := r.readCardFile(c)
				if err != nil {
					res.skipped = append(res.skipped, c.path+": "+err.Error())
					diag(lineage.Diagnostic{Kind: lineage.KindSkippedInput, Source: c.path, ID: c.id, Detail: err.Error() + "; skipped"})
					continue
				}
				res.read++
				res.bytes += int64(len(data))
				if bytes.Contains(data[:min(len(data), 512)], []byte{0}) {
					diag(lineage.Diagnostic{Kind: lineage.KindBadRecord, Source: c.path, ID: c.id, Detail: "card is binary, not text; skipped"})
					continue
				}
				if rec, ok := parseCard(c.id, c.path, data, truncated, r.lim, diag); ok {
					res.recs = append(res.recs, rec)
				}
			}
			return res
		},
		func(res result) {
			r.sum.Files += res.read
			r.sum.Skipped += len(res.skipped)
			r.skipped = append(r.skipped, res.skipped...)
			if r.opt.Progress != nil {
				r.opt.Progress(res.bytes)
			}
			r.sink.Emit(res.recs, res.diags)
		})
}

// readCardFile reads at most Limits.MaxCardBytes of a card; truncated says
// there was more. The digest, when wanted, is of the whole file (the rest
// is hashed as a stream, not held).
func (r *reader) readCardFile(c cardFile) (data []byte, truncated bool, err error) {
	f, err := os.Open(c.path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, int64(r.lim.MaxCardBytes)+1))
	if err != nil {
		return nil, false, fmt.Errorf("read card: %w", err)
	}
	if len(data) > r.lim.MaxCardBytes {
		data, truncated = data[:r.lim.MaxCardBytes], true
	}
	if r.digests != nil {
		h := newHash()
		h.Write(data)
		if truncated && c.regular {
			io.Copy(h, f)
		}
		r.digests.add(c.path, h.Sum(nil))
	}
	return data, truncated, nil
}

// frontMatter extracts the YAML front matter of a model card. It accepts a
// UTF-8 BOM, CRLF line endings and blank lines before the opening "---".
// When the closing "---" is missing it takes the lines up to the first
// Markdown heading or HTML line and reports closed=false. firstLine is the
// 1-based line number of the first YAML line. found is false when the card
// has no front matter. body is what follows the front matter (the whole
// card when there is none).
func frontMatter(data []byte) (yml []byte, firstLine int, found, closed bool, body []byte) {
	all := data
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
			return nil, 0, false, false, all
		}
		data = data[i+1:]
		line++
	}
	first, rest, _ := bytes.Cut(data, []byte("\n"))
	if string(bytes.TrimRight(first, " \t\r")) != "---" {
		return nil, 0, false, false, all
	}
	firstLine = line + 1
	body = rest
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
			after := body[min(len(body), off+len(l)+1):]
			return bytes.ReplaceAll(body[:off], []byte("\r\n"), []byte("\n")), firstLine, true, true, after
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
	return bytes.ReplaceAll(body[:off], []byte("\r\n"), []byte("\n")), firstLine, true, false, body[off:]
}

// parseYAMLMap decodes the keys lineage reads (hubapi.CardKeys) from a
// YAML mapping, with the limits applied: size, nesting depth (alias
// expansion bombs are refused by the YAML library itself). A key given
// twice keeps its last value, as huggingface_hub (PyYAML) does, and is
// reported through dup with the line of the repeat (1-based within yml).
// Keys lineage does not read are not decoded at all.
func parseYAMLMap(yml []byte, lim Limits, dup func(key string, line int)) (map[string]any, error) {
	if len(yml) > lim.MaxCardBytes {
		return nil, fmt.Errorf("front matter is %d bytes, over the %d-byte limit", len(yml), lim.MaxCardBytes)
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
	if d := yamlDepth(&node, 0, lim.MaxDepth); d > lim.MaxDepth {
		return nil, fmt.Errorf("front matter nests %d levels deep, over the limit of %d", d, lim.MaxDepth)
	}
	root := node.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("front matter is a %s, not a mapping of keys", yamlKind(root.Kind))
	}
	m := map[string]any{}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			// huggingface_hub (PyYAML) cannot read such a mapping at all.
			return nil, fmt.Errorf("yaml: line %d: a key that is a %s, not a name", k.Line, yamlKind(k.Kind))
		}
		if !slices.Contains(hubapi.CardKeys, k.Value) {
			continue
		}
		if seen[k.Value] && dup != nil {
			dup(k.Value, k.Line)
		}
		seen[k.Value] = true
		var val any
		if err := v.Decode(&val); err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", v.Line, k.Value, err)
		}
		m[k.Value] = val
	}
	return m, nil
}

func yamlDepth(n *yaml.Node, d, limit int) int {
	if d > limit {
		return d
	}
	best := d
	for _, c := range n.Content {
		if x := yamlDepth(c, d+1, limit); x > best {
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
// messages), with the default Limits. It returns the record (with ok=false
// when the card cannot be used) and reports problems through diag. It never
// panics on any input.
func ParseCard(id, source string, data []byte, diag func(lineage.Diagnostic)) (rec lineage.Record, ok bool) {
	lim := Limits{}.withDefaults()
	truncated := len(data) > lim.MaxCardBytes
	if truncated {
		data = data[:lim.MaxCardBytes]
	}
	return parseCard(id, source, data, truncated, lim, diag)
}

// parseCard is ParseCard of a card read up to a limit (truncated: there was
// more).
func parseCard(id, source string, data []byte, truncated bool, lim Limits, diag func(lineage.Diagnostic)) (rec lineage.Record, ok bool) {
	rec = lineage.Record{ID: id, Kind: lineage.KindCard, Source: source, Line: 1, Downloads: -1, DownloadsAllTime: -1, Likes: -1}
	if bytes.IndexByte(data, '\n') < 0 && bytes.IndexByte(data, '\r') >= 0 {
		data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n")) // old Mac line ends
	}
	yml, first, found, closed, body := frontMatter(data)
	rec.Hints = cardHints(body, source)
	if !found {
		// A card without front matter still names a model that exists.
		return rec, true
	}
	rec.Line = first
	if !closed {
		detail := "front matter has no closing ---; add a line --- after the YAML"
		if truncated {
			detail = fmt.Sprintf("front matter does not end within the first %d bytes of the card (the most lineage reads of one); it was read up to the first heading", lim.MaxCardBytes)
		}
		diag(lineage.Diagnostic{Kind: lineage.KindBadRecord, Source: source, Line: first - 1, ID: id, Detail: detail})
	}
	m, err := parseYAMLMap(yml, lim, func(key string, line int) {
		diag(lineage.Diagnostic{Kind: lineage.KindDuplicateKey, Source: source, Line: first + line - 1, ID: id, Value: key,
			Detail: "key " + key + " is given more than once in the front matter; the last value is used (as huggingface_hub reads it)"})
	})
	if err != nil {
		line := first
		// The YAML parser counts lines from the front matter's first line.
		if _, after, ok := strings.Cut(err.Error(), "line "); ok {
			digits := after[:len(after)-len(strings.TrimLeft(after, "0123456789"))]
			if n, e := strconv.Atoi(digits); e == nil && n > 0 && n < 1<<20 {
				line = first + n - 1
			}
		}
		diag(lineage.Diagnostic{Kind: lineage.KindBadRecord, Source: source, Line: line, ID: id, Detail: fmt.Sprintf("parse card %s: %v", id, err)})
		return rec, true
	}
	meta := lineage.CardMetaFromMap(m)
	rec.License, rec.Pipeline, rec.Library = meta.License, meta.Pipeline, meta.Library
	rec.Tags, rec.Languages = meta.Tags, meta.Languages
	rec.Formats = lineage.FormatOf(meta.Library)
	for _, t := range meta.Tags {
		rec.Formats |= lineage.FormatOf(t)
	}
	rec.ResolveParents(lineage.Statement{Card: &meta, CardOrigin: "front matter"}, diag)
	return rec, true
}
