package synth

import (
	"bytes"
	"encoding/csv"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The naming conventions of the Hub's quantizers and converters, written
// here from the repositories they publish (not from the generator's
// tables). Each captures the base model's name (and bartowski's, its
// organisation) and says which tag marks the weight format.
var quantConventions = []struct {
	re  *regexp.Regexp
	tag func(m []string) string // the format tag the repository carries
}{
	{regexp.MustCompile(`^bartowski/([^_/]+)_(.+)-(GGUF|GGML)$`), lowerTag},
	{regexp.MustCompile(`^mradermacher/()(.+?)(?:-i1)?-(GGUF|GGML)$`), lowerTag},
	{regexp.MustCompile(`^(?:QuantFactory|lmstudio-community)/()(.+)-(GGUF|GGML)$`), lowerTag},
	{regexp.MustCompile(`^TheBloke/()(.+)-(GPTQ|AWQ|GGUF|GGML)$`), lowerTag},
	{regexp.MustCompile(`^unsloth/()(.+)-bnb-4bit$`), fixedTag("bitsandbytes")},
	{regexp.MustCompile(`^mlx-community/()(.+)-(?:4|6|8)bit$`), fixedTag("mlx")},
	{regexp.MustCompile(`^[^/]+/()(.+)-Q\d_(?:K_[MS]|K|0|1)-(GGUF|GGML)$`), lowerTag}, // gguf-my-repo
	{regexp.MustCompile(`^[^/]+/()(.+)-\d\.\dbpw-h\d-exl2$`), fixedTag("exl2")},       // exllamav2
	{regexp.MustCompile(`^[^/]+/()(.+)-(GGUF|GGML|gguf)$`), lowerTag},                 // anyone's llama.cpp files
	{regexp.MustCompile(`^[^/]+/()(.+)-(AWQ|GPTQ)$`), lowerTag},                       // AutoAWQ, AutoGPTQ
	{regexp.MustCompile(`^[^/]+/()(.+)-(?:fp8|FP8)$`), fixedTag("fp8")},               // FP8 checkpoints
	{regexp.MustCompile(`^[^/]+/()(.+)-MLX$`), fixedTag("mlx")},                       // mlx-lm convert
	{regexp.MustCompile(`^[^/]+/()(.+)-nf4$`), fixedTag("bitsandbytes")},              // bitsandbytes NF4
	{regexp.MustCompile(`^[^/]+/()(.+)-onnx$`), fixedTag("onnx")},                     // optimum export
	{regexp.MustCompile(`^[^/]+/()(.+)-int8$`), fixedTag("int8")},                     // int8 export
	{regexp.MustCompile(`^[^/]+/()(.+)-ct2$`), fixedTag("ctranslate2")},               // CTranslate2
}

func lowerTag(m []string) string { return strings.ToLower(m[3]) }
func fixedTag(tag string) func([]string) string {
	return func([]string) string { return tag }
}

var (
	uuidName    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	mergeMethod = regexp.MustCompile(`-(slerp|ties|dare-ties|model_stock|linear|della|passthrough)$`) // mergekit's methods
)

type truthEdge struct{ parent, child, rel string }

func generateTruth(t *testing.T, opt Options) ([]byte, []truthEdge, Stats) {
	t.Helper()
	var buf, truth bytes.Buffer
	opt.Truth = &truth
	st, err := Generate(&buf, opt)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", opt, err)
	}
	rows, err := csv.NewReader(&truth).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], []string{"parent", "child", "relation"}) {
		t.Fatalf("truth file starts %v, want the header parent,child,relation", rows)
	}
	var edges []truthEdge
	for _, r := range rows[1:] {
		edges = append(edges, truthEdge{r[0], r[1], r[2]})
	}
	return buf.Bytes(), edges, st
}

func nameOf(id string) string { _, n, _ := strings.Cut(id, "/"); return n }

func TestUndeclared(t *testing.T) {
	const n = 30000
	data, edges, st := generateTruth(t, Options{Models: n, Seed: 3})
	p := parseListing(t, data)

	children := map[string][]truthEdge{}
	var order []string
	hiddenEdges := [numRels]int{}
	for _, e := range edges {
		if _, seen := children[e.child]; !seen {
			order = append(order, e.child)
		}
		children[e.child] = append(children[e.child], e)
		r := slices.Index(RelationNames[:], e.rel)
		if r < 0 {
			t.Fatalf("truth row %v: unknown relation", e)
		}
		hiddenEdges[r]++
	}
	if st.Undeclared != len(children) || st.UndeclaredEdges != hiddenEdges {
		t.Errorf("stats say %d undeclared (%v edges), the truth file %d (%v)", st.Undeclared, st.UndeclaredEdges, len(children), hiddenEdges)
	}
	if f := pct(len(children), n); math.Abs(f-100*DefaultUndeclared) > 1.5 {
		t.Errorf("undeclared derivatives = %.1f%% of the records, want %.0f%% ± 1.5", f, 100*DefaultUndeclared)
	}

	byRel := map[string]int{}
	lastIndex := -1
	for _, child := range order {
		es := children[child]
		ci, ok := p.byLower[strings.ToLower(child)]
		if !ok || p.recs[ci].ID != child {
			t.Fatalf("truth child %s has no record of that spelling", child)
		}
		if ci <= lastIndex {
			t.Errorf("truth rows out of listing order at %s", child)
		}
		lastIndex = ci
		c := p.recs[ci]
		rel := es[0].rel
		byRel[rel]++
		if len(p.parents[ci]) > 0 || c.CardData != nil && c.CardData.BaseModel != nil {
			t.Errorf("%s: undeclared derivative declares parents %v", child, p.parents[ci])
		}
		for _, e := range es {
			if e.rel != rel {
				t.Errorf("%s: relations %s and %s", child, rel, e.rel)
			}
			pi, ok := p.byLower[strings.ToLower(e.parent)]
			if !ok || p.recs[pi].ID != e.parent {
				t.Errorf("%s: parent %s has no record of that spelling", child, e.parent)
				continue
			}
			if p.recs[pi].CreatedAt >= c.CreatedAt {
				t.Errorf("%s (%s): parent %s is not older (%s)", child, c.CreatedAt, e.parent, p.recs[pi].CreatedAt)
			}
		}
		if msg := checkConvention(rel, c, es); msg != "" {
			t.Errorf("%s (%s of %s): %s; tags %v", child, rel, es[0].parent, msg, c.Tags)
		}
	}
	// The relation mix (merges that find too few parents become finetunes).
	want := map[string]float64{"quantized": 55, "adapter": 27, "finetune": 12, "merge": 6}
	for rel, w := range want {
		if got := pct(byRel[rel], len(children)); math.Abs(got-w) > 3 {
			t.Errorf("undeclared %s = %.1f%% of undeclared derivatives, want %.0f%% ± 3", rel, got, w)
		}
	}
}

// checkConvention says what is wrong with an undeclared derivative's name
// and tags, or "".
func checkConvention(rel string, c record, es []truthEdge) string {
	parent := es[0].parent
	switch rel {
	case "quantized":
		for _, conv := range quantConventions {
			m := conv.re.FindStringSubmatch(c.ID)
			if m == nil {
				continue
			}
			pOrg, pName, _ := strings.Cut(parent, "/")
			if m[2] != pName || m[1] != "" && m[1] != pOrg {
				continue // another convention may read it right (Name-GGUF vs Name-Q4_K_M-GGUF)
			}
			if tag := conv.tag(m); !slices.Contains(c.Tags, tag) && c.Library != tag {
				return "no " + tag + " tag"
			}
			return ""
		}
		return "no quantizer's convention names " + parent
	case "adapter":
		name := nameOf(c.ID)
		lower := strings.ToLower(name)
		if !uuidName.MatchString(name) && (!strings.HasPrefix(name, nameOf(parent)+"-") || !strings.Contains(lower, "lora") && !strings.Contains(lower, "adapter")) {
			return "not named after its base with lora/adapter, nor a trainer's uuid"
		}
		if !slices.Contains(c.Tags, "lora") {
			return "no lora tag"
		}
		if c.Library != "peft" && c.Library != "diffusers" && c.Library != "" {
			return "library_name " + c.Library
		}
	case "finetune":
		if !strings.HasPrefix(nameOf(c.ID), nameOf(parent)+"-") {
			return "not named after its base"
		}
	case "merge":
		if len(es) < 2 || len(es) > 4 {
			return "a merge of " + string(rune('0'+len(es))) + " models"
		}
		if !mergeMethod.MatchString(c.ID) {
			return "not named by a merge method"
		}
		if !slices.Contains(c.Tags, "merge") || !slices.Contains(c.Tags, "mergekit") {
			return "no merge/mergekit tags"
		}
	}
	return ""
}

func TestUndeclaredShare(t *testing.T) {
	for _, tc := range []struct {
		share, want float64
	}{{-1, 0}, {0.25, 25}, {MaxUndeclared, 100 * MaxUndeclared}} {
		_, edges, st := generateTruth(t, Options{Models: 20000, Seed: 9, Undeclared: tc.share})
		got := pct(st.Undeclared, st.Models)
		if math.Abs(got-tc.want) > 1.5 || tc.want == 0 && len(edges) > 0 {
			t.Errorf("Undeclared %v: %.1f%% of records (%d truth rows), want %.1f%%", tc.share, got, len(edges), tc.want)
		}
		if wp := pct(st.WithParents, st.Models); wp < 26 || wp > 30 {
			t.Errorf("Undeclared %v: %.1f%% declare parents, want about 28%%", tc.share, wp)
		}
	}
	for _, bad := range []float64{MaxUndeclared + 0.01, 2, math.NaN()} {
		if _, err := Generate(&bytes.Buffer{}, Options{Models: 10, Undeclared: bad}); err == nil {
			t.Errorf("Undeclared %v: no error", bad)
		}
	}
	if _, err := Generate(&bytes.Buffer{}, Options{Models: -1}); err == nil {
		t.Error("Models -1: no error")
	}
}

func TestTruthDeterministic(t *testing.T) {
	opt := Options{Models: 5000, Seed: 4}
	la, ea, _ := generateTruth(t, opt)
	lb, eb, _ := generateTruth(t, opt)
	if !bytes.Equal(la, lb) || !slices.Equal(ea, eb) || len(ea) == 0 {
		t.Fatal("same options gave different listings or truth, or no truth")
	}
	plain, _ := generate(t, opt.Models, opt.Seed)
	if !bytes.Equal(plain, la) {
		t.Fatal("writing the truth changed the listing")
	}
}
