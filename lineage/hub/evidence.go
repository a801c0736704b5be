package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lineage-project/lineage/lineage/hubapi"
	"go.yaml.in/yaml/v3"
)

// Bounds of what Evidence reads from a repository.
const (
	// EvidenceFileBytes is the most read of adapter_config.json,
	// config.json or mergekit_config.yml (real ones are a few KiB); a
	// longer file is read no further and, unless its start parses, skipped.
	EvidenceFileBytes = 1 << 20
	// GGUFFirstBytes is the first range read of a GGUF file; most
	// headers with their vocabulary are longer, but the general.* keys
	// come first.
	GGUFFirstBytes = 1 << 20
	// GGUFMaxBytes is the most read of a GGUF file's header (in ranges of
	// 1, 4 and 16 MiB), and only while no key past the general.* ones has
	// been read: llama.cpp's gguf-py writes the general.* metadata before
	// the architecture and tokenizer keys, so a header is read only as far
	// as its general.* keys go.
	GGUFMaxBytes = 16 << 20
	// maxFactValue is the longest value recorded; a longer one is no id.
	maxFactValue = 1024
	// maxProblems is how many problems EvidenceStats keeps.
	maxProblems = 20
)

// The evidence files read, by name at the repository's top level.
const (
	fileAdapterConfig = "adapter_config.json"
	fileConfig        = "config.json"
	fileMergekit      = "mergekit_config.yml"
)

// EvidenceStats counts what Evidence did.
type EvidenceStats struct {
	Models    int      // models without a declared parent that were looked at
	WithFacts int      // of them, models whose files named something
	Facts     int      // facts recorded
	Files     int      // files read (cached reads included)
	Bytes     int64    // bytes read from them
	Failed    int      // files (or file lists) that could not be read or parsed
	Problems  []string // the first failures, "org/name: file: reason"
}

// EvidenceStats returns what Evidence did so far.
func (f *Fetcher) EvidenceStats() EvidenceStats {
	st := f.evidence
	st.Problems = slices.Clone(st.Problems)
	return st
}

// Evidence reads, for every collected model that declares no parent (no
// base_model in its cardData, baseModels or tags), the repository files
// that may name one, without downloading weights: the file list, then
// adapter_config.json (base_model_name_or_path), config.json
// (_name_or_path), mergekit_config.yml (base_model, models, slices'
// sources, MoE experts' source_model) and the header of the first .gguf
// file (general.base_model.N.repo_url and organization/name,
// general.basename, general.quantized_by, general.name), read by HTTP
// range requests within GGUFMaxBytes. What the files say is added to the
// record's lineageEvidence as hubapi.FileFact values, one per value, as
// written (the reader of the listing decides what they are worth). A file
// that cannot be read (missing, gated, malformed) is counted in
// EvidenceStats and skipped; a cancelled context, the request cap, rate
// limiting and an unreachable Hub stop the walk.
func (f *Fetcher) Evidence(ctx context.Context, fa FileAPI) error {
	f.init()
	var todo []*entry
	for _, e := range f.sorted() {
		if len(e.parents) == 0 && e.m.Evidence == nil && !e.evidenceRead {
			todo = append(todo, e)
		}
	}
	readers := make([]*evidenceReader, len(todo))
	f.report(len(todo))
	err := parallel(ctx, len(todo), f.workers(), func(ctx context.Context, i int) error {
		r := &evidenceReader{fa: fa, id: todo[i].id}
		readers[i] = r
		r.run(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return r.fatal
	})
	for i, e := range todo {
		r := readers[i]
		if r == nil || r.fatal != nil || (err != nil && ctx.Err() != nil) {
			continue // not read, or not to the end: asked again next time
		}
		e.evidenceRead = true
		f.evidence.Models++
		f.evidence.Files += r.files
		f.evidence.Bytes += r.bytes
		f.evidence.Failed += len(r.problems)
		for _, p := range r.problems {
			if len(f.evidence.Problems) < maxProblems {
				f.evidence.Problems = append(f.evidence.Problems, p)
			}
		}
		if len(r.facts) > 0 {
			e.m.Evidence = r.facts
			f.evidence.WithFacts++
			f.evidence.Facts += len(r.facts)
		}
	}
	f.report(0)
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	return nil
}

// fatalErrs are the failures that stop Evidence instead of skipping a file.
var fatalErrs = []error{context.Canceled, context.DeadlineExceeded, ErrRequestCap, ErrRateLimited, ErrUnreachable}

// isFatal reports whether err must stop Evidence.
func isFatal(err error) bool {
	for _, f := range fatalErrs {
		if errors.Is(err, f) {
			return true
		}
	}
	return false
}

// evidenceReader reads one model's evidence files.
type evidenceReader struct {
	fa       FileAPI
	id       string
	facts    []hubapi.FileFact
	seen     map[hubapi.FileFact]bool
	files    int
	bytes    int64
	problems []string
	fatal    error // stops the walk
	stop     bool  // stops reading this model's files: they are gated
}

func (r *evidenceReader) problem(file string, err error) {
	r.problems = append(r.problems, fmt.Sprintf("%s: %s: %v", r.id, file, err))
	if isFatal(err) && r.fatal == nil {
		r.fatal = err
	}
	if errors.Is(err, ErrGated) || errors.Is(err, ErrDisabled) {
		r.stop = true
	}
}

// fact records one value, trimmed; empty, overlong or invalid UTF-8 values
// and repeats are left out.
func (r *evidenceReader) fact(file, key, value string) {
	value = strings.TrimSpace(value)
	if value == "" || len(value) > maxFactValue || !utf8.ValidString(value) {
		return
	}
	ff := hubapi.FileFact{File: file, Key: key, Value: value}
	if r.seen[ff] {
		return
	}
	if r.seen == nil {
		r.seen = map[hubapi.FileFact]bool{}
	}
	r.seen[ff] = true
	r.facts = append(r.facts, ff)
}

// read reads the first n bytes of file.
func (r *evidenceReader) read(ctx context.Context, file string, off, n int64) ([]byte, int64, error) {
	data, size, err := r.fa.ReadRange(ctx, r.id, file, off, n)
	if err != nil {
		if inner := errors.Unwrap(err); inner != nil {
			err = inner // the problem names the model and file already
		}
		return nil, 0, err
	}
	r.bytes += int64(len(data))
	return data, size, nil
}

// run reads the file list and each evidence file found in it.
func (r *evidenceReader) run(ctx context.Context) {
	list, err := r.fa.Files(ctx, r.id)
	if err != nil {
		if inner := errors.Unwrap(err); inner != nil {
			err = inner // the problem names the model already
		}
		r.problem("file list", err)
		return
	}
	has := map[string]bool{}
	var ggufs []string
	for _, p := range list {
		has[p] = true
		if strings.HasSuffix(strings.ToLower(p), ".gguf") {
			ggufs = append(ggufs, p)
		}
	}
	steps := []struct {
		file string
		read func(ctx context.Context, file string) error
	}{
		{fileAdapterConfig, func(ctx context.Context, file string) error {
			return r.jsonKey(ctx, file, "base_model_name_or_path", hubapi.KeyAdapterBase)
		}},
		{fileConfig, func(ctx context.Context, file string) error {
			return r.jsonKey(ctx, file, "_name_or_path", hubapi.KeyConfigName)
		}},
		{fileMergekit, r.mergekit},
	}
	for _, s := range steps {
		if r.fatal != nil || r.stop || !has[s.file] {
			continue
		}
		r.files++
		if err := s.read(ctx, s.file); err != nil {
			r.problem(s.file, err)
		}
	}
	if len(ggufs) > 0 && r.fatal == nil && !r.stop {
		// The first .gguf, top level first: of a split model, the first
		// part (-00001-of-0000N) holds the metadata.
		slices.SortFunc(ggufs, func(a, b string) int {
			if da, db := strings.Count(a, "/"), strings.Count(b, "/"); da != db {
				return da - db
			}
			return strings.Compare(a, b)
		})
		r.files++
		if err := r.gguf(ctx, ggufs[0]); err != nil {
			r.problem(ggufs[0], err)
		}
	}
}

// jsonKey records the string value of key in the JSON object file.
func (r *evidenceReader) jsonKey(ctx context.Context, file, key, factKey string) error {
	data, size, err := r.read(ctx, file, 0, EvidenceFileBytes)
	if err != nil {
		return err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		if size > EvidenceFileBytes {
			return fmt.Errorf("%d bytes, over the %d-byte limit; not read", size, EvidenceFileBytes)
		}
		return fmt.Errorf("not a JSON object: %w", err)
	}
	var s string
	if v, ok := obj[key]; ok && json.Unmarshal(v, &s) == nil {
		r.fact(file, factKey, s)
	}
	return nil
}

// mergekit records the models a mergekit configuration merges: base_model,
// models[].model, slices[].sources[].model and (mergekit-moe)
// experts[].source_model. A model may be written as a string or as a
// mapping with "model". YAML aliases are not followed.
func (r *evidenceReader) mergekit(ctx context.Context, file string) error {
	data, size, err := r.read(ctx, file, 0, EvidenceFileBytes)
	if err != nil {
		return err
	}
	if size > EvidenceFileBytes {
		return fmt.Errorf("%d bytes, over the %d-byte limit; not read", size, EvidenceFileBytes)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("not YAML: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("not a mapping at the top (a %s)", kindName(root.Kind))
	}
	if b := mapGet(root, "base_model"); b != nil {
		r.fact(file, hubapi.KeyMergeBase, modelName(b))
	}
	for _, m := range seq(mapGet(root, "models")) {
		r.fact(file, hubapi.KeyMergeModel, modelName(m))
	}
	for _, sl := range seq(mapGet(root, "slices")) {
		for _, src := range seq(mapGet(sl, "sources")) {
			r.fact(file, hubapi.KeyMergeModel, modelName(src))
		}
	}
	for _, ex := range seq(mapGet(root, "experts")) {
		if s := mapGet(ex, "source_model"); s != nil {
			r.fact(file, hubapi.KeyMergeModel, modelName(s))
		}
	}
	return nil
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar"
	}
	return "node of kind " + strconv.Itoa(int(k))
}

// mapGet returns the value of key in mapping n, nil if n is no mapping or
// lacks it.
func mapGet(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// seq returns the items of sequence n (none if n is no sequence).
func seq(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// modelName is a model written as a scalar or as a mapping with "model"
// (itself a scalar, or a mapping with "model" once more, as mergekit's
// ModelReference allows).
func modelName(n *yaml.Node) string {
	for range 3 {
		switch {
		case n == nil:
			return ""
		case n.Kind == yaml.ScalarNode && n.Tag != "!!null":
			return n.Value
		case n.Kind == yaml.MappingNode:
			n = mapGet(n, "model")
		default:
			return ""
		}
	}
	return ""
}

// gguf reads the header of a GGUF file and records its general.* facts.
func (r *evidenceReader) gguf(ctx context.Context, file string) error {
	h, err := r.readGGUF(ctx, file)
	if h == nil {
		return err
	}
	// general.base_model.N.*, in index order, for the indices present
	// (general.base_model.count says how many there should be).
	type base struct{ org, name, url string }
	bases := map[int]*base{}
	for _, kv := range h.KV {
		rest, ok := strings.CutPrefix(kv.Key, "general.base_model.")
		if !ok {
			continue
		}
		idx, field, ok := strings.Cut(rest, ".")
		n, perr := strconv.Atoi(idx)
		s, isStr := kv.Value.(string)
		if !ok || perr != nil || n < 0 || n >= 64 || !isStr {
			continue
		}
		b := bases[n]
		if b == nil {
			b = &base{}
			bases[n] = b
		}
		switch field {
		case "organization":
			b.org = s
		case "name":
			b.name = s
		case "repo_url":
			b.url = s
		}
	}
	for n := range 64 {
		b := bases[n]
		if b == nil {
			continue
		}
		r.fact(file, hubapi.KeyGGUFBaseRepo, b.url)
		if strings.TrimSpace(b.org) != "" && strings.TrimSpace(b.name) != "" {
			r.fact(file, hubapi.KeyGGUFBaseName, strings.TrimSpace(b.org)+"/"+strings.TrimSpace(b.name))
		}
	}
	for _, k := range []string{hubapi.KeyGGUFBasename, hubapi.KeyGGUFQuantBy, hubapi.KeyGGUFModelName} {
		if s, ok := h.String(k); ok {
			r.fact(file, k, s)
		}
	}
	return err
}

// readGGUF reads the header of a GGUF file by ranges: GGUFFirstBytes, then
// 4 and 16 MiB (GGUFMaxBytes) while the header goes on and the keys read
// are still general.* ones. A header cut short by those bounds is returned
// with what was read and no error; a file that ends inside its header, or
// is no GGUF file, is an error (with what was read, if anything).
func (r *evidenceReader) readGGUF(ctx context.Context, file string) (*GGUFHeader, error) {
	var buf []byte
	want := int64(GGUFFirstBytes)
	for {
		data, _, err := r.read(ctx, file, int64(len(buf)), want-int64(len(buf)))
		if err != nil {
			return nil, err
		}
		asked := want - int64(len(buf))
		buf = append(buf, data...)
		h, err := ParseGGUFHeader(buf, GGUFLimits{})
		switch {
		case err == nil:
			return h, nil
		case !errors.Is(err, ErrGGUFShort):
			return h, err
		case int64(len(data)) < asked:
			return h, fmt.Errorf("the file ends inside its header (%d bytes)", len(buf))
		case want >= GGUFMaxBytes || pastGeneral(h):
			return h, nil
		}
		want = min(want*4, GGUFMaxBytes)
	}
}

// pastGeneral reports whether the keys read so far include general.* keys
// followed by others: the general.* metadata is complete.
func pastGeneral(h *GGUFHeader) bool {
	if h == nil || len(h.KV) == 0 || strings.HasPrefix(h.KV[len(h.KV)-1].Key, "general.") {
		return false
	}
	return slices.ContainsFunc(h.KV, func(kv GGUFKV) bool { return strings.HasPrefix(kv.Key, "general.") })
}
