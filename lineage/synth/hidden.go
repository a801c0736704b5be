package synth

import (
	"slices"
	"strconv"
	"strings"
)

// DefaultUndeclared is the share of all records that are derivatives
// stating no parent (Options.Undeclared): one in ten. It is a choice, not a
// measurement: we know of no published count of the Hub's undeclared
// derivatives, only that most models state nothing (about 28% of the Hub
// declares a parent) and that quantizers' repositories, adapters and merges
// are commonly recognisable by name and tags alone.
const DefaultUndeclared = 0.10

// hiddenRel is the relation mix of undeclared derivatives (cumulative:
// quantized 55%, adapter 27%, finetune 12%, merge 6%): mostly re-uploads in
// another weight format, named by the quantizers' conventions.
var hiddenRel = [...]struct {
	rel int
	cum float64
}{{relQuantized, 0.55}, {relAdapter, 0.82}, {relFinetune, 0.94}, {relMerge, 1}}

// hiddenModel writes a derivative that states no parent (no base_model tag,
// no cardData.base_model) but is named and tagged by the real conventions
// of its kind; its true parents go to m.hidden (and the truth file). Every
// parent has a record and is older. It reports false when no family exists
// yet.
func (g *gen) hiddenModel(m *model) bool {
	fi := g.pickFamily()
	if fi < 0 {
		return false
	}
	u := g.r.Float64()
	m.rel = relQuantized
	for _, h := range hiddenRel {
		if u < h.cum {
			m.rel = h.rel
			break
		}
	}
	f := &g.fams[fi]
	m.mod, m.arch, m.license, m.size = f.mod, f.arch, f.license, f.size
	if g.r.Float64() < 0.2 {
		m.license = pickStr(g.r, licenses)
	}
	m.downloads = g.downloads(1)
	if m.rel == relMerge {
		if g.hiddenMerge(m, fi) {
			return true
		}
		m.rel = relFinetune
	}
	p := g.recordParent(fi, m.rel)
	if !usableStem(g.nodes[p].id) {
		p = g.fams[fi].root // named after its base: a base with a usable name
	}
	g.attach(p)
	pid := g.nodes[p].id
	m.hidden = append(m.hidden, ref{pid, p})
	stem := g.childStem(pid, fi)
	switch m.rel {
	case relAdapter:
		m.author = g.user()
		m.id = g.conventionID(m.author, g.hiddenAdapterName(m.mod, stem))
	case relFinetune:
		m.author = g.user()
		m.id = g.conventionID(m.author, g.hiddenFinetuneName(m.mod, stem))
		g.addFinetunable(m.id, fi, 0, false) // a root of the declared graph
	case relQuantized:
		g.hiddenQuantName(m, pid, stem)
	}
	return true
}

// recordParent picks a parent in family fi that has a record (no ghost).
func (g *gen) recordParent(fi int32, rel int) int32 {
	p := g.pickParent(fi, rel)
	if g.nodes[p].ghost {
		p = g.fams[fi].root
	}
	return p
}

func usableStem(id string) bool {
	_, name, _ := strings.Cut(id, "/")
	return len(name) <= 48 && !isUUID(name)
}

// hiddenMerge picks 2-4 distinct parents, as mergeModel does, none of them
// a ghost; false when the family offers too few.
func (g *gen) hiddenMerge(m *model, fi int32) bool {
	k := 2 + g.r.IntN(3)
	for try := 0; len(m.hidden) < k && try < 4*k; try++ {
		pf := fi
		if len(m.hidden) > 0 && g.r.Float64() < 0.5 {
			if c := g.pickFamily(); c >= 0 && g.fams[c].mod == g.fams[fi].mod {
				pf = c
			}
		}
		p := g.recordParent(pf, relMerge)
		if !slices.ContainsFunc(m.hidden, func(r ref) bool { return r.node == p }) {
			m.hidden = append(m.hidden, ref{g.nodes[p].id, p})
		}
	}
	if len(m.hidden) < 2 {
		m.hidden = m.hidden[:0]
		return false
	}
	for _, p := range m.hidden {
		g.attach(p.node)
	}
	m.author = g.user()
	m.id = g.conventionID(m.author, g.mergeName(g.fams[fi].size))
	g.addFinetunable(m.id, fi, 0, false)
	return true
}

// conventionID returns author/name when that id is free; else the same
// name under other accounts (someone else did the same), and only as a
// last resort a numbered name.
func (g *gen) conventionID(author, name string) string {
	for range 8 {
		if id := author + "/" + name; g.ids.add(id) {
			return id
		}
		author = g.user()
	}
	return g.uniqueID(author, name)
}

// hiddenQuantName fills the id, author and weight format of an undeclared
// quantization of pid, by the naming conventions quantizers use on the Hub.
func (g *gen) hiddenQuantName(m *model, pid, stem string) {
	r := g.r
	pAuthor, _, _ := strings.Cut(pid, "/")
	var author, name string
	switch m.mod {
	case modImage:
		author = g.user()
		switch r.IntN(4) {
		case 0:
			name, m.quantFmt = stem+pickStr(r, []string{"-fp8", "-FP8"}), "fp8"
		case 1:
			name, m.quantFmt = stem+pickStr(r, []string{"-gguf", "-GGUF"}), "gguf"
		case 2:
			name, m.quantFmt = stem+"-nf4", "nf4"
		default:
			name, m.quantFmt = stem+"-GGUF", "gguf"
		}
	case modEncoder, modSpeech:
		author = g.user()
		switch r.IntN(4) {
		case 0:
			name, m.quantFmt = stem+"-onnx", "onnx"
		case 1:
			name, m.quantFmt = stem+"-int8", "int8"
		case 2:
			name, m.quantFmt = stem+"-ct2", "ct2"
		default:
			name, m.quantFmt = stem+"-GGUF", "gguf"
		}
	default:
		switch u := r.IntN(100); {
		case u < 10:
			author, name, m.quantFmt = "bartowski", pAuthor+"_"+stem+"-GGUF", "gguf"
		case u < 20:
			author, name, m.quantFmt = "mradermacher", stem+"-GGUF", "gguf"
		case u < 25:
			author, name, m.quantFmt = "mradermacher", stem+"-i1-GGUF", "gguf"
		case u < 33:
			author = "TheBloke"
			switch r.IntN(3) {
			case 0:
				name, m.quantFmt = stem+"-GPTQ", "gptq"
			case 1:
				name, m.quantFmt = stem+"-AWQ", "awq"
			default:
				name, m.quantFmt = stem+"-GGUF", "gguf"
			}
			if m.created >= theBlokeUntil { // TheBloke stopped; QuantFactory carried on
				author, name, m.quantFmt = "QuantFactory", stem+"-GGUF", "gguf"
			}
		case u < 38:
			author, name, m.quantFmt = "QuantFactory", stem+"-GGUF", "gguf"
		case u < 43:
			author, name, m.quantFmt = "lmstudio-community", stem+"-GGUF", "gguf"
		case u < 48:
			author, name, m.quantFmt = "unsloth", stem+"-bnb-4bit", "bnb"
		case u < 56:
			author, name, m.quantFmt = "mlx-community", stem+pickStr(r, []string{"-4bit", "-8bit", "-4bit"}), "mlx"
		case u < 70:
			author, name, m.quantFmt = g.user(), stem+"-"+pickStr(r, ggufQuants)+"-GGUF", "gguf-my-repo"
		case u < 75:
			author, name, m.quantFmt = g.user(), stem+"-"+pickStr(r, exl2Bits)+"-exl2", "exl2"
		case u < 80:
			author, name, m.quantFmt = g.user(), stem+pickStr(r, []string{"-fp8", "-FP8"}), "fp8"
		case u < 83:
			author, name, m.quantFmt = g.user(), stem+"-MLX", "mlx"
		case u < 90:
			author, name, m.quantFmt = g.user(), stem+"-AWQ", "awq"
		case u < 94:
			author, name, m.quantFmt = g.user(), stem+"-GPTQ", "gptq"
		default:
			author, name, m.quantFmt = g.user(), stem+"-GGUF", "gguf"
		}
	}
	name = g.beforeGGUF(m, name)
	if fixedQuantizer(author) {
		if id := author + "/" + name; g.ids.add(id) {
			m.author, m.id = author, id
			return
		}
		// The account converted this model already; someone else does it.
		author, name, m.quantFmt = g.user(), stem+"-GGUF", "gguf"
		name = g.beforeGGUF(m, name)
	}
	m.id = g.conventionID(author, name)
	m.author, _, _ = strings.Cut(m.id, "/")
}

// beforeGGUF renames a GGUF repository created before GGUF existed: then
// llama.cpp files were GGML.
func (g *gen) beforeGGUF(m *model, name string) string {
	if m.created < ggufSince && strings.HasSuffix(strings.ToUpper(name), "GGUF") {
		m.quantFmt = "ggml"
		return name[:len(name)-4] + "GGML"
	}
	return name
}

// hiddenAdapterName names an adapter after its base model, or by an
// automated trainer's random id.
func (g *gen) hiddenAdapterName(mod uint8, stem string) string {
	r := g.r
	switch r.IntN(10) {
	case 0, 1:
		return g.uuid()
	case 2, 3:
		return stem + "-lora-" + g.word()
	case 4:
		return stem + "-qlora-" + pickStr(r, ftSuffixes)
	case 5:
		return stem + "-" + g.word() + "-adapter"
	case 6:
		if mod == modImage {
			return stem + "-" + g.word() + "-LoRA"
		}
		return stem + "-" + pickStr(r, ftSuffixes) + "-lora"
	}
	return stem + "-" + g.word() + "-lora"
}

// hiddenFinetuneName names a fine-tune the way the Trainer's examples do
// (base name, "-finetuned-", task) or with a base name and a suffix.
func (g *gen) hiddenFinetuneName(mod uint8, stem string) string {
	r := g.r
	switch mod {
	case modEncoder:
		return stem + "-finetuned-" + pickStr(r, encoderTasks)
	case modSpeech:
		return stem + "-" + pickStr(r, languages)
	case modImage:
		return stem + "-finetuned-" + g.word()
	}
	if r.IntN(2) == 0 {
		return stem + "-finetuned-" + g.word()
	}
	return stem + "-" + pickStr(r, ftSuffixes)
}

var exl2Bits = []string{"4.0bpw-h6", "5.0bpw-h6", "6.0bpw-h6", "6.5bpw-h8", "8.0bpw-h8"}

// paramCount returns a model's safetensors parameter count from its size
// ("8B", "0.5B"), or a typical count for the modality.
func paramCount(mod uint8, size string, u float64) int64 {
	base := 0.0
	if b, ok := strings.CutSuffix(size, "B"); ok {
		if x, err := strconv.ParseFloat(b, 64); err == nil {
			base = x * 1e9
		}
	}
	if base == 0 {
		switch mod {
		case modEncoder:
			base = 110e6
		case modSpeech:
			base = 244e6
		case modImage:
			base = 2.6e9
		default:
			base = 1.2e9
		}
	}
	return int64(base * (0.9 + 0.2*u))
}
