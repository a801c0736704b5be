package synth

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// ---- names ----

// user returns an account name, heavy-tailed over a pool that grows with the
// listing (a few accounts publish very many models).
func (g *gen) user() string {
	k := uint64(float64(g.users) * math.Pow(g.r.Float64(), 2.5))
	return userName(g.seed, k)
}

// userName derives account k of the pool from the seed alone, so accounts
// cost no memory.
func userName(seed, k uint64) string {
	h := splitmix(seed*0x100000001b3 ^ k)
	var b []byte
	nsyl := 2 + int(h%3)
	h >>= 2
	for i := range nsyl {
		s := syllables[h%uint64(len(syllables))]
		h >>= 6
		if i == 0 && h%4 == 0 {
			s = strings.ToUpper(s[:1]) + s[1:]
		}
		b = append(b, s...)
	}
	h >>= 2
	switch h % 8 {
	case 0, 1:
		b = strconv.AppendUint(b, 1+(h>>3)%999, 10)
	case 2:
		b = append(b, '-')
		b = append(b, syllables[(h>>3)%uint64(len(syllables))]...)
	case 3:
		b = append(b, orgSuffixes[(h>>3)%uint64(len(orgSuffixes))]...)
	}
	return string(b)
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func hashStr(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

// uniqueID returns author/name, or a suffixed variant when that id (compared
// case-insensitively, as the Hub does) is taken.
func (g *gen) uniqueID(author, name string) string {
	if len(name) > 90 {
		name = name[:90]
	}
	id := author + "/" + name
	for n := 2; !g.ids.add(id); n++ {
		id = author + "/" + name + "-" + strconv.Itoa(n)
	}
	return id
}

func (g *gen) childStem(pid string, fi int32) string {
	_, name, _ := strings.Cut(pid, "/")
	if len(name) > 48 || isUUID(name) {
		return g.fams[fi].stem
	}
	return name
}

func isUUID(s string) bool { return len(s) == 36 && s[8] == '-' && s[13] == '-' }

func (g *gen) uuid() string {
	a, b := g.r.Uint64(), g.r.Uint64()
	const hex = "0123456789abcdef"
	buf := make([]byte, 0, 36)
	for i := range 32 {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			buf = append(buf, '-')
		}
		var x uint64
		if i < 16 {
			x = a >> (4 * i)
		} else {
			x = b >> (4 * (i - 16))
		}
		buf = append(buf, hex[x&15])
	}
	return string(buf)
}

func (g *gen) word() string { return pickStr(g.r, words) }

func (g *gen) rootName(mod uint8, arch, size string) string {
	r := g.r
	w := g.word()
	switch mod {
	case modImage:
		return pickStr(r, []string{w + "-diffusion", w + "-XL", w + "Mix-v" + strconv.Itoa(1+r.IntN(6)), "sd-" + w, w + "-flux"})
	case modEncoder:
		return pickStr(r, []string{w + "-bert-base", w + "BERT", "roberta-" + w, w + "-embed-v" + strconv.Itoa(1+r.IntN(3)), "e5-" + w})
	case modSpeech:
		return pickStr(r, []string{w + "-asr", "wav2vec2-" + w, w + "-tts", w + "-speech"})
	}
	name := capWord(w)
	if r.IntN(2) == 0 {
		name += "-" + capWord(g.word())
	}
	if r.IntN(3) == 0 {
		name += "-" + strconv.Itoa(1+r.IntN(4)) + "." + strconv.Itoa(r.IntN(10))
	}
	if size != "" {
		name += "-" + size
	}
	if r.IntN(4) == 0 {
		name += "-v" + strconv.Itoa(1+r.IntN(5))
	}
	return name
}

func capWord(w string) string { return strings.ToUpper(w[:1]) + w[1:] }

func (g *gen) finetuneName(mod uint8, stem string) string {
	r := g.r
	switch mod {
	case modImage:
		return pickStr(r, []string{stem + "-" + g.word(), g.word() + "-diffusion", stem + "-dreambooth-" + g.word(), capWord(g.word()) + "Mix"})
	case modEncoder:
		return stem + "-finetuned-" + pickStr(r, encoderTasks)
	case modSpeech:
		return stem + "-" + pickStr(r, languages)
	}
	switch r.IntN(10) {
	case 0, 1:
		return capWord(g.word()) + "-" + stem
	case 2:
		return stem + "-" + pickStr(r, ftSuffixes) + "-" + pickStr(r, ftSuffixes)
	case 3:
		return stem + "-checkpoint-" + strconv.Itoa(100*(1+r.IntN(300)))
	case 4:
		return stem + "-" + g.word() + "-v" + strconv.Itoa(1+r.IntN(4)) + "." + strconv.Itoa(r.IntN(10))
	}
	return stem + "-" + pickStr(r, ftSuffixes)
}

func (g *gen) adapterName(mod uint8, stem string) string {
	r := g.r
	if mod == modImage {
		return pickStr(r, []string{g.word() + "-lora", "flux-" + g.word() + "-lora", capWord(g.word()) + "_LoRA", stem + "-" + g.word() + "-lora"})
	}
	switch r.IntN(10) {
	case 0, 1, 2:
		return g.uuid() // automated trainers (real listings are full of them)
	case 3, 4:
		return stem + "-lora-" + g.word()
	case 5:
		return stem + "-" + pickStr(r, ftSuffixes) + "-lora"
	}
	return g.word() + "-" + strings.ToLower(stem) + "-adapter"
}

func (g *gen) mergeName(size string) string {
	r := g.r
	n := capWord(g.word()) + "-" + capWord(g.word())
	if size != "" {
		n += "-" + size
	}
	return n + "-" + pickStr(r, mergeMethods)
}

// quantName fills id, author and format of a quantized child of pid.
func (g *gen) quantName(m *model, pid, stem string) {
	r := g.r
	pAuthor, _, _ := strings.Cut(pid, "/")
	var author, name string
	switch m.mod {
	case modImage:
		author = g.user()
		name = stem + pickStr(r, []string{"-gguf", "-fp8", "-nf4", "-GGUF"})
		m.quantFmt = "gguf"
		if !strings.HasSuffix(strings.ToLower(name), "gguf") {
			m.quantFmt = "fp8"
		}
	case modEncoder, modSpeech:
		author = g.user()
		name = stem + pickStr(r, []string{"-onnx", "-int8", "-GGUF", "-ct2"})
		m.quantFmt = "int8"
	default:
		u := r.IntN(100)
		switch {
		case u < 10:
			author, name, m.quantFmt = "bartowski", pAuthor+"_"+stem+"-GGUF", "gguf"
		case u < 24:
			author, name, m.quantFmt = "mradermacher", stem+"-GGUF", "gguf"
		case u < 30:
			author, name, m.quantFmt = "mradermacher", stem+"-i1-GGUF", "gguf"
		case u < 34:
			author, name, m.quantFmt = "QuantFactory", stem+"-GGUF", "gguf"
			if m.created < theBlokeUntil {
				author = "TheBloke"
			}
		case u < 52:
			author, name, m.quantFmt = g.user(), stem+"-"+pickStr(r, ggufQuants)+"-GGUF", "gguf-my-repo"
		case u < 58:
			author, name, m.quantFmt = g.user(), stem+"-GGUF", "gguf"
		case u < 66:
			author, name, m.quantFmt = g.user(), stem+"-AWQ", "awq"
		case u < 74:
			author, name, m.quantFmt = g.user(), stem+pickStr(r, []string{"-GPTQ", "-GPTQ-Int4", "-4bit-GPTQ"}), "gptq"
		case u < 84:
			author, name, m.quantFmt = "mlx-community", stem+pickStr(r, []string{"-4bit", "-8bit", "-4bit", "-6bit"}), "mlx"
		case u < 88:
			author, name, m.quantFmt = "LoneStriker", stem+pickStr(r, []string{"-4.0bpw-h6-exl2", "-6.0bpw-h6-exl2", "-8.0bpw-h8-exl2"}), "exl2"
		case u < 91:
			author, name, m.quantFmt = g.user(), stem+"-exl2", "exl2"
		default:
			author, name, m.quantFmt = g.user(), stem+"-bnb-4bit", "bnb"
		}
	}
	if m.created < ggufSince && strings.HasSuffix(name, "GGUF") {
		// Before GGUF, llama.cpp quantizations were GGML repositories.
		name = strings.TrimSuffix(name, "GGUF") + "GGML"
		m.quantFmt = "ggml"
	}
	if fixedQuantizer(author) {
		if id := author + "/" + name; len(name) <= 90 && g.ids.add(id) {
			m.author, m.id = author, id
			return
		}
		// The account already quantized this name; someone else does it again.
		author = g.user()
	}
	m.author = author
	m.id = g.uniqueID(author, name)
}

func fixedQuantizer(author string) bool {
	switch author {
	case "bartowski", "mradermacher", "QuantFactory", "TheBloke", "mlx-community", "LoneStriker", "lmstudio-community", "unsloth":
		return true
	}
	return false
}

func pickStr(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

func (g *gen) randomMod() uint8 {
	switch u := g.r.IntN(100); {
	case u < 58:
		return modText
	case u < 75:
		return modImage
	case u < 89:
		return modEncoder
	case u < 95:
		return modSpeech
	default:
		return modVision
	}
}

func (g *gen) randomArch(mod uint8) string {
	switch mod {
	case modText:
		return pickStr(g.r, textArchs)
	case modVision:
		return pickStr(g.r, []string{"qwen2_vl", "llava", "idefics3", "gemma3", "mllama"})
	case modEncoder:
		return pickStr(g.r, []string{"bert", "roberta", "xlm-roberta", "deberta-v2", "distilbert", "modernbert"})
	case modSpeech:
		return pickStr(g.r, []string{"whisper", "wav2vec2", "speecht5"})
	}
	return ""
}

// downloads draws a heavy-tailed download count; level 0 plain, 1 child,
// 2 foundation candidate, 3 official variant.
func (g *gen) downloads(level int) int {
	x := math.Exp(downloadsMu[level] + 2.2*g.r.NormFloat64())
	return int(min(x, 5e7))
}

// ---- id set ----

// idset is an open-addressing set of 64-bit hashes of lower-cased ids; it
// grows by doubling. A hash collision only adds a needless suffix.
type idset struct {
	slots []uint64
	n     int
}

func newIDSet(capacity int) idset {
	size := 1024
	for size < 2*capacity {
		size <<= 1
	}
	return idset{slots: make([]uint64, size)}
}

// add inserts id and reports whether it was new.
func (s *idset) add(id string) bool {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		c := id[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint64(c)) * 1099511628211
	}
	h = splitmix(h) | 1
	if 2*(s.n+1) > len(s.slots) {
		old := s.slots
		s.slots = make([]uint64, 2*len(old))
		for _, v := range old {
			if v != 0 {
				s.insert(v)
			}
		}
	}
	if !s.insert(h) {
		return false
	}
	s.n++
	return true
}

func (s *idset) insert(h uint64) bool {
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			s.slots[i] = h
			return true
		case h:
			return false
		}
	}
}

// ---- tables ----

type famousVariant struct {
	id     string
	rel    int
	parent int // index into [foundation, variants...]
}

type famousFoundation struct {
	id, date, arch, license, size string
	mod                           uint8
	weight                        float64 // share among named foundations existing at the time
	variants                      []famousVariant
}

var famousFoundations = []famousFoundation{
	{id: "google-bert/bert-base-uncased", date: "2022-03-02T23:29:04Z", mod: modEncoder, arch: "bert", license: "apache-2.0", weight: 5},
	{id: "openai-community/gpt2", date: "2022-03-02T23:29:04Z", mod: modText, arch: "gpt2", license: "mit", weight: 3},
	{id: "FacebookAI/roberta-base", date: "2022-03-02T23:29:04Z", mod: modEncoder, arch: "roberta", license: "mit", weight: 2},
	{id: "openai/whisper-small", date: "2022-09-26T06:51:27Z", mod: modSpeech, arch: "whisper", license: "apache-2.0", weight: 3},
	{id: "runwayml/stable-diffusion-v1-5", date: "2022-10-19T23:38:35Z", mod: modImage, license: "creativeml-openrail-m", weight: 5},
	{id: "meta-llama/Llama-2-7b-hf", date: "2023-07-13T16:16:13Z", mod: modText, arch: "llama", license: "llama2", size: "7B", weight: 5,
		variants: []famousVariant{
			{"meta-llama/Llama-2-7b-chat-hf", relFinetune, 0},
			{"NousResearch/Llama-2-7b-chat-hf", relFinetune, 1},
			{"TheBloke/Llama-2-7B-Chat-GPTQ", relQuantized, 1},
		}},
	{id: "stabilityai/stable-diffusion-xl-base-1.0", date: "2023-07-25T13:25:51Z", mod: modImage, license: "openrail++", weight: 18},
	{id: "mistralai/Mistral-7B-v0.1", date: "2023-09-20T13:03:50Z", mod: modText, arch: "mistral", license: "apache-2.0", size: "7B", weight: 5,
		variants: []famousVariant{
			{"mistralai/Mistral-7B-Instruct-v0.1", relFinetune, 0},
			{"unsloth/mistral-7b-bnb-4bit", relQuantized, 0},
		}},
	{id: "meta-llama/Meta-Llama-3-8B", date: "2024-04-17T09:35:16Z", mod: modText, arch: "llama", license: "llama3", size: "8B", weight: 20,
		variants: []famousVariant{
			{"meta-llama/Meta-Llama-3-8B-Instruct", relFinetune, 0},
			{"unsloth/llama-3-8b-bnb-4bit", relQuantized, 0},
			{"unsloth/llama-3-8b-Instruct-bnb-4bit", relQuantized, 1},
		}},
	{id: "google/gemma-2-9b", date: "2024-06-24T08:05:41Z", mod: modText, arch: "gemma2", license: "gemma", size: "9B", weight: 3,
		variants: []famousVariant{
			{"google/gemma-2-9b-it", relFinetune, 0},
			{"unsloth/gemma-2-9b-it-bnb-4bit", relQuantized, 1},
		}},
	{id: "meta-llama/Llama-3.1-8B", date: "2024-07-14T22:20:15Z", mod: modText, arch: "llama", license: "llama3.1", size: "8B", weight: 60,
		variants: []famousVariant{
			{"meta-llama/Llama-3.1-8B-Instruct", relFinetune, 0},
			{"unsloth/Meta-Llama-3.1-8B-bnb-4bit", relQuantized, 0},
			{"unsloth/Meta-Llama-3.1-8B-Instruct", relFinetune, 1},
			{"unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit", relQuantized, 1},
		}},
	{id: "black-forest-labs/FLUX.1-dev", date: "2024-07-31T21:13:44Z", mod: modImage, arch: "flux", license: "other", weight: 45},
	{id: "Qwen/Qwen2.5-7B", date: "2024-09-15T12:17:40Z", mod: modText, arch: "qwen2", license: "apache-2.0", size: "7B", weight: 50,
		variants: []famousVariant{
			{"Qwen/Qwen2.5-7B-Instruct", relFinetune, 0},
			{"Qwen/Qwen2.5-7B-Instruct-AWQ", relQuantized, 1},
			{"Qwen/Qwen2.5-7B-Instruct-GGUF", relQuantized, 1},
			{"unsloth/Qwen2.5-7B-Instruct-bnb-4bit", relQuantized, 1},
		}},
	{id: "Qwen/Qwen2.5-0.5B", date: "2024-09-15T12:15:39Z", mod: modText, arch: "qwen2", license: "apache-2.0", size: "0.5B", weight: 6,
		variants: []famousVariant{
			{"Qwen/Qwen2.5-0.5B-Instruct", relFinetune, 0},
			{"unsloth/Qwen2.5-0.5B-Instruct", relFinetune, 1},
		}},
	{id: "meta-llama/Llama-3.2-1B", date: "2024-09-18T15:03:14Z", mod: modText, arch: "llama", license: "llama3.2", size: "1B", weight: 10,
		variants: []famousVariant{
			{"meta-llama/Llama-3.2-1B-Instruct", relFinetune, 0},
			{"unsloth/Llama-3.2-1B-Instruct", relFinetune, 1},
			{"unsloth/Llama-3.2-1B-Instruct-bnb-4bit", relQuantized, 2},
		}},
	{id: "HuggingFaceTB/SmolLM2-1.7B", date: "2024-10-31T13:42:06Z", mod: modText, arch: "llama", license: "apache-2.0", size: "1.7B", weight: 3,
		variants: []famousVariant{
			{"HuggingFaceTB/SmolLM2-1.7B-Instruct", relFinetune, 0},
			{"unsloth/SmolLM2-1.7B", relFinetune, 0},
			{"unsloth/SmolLM2-1.7B-Instruct", relFinetune, 1},
		}},
	{id: "deepseek-ai/DeepSeek-R1", date: "2025-01-20T03:46:07Z", mod: modText, arch: "deepseek_v3", license: "mit", size: "671B", weight: 3,
		variants: []famousVariant{
			{"unsloth/DeepSeek-R1-GGUF", relQuantized, 0},
		}},
	{id: "google/gemma-3-4b-pt", date: "2025-03-01T19:49:43Z", mod: modVision, arch: "gemma3", license: "gemma", size: "4B", weight: 3,
		variants: []famousVariant{
			{"google/gemma-3-4b-it", relFinetune, 0},
			{"unsloth/gemma-3-4b-it", relFinetune, 1},
			{"unsloth/gemma-3-4b-it-unsloth-bnb-4bit", relQuantized, 2},
		}},
	{id: "Qwen/Qwen3-8B-Base", date: "2025-04-28T03:48:31Z", mod: modText, arch: "qwen3", license: "apache-2.0", size: "8B", weight: 14,
		variants: []famousVariant{
			{"Qwen/Qwen3-8B", relFinetune, 0},
			{"unsloth/Qwen3-8B", relFinetune, 1},
			{"unsloth/Qwen3-8B-unsloth-bnb-4bit", relQuantized, 2},
		}},
}

var (
	syllables = []string{"ka", "lo", "mi", "ra", "zen", "tor", "vi", "nex", "ar", "el", "sun", "bo", "qi", "xu", "li", "an",
		"mar", "den", "sho", "yu", "ta", "ri", "co", "dex", "fa", "gu", "hi", "jo", "ku", "ne", "pe", "sa",
		"vo", "wen", "zhi", "ai", "ben", "cha", "do", "ev", "fin", "gal", "hu", "ix", "jin", "kai", "lu", "mo",
		"nor", "oz", "pi", "quan", "ro", "sig", "tu", "ul", "van", "wu", "xi", "yo", "za", "ber", "cy", "dra"}
	orgSuffixes = []string{"AI", "-ai", "-lab", "Labs", "Research", "-nlp", "-org", "hub"}
	words       = []string{"nova", "hermes", "dolphin", "orca", "zephyr", "falcon", "phoenix", "atlas", "nebula", "aurora",
		"titan", "sage", "echo", "vega", "lyra", "pixel", "quartz", "ember", "raven", "cobalt", "saga", "spark", "ocean",
		"storm", "comet", "lumen", "onyx", "forge", "cipher", "delta", "helix", "iris", "jade", "karma", "lotus", "mosaic",
		"nimbus", "opal", "prism", "quest", "rune", "sol", "tango", "umbra", "vertex", "willow", "xenon", "yeti", "zen",
		"anime", "portrait", "medical", "legal", "finance", "code", "math", "story", "chat", "tutor", "poet", "scholar"}
	sizes        = []string{"0.5B", "1B", "1.5B", "2B", "3B", "7B", "7B", "8B", "8B", "9B", "12B", "13B", "14B", "32B", "70B"}
	textArchs    = []string{"llama", "llama", "qwen2", "qwen2", "mistral", "gemma2", "phi3", "gpt2", "gpt_neox", "qwen3", "olmo2"}
	licenses     = []string{"apache-2.0", "apache-2.0", "mit", "mit", "other", "cc-by-nc-4.0", "openrail", "llama3.1", "gemma", "unknown"}
	languages    = []string{"en", "en", "en", "zh", "es", "fr", "de", "ja", "ko", "hi", "vi", "ar", "ru", "pt", "it"}
	datasets     = []string{"HuggingFaceH4/ultrachat_200k", "tatsu-lab/alpaca", "yahma/alpaca-cleaned", "argilla/dpo-mix-7k", "Open-Orca/OpenOrca", "openai/gsm8k", "fka/awesome-chatgpt-prompts", "imdb"}
	ftSuffixes   = []string{"sft", "dpo", "orpo", "grpo", "chat", "instruct", "it", "finetuned", "ft", "merged", "uncensored", "abliterated", "code", "math", "medical", "legal", "roleplay", "rp", "reasoning", "distill", "v2", "v0.3"}
	encoderTasks = []string{"imdb", "squad", "ner", "emotion", "sst2", "mrpc", "conll2003", "sentiment", "nli", "qa"}
	mergeMethods = []string{"slerp", "ties", "dare-ties", "model_stock", "linear", "della", "passthrough"}
	ggufQuants   = []string{"Q4_K_M", "Q4_K_M", "Q8_0", "Q5_K_M", "Q6_K", "Q4_0", "Q4_K_S", "Q5_K_S"}

	encoderPipelines = []string{"text-classification", "text-classification", "token-classification", "fill-mask", "sentence-similarity", "question-answering", "feature-extraction"}
)
