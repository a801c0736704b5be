package lineage

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lineage-project/lineage/lineage/hubapi"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// CardMeta is what a model card's front matter, or a listing's cardData,
// says that lineage reads: the keys of hubapi.CardKeys, as found.
type CardMeta struct {
	BaseModel     []string // raw values of base_model
	HasBaseModel  bool     // base_model is present, even empty or null (that is reported)
	FinetunedFrom []string // raw values of the legacy finetuned_from key
	Relation      string   // base_model_relation as written
	HasRelation   bool
	License       string
	Pipeline      string
	Library       string
	Tags          []string
	Languages     []string
	Bad           []string // base_model items that are not strings (reported)
}

// CardMetaFromMap reads the keys lineage uses from a decoded YAML or JSON
// mapping (a card's front matter, a listing's cardData).
func CardMetaFromMap(m map[string]any) CardMeta {
	var c CardMeta
	if v, ok := m["base_model"]; ok {
		c.HasBaseModel = true
		c.BaseModel, c.Bad = stringList(v)
	}
	if v, ok := m["finetuned_from"]; ok {
		c.FinetunedFrom, _ = stringList(v)
	}
	if v, ok := m["base_model_relation"]; ok && v != nil {
		c.HasRelation = true
		c.Relation = scalarString(v)
	}
	c.License = firstString(m["license"])
	c.Pipeline = firstString(m["pipeline_tag"])
	c.Library = firstString(m["library_name"])
	c.Tags, _ = stringList(m["tags"])
	c.Languages, _ = stringList(m["language"])
	return c
}

// stringList turns a scalar or a list into strings; nil and empty give none.
// Items that are mappings or lists are returned in bad.
func stringList(v any) (out, bad []string) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{x}, nil
	case []any:
		for _, it := range x {
			switch y := it.(type) {
			case nil:
				out = append(out, "")
			case string:
				out = append(out, y)
			default:
				// Numbers, booleans, mappings and lists are not ids.
				bad = append(bad, fmt.Sprint(y))
			}
		}
		return out, bad
	case []string:
		return x, nil
	default:
		return nil, []string{fmt.Sprint(x)}
	}
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

func firstString(v any) string {
	l, _ := stringList(v)
	if len(l) > 0 {
		return l[0]
	}
	return ""
}

// Statement gathers everything one record states about its parents, from
// each place a record can state them.
type Statement struct {
	Card       *CardMeta          // front matter, cardData, or an edge-list row's cells
	CardOrigin string             // "front matter", "cardData" or "edge list", for messages
	BaseModels *hubapi.BaseModels // the API's baseModels field
	Tags       []string           // the record's tags (base_model:ID, base_model:REL:ID)
	Arena      *Arena             // where the Parents go (nil: a slice of their own)
}

// ResolveParents applies the precedence rules (card/front matter, then
// baseModels, then tags; the first source that yields a valid parent wins),
// normalises the ids, drops and reports self-references, duplicates and
// unusable values, and settles each parent's relation.
func (r *Record) ResolveParents(in Statement, diag func(Diagnostic)) {
	r.hash = foldHash(r.ID) // here, on the parsing worker, not in the merge
	// Most records state no parent at all: settle them before the frame
	// of the general case (a few KiB of stack to clear) is set up.
	if !in.statesParents() {
		return
	}
	r.resolveStatedParents(in, diag)
}

// statesParents reports whether in holds any parent statement: a card
// base_model or finetuned_from key (even empty: that is reported), a
// baseModels list, or a base_model tag. Without one, ResolveParents has
// nothing to resolve and nothing to report.
func (in *Statement) statesParents() bool {
	if c := in.Card; c != nil && (c.HasBaseModel || len(c.FinetunedFrom) > 0) {
		return true
	}
	if in.BaseModels != nil && len(in.BaseModels.Models) > 0 {
		return true
	}
	for _, t := range in.Tags {
		if strings.HasPrefix(t, "base_model:") {
			return true
		}
	}
	return false
}

// resolveStatedParents is ResolveParents for a record that states parents.
func (r *Record) resolveStatedParents(in Statement, diag func(Diagnostic)) {
	// Problems are held until the parents are settled, so each can carry
	// the corrected YAML as its suggested fix.
	var pending []Diagnostic
	at := func(kind, value, detail string) {
		pending = append(pending, Diagnostic{Kind: kind, Source: r.Source, Line: r.Line, ID: r.ID, Value: value, Detail: detail})
	}
	defer func() {
		if len(pending) == 0 {
			return
		}
		fix := parentsYAML(r.Parents)
		for _, d := range pending {
			if d.Fix == "" {
				d.Fix = fix
			}
			diag(d)
		}
	}()
	// Relations named in tags, per parent (ids compared case-insensitively).
	// Parents are few, so small slices beat maps here (this runs for
	// millions of records), and nothing is lower-cased into a new string.
	type tagRelation struct {
		key string
		rel Relation
	}
	// Fixed backing arrays keep the usual few on the stack.
	var tagParentsBuf, tagKeysBuf [4]string
	var tagRelsBuf [4]tagRelation
	tagParents, tagKeys, tagRels := tagParentsBuf[:0], tagKeysBuf[:0], tagRelsBuf[:0]
	for _, t := range in.Tags {
		rest, ok := strings.CutPrefix(t, "base_model:")
		if !ok {
			continue
		}
		rel, hasRel := Relation(0), false
		if i := strings.IndexByte(rest, ':'); i >= 0 {
			if rr, ok := ParseRelation(rest[:i]); ok {
				rel, hasRel = rr, true
				rest = rest[i+1:]
			}
		}
		if hasRel {
			if id, _, p := modelid.Normalize(rest); p == "" {
				tagRels = append(tagRels, tagRelation{id, rel})
			}
		}
		// base_model:ID and base_model:REL:ID name the same parent: the Hub
		// writes both, so a repeat here is not a duplicate declaration.
		k := strings.TrimSpace(rest)
		if !slices.ContainsFunc(tagKeys, func(x string) bool { return strings.EqualFold(x, k) }) {
			tagKeys = append(tagKeys, k)
			tagParents = append(tagParents, rest)
		}
	}

	type candidate struct {
		from   ParentSource
		values []string
		origin string // where, for messages: origin and key joined by a space
		key    string // (joined only when a message is made)
	}
	where := func(c candidate) string {
		if c.key == "" {
			return c.origin
		}
		return c.origin + " " + c.key
	}
	// At most one candidate per source; a fixed array (assigned, not
	// appended to) keeps them and the tag list on the stack.
	var cands [3]candidate
	nc := 0
	if c := in.Card; c != nil {
		if c.HasBaseModel {
			for _, b := range c.Bad {
				at(KindInvalidID, b, "base_model item in "+in.CardOrigin+" is not a string")
			}
			if len(c.BaseModel) == 0 && len(c.Bad) == 0 {
				at(KindEmpty, "", "base_model in "+in.CardOrigin+" is empty; remove the key or write base_model: org/name")
			}
			cands[nc] = candidate{FromCard, c.BaseModel, in.CardOrigin, "base_model"}
			nc++
		} else if len(c.FinetunedFrom) > 0 {
			at(KindLegacyKey, strings.Join(c.FinetunedFrom, ", "), "legacy key finetuned_from; write base_model: "+strings.Join(c.FinetunedFrom, ", "))
			cands[nc] = candidate{FromCard, c.FinetunedFrom, in.CardOrigin, "finetuned_from"}
			nc++
		}
	}
	if bm := in.BaseModels; bm != nil && len(bm.Models) > 0 {
		vals := make([]string, len(bm.Models))
		for i, m := range bm.Models {
			vals[i] = m.ID
		}
		cands[nc] = candidate{FromBaseModels, vals, "baseModels", ""}
		nc++
	}
	if len(tagParents) > 0 {
		cands[nc] = candidate{FromTags, tagParents, "tags", ""}
		nc++
	}

	self := r.ID
	nListed := 0 // values in the winning list, repeats included
	for _, c := range cands[:nc] {
		var parents []Parent
		start := 0
		if in.Arena != nil {
			// Appended in the arena's spare room (see below).
			start = len(in.Arena.parents)
			parents = in.Arena.parents[start:start]
		}
		listed := 0 // valid, non-self values, repeats included
		for _, raw := range c.values {
			id, changed, problem := modelid.Normalize(raw)
			if problem != "" {
				at(problem, raw, "in "+where(c)+"; not a Hub id, ignored")
				if sid, ok := modelid.Salvage(raw); ok && (problem == KindHTML || problem == KindInvalidID) {
					pending[len(pending)-1].Fix = "base_model: " + sid + " (if that is the model meant)"
				}
				continue
			}
			if changed && strings.TrimSpace(raw) != id {
				at(KindURLForm, raw, "in "+where(c)+"; write base_model: "+id)
			}
			if strings.EqualFold(id, self) {
				at(KindSelfRef, raw, "in "+where(c)+"; a model cannot be its own base model, remove it")
				continue
			}
			listed++
			if slices.ContainsFunc(parents, func(p Parent) bool { return strings.EqualFold(p.ID, id) }) {
				at(KindListDup, raw, "listed twice in "+where(c))
				continue
			}
			parents = append(parents, Parent{ID: id, hash: foldHash(id)})
		}
		if len(parents) == 0 {
			continue
		}
		if in.Arena != nil {
			// The arena takes them (a copy onto themselves unless they
			// outgrew its room), and the record's slice is cut off there
			// so no later append writes into it.
			in.Arena.parents = append(in.Arena.parents[:start], parents...)
			parents = in.Arena.parents[start:len(in.Arena.parents):len(in.Arena.parents)]
		}
		r.Parents, r.ParentFrom = parents, c.from
		nListed = listed // dropped values (empty, paths, self) are not parents
		if c.from == FromCard && len(tagParents) > 0 && !sameIDs(parents, tagParents) {
			pending = append(pending, Diagnostic{Kind: KindCardTags, Source: r.Source, Line: r.Line, ID: r.ID,
				Value:  "card: " + joinIDs(parents) + "; tags: " + strings.Join(tagParents, ", "),
				Detail: "the " + where(c) + " and the Hub's base_model tags name different parents; lineage uses the card",
				Fix:    parentsYAML(parents)})
		}
		break
	}
	if len(r.Parents) == 0 {
		return
	}

	// Relation: declared base_model_relation, else the tag's relation for
	// that parent, else baseModels.relation, else inferred.
	var declared Relation
	hasDeclared := false
	if c := in.Card; c != nil && c.HasRelation {
		if rel, ok := ParseRelation(c.Relation); ok {
			declared, hasDeclared = rel, true
		} else {
			at(KindUnknownRel, c.Relation, "base_model_relation must be adapter, finetune, quantized or merge")
			pending[len(pending)-1].Fix = "base_model_relation: " + InferRelation(r.ID, len(r.Parents), r.Library, r.Tags).String() + " (as lineage infers it; or adapter, finetune, quantized, merge)"
		}
	}
	var bmRel Relation
	hasBM := false
	if bm := in.BaseModels; bm != nil && bm.Relation != "" {
		if rel, ok := ParseRelation(bm.Relation); ok {
			bmRel, hasBM = rel, true
		} else {
			at(KindUnknownRel, bm.Relation, "baseModels.relation must be adapter, finetune, quantized or merge")
		}
	}
	// A list naming one model twice (a self-merge, as mergekit writes it)
	// still declares a merge. Inference runs only when some parent needs it.
	inferred, haveInferred := Finetune, false
	for i := range r.Parents {
		p := &r.Parents[i]
		j := slices.IndexFunc(tagRels, func(t tagRelation) bool { return strings.EqualFold(t.key, p.ID) })
		switch {
		case hasDeclared:
			p.Relation, p.Declared = declared, true
		case j >= 0:
			p.Relation, p.Declared = tagRels[j].rel, true
		case hasBM:
			p.Relation, p.Declared = bmRel, true
		default:
			if !haveInferred {
				inferred, haveInferred = InferRelation(r.ID, max(len(r.Parents), nListed), r.Library, r.Tags), true
			}
			p.Relation, p.Declared = inferred, false
		}
	}
	// A declared relation that its own id contradicts.
	markedKnown, marked := false, false
	for _, p := range r.Parents {
		if !p.Declared || p.Relation != Finetune && p.Relation != Quantized {
			continue // only these two can contradict the id
		}
		if !markedKnown {
			markedKnown, marked = true, HasQuantMarker(r.ID)
		}
		switch {
		case p.Relation == Finetune && marked:
			at(KindRelationContradicts, p.Relation.String(), "declared finetune of "+p.ID+", but the id carries a quantization marker")
			pending[len(pending)-1].Fix = "base_model_relation: quantized"
		case p.Relation == Quantized && !marked:
			at(KindRelationContradicts, p.Relation.String(), "declared quantized from "+p.ID+", but the id carries no quantization marker (GGUF, AWQ, GPTQ, 4bit, ...)")
			pending[len(pending)-1].Fix = "base_model_relation: finetune (if it is not a quantization)"
		default:
			continue
		}
		break // one report per record
	}
}

// parentsYAML writes parents as the base_model front matter that states them.
func parentsYAML(ps []Parent) string {
	switch len(ps) {
	case 0:
		return "remove the base_model key (no valid parent remains)"
	case 1:
		return "base_model: " + ps[0].ID
	}
	var b strings.Builder
	b.WriteString("base_model:")
	for _, p := range ps {
		b.WriteString("\n- " + p.ID)
	}
	return b.String()
}

func joinIDs(ps []Parent) string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return strings.Join(ids, ", ")
}

// sameIDs reports whether parents and the raw tag values name the same set
// of ids (case-insensitively, after normalisation).
func sameIDs(parents []Parent, tags []string) bool {
	n := 0
	for _, t := range tags {
		id, _, problem := modelid.Normalize(t)
		if problem != "" {
			continue
		}
		n++
		if !slices.ContainsFunc(parents, func(p Parent) bool { return strings.EqualFold(p.ID, id) }) {
			return false
		}
	}
	return n == len(parents)
}

// Arena holds the small slices of a batch's records (kept tags, card
// lists, parents) in a few shared arrays instead of an allocation each. Its
// slices live as long as the batch's records (a nil arena allocates). A reader recycles an arena with the batch of
// records it served, once nothing refers to them.
type Arena struct {
	strs    []string
	parents []Parent
}

// StrList returns the strings added to a since len(a.strs) was start, as a
// slice no later append can write into.
func (a *Arena) StrList(start int) []string {
	return a.strs[start:len(a.strs):len(a.strs)]
}

// Reset empties a for reuse, dropping its references (so nothing keeps an
// old input chunk alive).
func (a *Arena) Reset() {
	clear(a.strs)
	clear(a.parents)
	a.strs, a.parents = a.strs[:0], a.parents[:0]
}

// AppendStr adds s to a's string list (see StrList).
func (a *Arena) AppendStr(s string) { a.strs = append(a.strs, s) }

// Len returns the number of strings in a, the start of a list StrList
// will return.
func (a *Arena) Len() int { return len(a.strs) }

// applyCardMeta fills the record's license, pipeline and library from a
// listing's cardData where the listing itself gave none (the caller makes
// meta the card statement of its Statement).
func (rec *Record) applyCardMeta(meta *CardMeta) {
	if rec.License == "" {
		rec.License = meta.License
	}
	if rec.Pipeline == "" {
		rec.Pipeline = meta.Pipeline
	}
	if rec.Library == "" {
		rec.Library = meta.Library
	}
	rec.Languages = meta.Languages
}

// Listing is one model record of a Hub listing as its reader decoded it (a
// JSON object of the API or a listing file, a hub-stats parquet row), before
// lineage's rules: AssembleListing turns it into a Record the same way
// whatever the format, so that the formats cannot disagree on meaning.
type Listing struct {
	ID     string // the record's id, as found (the reader takes modelId when id is absent)
	Author string
	// Dates in unix seconds (0: absent). A value the reader could not read
	// as a date is kept in BadCreated or BadModified and reported.
	Created, Modified       int64
	BadCreated, BadModified string
	// Counts; -1 when absent.
	Downloads, DownloadsAllTime, Likes int64
	Library, Pipeline                  string
	Tags                               []string // the tags lineage keeps (base_model:..., peft, lora ...)
	Formats                            Formats  // the format markers of every tag and the library
	BaseModels                         *hubapi.BaseModels
	Evidence                           []hubapi.FileFact // what lineage fetch --evidence read from repo files
	Aliases                            []string          // earlier ids the Hub redirects to this one (a renamed repository)
}

// AssembleListing makes the Record of one listing record read from source
// at line (a line, element or row number): the id rules, dates, counts,
// cardData (card, nil when the record has none) and parent statements,
// with every problem reported through diag. ok is false when the record
// cannot be used at all (no valid id). The record's strings alias l's and
// card's; its small slices go into ar when ar is not nil.
//
// card is a parameter of its own, not a field of Listing, so that a reader
// can keep it on its stack: the strings of l reach diagnostics, and a
// pointer kept in l would be taken to escape with them (a heap allocation
// per record at Hub scale).
func AssembleListing(source string, line int, l *Listing, card *CardMeta, ar *Arena, diag func(Diagnostic)) (rec Record, ok bool) {
	ok = AssembleListingInto(&rec, source, line, l, card, ar, diag)
	return rec, ok
}

// AssembleListingInto is AssembleListing writing the record into *rec (which
// it overwrites), for readers that fill a batch of records in place: a
// Record is large, and copying it out through each caller costs as much as
// the rules themselves.
func AssembleListingInto(rec *Record, source string, line int, l *Listing, card *CardMeta, ar *Arena, diag func(Diagnostic)) (ok bool) {
	raw := l.ID
	id, changed, problem := modelid.Normalize(raw)
	if problem != "" {
		kind := problem
		if raw == "" {
			kind = KindBadRecord
		}
		diag(Diagnostic{Kind: kind, Source: source, Line: line, Value: raw, Detail: "record id is not a Hub id (want org/name); record skipped"})
		return false
	}
	if changed && raw != id {
		diag(Diagnostic{Kind: KindURLForm, Source: source, Line: line, ID: id, Value: raw, Detail: "record id rewritten to " + id})
	}
	*rec = Record{ID: id, Kind: KindListing, Source: source, Line: line, Author: l.Author,
		Created: l.Created, Modified: l.Modified, Library: l.Library, Pipeline: l.Pipeline, Tags: l.Tags,
		Downloads: l.Downloads, DownloadsAllTime: l.DownloadsAllTime, Likes: l.Likes, Formats: l.Formats}
	if l.BadCreated != "" {
		diag(Diagnostic{Kind: KindBadRecord, Source: source, Line: line, ID: id, Value: l.BadCreated, Detail: "createdAt is not a date; ignored"})
	}
	if l.BadModified != "" {
		diag(Diagnostic{Kind: KindBadRecord, Source: source, Line: line, ID: id, Value: l.BadModified, Detail: "lastModified is not a date; ignored"})
	}
	in := Statement{Tags: l.Tags, Arena: ar}
	if card != nil {
		rec.applyCardMeta(card)
		rec.Formats |= FormatOf(rec.Library)
		in.Card, in.CardOrigin = card, "cardData"
	}
	if l.BaseModels != nil {
		in.BaseModels = l.BaseModels
	}
	for _, a := range l.Aliases {
		aid, _, problem := modelid.Normalize(a)
		switch {
		case problem != "":
			diag(Diagnostic{Kind: problem, Source: source, Line: line, ID: id, Value: a, Detail: "alias (an earlier id of this model) is not a Hub id; ignored"})
		case strings.EqualFold(aid, id):
		default:
			rec.Aliases = append(rec.Aliases, aid)
		}
	}
	if len(l.Evidence) > 0 {
		rec.Hints = make([]Hint, 0, len(l.Evidence))
		for _, e := range l.Evidence {
			rec.Hints = append(rec.Hints, Hint{Kind: HintFile, Source: e.File, Key: e.Key, Value: e.Value})
		}
	}
	rec.ResolveParents(in, diag)
	return true
}
