package modelid

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// idAlphabet holds each class of byte fastValidID tells apart and the
// bytes either side of each range boundary it tests.
const idAlphabet = "aZ09_-./ @[`{:\x80\xff\x00"

func checkValidID(t *testing.T, s string) {
	t.Helper()
	if got, want := fastValidID(s), validIDBytes(s); got != want {
		t.Fatalf("fastValidID(%q) = %v, validIDBytes says %v", s, got, want)
	}
}

// TestFastValidIDMatchesBytes holds fastValidID equal to the byte-by-byte
// check on every string of up to four bytes over idAlphabet, on those
// strings placed at the start, middle and end of longer ids, and on random
// ids around the 64-byte limit of the vector path.
func TestFastValidIDMatchesBytes(t *testing.T) {
	var all []string
	var gen func(prefix string, n int)
	gen = func(prefix string, n int) {
		all = append(all, prefix)
		if n == 0 {
			return
		}
		for i := 0; i < len(idAlphabet); i++ {
			gen(prefix+idAlphabet[i:i+1], n-1)
		}
	}
	gen("", 4)
	pad := "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_abc"
	for _, s := range all {
		checkValidID(t, s)
		checkValidID(t, "org/"+s)
		checkValidID(t, s+"/x")
		checkValidID(t, pad[:13]+s+pad[:20])
		checkValidID(t, pad[:60-len(s)]+s)
		checkValidID(t, pad[:62-len(s)]+s)
		checkValidID(t, pad[:64-len(s)]+s)
		checkValidID(t, pad[:65-len(s)]+s)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		b := make([]byte, r.IntN(140))
		for i := range b {
			if r.IntN(8) == 0 {
				b[i] = idAlphabet[r.IntN(len(idAlphabet))]
			} else {
				b[i] = pad[r.IntN(len(pad))]
			}
		}
		checkValidID(t, string(b))
	}
}

func FuzzFastValidID(f *testing.F) {
	f.Add("meta-llama/Llama-3.1-8B-Instruct")
	f.Add("a--b/c")
	f.Add("x/.y")
	f.Fuzz(func(t *testing.T, s string) {
		checkValidID(t, s)
	})
}

// FuzzNormalize checks that Normalize is idempotent and only ever
// returns ids made of allowed characters.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"org/name", "gpt2", " 'Org/Name' ", "https://huggingface.co/org/name/tree/main", "hf.co/org/name/",
		"HTTP://WWW.HUGGINGFACE.CO/Org/Name?x=1#y", "org/name/blob/main/config.json", "./models/x", "C:\\x",
		"/abs/path", "org/name\">org/name", "&quot;x&quot;", "org/na--me", "hf.co/hf.co/x", "", "a/b/c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, changed, problem := Normalize(raw)
		if problem != "" {
			if id != "" || changed {
				t.Fatalf("Normalize(%q) = %q, %v, %q: a problem must come with no id", raw, id, changed, problem)
			}
			switch problem {
			case Empty, LocalPath, HTML, InvalidID:
			default:
				t.Fatalf("Normalize(%q) problem %q is not a documented kind", raw, problem)
			}
			return
		}
		if id == "" {
			t.Fatalf("Normalize(%q) = \"\" without a problem", raw)
		}
		if changed != (id != raw) {
			t.Fatalf("Normalize(%q) = %q, changed=%v", raw, id, changed)
		}
		if !utf8.ValidString(id) || strings.Count(id, "/") > 1 || len(id) > 2*96+1 {
			t.Fatalf("Normalize(%q) = %q: not ORG/NAME", raw, id)
		}
		for _, part := range strings.Split(id, "/") {
			if part == "" || part[0] == '-' || part[0] == '.' || part[len(part)-1] == '-' || part[len(part)-1] == '.' ||
				strings.Contains(part, "--") || strings.Contains(part, "..") {
				t.Fatalf("Normalize(%q) = %q: part %q is not a Hub name", raw, id, part)
			}
			for i := 0; i < len(part); i++ {
				c := part[i]
				if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
					t.Fatalf("Normalize(%q) = %q: character %q not allowed", raw, id, c)
				}
			}
		}
		id2, changed2, problem2 := Normalize(id)
		if id2 != id || changed2 || problem2 != "" {
			t.Fatalf("Normalize(Normalize(%q) = %q) = %q, %v, %q; want it unchanged", raw, id, id2, changed2, problem2)
		}
		if Fold(id) != strings.ToLower(id) {
			t.Fatalf("Fold(%q) = %q", id, Fold(id))
		}
	})
}

func TestNormalize(t *testing.T) {
	long := strings.Repeat("a", 96)
	tests := []struct {
		in      string
		id      string
		changed bool
		problem string
	}{
		{"org/name", "org/name", false, ""},
		{"Org/Name-7B_v0.1", "Org/Name-7B_v0.1", false, ""},
		{"gpt2", "gpt2", false, ""},
		{"bert-base-uncased", "bert-base-uncased", false, ""},
		{"  org/name\t", "org/name", true, ""},
		{"'org/name'", "org/name", true, ""},
		{`"org/name"`, "org/name", true, ""},
		{"`org/name`", "org/name", true, ""},
		{"org/name/", "org/name", true, ""},
		{"https://huggingface.co/org/name", "org/name", true, ""},
		{"http://huggingface.co/org/name", "org/name", true, ""},
		{"https://www.huggingface.co/org/name", "org/name", true, ""},
		{"huggingface.co/org/name", "org/name", true, ""},
		{"hf.co/org/name", "org/name", true, ""},
		{"https://hf.co/org/name/", "org/name", true, ""},
		{"HTTPS://HuggingFace.CO/Org/Name", "Org/Name", true, ""},
		{"https://huggingface.co/gpt2", "gpt2", true, ""},
		{"org/name/tree/main", "org/name", true, ""},
		{"https://huggingface.co/org/name/tree/v1.0/", "org/name", true, ""},
		{"org/name/blob/main/README.md", "org/name", true, ""},
		{"https://huggingface.co/org/name/resolve/main/model.safetensors", "org/name", true, ""},
		{"org/name/Tree/main", "org/name", true, ""},
		{"https://huggingface.co/org/name?library=transformers", "org/name", true, ""},
		{"https://huggingface.co/org/name#model-card", "org/name", true, ""},
		{"https://huggingface.co/org/name/discussions/3", "org/name", true, ""},
		{"org/" + long, "org/" + long, false, ""},
		{"", "", false, Empty},
		{"   ", "", false, Empty},
		{"''", "", false, Empty},
		{"./models/base", "", false, LocalPath},
		{"../base", "", false, LocalPath},
		{"~/models/base", "", false, LocalPath},
		{"/home/user/base", "", false, LocalPath},
		{`C:\models\base`, "", false, LocalPath},
		{"D:/models/base", "", false, LocalPath},
		{"models\\base", "", false, LocalPath},
		{"datasets/Yelp/yelp_review_full", "", false, LocalPath},
		{`org/name">org/name`, "", false, HTML},
		{`<a href="https://huggingface.co/org/name">`, "", false, HTML},
		{"&quot;org/name&quot;", "", false, HTML},
		{"&lt;org/name", "", false, HTML},
		{"org/na me", "", false, InvalidID},
		{"org/-name", "", false, InvalidID},
		{"org/name-", "", false, InvalidID},
		{"org/.name", "", false, InvalidID},
		{"org/na--me", "", false, InvalidID},
		{"org/na..me", "", false, InvalidID},
		{"org/" + long + "a", "", false, InvalidID},
		{"org/name~", "", false, InvalidID},
		{"Helsinki-NLP/opus-mt-ar-en]", "", false, InvalidID},
		{"org/näme", "", false, InvalidID},
		{"https://huggingface.co/", "", false, InvalidID},
		{"https://huggingface.co/org/name/extra", "", false, InvalidID},
		{"hf.co/hf.co/name", "", false, InvalidID},
		{"https://huggingface.co/huggingface.co/org/name", "", false, InvalidID},
	}
	for _, tt := range tests {
		id, changed, problem := Normalize(tt.in)
		if id != tt.id || changed != tt.changed || problem != tt.problem {
			t.Errorf("Normalize(%q) = %q, %v, %q; want %q, %v, %q", tt.in, id, changed, problem, tt.id, tt.changed, tt.problem)
		}
		if id == "" {
			continue
		}
		// Idempotence: normalising the output returns it unchanged.
		id2, changed2, problem2 := Normalize(id)
		if id2 != id || changed2 || problem2 != "" {
			t.Errorf("Normalize(Normalize(%q) = %q) = %q, %v, %q; want %q, false, \"\"", tt.in, id, id2, changed2, problem2, id)
		}
	}
}

func TestFoldAndCompare(t *testing.T) {
	if got := Fold("Org/Name-7B"); got != "org/name-7b" {
		t.Errorf("Fold(Org/Name-7B) = %q, want org/name-7b", got)
	}
	if got := Fold("org/name"); got != "org/name" {
		t.Errorf("Fold(org/name) = %q, want org/name", got)
	}
	ordered := []string{"a", "A/b", "a/B", "a/b", "a/b-1", "B", "b/a", "Zeta", "zeta"}
	for i := 0; i+1 < len(ordered); i++ {
		if c := Compare(ordered[i], ordered[i+1]); c >= 0 {
			t.Errorf("Compare(%q, %q) = %d, want < 0", ordered[i], ordered[i+1], c)
		}
		if c := Compare(ordered[i+1], ordered[i]); c <= 0 {
			t.Errorf("Compare(%q, %q) = %d, want > 0", ordered[i+1], ordered[i], c)
		}
	}
	if c := Compare("a/b", "a/b"); c != 0 {
		t.Errorf("Compare(a/b, a/b) = %d, want 0", c)
	}
}
