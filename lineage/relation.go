package lineage

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/lineage-project/lineage/graph"
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

// quantMarker matches quantization markers in a model id: GGUF, AWQ, GPTQ,
// EXL2, HQQ, bnb-4bit/8bit, MLX with a bit width, llama.cpp quant types
// (Q4_K_M, Q8_0, IQ3_XS), N-bit and Nbpw forms, int4/int8, fp8.
var quantMarker = regexp.MustCompile(`(?i)(^|[-_./])(gguf|ggml|awq|gptq|exl2|exl3|hqq|bnb|mlx-?\d+-?bits?|\d+-?bits?|\d+(\.\d+)?-?bpw|i?q\d(_[a-z0-9]+)*|int[48]|fp8|w[48]a\d+|nf4|quantized|quant)($|[-_./])`)

// InferRelation applies the documented heuristic for a child that declares
// no relation: two or more parents is a merge; a quantization marker in the
// child's id is quantized; a child that says it is a PEFT/LoRA adapter
// (library_name peft, or a peft/lora tag) is an adapter; anything else is a
// finetune.
func InferRelation(childID string, nParents int, library string, tags []string) Relation {
	if nParents >= 2 {
		return Merge
	}
	if quantMarker.MatchString(childID) {
		return Quantized
	}
	if strings.EqualFold(library, "peft") {
		return Adapter
	}
	for _, t := range tags {
		switch strings.ToLower(t) {
		case "peft", "lora", "adapter", "qlora":
			return Adapter
		}
	}
	return Finetune
}

// HasQuantMarker reports whether id carries a quantization marker.
func HasQuantMarker(id string) bool { return quantMarker.MatchString(id) }
