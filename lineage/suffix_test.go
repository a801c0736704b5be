package lineage

import (
	"strings"
	"testing"
)

// Ids as the quantizers and converters publish them (real conventions);
// want is the name less its format suffix, "" when the name has none.
var formatSuffixCases = []struct{ id, base, suffix string }{
	{"bartowski/Mistral-7B-Instruct-v0.2-Q4_K_M-GGUF", "Mistral-7B-Instruct-v0.2", "Q4_K_M-GGUF"},
	{"bartowski/allura-org_Bigger-Body-8b-GGUF", "allura-org_Bigger-Body-8b", "GGUF"},
	{"mradermacher/L3-8B-Stheno-v3.2-i1-GGUF", "L3-8B-Stheno-v3.2", "i1-GGUF"},
	{"TheBloke/Llama-2-7B-Chat-GPTQ", "Llama-2-7B-Chat", "GPTQ"},
	{"TheBloke/Mistral-7B-v0.1-AWQ", "Mistral-7B-v0.1", "AWQ"},
	{"TheBloke/WizardLM-70B-V1.0-GGML", "WizardLM-70B-V1.0", "GGML"},
	{"unsloth/mistral-7b-instruct-v0.3-bnb-4bit", "mistral-7b-instruct-v0.3", "bnb-4bit"},
	{"unsloth/Qwen2.5-3B-Instruct-unsloth-bnb-4bit", "Qwen2.5-3B-Instruct", "unsloth-bnb-4bit"},
	{"mlx-community/MiniCPM3-4B-4bit", "MiniCPM3-4B", "4bit"},
	{"mlx-community/Llama-3.2-3B-Instruct-mlx-8Bit", "Llama-3.2-3B-Instruct", "mlx-8Bit"},
	{"someone/QwQ-32B-Preview-MLX", "QwQ-32B-Preview", "MLX"},
	{"turboderp/Llama-3-70B-Instruct-exl2_4.5bpw_h8", "Llama-3-70B-Instruct", "exl2_4.5bpw_h8"},
	{"LoneStriker/notus-7b-v1-5.0bpw-h6-exl2", "notus-7b-v1", "5.0bpw-h6-exl2"},
	{"altomek/Venus-103b-v1.1-2.5bpw-EXL2", "Venus-103b-v1.1", "2.5bpw-EXL2"},
	{"RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w4a16", "Meta-Llama-3.1-8B-Instruct", "quantized.w4a16"},
	{"neuralmagic/Qwen2.5-72B-Instruct-FP8-Dynamic", "Qwen2.5-72B-Instruct", "FP8-Dynamic"},
	{"fbaldassarri/EleutherAI_pythia-1.4b-deduped-autoround-int4-gs128-asym", "EleutherAI_pythia-1.4b-deduped", "autoround-int4-gs128-asym"},
	{"fbaldassarri/TinyLlama_TinyLlama_v1.1-auto_round-int8-gs128-sym", "TinyLlama_TinyLlama_v1.1", "auto_round-int8-gs128-sym"},
	{"RichardErkhov/senseable_-_WestLake-7B-v2-gguf", "senseable_-_WestLake-7B-v2", "gguf"},
	{"RichardErkhov/google_-_codegemma-7b-it-4bits", "google_-_codegemma-7b-it", "4bits"},
	{"mlc-ai/Llama-3-8B-Instruct-q4f16_1-MLC", "Llama-3-8B-Instruct", "q4f16_1-MLC"},
	{"QuantFactory/Llama-3-8B-Q8_0-GGUF", "Llama-3-8B", "Q8_0-GGUF"},
	{"x/Phi-3-mini-Q4_0_4_4-GGUF", "Phi-3-mini", "Q4_0_4_4-GGUF"},
	{"x/Mistral-7B-IQ3_XXS-GGUF", "Mistral-7B", "IQ3_XXS-GGUF"},
	{"TheBloke/Wizard-GPTQ-4bit-32g-actorder_True", "Wizard", "GPTQ-4bit-32g-actorder_True"},
	{"srang992/Llama-3.2-1B-Instruct-ov-INT4", "Llama-3.2-1B-Instruct", "ov-INT4"},
	{"x/flan-t5-xl-GGUF", "flan-t5-xl", "GGUF"},                         // XL is the model's size here
	{"x/Qwen2.5-7B-Instruct-1M-GGUF", "Qwen2.5-7B-Instruct-1M", "GGUF"}, // 1M context, not a marker
	{"x/Model-4-bit", "Model", "4-bit"},
	{"x/Mistral-Nemo-Instruct-2407-bf16", "Mistral-Nemo-Instruct-2407", "bf16"},
	// No suffix: a marker followed by other words, a name that is only a
	// marker, no marker at all.
	{"zrowt/Llama-3.1-8B-bnb-4bit-python", "", ""},
	{"x/GGUF", "", ""},
	{"meta-llama/Llama-3.1-8B-Instruct", "", ""},
	{"x/Llama-3-8b-Chinese-Novel-4bit-lesson-v0.1", "", ""},
	{"x/model-K-M", "", ""}, // type parts only after a qN
}

func TestSplitFormatSuffix(t *testing.T) {
	for _, c := range formatSuffixCases {
		base, suffix, ok := SplitFormatSuffix(c.id)
		if c.base == "" {
			if ok {
				t.Errorf("SplitFormatSuffix(%q) = %q, %q, true; want no suffix", c.id, base, suffix)
			}
			if base != namePart(c.id) {
				t.Errorf("SplitFormatSuffix(%q) base = %q, want the whole name", c.id, base)
			}
			continue
		}
		if !ok || base != c.base || suffix != c.suffix {
			t.Errorf("SplitFormatSuffix(%q) = %q, %q, %v; want %q, %q", c.id, base, suffix, ok, c.base, c.suffix)
		}
		// Every suffix holds a marker.
		marker := false
		for _, tok := range strings.FieldsFunc(strings.ToLower(c.suffix), func(r rune) bool { return strings.ContainsRune("-_. ", r) }) {
			marker = marker || formatClass(tok) == tokStrong
		}
		if !marker {
			t.Errorf("SplitFormatSuffix(%q): suffix %q has no marker", c.id, c.suffix)
		}
	}
}

// FuzzSplitFormatSuffix: never panics; base + separator + suffix is the
// name; splitting the base again changes nothing (normalising twice equals
// once); the base of a split name is never empty.
func FuzzSplitFormatSuffix(f *testing.F) {
	for _, c := range formatSuffixCases {
		f.Add(c.id)
	}
	f.Add("a/-Q4_K_M-GGUF")
	f.Add("a/X_-_Y-GGUF_4-bit")
	f.Add("İ/Ẋ-GGUF")
	f.Fuzz(func(t *testing.T, id string) {
		base, suffix, ok := SplitFormatSuffix(id)
		name := namePart(id)
		if !ok {
			if base != name || suffix != "" {
				t.Fatalf("SplitFormatSuffix(%q) = %q, %q, false; want the name and no suffix", id, base, suffix)
			}
			return
		}
		if base == "" || suffix == "" || len(base)+1+len(suffix) != len(name) || name[:len(base)] != base || name[len(base)+1:] != suffix {
			t.Fatalf("SplitFormatSuffix(%q) = %q, %q: not a split of %q", id, base, suffix, name)
		}
		if b2, s2, ok2 := SplitFormatSuffix(base); ok2 || b2 != base || s2 != "" {
			t.Fatalf("SplitFormatSuffix(%q) = %q, %q, %v; splitting its base %q again gave %q, %q, %v", id, base, suffix, ok, base, b2, s2, ok2)
		}
	})
}
