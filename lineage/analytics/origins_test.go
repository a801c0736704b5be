package analytics

import (
	"bytes"
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/lineage/modelid"
)

// The organisations the issue names: the embedded table must know them all.
var requiredOrgs = []string{
	"meta-llama", "Qwen", "deepseek-ai", "mistralai", "google", "microsoft", "black-forest-labs", "stabilityai",
	"THUDM", "zai-org", "01-ai", "internlm", "tiiuae", "CohereForAI", "CohereLabs", "LGAI-EXAONE", "nvidia",
	"HuggingFaceTB", "allenai", "openai", "openai-community", "google-bert", "FacebookAI", "facebook",
	"sentence-transformers", "BAAI", "intfloat", "runwayml", "CompVis", "stable-diffusion-v1-5", "Alibaba-NLP",
	"baichuan-inc", "moonshotai", "MiniMaxAI", "tencent", "ByteDance", "OpenGVLab", "Salesforce", "ibm-granite",
	"apple", "amazon", "databricks", "mosaicml", "EleutherAI", "bigscience", "bigcode", "TinyLlama",
	"NousResearch", "teknium", "cognitivecomputations", "upstage", "nomic-ai", "jinaai", "Snowflake", "unsloth",
	"TheBloke", "mradermacher", "bartowski", "lmsys", "openbmb", "xai-org",
}

func TestEmbeddedOrigins(t *testing.T) {
	rows, err := ParseOrigins(bytes.NewReader(originsCSV), "origins.csv")
	if err != nil {
		t.Fatalf("ParseOrigins(embedded): %v", err)
	}
	o := DefaultOrigins()
	if o.Len() != len(rows) || o.Len() < 150 {
		t.Errorf("DefaultOrigins().Len() = %d, parsed %d rows; want the same, at least 150", o.Len(), len(rows))
	}
	for i, r := range rows {
		if i > 0 && modelid.Compare(rows[i-1].Org, r.Org) >= 0 {
			t.Errorf("origins.csv: %s is not sorted after %s (rows are sorted by org, case-insensitively)", r.Org, rows[i-1].Org)
		}
		if !strings.HasPrefix(r.Source, "https://") {
			t.Errorf("origins.csv: %s has source %q, want an https URL", r.Org, r.Source)
		}
	}
	for _, org := range requiredOrgs {
		if _, ok := o.Lookup(org); !ok {
			t.Errorf("DefaultOrigins().Lookup(%q): not found; the issue requires it", org)
		}
	}
	// Rows naming one organisation agree on its country.
	country := map[string]string{}
	for _, r := range rows {
		if c, ok := country[r.Name]; ok && c != r.Country {
			t.Errorf("organisation %q has countries %q and %q", r.Name, c, r.Country)
		}
		country[r.Name] = r.Country
	}
	facts := []struct{ org, country, kind string }{
		{"meta-llama", "US", KindCompany}, {"mistralai", "FR", KindCompany}, {"deepseek-ai", "CN", KindCompany},
		{"Qwen", "CN", KindCompany}, {"stabilityai", "GB", KindCompany}, {"black-forest-labs", "DE", KindCompany},
		{"tiiuae", "AE", KindLab}, {"CohereForAI", "CA", KindLab}, {"LGAI-EXAONE", "KR", KindLab},
		{"upstage", "KR", KindCompany}, {"jinaai", "DE", KindCompany}, {"unsloth", "", KindRehost},
		{"TheBloke", "", KindRehost}, {"bartowski", "", KindRehost}, {"mradermacher", "", KindRehost},
		{"mistral-community", "", KindRehost}, {"stable-diffusion-v1-5", "", KindRehost},
		{"CompVis", "DE", KindUniversity}, {"THUDM", "CN", KindUniversity},
		{"intfloat", "US", KindLab}, {"thenlper", "CN", KindLab}, {"h94", "CN", KindLab},
		{"Deci", "IL", KindCompany}, {"mosaicml", "US", KindCompany}, {"hpcai-tech", "SG", KindCompany},
		{"EleutherAI", "", KindLab}, {"bigscience", "", KindCommunity}, {"bigcode", "US", KindLab},
		{"DAMO-NLP-SG", "CN", KindLab}, {"huggingface", "US", KindCompany},
	}
	for _, f := range facts {
		r, _ := o.Lookup(strings.ToUpper(f.org)) // case-insensitive
		if r.Country != f.country || r.Kind != f.kind {
			t.Errorf("Lookup(%s) = country %q kind %q, want %q %q", f.org, r.Country, r.Kind, f.country, f.kind)
		}
	}
	if got := o.Country("meta-llama/Llama-2-7b"); got != "US" {
		t.Errorf("Country(meta-llama/Llama-2-7b) = %q, want US", got)
	}
	for _, id := range []string{"gpt2", "nobody-knows/model", "TheBloke/x-GGUF"} {
		if got := o.Country(id); got != Unknown {
			t.Errorf("Country(%s) = %q, want %q", id, got, Unknown)
		}
	}
	if got := o.OrgName("FACEBOOK/opt-125m"); got != "Meta" {
		t.Errorf("OrgName(FACEBOOK/opt-125m) = %q, want Meta", got)
	}
	if !strings.HasPrefix(o.Hash(), "sha256:") || len(o.Hash()) != len("sha256:")+64 {
		t.Errorf("Hash() = %q, want sha256:<64 hex>", o.Hash())
	}
	if o.Version() != OriginsVersion {
		t.Errorf("Version() = %q, want %q", o.Version(), OriginsVersion)
	}
}

func TestParseOriginsErrors(t *testing.T) {
	const hdr = "org,name,country,kind,source\n"
	tests := []struct {
		name, text, want string
	}{
		{"empty", "", "empty file"},
		{"no kind column", "org,name,country,source\nx,X,US,https://x\n", `no "kind" column`},
		{"country name", hdr + "x,X,USA,company,https://x\n", `country "USA"`},
		{"digits", hdr + "x,X,U1,company,https://x\n", `country "U1"`},
		{"bad kind", hdr + "x,X,US,startup,https://x\n", `kind "startup"`},
		{"duplicate", hdr + "x,X,US,company,https://x\nX,Y,FR,lab,https://y\n", "listed twice (first on line 2)"},
		{"slash in org", hdr + "x/y,X,US,company,https://x\n", "not a Hub organisation"},
		{"empty org", hdr + ",X,US,company,https://x\n", "not a Hub organisation"},
		{"reserved name", hdr + "x,Unknown,US,company,https://x\n", "reserved"},
		{"quote", hdr + "x,\"X,US,company\n", "parse origins t.csv"},
		{"control character", hdr + "x,\"X\nY\",US,company,https://x\n", "control character"},
		{"rehost with a country", hdr + "q,Q,US,rehost,https://q\n", "no country of its own"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOrigins(strings.NewReader(tt.text), "t.csv")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrOrigins) {
				t.Errorf("ParseOrigins(%q) error = %v, want one containing %q wrapping ErrOrigins", tt.text, err, tt.want)
			}
		})
	}
}

func TestParseOriginsForms(t *testing.T) {
	// Columns in any order, extra columns, comments, BOM, lower-case
	// country, empty name, "unknown" country, quoted fields.
	text := "\ufeffkind,org,extra,country,source,name\n# comment\ncompany,acme,zzz,us,https://acme.example,\nlab,Lab-1,,unknown,\"https://x.example/a,b\",\"Lab, One\"\n"
	rows, err := ParseOrigins(strings.NewReader(text), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Origin{
		{Org: "acme", Name: "acme", Country: "US", Kind: KindCompany, Source: "https://acme.example"},
		{Org: "Lab-1", Name: "Lab, One", Country: "", Kind: KindLab, Source: "https://x.example/a,b"},
	}
	if !slices.Equal(rows, want) {
		t.Errorf("ParseOrigins = %+v, want %+v", rows, want)
	}
}

func TestOriginsWith(t *testing.T) {
	base := DefaultOrigins()
	rows, err := ParseOrigins(strings.NewReader("org,name,country,kind,source\nmistralai,Mistral AI,DE,company,https://x\nacme,Acme,JP,company,https://acme\n"), "o.csv")
	if err != nil {
		t.Fatal(err)
	}
	o := base.With(rows, "o.csv")
	if got := o.Country("mistralai/Mistral-7B-v0.1"); got != "DE" {
		t.Errorf("override: Country(mistralai/...) = %q, want DE", got)
	}
	if got := o.Country("acme/x"); got != "JP" {
		t.Errorf("added row: Country(acme/x) = %q, want JP", got)
	}
	if got := base.Country("mistralai/Mistral-7B-v0.1"); got != "FR" {
		t.Errorf("With changed the receiver: Country = %q, want FR", got)
	}
	if o.Len() != base.Len()+1 {
		t.Errorf("Len() = %d, want %d", o.Len(), base.Len()+1)
	}
	if o.Hash() == base.Hash() {
		t.Errorf("Hash() did not change with an override")
	}
	if want := OriginsVersion + "+o.csv"; o.Version() != want {
		t.Errorf("Version() = %q, want %q", o.Version(), want)
	}
	if got := o.Overrides(); !slices.Equal(got, []string{"o.csv"}) {
		t.Errorf("Overrides() = %v", got)
	}
	// The hash depends on the rows, not on their order.
	a := NewOrigins([]Origin{{Org: "a", Name: "A", Kind: KindLab}, {Org: "b", Name: "B", Kind: KindLab}}, "v")
	b := NewOrigins([]Origin{{Org: "B", Name: "B", Kind: KindLab}, {Org: "a", Name: "A", Kind: KindLab}}, "v")
	if a.Hash() != b.Hash() {
		t.Errorf("hash depends on row order or org case: %s vs %s", a.Hash(), b.Hash())
	}
}

// writeOrigins renders rows as an origins CSV.
func writeOrigins(rows []Origin) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"org", "name", "country", "kind", "source", "note"})
	for _, r := range rows {
		w.Write([]string{r.Org, r.Name, r.Country, r.Kind, r.Source, r.Note})
	}
	w.Flush()
	return b.Bytes()
}

// FuzzParseOrigins checks that parsing never panics, that every accepted
// row is valid, and that writing the rows back and parsing again gives the
// same rows.
func FuzzParseOrigins(f *testing.F) {
	f.Add(originsCSV)
	f.Add([]byte("org,name,country,kind,source\nx,X,us,Company,https://x\n"))
	f.Add([]byte("kind,org\nlab,a\n"))
	f.Add([]byte("org,name,country,kind,source\nq,Q,,REHOST,https://q\n"))
	f.Add([]byte("org,name,country,kind,source\n\"x\"\"y\",X,,lab,\n"))
	f.Add([]byte("#\norg,name,country,kind,source,note\n0000\"000\n")) // a bare quote: FieldPos after a read error panicked
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseOrigins(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			return
		}
		for _, r := range rows {
			if !validOrg(r.Org) || !slices.Contains(originKinds, r.Kind) || r.Name == "" || r.Kind == KindRehost && r.Country != "" ||
				(r.Country != "" && (len(r.Country) != 2 || !isUpper(r.Country[0]) || !isUpper(r.Country[1]))) {
				t.Fatalf("accepted an invalid row %+v", r)
			}
		}
		again, err := ParseOrigins(bytes.NewReader(writeOrigins(rows)), "again.csv")
		if err != nil {
			t.Fatalf("re-parsing written rows: %v", err)
		}
		if len(again) != len(rows) {
			t.Fatalf("re-parse: %d rows, want %d", len(again), len(rows))
		}
		for i := range rows {
			if again[i] != rows[i] {
				t.Fatalf("re-parse row %d = %+v, want %+v", i, again[i], rows[i])
			}
		}
	})
}

// TestOriginsPolicy enforces the table's stated policy (origins.csv's
// header): re-host and community rows state no country, the namespaces
// the audit named are re-hosts, personal accounts that publish an
// organisation's models name it with their evidence, the publishers the
// audit found missing are present with their country, every country has
// a display name, and the header's changelog names the current version.
func TestOriginsPolicy(t *testing.T) {
	rows, err := ParseOrigins(bytes.NewReader(originsCSV), "origins.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if (r.Kind == KindRehost || r.Kind == KindCommunity) && r.Country != "" {
			t.Errorf("origins.csv: %s is a %s row with country %s; %s rows have no country of their own", r.Org, r.Kind, r.Country, r.Kind)
		}
		if r.Country != "" && CountryName(r.Country) == r.Country {
			t.Errorf("origins.csv: %s has country %s, which CountryName does not name", r.Org, r.Country)
		}
	}
	o := DefaultOrigins()
	for _, org := range []string{"unsloth", "Systran", "OpenVINO", "Mozilla", "qualcomm", "mlx-community", "lmstudio-community",
		"bartowski", "TheBloke", "mradermacher", "QuantFactory", "mistral-community", "stable-diffusion-v1-5"} {
		if r, ok := o.Lookup(org); !ok || r.Kind != KindRehost {
			t.Errorf("Lookup(%s) = %+v, want a rehost row", org, r)
		}
		if !o.IsRehost(org + "/model") {
			t.Errorf("IsRehost(%s/model) = false", org)
		}
	}
	for _, c := range []struct{ org, name, country string }{
		{"intfloat", "Microsoft", "US"}, {"thenlper", "Alibaba Group", "CN"}, {"h94", "Tencent", "CN"},
	} {
		r, _ := o.Lookup(c.org)
		if r.Name != c.name || r.Country != c.country || !strings.HasPrefix(r.Note, "indirect:") || !strings.HasPrefix(r.Source, "https://arxiv.org/abs/") {
			t.Errorf("Lookup(%s) = %+v, want %s (%s) with the paper as source and an indirect: note", c.org, r, c.name, c.country)
		}
	}
	for org, country := range map[string]string{
		"SakanaAI": "JP", "meituan-longcat": "CN", "Tencent-Hunyuan": "CN", "TencentARC": "CN", "PaddlePaddle": "CN",
		"Kwaipilot": "CN", "rednote-hilab": "CN", "AIDC-AI": "CN", "FunAudioLLM": "CN", "ali-vilab": "CN", "Alpha-VLLM": "CN",
		"IDEA-Research": "CN", "inceptionai": "AE", "core42": "AE", "LLM360": "AE", "ALLaM-AI": "SA", "LiquidAI": "US",
		"Zyphra": "US", "Efficient-Large-Model": "US", "ibm-research": "US", "kakaocorp": "KR", "naver-clova-ix": "KR",
		"line-corporation": "JP", "yandex": "RU", "BSC-LT": "ES", "LumiOpen": "FI", "openGPT-X": "DE", "speakleash": "PL",
		"kyutai": "FR", "mixedbread-ai": "DE", "NbAiLab": "NO", "neuralmind": "BR", "xlnet": "US", "transfo-xl": "US",
		"flaubert": "FR", "almanach": "FR", "dbmdz": "DE",
	} {
		if got := o.Country(org + "/model"); got != country {
			t.Errorf("Country(%s/model) = %s, want %s", org, got, country)
		}
	}
	for _, org := range []string{"sentence-transformers", "cross-encoder"} {
		if r, ok := o.Lookup(org); !ok || !strings.Contains(r.Note, "decision:") {
			t.Errorf("Lookup(%s) = %+v, want a row with its decision noted", org, r)
		}
	}
	header := string(originsCSV[:bytes.Index(originsCSV, []byte("\norg,"))])
	for _, want := range []string{"CHANGELOG", "# " + OriginsVersion + "\n", "rehost"} {
		if !strings.Contains(header, want) {
			t.Errorf("origins.csv header lacks %q", want)
		}
	}
}
