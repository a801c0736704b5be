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

// RelationLabels returns the label set of relation r, declared, inferred or
// recovered.
func RelationLabels(r Relation) graph.LabelSet {
	return graph.LabelsOf(EdgeLabel(r, true), EdgeLabel(r, false), RecoveredLabel(r))
}

// quantToken reports whether one token of a model id (split at '-', '_',
// '.', '/') marks a quantization or a conversion the Hub files as one
// (base_model_relation: quantized): GGUF, GGML, AWQ, GPTQ, EXL2/EXL3, HQQ,
// bnb, nf4, fp8, int4/int8, llama.cpp types (Q4, Q8, IQ3 followed by _K,
// _0 ... as further tokens), N-bit / Nbit / Nbits, N.Nbpw, MLX bit widths
// (mlx-4bit splits into mlx + 4bit; mlx alone names a runtime, not a
// conversion), and the runtime conversions ONNX, CTranslate2 (ct2),
// OpenVINO, Core ML and TFLite.
func quantToken(t string) bool {
	if len(t) == 0 || len(t) > 12 {
		return false
	}
	// Every marker below starts with a digit or one of these letters; most
	// tokens of a name (Llama, Instruct, 7B, v2, chat) are settled here.
	switch modelid.Lower(t[0]) {
	case 'a', 'b', 'c', 'e', 'f', 'g', 'h', 'i', 'm', 'n', 'o', 'q', 't', 'w',
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
		"quantized", "quant", "bpw", "bit", "bits",
		"onnx", "ct2", "openvino", "coreml", "tflite":
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

// Token classes of SplitFormatSuffix.
const (
	tokPlain  = iota
	tokStrong // a weight format, precision or quantization: quantToken, mlx, onnx, bf16 ...
	tokJunk   // a word quantizers put beside a marker: i1, imatrix, h8, gs128, sym ...
	tokType   // a llama.cpp type part after qN or iqN (K, M, S, 0 ...), or a digit
)

// formatWords are conversion and precision markers beyond quantToken.
var formatWords = map[string]bool{
	"mlx": true, "onnx": true, "openvino": true, "mlc": true, "bf16": true, "fp16": true, "f16": true,
	"fp32": true, "f32": true, "fp4": true, "nvfp4": true, "mxfp4": true, "int2": true, "int3": true,
	"autoround": true, "autoawq": true, "autogptq": true, "gptqmodel": true, "exllama": true,
	"exllamav2": true, "exllamav3": true, "ggml": true,
}

// junkWords are what quantizers' naming conventions add next to a marker:
// mradermacher's i1 (imatrix) builds, EXL2 head bits (h6, h8), group sizes
// (gs128, 128g), symmetric/asymmetric, act-order, auto_round, unsloth's
// "unsloth-bnb-4bit", FP8 "dynamic", PrunaAI's "smashed", OpenVINO's "ov".
var junkWords = map[string]bool{
	"i1": true, "imatrix": true, "imat": true, "sym": true, "asym": true, "actorder": true, "act": true,
	"order": true, "desc": true, "true": true, "false": true, "dynamic": true, "static": true,
	"smashed": true, "auto": true, "round": true, "unsloth": true, "ov": true, "dwq": true,
}

// typeParts are the parts of a llama.cpp quantization type after qN/iqN.
var typeParts = map[string]bool{"k": true, "m": true, "s": true, "l": true, "xs": true, "xxs": true, "xl": true, "nl": true}

// formatClass classifies one token (lower case) of a name.
func formatClass(l string) int {
	if quantToken(l) || formatWords[l] {
		return tokStrong
	}
	// q4f16 (MLC), hN (EXL2 head bits), gN / Ng / gsN (group sizes)
	if len(l) >= 4 && l[0] == 'q' {
		if a, b, ok := strings.Cut(l[1:], "f"); ok && allDigits(a) && allDigits(b) {
			return tokStrong
		}
	}
	if junkWords[l] {
		return tokJunk
	}
	if len(l) >= 2 && (l[0] == 'h' || l[0] == 'g') && allDigits(l[1:]) {
		return tokJunk
	}
	if len(l) >= 3 && l[:2] == "gs" && allDigits(l[2:]) {
		return tokJunk
	}
	if len(l) >= 2 && l[len(l)-1] == 'g' && allDigits(l[:len(l)-1]) {
		return tokJunk
	}
	if typeParts[l] || allDigits(l) {
		return tokType
	}
	return tokPlain
}

// isQType reports whether l is a llama.cpp type head: qN or iqN.
func isQType(l string) bool {
	if strings.HasPrefix(l, "iq") {
		return len(l) > 2 && allDigits(l[2:])
	}
	return len(l) > 1 && l[0] == 'q' && allDigits(l[1:])
}

// SplitFormatSuffix splits the name part of a model id into the name of
// the model it was converted from and the trailing run of weight-format
// markers that quantizers and converters append:
//
//	"bartowski/Mistral-7B-Instruct-v0.2-Q4_K_M-GGUF" -> "Mistral-7B-Instruct-v0.2", "Q4_K_M-GGUF"
//	"mradermacher/X-i1-GGUF"                      -> "X", "i1-GGUF"
//	"turboderp/X-exl2_4.5bpw_h8"                  -> "X", "exl2_4.5bpw_h8"
//	"unsloth/X-unsloth-bnb-4bit"                  -> "X", "unsloth-bnb-4bit"
//
// The run is read from the end of the name and must hold at least one
// marker (a quantization marker as HasQuantMarker knows it, or mlx, onnx,
// openvino, mlc, bf16, fp16, f16, fp32 ...); words quantizers put beside a
// marker (i1, imatrix, h8, gs128, sym, dynamic ...) are part of the run, a
// digit or a llama.cpp type part (K, M, XS, 0) only when joined to a marker
// by '_' or '.' ("Q4_K_M", "4.5bpw") or written before "bit" ("4-bit"). A
// marker followed by other words is not a suffix ("Llama-3-8B-bnb-4bit-
// python" is a model made from a 4-bit one, not a conversion), and neither
// is a name that would be left empty. ok is false, and base the whole name,
// when there is no such run. Applying it to base again changes nothing.
func SplitFormatSuffix(id string) (base, suffix string, ok bool) {
	name := namePart(id)
	// Token boundaries: tokens[i] = name[starts[i]:ends[i]].
	var startsBuf, endsBuf [32]int
	starts, ends := startsBuf[:0], endsBuf[:0]
	s := 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '-' || name[i] == '_' || name[i] == '.' || name[i] == ' ' {
			starts, ends = append(starts, s), append(ends, i)
			s = i + 1
		}
	}
	n := len(starts)
	lname := asciiLower(name)
	low := func(i int) string { return lname[starts[i]:ends[i]] }
	sepBefore := func(i int) byte {
		if i == 0 {
			return 0
		}
		return name[starts[i]-1]
	}
	var classBuf [32]int
	var chainedBuf [32]bool
	class, chained := classBuf[:0], chainedBuf[:0]
	if n > len(classBuf) {
		class, chained = make([]int, 0, n), make([]bool, 0, n)
	}
	class, chained = class[:n], chained[:n]
	for i := range n {
		class[i] = formatClass(low(i))
	}
	// A type part or digit is strippable when chained by '_' or '.' to a
	// preceding marker (Q4_K_M, Q4_0_4_4, exl2_4), by '.' to a following
	// marker (4.5bpw), or written before "bit"/"bits" (4-bit).
	for i := 1; i < n; i++ {
		if class[i] != tokType || (sepBefore(i) != '_' && sepBefore(i) != '.') {
			continue
		}
		prev := low(i - 1)
		if (class[i-1] == tokStrong && (isQType(prev) || sepBefore(i) == '_' && allDigits(low(i)))) || chained[i-1] {
			chained[i] = true
		}
	}
	for i := 0; i+1 < n; i++ {
		if class[i] == tokType && allDigits(low(i)) {
			next := low(i + 1)
			if (sepBefore(i+1) == '.' && class[i+1] == tokStrong) || next == "bit" || next == "bits" {
				chained[i] = true
			}
		}
	}
	first, strong := n, false
	for i := n - 1; i >= 0; i-- {
		c := class[i]
		if c == tokStrong || c == tokJunk || (c == tokType && chained[i]) {
			first = i
			strong = strong || c == tokStrong
			continue
		}
		break
	}
	if !strong || first == 0 {
		return name, "", false
	}
	cut := starts[first] - 1
	if strings.Trim(name[:cut], "-_. ") == "" {
		return name, "", false // nothing would be left of the name
	}
	return name[:cut], name[starts[first]:], true
}

// asciiLower lowers the ASCII letters of s, byte for byte (so offsets into
// s hold in the result); s itself when it has none in upper case.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
