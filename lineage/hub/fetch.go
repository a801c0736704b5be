package hub

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/hubapi"
	"github.com/lineage-project/lineage/lineage/ingest"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// Fetcher walks the Hub through an API and collects model records, each
// model once (ids compared case-insensitively). Several walks may run one
// after another on one Fetcher; they share what was fetched. A Fetcher is
// not safe for concurrent use; each walk parallelises its own requests.
type Fetcher struct {
	// API answers the requests.
	API API
	// Concurrency is the number of requests a walk keeps going at once;
	// default 4.
	Concurrency int
	// MaxDepth limits Down to that many generations below the model
	// (0: all).
	MaxDepth int
	// MaxModels stops every walk once this many models are collected
	// (0: no limit); Truncated then reports it.
	MaxModels int
	// Progress, when set, is called after each batch of answers.
	Progress func(Progress)

	models   map[string]*entry // FoldID(id) -> record
	aliases  map[string]*entry // FoldID(old id) -> the record the Hub redirected it to
	expanded map[string]bool   // models whose children were listed
	missing  []string
	disabled []string
	bad      int
	full     bool

	evidence EvidenceStats
}

// Progress is a snapshot of a Fetcher's work, for a progress display.
type Progress struct {
	Models  int // records collected
	Pending int // models whose records or children are still to be asked for
	Missing int // parents the Hub does not know or has disabled
}

// entry is one collected model.
type entry struct {
	id       string
	m        hubapi.Model // the trimmed record, with aliases and evidence
	parents  []string     // parent ids, by lineage's precedence rules
	children int          // childrenModelCount summed over relations, -1 when the Hub did not say

	evidenceRead bool // Evidence looked at its files
}

func (f *Fetcher) init() {
	if f.models == nil {
		f.models = map[string]*entry{}
		f.aliases = map[string]*entry{}
		f.expanded = map[string]bool{}
	}
}

// lookup returns the collected model id names, directly or as an alias.
func (f *Fetcher) lookup(id string) *entry {
	k := modelid.Fold(id)
	if e := f.models[k]; e != nil {
		return e
	}
	return f.aliases[k]
}

// alias records that the Hub answered a request for asked with e's record
// (a renamed or moved repository): e's record lists asked in
// lineageAliases, so that edges naming asked resolve to it.
func (f *Fetcher) alias(e *entry, asked string) {
	k := modelid.Fold(asked)
	if k == modelid.Fold(e.id) || f.aliases[k] != nil {
		return
	}
	f.aliases[k] = e
	e.m.Aliases = append(e.m.Aliases, asked)
	slices.SortFunc(e.m.Aliases, cmpFold)
}

// Alias is a model id the Hub redirected to another: the model was renamed
// or moved.
type Alias struct {
	Old, New string
}

// Aliases returns the renamed models met, sorted by old id.
func (f *Fetcher) Aliases() []Alias {
	var out []Alias
	for _, e := range f.models {
		for _, a := range e.m.Aliases {
			out = append(out, Alias{Old: a, New: e.id})
		}
	}
	slices.SortFunc(out, func(a, b Alias) int { return cmpFold(a.Old, b.Old) })
	return out
}

func (f *Fetcher) workers() int { return cmp.Or(max(f.Concurrency, 0), 4) }

// Len returns the number of models collected.
func (f *Fetcher) Len() int { return len(f.models) }

// Missing returns the parents the Hub did not know (deleted or private
// models), sorted.
func (f *Fetcher) Missing() []string {
	out := slices.Clone(f.missing)
	slices.SortFunc(out, cmpFold)
	return out
}

// Disabled returns the parents the Hub has disabled (they exist but cannot
// be read), sorted.
func (f *Fetcher) Disabled() []string {
	out := slices.Clone(f.disabled)
	slices.SortFunc(out, cmpFold)
	return out
}

// Truncated reports whether MaxModels stopped a walk early.
func (f *Fetcher) Truncated() bool { return f.full }

// Skipped returns the number of records the Hub sent that could not be
// read (not an object, or no valid id); they are left out.
func (f *Fetcher) Skipped() int { return f.bad }

func (f *Fetcher) report(pending int) {
	if f.Progress != nil {
		f.Progress(Progress{Models: len(f.models), Pending: pending, Missing: len(f.missing) + len(f.disabled)})
	}
}

// add collects one record from the Hub. It returns the entry and whether
// it is new; nil when the record is unusable or MaxModels is reached.
func (f *Fetcher) add(raw json.RawMessage) (*entry, bool) {
	e, ok := parseEntry(raw)
	if !ok {
		f.bad++
		return nil, false
	}
	key := modelid.Fold(e.id)
	if old := f.lookup(e.id); old != nil {
		return old, false
	}
	if f.MaxModels > 0 && len(f.models) >= f.MaxModels {
		f.full = true
		return nil, false
	}
	f.models[key] = e
	return e, true
}

// parseEntry trims a Hub record and reads its id, parents and children
// count.
func parseEntry(raw json.RawMessage) (*entry, bool) {
	m, children, err := trimRecord(raw)
	if err != nil {
		return nil, false
	}
	rec, err := encodeRecord(m)
	if err != nil {
		return nil, false
	}
	r, ok := ingest.ParseListingRecord("hub", 0, rec, func(lineage.Diagnostic) {})
	if !ok {
		return nil, false
	}
	e := &entry{id: r.ID, m: m, children: children}
	for _, p := range r.Parents {
		e.parents = append(e.parents, p.ID)
	}
	return e, true
}

// Up collects id and its ancestors up to their foundations. A parent the
// Hub does not know is recorded (Missing) and the walk goes on; an unknown
// id is an error wrapping ErrNotFound.
func (f *Fetcher) Up(ctx context.Context, id string) error {
	f.init()
	norm, err := normalize(id)
	if err != nil {
		return err
	}
	return f.up(ctx, []string{norm}, true)
}

// WithAncestors collects the ancestors of every model collected so far
// whose parents are not collected yet (after List or Down, whose records
// name parents outside the listing).
func (f *Fetcher) WithAncestors(ctx context.Context) error {
	f.init()
	var todo []string
	seen := map[string]bool{}
	for _, e := range f.sorted() {
		for _, p := range e.parents {
			k := modelid.Fold(p)
			if f.models[k] == nil && !seen[k] {
				seen[k] = true
				todo = append(todo, p)
			}
		}
	}
	return f.up(ctx, todo, false)
}

func (f *Fetcher) up(ctx context.Context, level []string, rootMustExist bool) error {
	asked := map[string]bool{}
	for _, id := range level {
		asked[modelid.Fold(id)] = true
	}
	first := true
	for len(level) > 0 {
		f.report(len(level))
		recs := make([]json.RawMessage, len(level))
		errs := make([]error, len(level))
		err := parallel(ctx, len(level), f.workers(), func(ctx context.Context, i int) error {
			if e := f.lookup(level[i]); e != nil {
				return nil // collected by an earlier walk: its parents are known
			}
			recs[i], errs[i] = f.API.Model(ctx, level[i])
			if errs[i] != nil && !errors.Is(errs[i], ErrNotFound) && !errors.Is(errs[i], ErrDisabled) {
				return errs[i]
			}
			return nil
		})
		if err != nil {
			return err
		}
		var next []string
		for i, id := range level {
			var e *entry
			switch {
			case errs[i] != nil && first && rootMustExist:
				return errs[i]
			case errors.Is(errs[i], ErrDisabled):
				f.disabled = append(f.disabled, id)
				continue
			case errs[i] != nil:
				f.missing = append(f.missing, id)
				continue
			case recs[i] == nil:
				e = f.lookup(id)
			default:
				if e, _ = f.add(recs[i]); e != nil {
					f.alias(e, id)
				}
			}
			if e == nil {
				if f.full {
					return nil
				}
				continue
			}
			for _, p := range e.parents {
				if k := modelid.Fold(p); !asked[k] {
					asked[k] = true
					next = append(next, p)
				}
			}
		}
		level, first = next, false
	}
	f.report(0)
	return nil
}

// Down collects id and its descendants: the models tagged
// base_model:PARENT on the Hub, generation by generation (at most MaxDepth),
// each model's children listed once. Models the Hub says have no children
// (childrenModelCount, which only the model route tells, summing to 0) are
// not asked about; listed models do not carry it and are asked about. An
// unknown id is an error wrapping ErrNotFound.
func (f *Fetcher) Down(ctx context.Context, id string) error {
	f.init()
	norm, err := normalize(id)
	if err != nil {
		return err
	}
	root := f.lookup(norm)
	if root == nil {
		raw, err := f.API.Model(ctx, norm)
		if err != nil {
			return err
		}
		if root, _ = f.add(raw); root == nil {
			if f.full {
				return nil
			}
			return fmt.Errorf("model %s: the hub's record has no valid id", norm)
		}
		f.alias(root, norm)
	}
	level := []*entry{root}
	for depth := 0; len(level) > 0 && (f.MaxDepth <= 0 || depth < f.MaxDepth); depth++ {
		var ask []*entry
		for _, e := range level {
			k := modelid.Fold(e.id)
			if !f.expanded[k] && e.children != 0 {
				f.expanded[k] = true
				ask = append(ask, e)
			}
		}
		f.report(len(ask))
		pages := make([][]json.RawMessage, len(ask))
		err := parallel(ctx, len(ask), f.workers(), func(ctx context.Context, i int) error {
			return f.API.Models(ctx, Query{Filter: "base_model:" + ask[i].id}, func(page []json.RawMessage) error {
				pages[i] = append(pages[i], page...)
				return nil
			})
		})
		if err != nil {
			return err
		}
		var next []*entry
		for i := range ask {
			for _, raw := range pages[i] {
				e, isNew := f.add(raw)
				if e == nil && f.full {
					f.report(0)
					return nil
				}
				if isNew {
					next = append(next, e)
				}
			}
		}
		level = next
	}
	f.report(0)
	return nil
}

// errFull stops a listing once MaxModels is reached.
var errFull = errors.New("max models reached")

// List collects the models matching q.
func (f *Fetcher) List(ctx context.Context, q Query) error {
	f.init()
	err := f.API.Models(ctx, q, func(page []json.RawMessage) error {
		for _, raw := range page {
			if e, _ := f.add(raw); e == nil && f.full {
				return errFull
			}
		}
		f.report(1)
		return nil
	})
	if errors.Is(err, errFull) {
		err = nil
	}
	f.report(0)
	return err
}

func (f *Fetcher) sorted() []*entry {
	out := make([]*entry, 0, len(f.models))
	for _, e := range f.models {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *entry) int { return cmpFold(a.id, b.id) })
	return out
}

// WriteJSONL writes every collected record as one JSON object per line,
// sorted by id case-insensitively: a listing lineage reads. A record is a
// hubapi.Model: the Hub's fields lineage reads, lineageAliases when the Hub
// redirected an id to it and lineageEvidence when Evidence found some.
func (f *Fetcher) WriteJSONL(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, e := range f.sorted() {
		rec, err := encodeRecord(e.m)
		if err != nil {
			return fmt.Errorf("write listing: %s: %w", e.id, err)
		}
		bw.Write(rec)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write listing: %w", err)
	}
	return nil
}

func normalize(id string) (string, error) {
	norm, _, problem := modelid.Normalize(id)
	if problem != "" {
		return "", fmt.Errorf("model %q is not a hub id (%s); want org/name", id, problem)
	}
	return norm, nil
}

// cmpFold orders ids case-insensitively, then by their bytes.
func cmpFold(a, b string) int {
	return cmp.Or(cmp.Compare(modelid.Fold(a), modelid.Fold(b)), cmp.Compare(a, b))
}

// parallel runs fn(0..n-1) on up to workers goroutines. The first error
// cancels the others' context and is returned.
func parallel(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	if n == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// trimRecord keeps the fields of a Hub record that lineage reads, in
// hubapi.Model (cardData reduced to hubapi.CardKeys), and returns the
// children count: childrenModelCount summed over its relations (the model
// route's object; a plain number is read as well), -1 when absent. Keys
// are matched in every spelling hubapi accepts.
func trimRecord(raw json.RawMessage) (hubapi.Model, int, error) {
	var in map[string]json.RawMessage
	if err := json.Unmarshal(raw, &in); err != nil {
		return hubapi.Model{}, 0, err
	}
	field := func(f hubapi.Field) json.RawMessage {
		for _, k := range f.Spellings() {
			if v, ok := in[k]; ok && string(v) != "null" {
				return v
			}
		}
		return nil
	}
	var m hubapi.Model
	var err error
	dec := func(f hubapi.Field, dst any) {
		if v := field(f); v != nil && err == nil {
			if e := json.Unmarshal(v, dst); e != nil {
				err = fmt.Errorf("%s: %w", f.Name(), e)
			}
		}
	}
	dec(hubapi.FieldID, &m.ID)
	if m.ID == "" {
		dec(hubapi.FieldModelID, &m.ID)
	}
	dec(hubapi.FieldAuthor, &m.Author)
	dec(hubapi.FieldCreatedAt, &m.CreatedAt)
	dec(hubapi.FieldLastModified, &m.LastModified)
	dec(hubapi.FieldDownloads, &m.Downloads)
	dec(hubapi.FieldDownloadsAllTime, &m.DownloadsAllTime)
	dec(hubapi.FieldLikes, &m.Likes)
	dec(hubapi.FieldTrendingScore, &m.TrendingScore)
	dec(hubapi.FieldLibrary, &m.Library)
	dec(hubapi.FieldPipeline, &m.Pipeline)
	dec(hubapi.FieldTags, &m.Tags)
	dec(hubapi.FieldBaseModels, &m.BaseModels)
	if err != nil {
		return hubapi.Model{}, 0, err
	}
	if v := field(hubapi.FieldGated); v != nil {
		m.Gated = v
	}
	if v := field(hubapi.FieldCardData); len(v) > 0 && v[0] == '{' {
		var card map[string]json.RawMessage
		if json.Unmarshal(v, &card) == nil {
			kept := map[string]json.RawMessage{}
			for _, k := range hubapi.CardKeys {
				if v, ok := card[k]; ok {
					kept[k] = v
				}
			}
			if len(kept) > 0 {
				b, _ := json.Marshal(kept)
				m.CardData = json.RawMessage(b)
			}
		}
	}
	return m, childrenCount(field(hubapi.FieldChildrenModelCount)), nil
}

// childrenCount reads childrenModelCount: an object of counts by relation
// (the model route: {"adapter":N,"finetune":N,"merge":N,"quantized":N}),
// or a number. Absent or unreadable is -1 (unknown).
func childrenCount(v json.RawMessage) int {
	if len(v) == 0 {
		return -1
	}
	var n float64
	if json.Unmarshal(v, &n) == nil {
		if n >= 0 && n < 1<<31 {
			return int(n)
		}
		return -1
	}
	var by map[string]float64
	if json.Unmarshal(v, &by) != nil {
		return -1
	}
	sum := 0.0
	for _, c := range by {
		if c < 0 {
			return -1
		}
		sum += c
	}
	if sum >= 1<<31 {
		return -1
	}
	return int(sum)
}

// encodeRecord writes m as one line of JSON (no HTML escaping, no newline).
func encodeRecord(m hubapi.Model) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
