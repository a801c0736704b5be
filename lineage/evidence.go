package lineage

import (
	"slices"
	"strings"

	"github.com/lineage-project/lineage/lineage/hubapi"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// Formats is a set of the weight formats and publishing kinds a model's
// tags and library_name name (gguf, awq, peft, merge ...): the tag-level
// evidence recovered lineage weighs. It keeps a bit per known marker instead
// of every tag, so a store holds it for two million models in 4 bytes each.
type Formats uint32

// The markers Formats records. A tag matches case-insensitively and in full
// (the tag "gguf", not "gguf-my-repo"); library_name counts as a tag.
const (
	FormatGGUF       Formats = 1 << iota // tag or library gguf
	FormatGGML                           // ggml
	FormatAWQ                            // awq
	FormatGPTQ                           // gptq
	FormatEXL2                           // exl2, exl3, exllamav2
	FormatMLX                            // mlx
	FormatONNX                           // onnx
	FormatOpenVINO                       // openvino
	FormatBNB                            // bitsandbytes, 4-bit, 8-bit
	FormatFP8                            // fp8
	FormatCompressed                     // compressed-tensors
	FormatQuantized                      // the tag "quantized"
	FormatPEFT                           // peft (tag or library_name)
	FormatLoRA                           // lora, qlora
	FormatMerge                          // merge, mergekit
	numFormats       = iota
)

var formatNames = [numFormats]string{"gguf", "ggml", "awq", "gptq", "exl2", "mlx", "onnx", "openvino",
	"bitsandbytes", "fp8", "compressed-tensors", "quantized", "peft", "lora", "merge"}

// formatTags lists every recognised tag (lower case) with its marker, by
// length: FormatOf compares a tag with those of its length only.
var formatTags = func() (t [19][]formatTag) {
	for tag, f := range map[string]Formats{
		"gguf": FormatGGUF, "ggml": FormatGGML, "awq": FormatAWQ, "gptq": FormatGPTQ,
		"exl2": FormatEXL2, "exl3": FormatEXL2, "exllamav2": FormatEXL2, "exllama": FormatEXL2,
		"mlx": FormatMLX, "onnx": FormatONNX, "openvino": FormatOpenVINO,
		"bitsandbytes": FormatBNB, "4-bit": FormatBNB, "8-bit": FormatBNB,
		"fp8": FormatFP8, "compressed-tensors": FormatCompressed, "quantized": FormatQuantized,
		"peft": FormatPEFT, "lora": FormatLoRA, "qlora": FormatLoRA,
		"merge": FormatMerge, "mergekit": FormatMerge,
	} {
		t[len(tag)] = append(t[len(tag)], formatTag{tag, f})
	}
	return t
}()

// FormatTags returns every tag FormatOf recognises, lower case, sorted.
func FormatTags() []string {
	var out []string
	for _, l := range formatTags {
		for _, ft := range l {
			out = append(out, ft.tag)
		}
	}
	slices.Sort(out)
	return out
}

type formatTag struct {
	tag string
	f   Formats
}

// formatStart[n][c] is set when a known tag of length n starts with the
// (lower-case) byte c: most tags are turned away by it in one load.
var formatStart = func() (t [len(formatTags)][256]bool) {
	for n, l := range formatTags {
		for _, ft := range l {
			t[n][ft.tag[0]] = true
		}
	}
	return t
}()

// FormatOf returns the marker a single tag (or library_name) names, or 0.
// It runs for every tag of every listing record: it turns away a tag whose
// length and first letter no known tag has, and compares the rest with the
// few known tags of their length, without allocating.
func FormatOf[T ~string | ~[]byte](tag T) Formats {
	if len(tag) >= len(formatTags) || len(tag) == 0 || !formatStart[len(tag)][modelid.Lower(tag[0])] {
		return 0
	}
	for _, ft := range formatTags[len(tag)] {
		eq := true
		for i := 0; i < len(tag); i++ {
			if modelid.Lower(tag[i]) != ft.tag[i] {
				eq = false
				break
			}
		}
		if eq {
			return ft.f
		}
	}
	return 0
}

// Has reports whether every marker of x is in f.
func (f Formats) Has(x Formats) bool { return f&x == x && x != 0 }

// QuantFormats are the markers of a quantized or converted weight format.
const QuantFormats = FormatGGUF | FormatGGML | FormatAWQ | FormatGPTQ | FormatEXL2 | FormatMLX |
	FormatONNX | FormatOpenVINO | FormatBNB | FormatFP8 | FormatCompressed | FormatQuantized

// Names returns the marker names in f, in a fixed order.
func (f Formats) Names() []string {
	var out []string
	for i := 0; i < numFormats; i++ {
		if f&(1<<i) != 0 {
			out = append(out, formatNames[i])
		}
	}
	return out
}

func (f Formats) String() string { return strings.Join(f.Names(), ",") }

// HintKind says where a lineage hint was found.
type HintKind uint8

// Hint kinds.
const (
	// HintCard is a statement in a model card's body (not its front
	// matter): a mergekit configuration or a "fine-tuned from" link.
	HintCard HintKind = iota + 1
	// HintFile is a value read from a repository file by
	// "lineage fetch --evidence": adapter_config.json, config.json,
	// mergekit_config.yml or a GGUF header.
	HintFile
)

func (k HintKind) String() string {
	switch k {
	case HintCard:
		return "card"
	case HintFile:
		return "file"
	}
	return "unknown"
}

// Hint is one piece of evidence about a model's parent that is not a
// declaration: where it was found and the value as written there. The value
// is raw (a URL, a local path, a bare name); a reader of hints normalises
// it and decides what it is worth.
type Hint struct {
	Kind   HintKind
	Source string // the file it was read from: "README.md", "adapter_config.json", "model-Q4_K_M.gguf"
	Key    string // what the value is: see the Hint keys
	Value  string
}

// Hint keys: what a hint's value names. Keys of repository files are
// those lineage fetch --evidence writes (package hubapi).
const (
	HintMergeModel   = hubapi.KeyMergeModel         // a model listed in a mergekit configuration (models:, slices: sources)
	HintMergeBase    = hubapi.KeyMergeBase          // a mergekit configuration's base_model
	HintLinkFrom     = "link.finetuned_from"        // "fine-tuned version of [X](https://huggingface.co/X)" in prose
	HintLinkQuant    = "link.quantized_from"        // "quantized version of [X](...)", "Original model: ..." in prose
	HintLinkMerge    = "link.merge_of"              // "a merge of [X](...)" in prose
	HintTrainBase    = "training_config.base_model" // base_model of a training configuration (axolotl and the like) in a code block
	HintAdapterBase  = hubapi.KeyAdapterBase        // adapter_config.json
	HintConfigName   = hubapi.KeyConfigName         // config.json
	HintGGUFBaseRepo = hubapi.KeyGGUFBaseRepo       // GGUF header: a base model's repo URL
	HintGGUFBaseName = hubapi.KeyGGUFBaseName       // GGUF header: a base model's "organization/name"
	HintGGUFBasename = hubapi.KeyGGUFBasename       // GGUF header: the model's own base name
	HintGGUFQuantBy  = hubapi.KeyGGUFQuantBy        // GGUF header: who quantized it
	HintGGUFName     = hubapi.KeyGGUFModelName      // GGUF header: the model's name
)
