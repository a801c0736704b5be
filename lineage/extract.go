package lineage

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lineage-project/lineage/lineage/modelid"
)

// cardMeta is the lineage-relevant part of a card's front matter or of a
// listing's cardData.
type cardMeta struct {
	baseModel     []string // raw values of base_model
	hasBaseModel  bool
	finetunedFrom []string // raw values of the legacy finetuned_from key
	relation      string
	hasRelation   bool
	license       string
	pipeline      string
	library       string
	tags          []string
	languages     []string
	bad           []string // base_model items that are not strings
}

// metaFromMap reads the keys lineage uses from a decoded YAML/JSON mapping.
func metaFromMap(m map[string]any) cardMeta {
	var c cardMeta
	if v, ok := m["base_model"]; ok {
		c.hasBaseModel = true
		c.baseModel, c.bad = stringList(v)
	}
	if v, ok := m["finetuned_from"]; ok {
		c.finetunedFrom, _ = stringList(v)
	}
	if v, ok := m["base_model_relation"]; ok && v != nil {
		c.hasRelation = true
		c.relation = scalarString(v)
	}
	c.license = firstString(m["license"])
	c.pipeline = firstString(m["pipeline_tag"])
	c.library = firstString(m["library_name"])
	c.tags, _ = stringList(m["tags"])
	c.languages, _ = stringList(m["language"])
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

// baseModelsField is the API's baseModels expand field.
type baseModelsField struct {
	Relation string `json:"relation"`
	Models   []struct {
		ID string `json:"id"`
	} `json:"models"`
}

// lineageInput gathers everything a record states about its parents.
type lineageInput struct {
	card       *cardMeta
	cardOrigin string // "front matter" or "cardData", for messages
	baseModels *baseModelsField
	tags       []string
	ar         *recArena // where Parents go (nil: a slice of their own)
}

// resolveParents applies the precedence rules (card/front matter, then
// baseModels, then tags; the first source that yields a valid parent wins),
// normalises the ids, drops and reports self-references, duplicates and
// unusable values, and settles each parent's relation.
func (r *Record) resolveParents(in lineageInput, diag func(Diagnostic)) {
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
// baseModels list, or a base_model tag. Without one, resolveParents has
// nothing to resolve and nothing to report.
func (in *lineageInput) statesParents() bool {
	if c := in.card; c != nil && (c.hasBaseModel || len(c.finetunedFrom) > 0) {
		return true
	}
	if in.baseModels != nil && len(in.baseModels.Models) > 0 {
		return true
	}
	for _, t := range in.tags {
		if strings.HasPrefix(t, "base_model:") {
			return true
		}
	}
	return false
}

// resolveStatedParents is resolveParents for a record that states parents.
func (r *Record) resolveStatedParents(in lineageInput, diag func(Diagnostic)) {
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
	for _, t := range in.tags {
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
	if c := in.card; c != nil {
		if c.hasBaseModel {
			for _, b := range c.bad {
				at(KindInvalidID, b, "base_model item in "+in.cardOrigin+" is not a string")
			}
			if len(c.baseModel) == 0 && len(c.bad) == 0 {
				at(KindEmpty, "", "base_model in "+in.cardOrigin+" is empty; remove the key or write base_model: org/name")
			}
			cands[nc] = candidate{FromCard, c.baseModel, in.cardOrigin, "base_model"}
			nc++
		} else if len(c.finetunedFrom) > 0 {
			at(KindLegacyKey, strings.Join(c.finetunedFrom, ", "), "legacy key finetuned_from; write base_model: "+strings.Join(c.finetunedFrom, ", "))
			cands[nc] = candidate{FromCard, c.finetunedFrom, in.cardOrigin, "finetuned_from"}
			nc++
		}
	}
	if bm := in.baseModels; bm != nil && len(bm.Models) > 0 {
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
		if in.ar != nil {
			// Appended in the arena's spare room (see below).
			start = len(in.ar.parents)
			parents = in.ar.parents[start:start]
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
		if in.ar != nil {
			// The arena takes them (a copy onto themselves unless they
			// outgrew its room), and the record's slice is cut off there
			// so no later append writes into it.
			in.ar.parents = append(in.ar.parents[:start], parents...)
			parents = in.ar.parents[start:len(in.ar.parents):len(in.ar.parents)]
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
	if c := in.card; c != nil && c.hasRelation {
		if rel, ok := ParseRelation(c.relation); ok {
			declared, hasDeclared = rel, true
		} else {
			at(KindUnknownRel, c.relation, "base_model_relation must be adapter, finetune, quantized or merge")
			pending[len(pending)-1].Fix = "base_model_relation: " + InferRelation(r.ID, len(r.Parents), r.Library, r.Tags).String() + " (as lineage infers it; or adapter, finetune, quantized, merge)"
		}
	}
	var bmRel Relation
	hasBM := false
	if bm := in.baseModels; bm != nil && bm.Relation != "" {
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

// parseTime reads the date forms found in Hub data: RFC 3339 with or
// without fractional seconds, "YYYY-MM-DD HH:MM:SS[+zz:zz]", a bare date,
// or unix seconds. It returns 0 for empty or unreadable values.
func parseTime(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	if t, ok := parseHubTime(s); ok {
		return t, true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Unix(), true
		}
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && n > 0 && n < 1e11 {
		return int64(n), true
	}
	return 0, false
}

// parseHubTime parses the Hub API's own form, 2006-01-02T15:04:05.000Z
// (milliseconds optional; their digits are not read), without allocating.
//
// It checks the twenty bytes up to the seconds as three words: xored with
// the pattern ("0000-00-", "00T00:00", ":00."), a digit becomes its value
// and only a digit comes out at most 9 (the top bit of its low seven bits
// plus 0x76, or its own top bit, says it does not; no sum carries into the
// next byte), and a separator in place becomes zero. parseHubTimeBytes, the
// byte-by-byte form, is the reference a test holds it to.
func parseHubTime(s string) (int64, bool) {
	y, mo, d, h, mi, se, ok := hubTimeFields(s)
	if !ok {
		return 0, false
	}
	return unixSeconds(y, mo, d, h, mi, se), true
}

// hubTimeValid reports whether parseHubTime parses s, without converting.
func hubTimeValid(s string) bool {
	_, _, _, _, _, _, ok := hubTimeFields(s)
	return ok
}

// hubTimeFields is parseHubTime before the conversion to unix seconds.
func hubTimeFields(s string) (y, mo, d, h, mi, se int, ok bool) {
	if len(s) != 20 && len(s) != 24 || s[len(s)-1] != 'Z' {
		return 0, 0, 0, 0, 0, 0, false
	}
	const lo7, hi = 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	sep := uint64('.')
	if len(s) == 20 {
		sep = 'Z'
	}
	// Little-endian: the first byte is the lowest.
	d0 := le64(s) ^ 0x2d30302d30303030                // "0000-00-"
	d1 := le64(s[8:]) ^ 0x30303a3030543030            // "00T00:00"
	d2 := uint64(le32(s[16:])) ^ (sep<<24 | 0x30303a) // ":00" and '.' or 'Z'
	over := func(d uint64) uint64 { return ((d & lo7) + 0x7676767676767676 | d) & hi }
	seps := d0&0xff0000ff00000000 | d1&0x0000ff0000ff0000 | d2&0xff0000ff // must be exact
	if over(d0)|over(d1)|over(d2)|seps != 0 {
		return 0, 0, 0, 0, 0, 0, false
	}
	digit := func(d uint64, k uint) int { return int(d >> (8 * k) & 0xff) }
	y = digit(d0, 0)*1000 + digit(d0, 1)*100 + digit(d0, 2)*10 + digit(d0, 3)
	mo = digit(d0, 5)*10 + digit(d0, 6)
	d = digit(d1, 0)*10 + digit(d1, 1)
	h = digit(d1, 3)*10 + digit(d1, 4)
	mi = digit(d1, 6)*10 + digit(d1, 7)
	se = digit(d2, 1)*10 + digit(d2, 2)
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 {
		return 0, 0, 0, 0, 0, 0, false
	}
	return y, mo, d, h, mi, se, true
}

// le32 reads the first four bytes of s as a little-endian word.
func le32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// parseHubTimeBytes is parseHubTime byte by byte: the reference.
func parseHubTimeBytes(s string) (int64, bool) {
	if len(s) != 20 && len(s) != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[len(s)-1] != 'Z' {
		return 0, false
	}
	if len(s) == 24 && s[19] != '.' {
		return 0, false
	}
	num := func(a, b int) (int, bool) {
		n := 0
		for i := a; i < b; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	se, ok6 := num(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 {
		return 0, false
	}
	return unixSeconds(y, mo, d, h, mi, se), true
}

// unixSeconds is time.Date(y, mo, d, h, mi, se, 0, time.UTC).Unix() for
// 1 <= mo <= 12 and 1 <= d <= 31 (a day past the month's end runs into the
// next month, as time.Date normalises it), without time.Date's general
// normalisation: days from the civil date (H. Hinnant's algorithm).
func unixSeconds(y, mo, d, h, mi, se int) int64 {
	if mo <= 2 {
		y--
	}
	era := y / 400
	if y < 0 { // year 0000, January or February
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (mo + 9) % 12 // March = 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := int64(era*146097+doe) - 719468
	return days*86400 + int64(h*3600+mi*60+se)
}
