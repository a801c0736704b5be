package synth

import (
	"math"
	"slices"
)

// finish draws the rest of a record: its last modification, likes,
// library, pipeline, language, tags and which card data it carries, in the
// order the generator has always drawn them (the output depends on it).
func (g *gen) finish(m *model) {
	r := g.r
	m.modified = m.created
	if r.IntN(3) > 0 {
		m.modified += int64(r.ExpFloat64() * 20 * 86400)
	} else {
		m.modified += int64(r.IntN(3600))
	}
	if m.famous {
		m.likes = m.downloads/1000 + r.IntN(2000)
	} else if m.downloads > 0 {
		m.likes = int(math.Sqrt(float64(m.downloads)) * r.Float64() * r.Float64() * 0.5)
	}
	m.lib, m.pipe = g.libraryAndPipeline(m)
	if r.IntN(4) == 0 {
		m.lang = pickStr(r, languages)
	}
	m.tags = g.buildTags(m.tags[:0], m, m.lib, m.pipe, m.lang)
	g.figures(m)
	if m.card = r.Float64() < pCardData; !m.card {
		return
	}
	n := len(m.parents)
	if m.self {
		n++
	}
	if n == 0 || r.Float64() >= pCardBase {
		return
	}
	m.cardBase = true
	m.cardList = n > 1 || r.IntN(3) == 0
	pRel := 0.03
	if m.rel == relMerge {
		pRel = 0.3
	} else if m.rel == relQuantized {
		pRel = 0.15
	}
	m.cardRel = r.Float64() < pRel
}

// figures draws the record's all-time downloads, trending score, gating
// and safetensors parameter count. They are not calibrated to the Hub
// beyond their rough shape: all-time downloads grow with age, most models
// do not trend, a few are gated, and weights in safetensors have a size.
func (g *gen) figures(m *model) {
	r := g.r
	months := max(1, float64(tEnd-m.created)/(30*86400))
	m.downloadsAll = int(min(float64(m.downloads)*(1+r.Float64()*months*0.8), 2e9))
	switch {
	case m.famous:
		m.trending = m.likes/20 + r.IntN(50)
	case r.IntN(20) == 0:
		m.trending = 1 + r.IntN(8)
	}
	if gate, ok := gatedOrgs[m.author]; ok {
		m.gated = gate
	} else if u := r.IntN(1000); u < 15 {
		m.gated = "auto"
	} else if u < 20 {
		m.gated = "manual"
	}
	if slices.Contains(m.tags, "safetensors") {
		m.params = paramCount(m.mod, m.size, r.Float64())
		if m.rel == relAdapter && m.derived() {
			m.params = max(1, m.params/200) // the adapter's own weights
		}
	}
}

// gatedOrgs gate their models on the Hub ("manual": the owner approves
// each request; "auto": accepting the terms is enough).
var gatedOrgs = map[string]string{"meta-llama": "manual", "google": "manual", "black-forest-labs": "auto"}

// eachParent calls f for every parent id as written, self last.
func (g *gen) eachParent(m *model, f func(i int, id string)) {
	for i, p := range m.parents {
		f(i, p.id)
	}
	if m.self {
		f(len(m.parents), m.id)
	}
}

func (g *gen) libraryAndPipeline(m *model) (lib, pipe string) {
	switch m.mod {
	case modText:
		lib, pipe = "transformers", "text-generation"
	case modVision:
		lib, pipe = "transformers", "image-text-to-text"
	case modImage:
		lib, pipe = "diffusers", "text-to-image"
	case modEncoder:
		lib, pipe = "transformers", encoderPipelines[hashStr(m.id)%uint64(len(encoderPipelines))]
		if pipe == "sentence-similarity" {
			lib = "sentence-transformers"
		}
	case modSpeech:
		lib, pipe = "transformers", "automatic-speech-recognition"
	}
	switch {
	case m.rel == relAdapter && m.derived() && m.mod != modImage:
		lib = "peft"
	case m.quantFmt == "gguf" || m.quantFmt == "ggml" || m.quantFmt == "exl2":
		lib = ""
	case m.quantFmt == "gguf-my-repo":
		lib = "transformers"
	case m.quantFmt == "mlx":
		lib = "mlx"
	}
	if m.famous {
		if m.mod == modEncoder {
			lib, pipe = "transformers", "fill-mask"
		}
		return lib, pipe
	}
	if lib == "peft" {
		return lib, pipe
	}
	switch u := hashStr(m.id) % 100; {
	case u < 8:
		lib = ""
	case u < 20:
		pipe = ""
	}
	return lib, pipe
}

func (g *gen) buildTags(t []string, m *model, lib, pipe, lang string) []string {
	r := g.r
	if lib != "" {
		t = append(t, lib)
	}
	switch m.quantFmt {
	case "gguf", "gguf-my-repo":
		t = append(t, "gguf")
	case "ggml":
		t = append(t, "ggml")
	default:
		if m.mod != modImage || r.IntN(2) == 0 {
			t = append(t, "safetensors")
		}
	}
	if m.arch != "" {
		t = append(t, m.arch)
	}
	if pipe != "" {
		t = append(t, pipe)
	}
	switch m.quantFmt {
	case "gguf-my-repo":
		t = append(t, "llama-cpp", "gguf-my-repo")
	case "awq":
		t = append(t, "4-bit", "awq")
	case "gptq":
		t = append(t, "4-bit", "gptq")
	case "bnb":
		t = append(t, "unsloth", "4-bit", "bitsandbytes")
	case "exl2":
		t = append(t, "exl2")
	case "mlx":
		if lib != "mlx" {
			t = append(t, "mlx")
		}
	case "fp8":
		t = append(t, "fp8")
	case "nf4":
		t = append(t, "4-bit", "bitsandbytes")
	case "onnx":
		t = append(t, "onnx")
	case "int8":
		t = append(t, "int8")
	case "ct2":
		t = append(t, "ctranslate2")
	}
	switch {
	case m.rel == relMerge:
		t = append(t, "mergekit", "merge")
	case m.rel == relAdapter && m.derived():
		if m.mod == modImage {
			t = append(t, "lora", "template:sd-lora")
		} else {
			t = append(t, "lora", "sft", "trl")
		}
	case m.rel == relFinetune && m.derived() && m.mod == modText:
		switch r.IntN(4) {
		case 0:
			t = append(t, "generated_from_trainer")
		case 1:
			t = append(t, "trl", "sft")
		case 2:
			t = append(t, "unsloth", "trl")
		}
	}
	if m.mod == modText || m.mod == modVision {
		t = append(t, "conversational")
	}
	if lang != "" {
		t = append(t, lang)
	}
	if r.IntN(10) == 0 {
		t = append(t, "dataset:"+pickStr(r, datasets))
	}
	g.eachParent(m, func(_ int, id string) {
		t = append(t, "base_model:"+id, "base_model:"+RelationNames[m.rel]+":"+id)
	})
	if m.license != "" {
		t = append(t, "license:"+m.license)
	}
	if m.mod == modText && lib == "transformers" {
		t = append(t, "autotrain_compatible", "text-generation-inference")
	}
	if lib != "" || m.quantFmt != "" {
		t = append(t, "endpoints_compatible")
	}
	return append(t, "region:us")
}
