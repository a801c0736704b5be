package lineage

import (
	"fmt"
	"strings"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// Relation is how a model relates to a parent.
type Relation uint8

// The four relations the Hub defines for base_model_relation.
const (
	Finetune Relation = iota
	Adapter
	Quantized
	Merge
	numRelations
)

// Relations lists every relation in its canonical order.
var Relations = [...]Relation{Finetune, Adapter, Quantized, Merge}

var relationNames = [...]string{"finetune", "adapter", "quantized", "merge"}

func (r Relation) String() string {
	if int(r) < len(relationNames) {
		return relationNames[r]
	}
	return fmt.Sprintf("relation(%d)", r)
}

// ParseRelation parses one of adapter, finetune, quantized, merge (case- and
// space-insensitive).
func ParseRelation(s string) (Relation, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range relationNames {
		if s == n {
			return Relation(i), true
		}
	}
	return 0, false
}

// ParseRelations parses a comma-separated relation list such as
// "finetune,merge" into a label set covering both declared and inferred
// edges of those relations. An empty string means every relation.
func ParseRelations(s string) (graph.LabelSet, error) {
	if strings.TrimSpace(s) == "" {
		return graph.AllLabels, nil
	}
	var set graph.LabelSet
	for _, part := range strings.Split(s, ",") {
		r, ok := ParseRelation(part)
		if !ok {
			return 0, fmt.Errorf("%w: unknown relation %q (want adapter, finetune, quantized or merge)", ErrUsage, strings.TrimSpace(part))
		}
		set |= RelationLabels(r)
	}
	return set, nil
}

// inferredBit marks an edge label whose relation was inferred.
const inferredBit graph.Label = 1 << 2

// EdgeLabel encodes a relation and whether it was declared as a graph label.
func EdgeLabel(r Relation, declared bool) graph.Label {
	l := graph.Label(r)
	if !declared {
		l |= inferredBit
	}
	return l
}

// LabelRelation decodes a graph label into its relation and whether it was declared.
func LabelRelation(l graph.Label) (Relation, bool) {
	return Relation(l &^ inferredBit & 3), l&inferredBit == 0
}

// RelationLabels returns the label set of relation r, declared or inferred.
func RelationLabels(r Relation) graph.LabelSet {
	return graph.LabelsOf(EdgeLabel(r, true), EdgeLabel(r, false))
}

// quantToken reports whether one token of a model id (split at '-', '_',
// '.', '/') marks a quantization: GGUF, GGML, AWQ, GPTQ, EXL2/EXL3, HQQ,
// bnb, nf4, fp8, int4/int8, llama.cpp types (Q4, Q8, IQ3 followed by _K,
// _0 ... as further tokens), N-bit / Nbit / Nbits, N.Nbpw, MLX bit widths
// (mlx-4bit splits into mlx + 4bit).
func quantToken(t string) bool {
	if len(t) == 0 || len(t) > 12 {
		return false
	}
	// Every marker below starts with a digit or one of these letters; most
	// tokens of a name (Llama, Instruct, 7B, v2, chat) are settled here.
	switch modelid.Lower(t[0]) {
	case 'a', 'b', 'e', 'f', 'g', 'h', 'i', 'n', 'q', 'w',
		'0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
	default:
		return false
	}
	var buf [12]byte
	for i := 0; i < len(t); i++ {
		buf[i] = modelid.Lower(t[i])
	}
	l := string(buf[:len(t)])
	switch l {
	case "gguf", "ggml", "awq", "gptq", "exl2", "exl3", "hqq", "bnb", "nf4", "fp8", "int4", "int8",
		"quantized", "quant", "bpw", "bit", "bits":
		return true
	}
	// qN, iqN: llama.cpp quant types (the _K_M suffix is a separate token)
	q := ""
	if strings.HasPrefix(l, "iq") {
		q = l[2:]
	} else if strings.HasPrefix(l, "q") {
		q = l[1:]
	}
	if len(q) >= 1 && len(q) <= 2 && allDigits(q) {
		return true
	}
	// Nbit, Nbits, N.Nbpw (the dot splits: the "Nbpw" part), w4a16
	for _, suf := range []string{"bits", "bit", "bpw"} {
		if d, ok := strings.CutSuffix(l, suf); ok && d != "" && allDigits(d) {
			return true
		}
	}
	if len(l) >= 4 && l[0] == 'w' && strings.Contains(l, "a") {
		w, a, _ := strings.Cut(l[1:], "a")
		return allDigits(w) && allDigits(a) && w != "" && a != ""
	}
	return false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// InferRelation applies the documented heuristic for a child that declares
// no relation: two or more parents is a merge; a quantization marker in the
// child's id is quantized; a child that says it is a PEFT/LoRA adapter
// (library_name peft, or a peft/lora tag) is an adapter; anything else is a
// finetune.
func InferRelation(childID string, nParents int, library string, tags []string) Relation {
	if nParents >= 2 {
		return Merge
	}
	if HasQuantMarker(childID) {
		return Quantized
	}
	if strings.EqualFold(library, "peft") {
		return Adapter
	}
	for _, t := range tags {
		if len(t) <= 7 && (modelid.EqualFoldASCII([]byte(t), "peft") || modelid.EqualFoldASCII([]byte(t), "lora") ||
			modelid.EqualFoldASCII([]byte(t), "adapter") || modelid.EqualFoldASCII([]byte(t), "qlora")) {
			return Adapter
		}
	}
	return Finetune
}

// HasQuantMarker reports whether id carries a quantization marker in its
// name part (see quantToken). It does not allocate.
func HasQuantMarker(id string) bool {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		id = id[i+1:]
	}
	start := 0
	for i := 0; i <= len(id); i++ {
		if i == len(id) || id[i] == '-' || id[i] == '_' || id[i] == '.' {
			if quantToken(id[start:i]) {
				return true
			}
			start = i + 1
		}
	}
	return false
}
