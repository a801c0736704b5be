package recovery

import (
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
)

// One undeclared child per case, named by a real publishing convention; the
// corpus holds the parent and, where it matters, look-alikes.
func TestNameConventions(t *testing.T) {
	cases := []struct {
		name, corpus, child, parent, rel string
		match                            Match
	}{
		{"bartowski Org_Name", "allura-org/Bigger-Body-8b; other/Bigger-Body-8b; bartowski/allura-org_Bigger-Body-8b-GGUF",
			"bartowski/allura-org_Bigger-Body-8b-GGUF", "allura-org/Bigger-Body-8b", "quantized", MatchEmbeddedID},
		{"mradermacher i1", "Sao10K/L3-8B-Stheno-v3.2; mradermacher/L3-8B-Stheno-v3.2-i1-GGUF",
			"mradermacher/L3-8B-Stheno-v3.2-i1-GGUF", "Sao10K/L3-8B-Stheno-v3.2", "quantized", MatchFormat},
		{"TheBloke GPTQ", "WizardLMTeam/WizardLM-13B-V1.2; TheBloke/WizardLM-13B-V1.2-GPTQ",
			"TheBloke/WizardLM-13B-V1.2-GPTQ", "WizardLMTeam/WizardLM-13B-V1.2", "quantized", MatchFormat},
		{"TheBloke -hf parent", "meta-llama/Llama-2-7b-chat-hf; TheBloke/Llama-2-7B-Chat-GGUF",
			"TheBloke/Llama-2-7B-Chat-GGUF", "meta-llama/Llama-2-7b-chat-hf", "quantized", MatchFormat},
		{"unsloth bnb", "mistralai/Mistral-7B-Instruct-v0.3; unsloth/mistral-7b-instruct-v0.3-bnb-4bit",
			"unsloth/mistral-7b-instruct-v0.3-bnb-4bit", "mistralai/Mistral-7B-Instruct-v0.3", "quantized", MatchFormat},
		{"unsloth dynamic bnb", "Qwen/Qwen2.5-3B-Instruct; unsloth/Qwen2.5-3B-Instruct; unsloth/Qwen2.5-3B-Instruct-unsloth-bnb-4bit",
			"unsloth/Qwen2.5-3B-Instruct-unsloth-bnb-4bit", "Qwen/Qwen2.5-3B-Instruct", "quantized", MatchFormat},
		{"mlx bits", "openbmb/MiniCPM3-4B; mlx-community/MiniCPM3-4B-4bit", "mlx-community/MiniCPM3-4B-4bit", "openbmb/MiniCPM3-4B", "quantized", MatchFormat},
		{"mlx no marker", "pints-ai/1.5-Pints-16K-v0.1; mlx-community/1.5-Pints-16K-v0.1", "mlx-community/1.5-Pints-16K-v0.1", "pints-ai/1.5-Pints-16K-v0.1", "quantized", MatchSame},
		{"MLX suffix", "Qwen/QwQ-32B-Preview; someone/QwQ-32B-Preview-MLX", "someone/QwQ-32B-Preview-MLX", "Qwen/QwQ-32B-Preview", "quantized", MatchFormat},
		{"lmstudio", "google/gemma-2-9b-it; lmstudio-community/gemma-2-9b-it-GGUF", "lmstudio-community/gemma-2-9b-it-GGUF", "google/gemma-2-9b-it", "quantized", MatchFormat},
		{"gguf-my-repo", "Orion-zhen/Qwen2.5-7B-Instruct-Uncensored; ar08/Qwen2.5-7B-Instruct-Uncensored-Q4_K_M-GGUF",
			"ar08/Qwen2.5-7B-Instruct-Uncensored-Q4_K_M-GGUF", "Orion-zhen/Qwen2.5-7B-Instruct-Uncensored", "quantized", MatchFormat},
		{"exl2 bpw", "nsfwthrowitaway69/Venus-103b-v1.1; altomek/Venus-103b-v1.1-2.5bpw-EXL2", "altomek/Venus-103b-v1.1-2.5bpw-EXL2", "nsfwthrowitaway69/Venus-103b-v1.1", "quantized", MatchFormat},
		{"exl2 underscores", "sleepdeprived3/Bible-Expert-v2.0-8B; ReadyArt/Bible-Expert-v2.0-8B_EXL2_4.5bpw_H8",
			"ReadyArt/Bible-Expert-v2.0-8B_EXL2_4.5bpw_H8", "sleepdeprived3/Bible-Expert-v2.0-8B", "quantized", MatchFormat},
		{"fp8 dynamic", "Qwen/Qwen2.5-72B-Instruct; someone/Qwen2.5-72B-Instruct-FP8-Dynamic", "someone/Qwen2.5-72B-Instruct-FP8-Dynamic", "Qwen/Qwen2.5-72B-Instruct", "quantized", MatchFormat},
		{"RichardErkhov", "senseable/WestLake-7B-v2; RichardErkhov/senseable_-_WestLake-7B-v2-gguf", "RichardErkhov/senseable_-_WestLake-7B-v2-gguf", "senseable/WestLake-7B-v2", "quantized", MatchEmbeddedID},
		{"fbaldassarri", "EleutherAI/pythia-1.4b-deduped; fbaldassarri/EleutherAI_pythia-1.4b-deduped-autoround-int4-gs128-asym",
			"fbaldassarri/EleutherAI_pythia-1.4b-deduped-autoround-int4-gs128-asym", "EleutherAI/pythia-1.4b-deduped", "quantized", MatchEmbeddedID},
		{"Meta- rename", "meta-llama/Llama-3.1-8B-Instruct; mlx-community/Meta-Llama-3.1-8B-Instruct-4bit",
			"mlx-community/Meta-Llama-3.1-8B-Instruct-4bit", "meta-llama/Llama-3.1-8B-Instruct", "quantized", MatchFormat},
		{"Meta- dropped", "meta-llama/Meta-Llama-3-8B; unsloth/llama-3-8b; unsloth/llama-3-8b-bnb-4bit",
			"unsloth/llama-3-8b-bnb-4bit", "meta-llama/Meta-Llama-3-8B", "quantized", MatchFormat},
		{"conversion of an fp16 conversion", "suayptalha/Komodo-3B-v2; suayptalha/Komodo-3B-v2-fp16; tensorblock/Komodo-3B-v2-fp16-GGUF",
			"tensorblock/Komodo-3B-v2-fp16-GGUF", "suayptalha/Komodo-3B-v2-fp16", "quantized", MatchFormat},
		{"a sibling conversion is no source", "allenai/Tulu-3-8B; cmcmaster/Tulu-3-8B-mlx; moot20/Tulu-3-8B-MLX-6bits",
			"moot20/Tulu-3-8B-MLX-6bits", "allenai/Tulu-3-8B", "quantized", MatchFormat},
		{"instruct of base", "meta-llama/Llama-3.2-3B; meta-llama/Llama-3.2-3B-Instruct", "meta-llama/Llama-3.2-3B-Instruct", "meta-llama/Llama-3.2-3B", "finetune", MatchVariant},
		{"instruct of -Base", "tiiuae/Falcon3-7B-Base; tiiuae/Falcon3-7B-Instruct", "tiiuae/Falcon3-7B-Instruct", "tiiuae/Falcon3-7B-Base", "finetune", MatchVariant},
		{"-hf conversion", "meta-llama/Llama-2-7b-chat; meta-llama/Llama-2-7b; meta-llama/Llama-2-7b-hf; meta-llama/Llama-2-7b-chat-hf",
			"meta-llama/Llama-2-7b-chat-hf", "meta-llama/Llama-2-7b-chat", "finetune", MatchVariant},
		{"domain variant", "Qwen/Qwen2.5-7B; Qwen/Qwen2.5-Coder-7B", "Qwen/Qwen2.5-Coder-7B", "Qwen/Qwen2.5-7B", "finetune", MatchVariant},
		{"own finetune chain", "MinaMila/gemma2_9b_unlearned; MinaMila/gemma2_9b_unlearned_Adult_3ep_22",
			"MinaMila/gemma2_9b_unlearned_Adult_3ep_22", "MinaMila/gemma2_9b_unlearned", "finetune", MatchPrefix},
		{"finetune of a 4-bit model", "unsloth/Llama-3.1-8B-bnb-4bit; a/x < unsloth/Llama-3.1-8B-bnb-4bit; zrowt/Llama-3.1-8B-bnb-4bit-python",
			"zrowt/Llama-3.1-8B-bnb-4bit-python", "unsloth/Llama-3.1-8B-bnb-4bit", "finetune", MatchPrefix},
		{"lora words", "Qwen/Qwen2.5-3B-Instruct; b/y < Qwen/Qwen2.5-3B-Instruct; someone/Qwen2.5-3B-Instruct-lora-anonymizer",
			"someone/Qwen2.5-3B-Instruct-lora-anonymizer", "Qwen/Qwen2.5-3B-Instruct", "adapter", MatchPrefix},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newCorpus(t, c.corpus)
			res := Recover(m, Options{})
			got := proposalsOf(m, res, m.node(t, c.child))
			if len(got) != 1 || m.names[got[0].Parent] != c.parent || got[0].Relation.String() != c.rel || got[0].Match != c.match {
				t.Fatalf("Recover(%s) = %s, want %s %s (%s)", c.child, describe(m, got), c.parent, c.rel, c.match)
			}
			if len(got[0].Evidence) == 0 || got[0].Evidence[0].Kind != KindName {
				t.Errorf("evidence %v, want a name item first", got[0].Evidence)
			}
		})
	}
}

// Names that must not produce a parent.
func TestNameNoProposal(t *testing.T) {
	cases := []struct{ name, corpus, child string }{
		{"generic name, no parent of that name", "someone/model; other/lora_model", "someone/model"},
		{"short prefix", "x/llama3; y/llama3-reviewtuned", "y/llama3-reviewtuned"},                           // llama3 has no children nor votes
		{"only a marker", "a/GGUF; b/gguf-model", "a/GGUF"},                                                  // nothing left
		{"prefix of a nobody", "u/test-llama; v/test-llama-3-1-8b-instruct", "v/test-llama-3-1-8b-instruct"}, // not established
		{"self-named conversion only", "TheBloke/X-GGUF", "TheBloke/X-GGUF"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newCorpus(t, c.corpus)
			res := Recover(m, Options{})
			if got := proposalsOf(m, res, m.node(t, c.child)); len(got) > 0 {
				t.Fatalf("Recover(%s) = %s, want nothing", c.child, describe(m, got))
			}
		})
	}
}

// Each case has look-alikes that only one rule separates.
func TestLookalikeRules(t *testing.T) {
	cases := []struct {
		name, corpus, child, parent string
		rule                        Rule
	}{
		{"same organisation", "acme/Widget-7B; other/Widget-7B; acme/Widget-7B-GGUF", "acme/Widget-7B-GGUF", "acme/Widget-7B", RuleOrg},
		{"not the quantizer's own copy", "unsloth/Widget-7B; acme/Widget-7B; unsloth/Widget-7B-bnb-4bit", "unsloth/Widget-7B-bnb-4bit", "acme/Widget-7B", RuleOriginal},
		{"sibling votes", "a/Widget-7B; b/Widget-7B; r/Widget-7B-AWQ < b/Widget-7B quantized; s/Widget-7B-GPTQ < b/Widget-7B quantized; q/Widget-7B-GGUF",
			"q/Widget-7B-GGUF", "b/Widget-7B", RuleVotes},
		{"original namespace", "TheBloke/Widget-7B; acme/Widget-7B; q/Widget-7B-GGUF", "q/Widget-7B-GGUF", "acme/Widget-7B", RuleOriginal},
		{"exact name before alias", "acme/Widget-7B; acme/Widget-7B-hf; q/Widget-7B-GGUF", "q/Widget-7B-GGUF", "acme/Widget-7B", RuleExact},
		{"official organisation", "google/Widget-7B; someone/Widget-7B; q/Widget-7B-GGUF", "q/Widget-7B-GGUF", "google/Widget-7B", RuleOfficial},
		{"more declared children", "a/Widget-7B; b/Widget-7B; k1/kid < b/Widget-7B; k2/kid2 < b/Widget-7B; q/Widget-7B-GGUF", "q/Widget-7B-GGUF", "b/Widget-7B", RuleChildren},
		{"earliest", "a/Widget-7B created=2024-05-01; b/Widget-7B created=2024-03-01; q/Widget-7B-GGUF created=2024-06-01", "q/Widget-7B-GGUF", "b/Widget-7B", RuleEarliest},
		{"downloads", "a/Widget-7B dl=10; b/Widget-7B dl=900; q/Widget-7B-GGUF", "q/Widget-7B-GGUF", "b/Widget-7B", RuleDownloads},
		{"tie", "b/Widget-7B; a/Widget-7B; q/Widget-7B-GGUF", "q/Widget-7B-GGUF", "a/Widget-7B", RuleTie},
		{"a conversion loses outright", "mlx-community/Widget-7B < base/Widget quantized dl=9999; b/Widget-7B dl=1; q/Widget-7B-GGUF", "q/Widget-7B-GGUF", "b/Widget-7B", RuleUnique},
		{"a quantized label alone is no conversion", "a/Widget-7B < base/Widget quantized; b/Widget-7B; q/Widget-7B-GGUF", "q/Widget-7B-GGUF", "a/Widget-7B", RuleTie},
	}
	conf := map[Rule]float64{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newCorpus(t, c.corpus)
			res := Recover(m, Options{})
			got := proposalsOf(m, res, m.node(t, c.child))
			if len(got) != 1 || m.names[got[0].Parent] != c.parent || got[0].Rule != c.rule {
				t.Fatalf("Recover(%s) = %s, want %s by rule %s", c.child, describe(m, got), c.parent, c.rule)
			}
			conf[c.rule] = got[0].Confidence
		})
	}
	if conf[RuleTie] >= conf[RuleUnique] || conf[RuleTie] >= conf[RuleVotes] {
		t.Errorf("a tie has confidence %.2f, want below a unique candidate (%.2f) and sibling votes (%.2f)", conf[RuleTie], conf[RuleUnique], conf[RuleVotes])
	}
}

func TestTimeGuard(t *testing.T) {
	// The only look-alike is newer than the child: nothing.
	m := newCorpus(t, "acme/Widget-7B created=2024-06-01; q/Widget-7B-GGUF created=2024-05-01")
	res := Recover(m, Options{})
	if got := proposalsOf(m, res, m.node(t, "q/Widget-7B-GGUF")); len(got) != 0 {
		t.Fatalf("proposed %s, want nothing: the parent is newer than the child", describe(m, got))
	}
	if res.Summary.TimeRejected == 0 {
		t.Errorf("Summary.TimeRejected = 0, want the newer candidate counted")
	}
	// The newer look-alike is skipped for an older one, which would
	// otherwise lose (fewer downloads); the time evidence is given.
	m = newCorpus(t, "acme/Widget-7B created=2024-06-01 dl=999; old/Widget-7B created=2024-01-01 dl=1; q/Widget-7B-GGUF created=2024-05-01")
	res = Recover(m, Options{})
	got := proposalsOf(m, res, m.node(t, "q/Widget-7B-GGUF"))
	if len(got) != 1 || m.names[got[0].Parent] != "old/Widget-7B" {
		t.Fatalf("proposed %s, want old/Widget-7B", describe(m, got))
	}
	ev := got[0].Evidence[len(got[0].Evidence)-1]
	if ev.Kind != KindTime || !strings.Contains(ev.Detail, "2024-01-01") || !strings.Contains(ev.Detail, "2024-05-01") {
		t.Errorf("last evidence %+v, want the two dates as time evidence", ev)
	}
	// Unknown dates never block.
	m = newCorpus(t, "acme/Widget-7B; q/Widget-7B-GGUF created=2024-05-01")
	if got := proposalsOf(m, Recover(m, Options{}), m.node(t, "q/Widget-7B-GGUF")); len(got) != 1 {
		t.Fatalf("proposed %s, want acme/Widget-7B (its date is unknown)", describe(m, got))
	}
}

func TestEvidencePrecedence(t *testing.T) {
	cases := []struct {
		name, corpus, child string
		want                []string // "parent relation match"
	}{
		{"adapter_config beats the name", "acme/Widget-7B; base/Other-7B; u/Widget-7B-lora hint=adapter:base/Other-7B",
			"u/Widget-7B-lora", []string{"base/Other-7B adapter file"}},
		{"adapter_config as a URL", "base/Other-7B; u/my-adapter hint=adapter:https://huggingface.co/base/Other-7B/tree/main",
			"u/my-adapter", []string{"base/Other-7B adapter file"}},
		{"config.json names the parent", "base/Other-7B; u/tuned-thing hint=config:base/Other-7B", "u/tuned-thing", []string{"base/Other-7B finetune file"}},
		{"a local path is no evidence", "acme/Widget-7B; b/x < acme/Widget-7B; u/Widget-7B-dpo hint=config:./outputs/ckpt", "u/Widget-7B-dpo", []string{"acme/Widget-7B finetune prefix"}},
		{"a hint naming the model itself is no evidence", "u/thing hint=config:u/thing", "u/thing", nil},
		{"mergekit models", "a/One-7B; b/Two-7B; c/Three-7B; m/merged hint=mergebase:a/One-7B hint=merge:b/Two-7B hint=merge:c/Three-7B",
			"m/merged", []string{"a/One-7B merge card", "b/Two-7B merge card", "c/Three-7B merge card"}},
		{"fine-tuned-from link", "acme/Widget-7B; u/mine hint=link:acme/Widget-7B", "u/mine", []string{"acme/Widget-7B finetune card"}},
		{"file outranks card", "acme/Widget-7B; base/Other-7B; u/mine hint=link:acme/Widget-7B hint=adapter:base/Other-7B tags=peft", "u/mine", []string{"base/Other-7B adapter file"}},
		{"a file hint newer than the child falls back to the name", "acme/Widget-7B created=2024-01-01; base/Other-7B created=2024-09-01; q/Widget-7B-GGUF created=2024-05-01 hint=config:base/Other-7B",
			"q/Widget-7B-GGUF", []string{"acme/Widget-7B quantized format"}},
		{"tags make the relation", "acme/Widget-7B; q/Widget-7B tags=gguf", "q/Widget-7B", []string{"acme/Widget-7B quantized same-name"}},
		{"peft tag makes an adapter", "acme/Widget-7B; b/x < acme/Widget-7B; u/Widget-7B-medical tags=peft", "u/Widget-7B-medical", []string{"acme/Widget-7B adapter prefix"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newCorpus(t, c.corpus)
			got := proposalsOf(m, Recover(m, Options{}), m.node(t, c.child))
			var s []string
			for _, p := range got {
				s = append(s, fmt.Sprintf("%s %s %s", m.names[p.Parent], p.Relation, p.Match))
			}
			if !slices.Equal(s, c.want) {
				t.Fatalf("Recover(%s) = %q, want %q", c.child, s, c.want)
			}
		})
	}
}

// A GGUF header's base model is the converted model's own base: it tells
// the look-alike whose declared parent it is.
func TestGGUFHeaderCorroborates(t *testing.T) {
	m := newCorpus(t, `a/Widget-7B < meta/Base-7B; b/Widget-7B < other/Base-7B; meta/Base-7B; other/Base-7B
		q/Widget-7B-GGUF hint=ggufrepo:https://huggingface.co/other/Base-7B`)
	got := proposalsOf(m, Recover(m, Options{}), m.node(t, "q/Widget-7B-GGUF"))
	if len(got) != 1 || m.names[got[0].Parent] != "b/Widget-7B" || got[0].Rule != RuleHint {
		t.Fatalf("Recover = %s, want b/Widget-7B by the GGUF header", describe(m, got))
	}
}

func TestOptions(t *testing.T) {
	m := newCorpus(t, "acme/Widget-7B; q/Widget-7B-GGUF; b/Widget-7B; c/Widget-7B-GGUF; base/Other-7B; u/ad hint=adapter:base/Other-7B")
	all := Recover(m, Options{})
	if len(all.Proposals) < 3 {
		t.Fatalf("Recover = %d proposals, want at least 3", len(all.Proposals))
	}
	only := Recover(m, Options{Relations: []lineage.Relation{lineage.Adapter}})
	for _, p := range only.Proposals {
		if p.Relation != lineage.Adapter {
			t.Errorf("Relations: adapter kept a %s proposal", p.Relation)
		}
	}
	if len(only.Proposals) != 1 {
		t.Errorf("Relations: adapter kept %d proposals, want 1", len(only.Proposals))
	}
	hi := Recover(m, Options{MinConfidence: 0.9})
	for _, p := range hi.Proposals {
		if p.Confidence < 0.9 {
			t.Errorf("MinConfidence 0.9 kept %.2f", p.Confidence)
		}
	}
	// Every proposal is kept, below the threshold or dropped by the cycle
	// guard (which sees only the kept ones).
	if k, n := hi.Summary.BelowMin+len(hi.Proposals)+hi.Summary.CycleRejected, len(all.Proposals)+all.Summary.CycleRejected; k != n {
		t.Errorf("MinConfidence 0.9: kept %d + below %d + cycles %d != %d proposals + %d cycles without it",
			len(hi.Proposals), hi.Summary.BelowMin, hi.Summary.CycleRejected, len(all.Proposals), all.Summary.CycleRejected)
	}
}

// randomCorpus makes a corpus of look-alike families: bases, their
// conversions and finetunes with and without declarations, some dates.
func randomCorpus(t testing.TB, seed uint64, n int) *memCorpus {
	r := rand.New(rand.NewPCG(seed, 7))
	orgs := []string{"acme", "TheBloke", "unsloth", "google", "u1", "u2", "mlx-community", "bartowski"}
	stems := []string{"Widget-7B", "Gizmo-2B-Instruct", "Thing-13b-chat", "Bolt-1.5B", "Widget-7B-Instruct", "Gizmo-2B"}
	sufs := []string{"", "-GGUF", "-AWQ", "-4bit", "-Q4_K_M-GGUF", "-hf", "-dpo", "-Instruct", "-v2", "-lora"}
	var b strings.Builder
	var names []string
	for i := 0; i < n; i++ {
		name := orgs[r.IntN(len(orgs))] + "/" + stems[r.IntN(len(stems))] + sufs[r.IntN(len(sufs))]
		if r.IntN(4) == 0 {
			name += fmt.Sprintf("-%d", r.IntN(50))
		}
		b.WriteString(name)
		if len(names) > 0 && r.IntN(3) == 0 {
			fmt.Fprintf(&b, " < %s", names[r.IntN(len(names))])
		}
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, " created=2024-%02d-%02d", 1+r.IntN(12), 1+r.IntN(28))
		}
		if len(names) > 0 && r.IntN(5) == 0 {
			fmt.Fprintf(&b, " hint=config:%s", names[r.IntN(len(names))])
		}
		b.WriteString("\n")
		names = append(names, name)
	}
	return newCorpus(t, b.String())
}

// Properties: every proposal is for an undeclared model, names a model of
// the corpus other than the child, keeps the graph acyclic, has evidence
// and a confidence in [0,1]; the result is sorted and deterministic.
func TestRecoverProperties(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		m := randomCorpus(t, seed, 150)
		res := Recover(m, Options{})
		again := Recover(m, Options{})
		if !reflect.DeepEqual(res, again) {
			t.Fatalf("seed %d: two runs differ", seed)
		}
		n := m.g.NumNodes()
		b := graph.NewBuilder(n)
		fwdOff, fwdDst, fwdLab, _, _, _ := m.g.CSR()
		for v := 0; v < n; v++ {
			for i := fwdOff[v]; i < fwdOff[v+1]; i++ {
				b.AddEdge(graph.NodeID(v), fwdDst[i], fwdLab[i])
			}
		}
		for i, p := range res.Proposals {
			if p.Child < 0 || int(p.Child) >= n || p.Parent < 0 || int(p.Parent) >= n {
				t.Fatalf("seed %d: proposal %+v names a node outside the corpus", seed, p)
			}
			if p.Child == p.Parent {
				t.Fatalf("seed %d: %s proposed as its own parent", seed, m.names[p.Child])
			}
			if m.g.InDegree(p.Child) != 0 {
				t.Fatalf("seed %d: %s declares a parent but got a proposal", seed, m.names[p.Child])
			}
			if !(p.Confidence >= 0 && p.Confidence <= 1) || len(p.Evidence) == 0 {
				t.Fatalf("seed %d: proposal %s <- %s: confidence %.3f, %d evidence", seed, m.names[p.Child], m.names[p.Parent], p.Confidence, len(p.Evidence))
			}
			if i > 0 {
				a, c := res.Proposals[i-1], p
				if k := strings.Compare(strings.ToLower(m.names[a.Child]), strings.ToLower(m.names[c.Child])); k > 0 || k == 0 && strings.ToLower(m.names[a.Parent]) > strings.ToLower(m.names[c.Parent]) {
					t.Fatalf("seed %d: proposals out of order at %d", seed, i)
				}
			}
			b.AddEdge(p.Parent, p.Child, lineage.RecoveredLabel(p.Relation))
		}
		_, before := m.g.SCC(graph.AllLabels)
		if _, after := b.Build().SCC(graph.AllLabels); len(after) != len(before) {
			t.Fatalf("seed %d: proposals close %d cycle(s) (declared graph has %d)", seed, len(after), len(before))
		}
	}
}

// pickCached (one ranking per name) must choose as pickSlow (a ranking per
// child) does, with the same rule.
func TestPickCachedEqualsSlow(t *testing.T) {
	defer func(b int) { bigList = b }(bigList)
	check := func(name string, c Corpus) {
		bigList = 1 << 30
		slow := Recover(c, Options{})
		bigList = 0
		fast := Recover(c, Options{})
		if !reflect.DeepEqual(slow.Proposals, fast.Proposals) {
			for i := range slow.Proposals {
				if i >= len(fast.Proposals) || !reflect.DeepEqual(slow.Proposals[i], fast.Proposals[i]) {
					t.Fatalf("%s: proposal %d: slow %+v, cached %+v", name, i, slow.Proposals[i], fast.Proposals[min(i, len(fast.Proposals)-1)])
				}
			}
			t.Fatalf("%s: cached ranking made %d proposals, slow %d", name, len(fast.Proposals), len(slow.Proposals))
		}
	}
	for seed := uint64(1); seed <= 30; seed++ {
		check(fmt.Sprintf("random corpus %d", seed), randomCorpus(t, seed, 300))
	}
	check("synthetic", newSynthCorpus(20000, 3))
	if os.Getenv("LINEAGE_REALDATA") != "" || realdataPresent() {
		check("hak", FromStore(hakStore(t)))
		check("sample", FromStore(sampleStore(t)))
	}
}

func TestRunStem(t *testing.T) {
	for _, c := range []struct {
		name, stem string
		ok         bool
	}{
		{"google-gemma-7b-1724585024", "google-gemma-7b", true},
		{"Qwen-Qwen1.5-0.5B_20250301154509", "Qwen-Qwen1.5-0.5B", true},
		{"model-1234567", "", false}, // seven digits: a size or a version, not a run
		{"gemma-7b", "", false},
		{"12345678", "", false},    // no stem before it
		{"x-123456789", "x", true}, // a stem too short to embed an id is turned away by the lookup
	} {
		stem, ok := runStem(c.name)
		if stem != c.stem || ok != c.ok {
			t.Errorf("runStem(%q) = %q, %v; want %q, %v", c.name, stem, ok, c.stem, c.ok)
		}
	}
}
