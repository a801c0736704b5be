package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// parentsString renders parents as "id:relation" ("~" marks an inferred
// relation), in declaration order.
func parentsString(ps []lineage.Parent) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		mark := ""
		if !p.Declared {
			mark = "~"
		}
		parts[i] = p.ID + ":" + mark + p.Relation.String()
	}
	return strings.Join(parts, " ")
}

// coreKinds are the diagnostic kinds these tests pin down exactly: the
// problems that change what is read. Advisory kinds added over time (such
// as a declared relation that contradicts the id) are not compared, so
// that the tables state what each case is about.
var coreKinds = map[string]bool{
	lineage.KindEmpty: true, lineage.KindLocalPath: true, lineage.KindHTML: true, lineage.KindInvalidID: true, lineage.KindURLForm: true,
	lineage.KindSelfRef: true, lineage.KindUnknownRel: true, lineage.KindDuplicate: true, lineage.KindBadRecord: true,
	lineage.KindLegacyKey: true, lineage.KindCycle: true, lineage.KindDangling: true, lineage.KindListDup: true, lineage.KindSkippedInput: true,
}

// diagKinds renders the core diagnostic kinds in order.
func diagKinds(ds []lineage.Diagnostic) string {
	var kinds []string
	for _, d := range ds {
		if coreKinds[d.Kind] {
			kinds = append(kinds, d.Kind)
		}
	}
	return strings.Join(kinds, " ")
}

func parseCardForTest(data string) (lineage.Record, bool, []lineage.Diagnostic) {
	var ds []lineage.Diagnostic
	rec, ok := ParseCard("org/model", "org/model/README.md", []byte(data), func(d lineage.Diagnostic) { ds = append(ds, d) })
	return rec, ok, ds
}

func TestParseCardFrontMatter(t *testing.T) {
	tests := []struct {
		name    string
		card    string
		parents string
		from    lineage.ParentSource
		line    int    // rec.Line: first YAML line
		diags   string // diagnostic kinds, in order
	}{
		{"plain", "---\nbase_model: org/base\n---\n# Model\n", "org/base:~finetune", lineage.FromCard, 2, ""},
		{"no trailing newline after closing", "---\nbase_model: org/base\n---", "org/base:~finetune", lineage.FromCard, 2, ""},
		{"dots close", "---\nbase_model: org/base\n...\ntext\n", "org/base:~finetune", lineage.FromCard, 2, ""},
		{"bom", "\ufeff---\nbase_model: org/base\n---\n", "org/base:~finetune", lineage.FromCard, 2, ""},
		{"crlf", "---\r\nbase_model: org/base\r\nbase_model_relation: adapter\r\n---\r\n# x\r\n", "org/base:adapter", lineage.FromCard, 2, ""},
		{"bom and crlf", "\ufeff---\r\nbase_model:\r\n- org/a\r\n- org/b\r\n---\r\n", "org/a:~merge org/b:~merge", lineage.FromCard, 2, ""},
		{"leading blank line", "\n---\nbase_model: org/base\n---\n", "org/base:~finetune", lineage.FromCard, 3, ""},
		{"leading blank lines with spaces", "  \n\t\n---\nbase_model: org/base\n---\n", "org/base:~finetune", lineage.FromCard, 4, ""},
		{"trailing spaces on delimiters", "--- \nbase_model: org/base\n---\t\n", "org/base:~finetune", lineage.FromCard, 2, ""},
		{"missing closing stops at heading", "---\nbase_model: org/base\n# Title\nbase_model: org/other\n", "org/base:~finetune", lineage.FromCard, 2, lineage.KindBadRecord},
		{"missing closing stops at html", "---\nbase_model: org/base\n<div>\n", "org/base:~finetune", lineage.FromCard, 2, lineage.KindBadRecord},
		{"missing closing at eof", "---\nbase_model: org/base", "org/base:~finetune", lineage.FromCard, 2, lineage.KindBadRecord},
		{"string", "---\nbase_model: org/base\n---\n", "org/base:~finetune", lineage.FromCard, 2, ""},
		{"quoted string", "---\nbase_model: \"org/base\"\n---\n", "org/base:~finetune", lineage.FromCard, 2, ""},
		{"one-item list", "---\nbase_model:\n  - org/base\n---\n", "org/base:~finetune", lineage.FromCard, 2, ""},
		{"flow list is a merge", "---\nbase_model: [org/a, org/b, org/c]\n---\n", "org/a:~merge org/b:~merge org/c:~merge", lineage.FromCard, 2, ""},
		{"declared relation on list", "---\nbase_model: [org/a, org/b]\nbase_model_relation: merge\n---\n", "org/a:merge org/b:merge", lineage.FromCard, 2, ""},
		{"relation case and space", "---\nbase_model: org/a\nbase_model_relation: ' Quantized '\n---\n", "org/a:quantized", lineage.FromCard, 2, ""},
		{"unknown relation falls back to inference", "---\nbase_model: org/a-GGUF\nbase_model_relation: distilled\n---\n", "org/a-GGUF:~finetune", lineage.FromCard, 2, lineage.KindUnknownRel},
		{"empty key", "---\nbase_model:\n---\n", "", lineage.FromNone, 2, lineage.KindEmpty},
		{"null", "---\nbase_model: null\n---\n", "", lineage.FromNone, 2, lineage.KindEmpty},
		{"tilde null", "---\nbase_model: ~\n---\n", "", lineage.FromNone, 2, lineage.KindEmpty},
		{"empty list", "---\nbase_model: []\n---\n", "", lineage.FromNone, 2, lineage.KindEmpty},
		{"empty string", "---\nbase_model: ''\n---\n", "", lineage.FromNone, 2, lineage.KindEmpty},
		{"non-string items reported, rest kept", "---\nbase_model: [{name: org/x}, [org/y], org/a]\n---\n", "org/a:~finetune", lineage.FromCard, 2, lineage.KindInvalidID + " " + lineage.KindInvalidID},
		{"mapping value reported", "---\nbase_model: {id: org/x}\n---\n", "", lineage.FromNone, 2, lineage.KindInvalidID},
		{"null item reported", "---\nbase_model: [org/a, null]\n---\n", "org/a:~finetune", lineage.FromCard, 2, lineage.KindEmpty},
		{"local path item is not a second parent", "---\nbase_model: [org/a, ./local/b]\n---\n", "org/a:~finetune", lineage.FromCard, 2, lineage.KindLocalPath},
		{"local path", "---\nbase_model: ./checkpoints/base\n---\n", "", lineage.FromNone, 2, lineage.KindLocalPath},
		{"absolute path", "---\nbase_model: /home/me/models/base\n---\n", "", lineage.FromNone, 2, lineage.KindLocalPath},
		{"windows path", "---\nbase_model: 'C:\\models\\base'\n---\n", "", lineage.FromNone, 2, lineage.KindLocalPath},
		{"html residue", "---\nbase_model: 'org/a\">org/a</a>'\n---\n", "", lineage.FromNone, 2, lineage.KindHTML},
		{"url form rewritten", "---\nbase_model: https://huggingface.co/org/base/tree/main\n---\n", "org/base:~finetune", lineage.FromCard, 2, lineage.KindURLForm},
		{"self reference dropped", "---\nbase_model: [org/model, org/a]\n---\n", "org/a:~finetune", lineage.FromCard, 2, lineage.KindSelfRef},
		{"self reference dropped, relation kept", "---\nbase_model: [org/model, org/a]\nbase_model_relation: adapter\n---\n", "org/a:adapter", lineage.FromCard, 2, lineage.KindSelfRef},
		{"self reference case variant", "---\nbase_model: ORG/Model\n---\n", "", lineage.FromNone, 2, lineage.KindSelfRef},
		{"list duplicate", "---\nbase_model: [org/a, ORG/A]\n---\n", "org/a:~merge", lineage.FromCard, 2, lineage.KindListDup},
		{"finetuned_from legacy key", "---\nfinetuned_from: org/base\n---\n", "org/base:~finetune", lineage.FromCard, 2, lineage.KindLegacyKey},
		{"base_model beats finetuned_from", "---\nbase_model: org/a\nfinetuned_from: org/b\n---\n", "org/a:~finetune", lineage.FromCard, 2, ""},
		{"adapter inferred from library", "---\nbase_model: org/a\nlibrary_name: peft\n---\n", "org/a:~adapter", lineage.FromCard, 2, ""},
		{"adapter inferred from tag", "---\nbase_model: org/a\ntags: [lora, text-generation]\n---\n", "org/a:~adapter", lineage.FromCard, 2, ""},
		{"no front matter", "# Model\nbase_model: org/a\n", "", lineage.FromNone, 1, ""},
		{"empty card", "", "", lineage.FromNone, 1, ""},
		{"only blank lines", "\n\n  \n", "", lineage.FromNone, 1, ""},
		{"empty front matter", "---\n---\n", "", lineage.FromNone, 2, ""},
		{"front matter is a list", "---\n- org/a\n---\n", "", lineage.FromNone, 2, lineage.KindBadRecord},
		{"front matter is a scalar", "---\norg/a\n---\n", "", lineage.FromNone, 2, lineage.KindBadRecord},
		{"invalid yaml", "---\nlicense: mit\nbase_model: [org/a\n---\n", "", lineage.FromNone, 2, lineage.KindBadRecord},
		{"tab indentation", "---\nbase_model:\n\t- org/a\n---\n", "", lineage.FromNone, 2, lineage.KindBadRecord},
		{"invalid utf-8", "---\nbase_model: org/a\nlicense: \xff\xfe\n---\n", "", lineage.FromNone, 2, lineage.KindBadRecord},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, ok, ds := parseCardForTest(tt.card)
			if !ok {
				t.Fatalf("ParseCard(%q) ok = false, want true (a card always names a model)", tt.card)
			}
			if got := parentsString(rec.Parents); got != tt.parents {
				t.Errorf("ParseCard(%q).Parents = %q, want %q", tt.card, got, tt.parents)
			}
			if rec.ParentFrom != tt.from {
				t.Errorf("ParseCard(%q).ParentFrom = %v, want %v", tt.card, rec.ParentFrom, tt.from)
			}
			if rec.Line != tt.line {
				t.Errorf("ParseCard(%q).Line = %d, want %d", tt.card, rec.Line, tt.line)
			}
			if got := diagKinds(ds); got != tt.diags {
				t.Errorf("ParseCard(%q) diagnostics = %q, want %q (%v)", tt.card, got, tt.diags, ds)
			}
			if rec.ID != "org/model" || rec.Kind != lineage.KindCard || rec.Source != "org/model/README.md" {
				t.Errorf("ParseCard(%q) = id %q kind %v source %q, want org/model card org/model/README.md", tt.card, rec.ID, rec.Kind, rec.Source)
			}
			for _, d := range ds {
				if d.Source != "org/model/README.md" || d.Line <= 0 || d.ID != "org/model" {
					t.Errorf("ParseCard(%q) diagnostic %v: want source org/model/README.md, a line and id org/model", tt.card, d)
				}
			}
		})
	}
}

// TestParseCardInvalidYAMLPosition checks that an invalid front matter is
// reported with its source and a line inside the front matter, and that
// the message carries the parser's reason.
func TestParseCardInvalidYAMLPosition(t *testing.T) {
	tests := []struct {
		card     string
		minLine  int // the diagnostic's line lies in [minLine, maxLine]
		maxLine  int
		contains string
	}{
		{"---\nbase_model: [org/a\n---\n", 2, 2, "parse card org/model"},
		// The error is on card line 4 ("  bad: indent").
		{"---\nlicense: mit\nbase_model: org/a\n  bad: indent\n---\n", 4, 4, "yaml"},
		{"\n\n---\nlicense: mit\nbase_model: org/a\n  bad: indent\n---\n", 6, 6, "yaml"},
		{"\ufeff---\r\nlicense: mit\r\nbase_model: org/a\r\n  bad: indent\r\n---\r\n", 4, 4, "yaml"},
		// Type errors are reported by the YAML library with their line too.
		{"---\nlicense: mit\n? [a, b]\n: c\n---\n", 2, 4, "yaml"},
	}
	for _, tt := range tests {
		_, _, ds := parseCardForTest(tt.card)
		if len(ds) != 1 || ds[0].Kind != lineage.KindBadRecord {
			t.Errorf("ParseCard(%q) diagnostics = %v, want one %s", tt.card, ds, lineage.KindBadRecord)
			continue
		}
		d := ds[0]
		if d.Source != "org/model/README.md" || d.Line < tt.minLine || d.Line > tt.maxLine {
			t.Errorf("ParseCard(%q) diagnostic at %s:%d, want org/model/README.md:%d..%d", tt.card, d.Source, d.Line, tt.minLine, tt.maxLine)
		}
		if !strings.Contains(d.Detail, tt.contains) {
			t.Errorf("ParseCard(%q) diagnostic detail %q, want it to contain %q", tt.card, d.Detail, tt.contains)
		}
		if s := d.String(); !strings.HasPrefix(s, fmt.Sprintf("org/model/README.md:%d: ", d.Line)) {
			t.Errorf("Diagnostic.String() = %q, want it to start with source:line", s)
		}
	}
}

func TestParseCardMetadata(t *testing.T) {
	rec, _, _ := parseCardForTest("---\nlicense: apache-2.0\nlibrary_name: transformers\npipeline_tag: text-generation\nlanguage: [en, fr]\ntags: [chat]\nbase_model: org/a\n---\n")
	if rec.License != "apache-2.0" || rec.Library != "transformers" || rec.Pipeline != "text-generation" {
		t.Errorf("ParseCard metadata = license %q library %q pipeline %q, want apache-2.0 transformers text-generation", rec.License, rec.Library, rec.Pipeline)
	}
	if !slices.Equal(rec.Languages, []string{"en", "fr"}) || !slices.Equal(rec.Tags, []string{"chat"}) {
		t.Errorf("ParseCard languages %v tags %v, want [en fr] [chat]", rec.Languages, rec.Tags)
	}
	if rec.Downloads != -1 || rec.Likes != -1 {
		t.Errorf("ParseCard downloads %d likes %d, want -1 -1 (unknown)", rec.Downloads, rec.Likes)
	}
}

func parseListingForTest(data string) (lineage.Record, bool, []lineage.Diagnostic) {
	var ds []lineage.Diagnostic
	rec, ok := ParseListingRecord("hub.jsonl", 7, []byte(data), func(d lineage.Diagnostic) { ds = append(ds, d) })
	return rec, ok, ds
}

func TestParseListingRecord(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		ok      bool
		id      string
		parents string
		from    lineage.ParentSource
		diags   string
	}{
		{"id", `{"id":"org/m"}`, true, "org/m", "", lineage.FromNone, ""},
		{"modelId", `{"modelId":"org/m"}`, true, "org/m", "", lineage.FromNone, ""},
		{"id beats modelId", `{"id":"org/m","modelId":"org/other"}`, true, "org/m", "", lineage.FromNone, ""},
		{"empty id falls back to modelId", `{"id":"","modelId":"org/m"}`, true, "org/m", "", lineage.FromNone, ""},
		{"url id", `{"id":"https://huggingface.co/org/m/"}`, true, "org/m", "", lineage.FromNone, lineage.KindURLForm},
		{"no id", `{"author":"org"}`, false, "", "", lineage.FromNone, lineage.KindBadRecord},
		{"local path id", `{"id":"./org/m"}`, false, "", "", lineage.FromNone, lineage.KindLocalPath},
		{"invalid json", `{"id":"org/m"`, false, "", "", lineage.FromNone, lineage.KindBadRecord},
		{"not an object", `["org/m"]`, false, "", "", lineage.FromNone, lineage.KindBadRecord},
		{"cardData object", `{"id":"org/m","cardData":{"base_model":"org/a","base_model_relation":"adapter"}}`, true, "org/m", "org/a:adapter", lineage.FromCard, ""},
		{"cardData list", `{"id":"org/m","cardData":{"base_model":["org/a","org/b"]}}`, true, "org/m", "org/a:~merge org/b:~merge", lineage.FromCard, ""},
		{"cardData null", `{"id":"org/m","cardData":null,"tags":["base_model:org/a"]}`, true, "org/m", "org/a:~finetune", lineage.FromTags, ""},
		{"card_data yaml string", `{"id":"org/m","card_data":"base_model: org/a\nbase_model_relation: quantized\n"}`, true, "org/m", "org/a:quantized", lineage.FromCard, ""},
		{"cardData yaml string with delimiters", `{"id":"org/m","cardData":"---\nbase_model: [org/a, org/b]\n---\n"}`, true, "org/m", "org/a:~merge org/b:~merge", lineage.FromCard, ""},
		{"cardData beats card_data", `{"id":"org/m","cardData":{"base_model":"org/a"},"card_data":"base_model: org/b"}`, true, "org/m", "org/a:~finetune", lineage.FromCard, ""},
		{"card_data used when cardData null", `{"id":"org/m","cardData":null,"card_data":"base_model: org/b"}`, true, "org/m", "org/b:~finetune", lineage.FromCard, ""},
		{"cardData invalid yaml string", `{"id":"org/m","card_data":"base_model: [org/a","tags":["base_model:org/b"]}`, true, "org/m", "org/b:~finetune", lineage.FromTags, lineage.KindBadRecord},
		{"cardData number", `{"id":"org/m","cardData":5}`, true, "org/m", "", lineage.FromNone, lineage.KindBadRecord},
		{"cardData finetuned_from", `{"id":"org/m","cardData":{"finetuned_from":"org/a"}}`, true, "org/m", "org/a:~finetune", lineage.FromCard, lineage.KindLegacyKey},
		{"baseModels", `{"id":"org/m","baseModels":{"relation":"quantized","models":[{"id":"org/a"}]}}`, true, "org/m", "org/a:quantized", lineage.FromBaseModels, ""},
		{"baseModels merge", `{"id":"org/m","baseModels":{"relation":"merge","models":[{"id":"org/a"},{"id":"org/b"}]}}`, true, "org/m", "org/a:merge org/b:merge", lineage.FromBaseModels, ""},
		{"baseModels without relation", `{"id":"org/m","baseModels":{"models":[{"id":"org/a"}]}}`, true, "org/m", "org/a:~finetune", lineage.FromBaseModels, ""},
		{"baseModels bare list", `{"id":"org/m","baseModels":[{"id":"org/a"}]}`, true, "org/m", "org/a:~finetune", lineage.FromBaseModels, ""},
		{"baseModels unknown relation", `{"id":"org/m","baseModels":{"relation":"bogus","models":[{"id":"org/a"}]}}`, true, "org/m", "org/a:~finetune", lineage.FromBaseModels, lineage.KindUnknownRel},
		{"baseModels garbage", `{"id":"org/m","baseModels":"org/a","tags":["base_model:org/b"]}`, true, "org/m", "org/b:~finetune", lineage.FromTags, lineage.KindBadRecord},
		{"tag without relation", `{"id":"org/m","tags":["base_model:org/a"]}`, true, "org/m", "org/a:~finetune", lineage.FromTags, ""},
		{"tag with relation", `{"id":"org/m","tags":["base_model:finetune:org/a"]}`, true, "org/m", "org/a:finetune", lineage.FromTags, ""},
		{"hub writes both tag forms", `{"id":"org/m","tags":["base_model:org/a","base_model:adapter:org/a"]}`, true, "org/m", "org/a:adapter", lineage.FromTags, ""},
		{"tag relation case", `{"id":"org/m","tags":["base_model:Quantized:org/a"]}`, true, "org/m", "org/a:quantized", lineage.FromTags, ""},
		{"tag quantized marker inferred", `{"id":"org/m-GGUF","tags":["base_model:org/a"]}`, true, "org/m-GGUF", "org/a:~quantized", lineage.FromTags, ""},
		{"two tags are a merge", `{"id":"org/m","tags":["base_model:org/a","base_model:org/b"]}`, true, "org/m", "org/a:~merge org/b:~merge", lineage.FromTags, ""},
		{"tag relations per parent", `{"id":"org/m","tags":["base_model:merge:org/a","base_model:finetune:org/b"]}`, true, "org/m", "org/a:merge org/b:finetune", lineage.FromTags, ""},
		{"unrelated tags ignored", `{"id":"org/m","tags":["text-generation","base_model","license:mit","dataset:org/d"]}`, true, "org/m", "", lineage.FromNone, ""},
		{"peft tag infers adapter", `{"id":"org/m","tags":["peft","base_model:org/a"]}`, true, "org/m", "org/a:~adapter", lineage.FromTags, ""},
		{"peft library infers adapter", `{"id":"org/m","library_name":"peft","tags":["base_model:org/a"]}`, true, "org/m", "org/a:~adapter", lineage.FromTags, ""},
		{"cardData beats baseModels and tags", `{"id":"org/m","cardData":{"base_model":"org/a"},"baseModels":{"models":[{"id":"org/b"}]},"tags":["base_model:org/c"]}`, true, "org/m", "org/a:~finetune", lineage.FromCard, ""},
		{"baseModels beats tags", `{"id":"org/m","baseModels":{"models":[{"id":"org/b"}]},"tags":["base_model:org/c"]}`, true, "org/m", "org/b:~finetune", lineage.FromBaseModels, ""},
		{"invalid card value falls through", `{"id":"org/m","cardData":{"base_model":"./local"},"baseModels":{"models":[{"id":"org/b"}]}}`, true, "org/m", "org/b:~finetune", lineage.FromBaseModels, lineage.KindLocalPath},
		{"empty card value falls through to tags", `{"id":"org/m","cardData":{"base_model":""},"tags":["base_model:org/c"]}`, true, "org/m", "org/c:~finetune", lineage.FromTags, lineage.KindEmpty},
		{"declared card relation beats tag relation", `{"id":"org/m","cardData":{"base_model":"org/a","base_model_relation":"merge"},"tags":["base_model:adapter:org/a"]}`, true, "org/m", "org/a:merge", lineage.FromCard, ""},
		{"tag relation beats baseModels relation", `{"id":"org/m","baseModels":{"relation":"quantized","models":[{"id":"org/a"}]},"tags":["base_model:finetune:org/a"]}`, true, "org/m", "org/a:finetune", lineage.FromBaseModels, ""},
		{"tag relation applies to card parent", `{"id":"org/m","cardData":{"base_model":"org/a"},"tags":["base_model:adapter:org/a"]}`, true, "org/m", "org/a:adapter", lineage.FromCard, ""},
		{"tag relation matched case-insensitively", `{"id":"org/m","cardData":{"base_model":"ORG/A"},"tags":["base_model:adapter:org/a"]}`, true, "org/m", "ORG/A:adapter", lineage.FromCard, ""},
		{"baseModels relation applies to card parent", `{"id":"org/m","cardData":{"base_model":"org/a"},"baseModels":{"relation":"quantized","models":[{"id":"org/a"}]}}`, true, "org/m", "org/a:quantized", lineage.FromCard, ""},
		{"tag relation for other parent only", `{"id":"org/m","cardData":{"base_model":["org/a","org/b"]},"tags":["base_model:finetune:org/a"]}`, true, "org/m", "org/a:finetune org/b:~merge", lineage.FromCard, ""},
		{"self reference in tags", `{"id":"org/m","tags":["base_model:org/m"]}`, true, "org/m", "", lineage.FromNone, lineage.KindSelfRef},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, ok, ds := parseListingForTest(tt.json)
			if ok != tt.ok {
				t.Fatalf("ParseListingRecord(%s) ok = %v, want %v (%v)", tt.json, ok, tt.ok, ds)
			}
			if got := diagKinds(ds); got != tt.diags {
				t.Errorf("ParseListingRecord(%s) diagnostics = %q, want %q (%v)", tt.json, got, tt.diags, ds)
			}
			for _, d := range ds {
				if d.Source != "hub.jsonl" || d.Line != 7 {
					t.Errorf("ParseListingRecord(%s) diagnostic %v: want hub.jsonl:7", tt.json, d)
				}
			}
			if !ok {
				return
			}
			if rec.ID != tt.id || rec.Kind != lineage.KindListing || rec.Line != 7 || rec.Source != "hub.jsonl" {
				t.Errorf("ParseListingRecord(%s) = id %q kind %v at %s:%d, want %q listing at hub.jsonl:7", tt.json, rec.ID, rec.Kind, rec.Source, rec.Line, tt.id)
			}
			if got := parentsString(rec.Parents); got != tt.parents {
				t.Errorf("ParseListingRecord(%s).Parents = %q, want %q", tt.json, got, tt.parents)
			}
			if rec.ParentFrom != tt.from {
				t.Errorf("ParseListingRecord(%s).ParentFrom = %v, want %v", tt.json, rec.ParentFrom, tt.from)
			}
		})
	}
}

func TestParseListingFields(t *testing.T) {
	ts := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.Unix()
	}
	tests := []struct {
		name                       string
		json                       string
		created, modified          int64
		downloads, allTime, likes  int64
		library, pipeline, license string
		diags                      string
	}{
		{"all unknown", `{"id":"o/m"}`, 0, 0, -1, -1, -1, "", "", "", ""},
		{"createdAt ms", `{"id":"o/m","createdAt":"2024-01-02T03:04:05.000Z"}`, ts("2024-01-02T03:04:05Z"), 0, -1, -1, -1, "", "", "", ""},
		{"createdAt offset", `{"id":"o/m","createdAt":"2024-01-02T05:04:05+02:00"}`, ts("2024-01-02T03:04:05Z"), 0, -1, -1, -1, "", "", "", ""},
		{"created_at python form", `{"id":"o/m","created_at":"2024-01-02 03:04:05+00:00"}`, ts("2024-01-02T03:04:05Z"), 0, -1, -1, -1, "", "", "", ""},
		{"created_at bare date", `{"id":"o/m","created_at":"2024-01-02"}`, ts("2024-01-02T00:00:00Z"), 0, -1, -1, -1, "", "", "", ""},
		{"created_at unix seconds string", `{"id":"o/m","created_at":"1704164645"}`, 1704164645, 0, -1, -1, -1, "", "", "", ""},
		{"createdAt beats created_at", `{"id":"o/m","createdAt":"2024-01-02T03:04:05Z","created_at":"2020-01-01"}`, ts("2024-01-02T03:04:05Z"), 0, -1, -1, -1, "", "", "", ""},
		{"lastModified and last_modified", `{"id":"o/m","last_modified":"2024-02-03T00:00:00Z"}`, 0, ts("2024-02-03T00:00:00Z"), -1, -1, -1, "", "", "", ""},
		{"bad date reported", `{"id":"o/m","createdAt":"yesterday"}`, 0, 0, -1, -1, -1, "", "", "", lineage.KindBadRecord},
		{"counts", `{"id":"o/m","downloads":12,"downloadsAllTime":345,"likes":6}`, 0, 0, 12, 345, 6, "", "", "", ""},
		{"zero counts are known", `{"id":"o/m","downloads":0,"likes":0}`, 0, 0, 0, -1, 0, "", "", "", ""},
		{"float counts", `{"id":"o/m","downloads":1.5e3,"likes":2.0}`, 0, 0, 1500, -1, 2, "", "", "", ""},
		{"null counts unknown", `{"id":"o/m","downloads":null,"likes":null}`, 0, 0, -1, -1, -1, "", "", "", ""},
		{"library pipeline license", `{"id":"o/m","library_name":"peft","pipeline_tag":"text-generation","cardData":{"license":"mit"}}`, 0, 0, -1, -1, -1, "peft", "text-generation", "mit", ""},
		{"library from cardData", `{"id":"o/m","cardData":{"library_name":"diffusers","pipeline_tag":"text-to-image"}}`, 0, 0, -1, -1, -1, "diffusers", "text-to-image", "", ""},
		{"top-level library beats cardData", `{"id":"o/m","library_name":"peft","cardData":{"library_name":"transformers"}}`, 0, 0, -1, -1, -1, "peft", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, ok, ds := parseListingForTest(tt.json)
			if !ok {
				t.Fatalf("ParseListingRecord(%s) ok = false (%v)", tt.json, ds)
			}
			if rec.Created != tt.created || rec.Modified != tt.modified {
				t.Errorf("ParseListingRecord(%s) created %d modified %d, want %d %d", tt.json, rec.Created, rec.Modified, tt.created, tt.modified)
			}
			if rec.Downloads != tt.downloads || rec.DownloadsAllTime != tt.allTime || rec.Likes != tt.likes {
				t.Errorf("ParseListingRecord(%s) downloads %d all-time %d likes %d, want %d %d %d", tt.json, rec.Downloads, rec.DownloadsAllTime, rec.Likes, tt.downloads, tt.allTime, tt.likes)
			}
			if rec.Library != tt.library || rec.Pipeline != tt.pipeline || rec.License != tt.license {
				t.Errorf("ParseListingRecord(%s) library %q pipeline %q license %q, want %q %q %q", tt.json, rec.Library, rec.Pipeline, rec.License, tt.library, tt.pipeline, tt.license)
			}
			if got := diagKinds(ds); got != tt.diags {
				t.Errorf("ParseListingRecord(%s) diagnostics = %q, want %q (%v)", tt.json, got, tt.diags, ds)
			}
		})
	}
}

// readOne reads one source and returns its records, its diagnostics, and
// its file-level problem (skipped_input or input_fault) as an error.
func readOne(t testing.TB, src Source) ([]lineage.Record, []lineage.Diagnostic, error) {
	t.Helper()
	c := collect(t, src, Options{})
	var ds []lineage.Diagnostic
	var fault error
	for _, d := range c.diags {
		if (d.Kind == lineage.KindSkippedInput || d.Kind == lineage.KindInputFault) && fault == nil {
			fault = errors.New(d.Detail)
			continue
		}
		ds = append(ds, d)
	}
	return c.recs, ds, fault
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// recordsString renders records as "id@line<parents" lines.
func recordsString(recs []lineage.Record) string {
	var sb strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&sb, "%s@%d<%s;", r.ID, r.Line, parentsString(r.Parents))
	}
	return sb.String()
}

func TestReadSourceListingFormats(t *testing.T) {
	objs := []string{
		`{"id":"org/base"}`,
		`{"id":"org/ft","cardData":{"base_model":"org/base"}}`,
		`{"id":"org/ad","tags":["base_model:adapter:org/ft"]}`,
	}
	jsonl := strings.Join(objs, "\n") + "\n"
	array := "[\n" + strings.Join(objs, ",\n") + "\n]\n"
	lineWant := "org/base@1<;org/ft@2<org/base:~finetune;org/ad@3<org/ft:adapter;"
	arrayWant := "org/base@2<;org/ft@3<org/base:~finetune;org/ad@4<org/ft:adapter;" // elements by their lines
	oneLineWant := "org/base@1<;org/ft@1<org/base:~finetune;org/ad@1<org/ft:adapter;"
	tests := []struct {
		name string
		src  memSrc
		want string
	}{
		{"jsonl", memSrc{"m.jsonl", []byte(jsonl)}, lineWant},
		{"ndjson name", memSrc{"m.ndjson", []byte(jsonl)}, lineWant},
		{"jsonl crlf", memSrc{"m.jsonl", []byte(strings.ReplaceAll(jsonl, "\n", "\r\n"))}, lineWant},
		{"jsonl no final newline", memSrc{"m.jsonl", []byte(strings.TrimSuffix(jsonl, "\n"))}, lineWant},
		{"jsonl blank lines keep line numbers", memSrc{"m.jsonl", []byte("\n" + objs[0] + "\n\n" + objs[1] + "\n" + objs[2])}, "org/base@2<;org/ft@4<org/base:~finetune;org/ad@5<org/ft:adapter;"},
		{"jsonl with bom", memSrc{"m.jsonl", []byte("\ufeff" + jsonl)}, lineWant},
		{"json array numbers lines", memSrc{"m.json", []byte(array)}, arrayWant},
		{"json array on one line", memSrc{"m.json", []byte("[" + strings.Join(objs, ",") + "]")}, oneLineWant},
		{"jsonl named .json is detected by content", memSrc{"m.json", []byte(jsonl)}, lineWant},
		{"gzip jsonl", memSrc{"m.jsonl.gz", gzipBytes(t, []byte(jsonl))}, lineWant},
		{"gzip array", memSrc{"m.json.gz", gzipBytes(t, []byte(array))}, arrayWant},
		{"pretty-printed objects", memSrc{"m.json", []byte("{\n  \"id\": \"org/base\"\n}\n{\"id\":\"org/ft\",\n\"cardData\":{\"base_model\":\"org/base\"}}")}, "org/base@1<;org/ft@4<org/base:~finetune;"},
		{"gzip detected by content", memSrc{"m.jsonl", gzipBytes(t, []byte(jsonl))}, lineWant},
		{"empty array", memSrc{"m.json", []byte("[]")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, ds, err := readOne(t, tt.src)
			if err != nil {
				t.Fatalf("ReadSource(%s) error: %v", tt.name, err)
			}
			if got := recordsString(recs); got != tt.want {
				t.Errorf("ReadSource(%s) = %q, want %q", tt.name, got, tt.want)
			}
			if len(ds) != 0 {
				t.Errorf("ReadSource(%s) diagnostics = %v, want none", tt.name, ds)
			}
		})
	}
}

func TestReadSourceBadLines(t *testing.T) {
	data := `{"id":"org/a"}` + "\n" + `{"id":` + "\n" + `not json` + "\n" + `{"id":"org/b"}` + "\n"
	recs, ds, err := readOne(t, memSrc{"m.jsonl", []byte(data)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := recordsString(recs), "org/a@1<;org/b@4<;"; got != want {
		t.Errorf("ReadSource(bad lines) = %q, want %q", got, want)
	}
	var lines []int
	for _, d := range ds {
		if d.Kind == lineage.KindBadRecord {
			lines = append(lines, d.Line)
		}
	}
	if !slices.Equal(lines, []int{2, 3}) {
		t.Errorf("ReadSource(bad lines) bad_record lines = %v, want [2 3] (%v)", lines, ds)
	}
}

func TestReadSourceErrors(t *testing.T) {
	tests := []struct {
		name string
		src  memSrc
		want error
	}{
		{"not json", memSrc{"m.json", []byte("hello world")}, lineage.ErrFormat},
		{"yaml", memSrc{"m.json", []byte("id: org/a\n")}, lineage.ErrFormat},
		{"empty", memSrc{"m.jsonl", nil}, errEmpty},
		{"whitespace only", memSrc{"m.jsonl", []byte("\n \n\t")}, errors.New("only blank lines")},
		{"csv without header columns", memSrc{"e.csv", []byte("foo,bar\norg/a,org/b\n")}, lineage.ErrFormat},
		{"csv parent equals child column", memSrc{"e.csv", []byte("id\norg/a\n")}, lineage.ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readOne(t, tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want.Error()) {
				t.Errorf("ReadSource(%s) error = %v, want %v", tt.name, err, tt.want)
			}
		})
	}
	// A broken gzip stream is an error, not a silent empty input.
	if _, _, err := readOne(t, memSrc{"m.jsonl.gz", []byte{0x1f, 0x8b, 0, 0}}); err == nil {
		t.Errorf("ReadSource(truncated gzip) = nil error, want an error")
	}
	if _, _, err := readOne(t, memSrc{"e.csv", nil}); err == nil {
		t.Errorf("ReadSource(empty csv) = nil error, want an error (no header)")
	}
}

func TestReadEdgeList(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		data  string
		want  string // records as id@line<parents;
		diags string
	}{
		{"parent child relation", "e.csv", "parent,child,relation\norg/a,org/b,adapter\norg/b,org/c,quantized\n", "org/b@2<org/a:adapter;org/c@3<org/b:quantized;", ""},
		{"no relation column infers", "e.csv", "parent,child\norg/a,org/b\norg/a,org/b-GGUF\n", "org/b@2<org/a:~finetune;org/b-GGUF@3<org/a:~quantized;", ""},
		{"child column first", "e.csv", "child,parent,relation\norg/b,org/a,finetune\n", "org/b@2<org/a:finetune;", ""},
		{"hub column names", "e.csv", "model_id,base_model,base_model_relation\norg/b,org/a,merge\n", "org/b@2<org/a:merge;", ""},
		{"case-insensitive header", "e.csv", "Parent_Model,ModelId,Relation_Type\norg/a,org/b,adapter\n", "org/b@2<org/a:adapter;", ""},
		{"source target type", "e.csv", "source,target,type\norg/a,org/b,finetune\n", "org/b@2<org/a:finetune;", ""},
		{"from to edge_type", "e.csv", "from,to,edge_type\norg/a,org/b,quantized\n", "org/b@2<org/a:quantized;", ""},
		{"header with bom and spaces", "e.csv", "\ufeff parent , child ,relation\norg/a,org/b,adapter\n", "org/b@2<org/a:adapter;", ""},
		{"extra columns", "e.csv", "n,parent,x,child,relation\n1,org/a,y,org/b,adapter\n", "org/b@2<org/a:adapter;", ""},
		{"quoted parent list is a merge", "e.csv", "parent,child,relation\n\"org/a,org/b\",org/m,\n", "org/m@2<org/a:~merge org/b:~merge;", ""},
		{"parent list with spaces", "e.csv", "parent,child\n\"org/a, org/b , org/c\",org/m\n", "org/m@2<org/a:~merge org/b:~merge org/c:~merge;", ""},
		{"parent list declared merge", "e.csv", "parent,child,relation\n\"org/a,org/b\",org/m,merge\n", "org/m@2<org/a:merge org/b:merge;", ""},
		{"tsv", "e.tsv", "parent\tchild\trelation\norg/a\torg/b\tadapter\n", "org/b@2<org/a:adapter;", ""},
		{"tsv parent list", "e.tsv", "base_model\tmodel\norg/a,org/b\torg/m\n", "org/m@2<org/a:~merge org/b:~merge;", ""},
		{"gzip csv", "e.csv.gz", "", "", ""}, // filled below
		{"declared false column", "e.csv", "parent,child,relation,declared\norg/a,org/b,adapter,false\norg/a,org/c,adapter,true\n", "org/b@2<org/a:~adapter;org/c@3<org/a:adapter;", ""},
		{"url child normalised", "e.csv", "parent,child\norg/a,https://huggingface.co/org/b/tree/main\n", "org/b@2<org/a:~finetune;", lineage.KindURLForm},
		{"url parent normalised", "e.csv", "parent,child\nhf.co/org/a/,org/b\n", "org/b@2<org/a:~finetune;", lineage.KindURLForm},
		{"empty parent row states nothing", "e.csv", "parent,child\n,org/b\norg/a,org/c\n", "org/c@3<org/a:~finetune;", ""},
		{"invalid child skipped", "e.csv", "parent,child\norg/a,./local/b\norg/a,org/c\n", "org/c@3<org/a:~finetune;", lineage.KindLocalPath},
		{"local path parent reported", "e.csv", "parent,child\n../base,org/b\n", "org/b@2<;", lineage.KindLocalPath},
		{"self reference dropped", "e.csv", "parent,child\norg/b,ORG/B\n", "ORG/B@2<;", lineage.KindSelfRef},
		{"short row reported", "e.csv", "n,parent,child\n1,org/a\n2,org/a,org/c\n", "org/c@3<org/a:~finetune;", lineage.KindBadRecord},
		{"unknown relation reported", "e.csv", "parent,child,relation\norg/a,org/b,sideways\n", "org/b@2<org/a:~finetune;", lineage.KindUnknownRel},
		{"crlf", "e.csv", "parent,child,relation\r\norg/a,org/b,adapter\r\n", "org/b@2<org/a:adapter;", ""},
		{"blank lines skipped with line numbers", "e.csv", "parent,child\n\norg/a,org/b\n", "org/b@3<org/a:~finetune;", ""},
		{"multi-line quoted cell", "e.csv", "parent,child,relation\n\"org/a,\norg/b\",org/m,merge\norg/x,org/y,adapter\n", "org/m@2<org/a:merge org/b:merge;org/y@4<org/x:adapter;", ""},
		{"header only", "e.csv", "parent,child\n", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.data)
			want := tt.want
			if tt.name == "gzip csv" {
				data = gzipBytes(t, []byte("parent,child,relation\norg/a,org/b,adapter\n"))
				want = "org/b@2<org/a:adapter;"
			}
			recs, ds, err := readOne(t, memSrc{tt.file, data})
			if err != nil {
				t.Fatalf("ReadSource(%q) error: %v", tt.data, err)
			}
			if got := recordsString(recs); got != want {
				t.Errorf("ReadSource(%q) = %q, want %q", tt.data, got, want)
			}
			if got := diagKinds(ds); got != tt.diags {
				t.Errorf("ReadSource(%q) diagnostics = %q, want %q (%v)", tt.data, got, tt.diags, ds)
			}
			for _, r := range recs {
				if r.Kind != lineage.KindEdgeList || r.Source != tt.file {
					t.Errorf("ReadSource(%q) record %s kind %v source %q, want edges from %s", tt.data, r.ID, r.Kind, r.Source, tt.file)
				}
				if len(r.Parents) > 0 && r.ParentFrom != lineage.FromEdgeList {
					t.Errorf("ReadSource(%q) record %s ParentFrom = %v, want %v", tt.data, r.ID, r.ParentFrom, lineage.FromEdgeList)
				}
			}
		})
	}
}

func TestInferRelation(t *testing.T) {
	tests := []struct {
		id      string
		parents int
		library string
		tags    []string
		want    lineage.Relation
	}{
		{"TheBloke/Llama-2-7B-GGUF", 1, "", nil, lineage.Quantized},
		{"org/model.gguf", 1, "", nil, lineage.Quantized},
		{"TheBloke/Llama-2-7B-AWQ", 1, "", nil, lineage.Quantized},
		{"TheBloke/Llama-2-7B-GPTQ", 1, "", nil, lineage.Quantized},
		{"turboderp/Llama-3-8B-exl2", 1, "", nil, lineage.Quantized},
		{"org/model-4.0bpw-h6-exl2", 1, "", nil, lineage.Quantized},
		{"org/model-6bpw", 1, "", nil, lineage.Quantized},
		{"unsloth/llama-3-8b-bnb-4bit", 1, "", nil, lineage.Quantized},
		{"org/model-bnb-8bit", 1, "", nil, lineage.Quantized},
		{"mlx-community/Mistral-7B-Instruct-v0.2-4bit", 1, "", nil, lineage.Quantized},
		{"org/model-mlx-4bit", 1, "", nil, lineage.Quantized},
		{"org/model-MLX-8bits", 1, "", nil, lineage.Quantized},
		{"org/model-Q4_K_M", 1, "", nil, lineage.Quantized},
		{"org/model-Q4_K_M-GGUF", 1, "", nil, lineage.Quantized},
		{"org/model-Q8_0", 1, "", nil, lineage.Quantized},
		{"org/model-IQ3_XS", 1, "", nil, lineage.Quantized},
		{"org/model-q5_k_s", 1, "", nil, lineage.Quantized},
		{"org/model-int4", 1, "", nil, lineage.Quantized},
		{"org/model-int8", 1, "", nil, lineage.Quantized},
		{"org/model-fp8", 1, "", nil, lineage.Quantized},
		{"org/model-w4a16", 1, "", nil, lineage.Quantized},
		{"org/model-nf4", 1, "", nil, lineage.Quantized},
		{"org/model-HQQ-1bit-smashed", 1, "", nil, lineage.Quantized},
		{"org/model-quantized", 1, "", nil, lineage.Quantized},
		{"org/model-GGUF", 1, "peft", []string{"lora"}, lineage.Quantized},
		{"org/model-lora", 1, "peft", nil, lineage.Adapter},
		{"org/model", 1, "PEFT", nil, lineage.Adapter},
		{"org/model", 1, "", []string{"text-generation", "lora"}, lineage.Adapter},
		{"org/model", 1, "", []string{"PEFT"}, lineage.Adapter},
		{"org/model", 1, "", []string{"qlora"}, lineage.Adapter},
		{"org/model", 1, "", []string{"adapter"}, lineage.Adapter},
		{"org/model", 1, "transformers", []string{"text-generation"}, lineage.Finetune},
		{"org/model", 0, "", nil, lineage.Finetune},
		{"org/Qwen2-7B-Instruct", 1, "", nil, lineage.Finetune},
		{"meta-llama/Llama-3.1-8B", 1, "", nil, lineage.Finetune},
		{"google/gemma-2b", 1, "", nil, lineage.Finetune},
		{"org/Quantum-7B", 1, "", nil, lineage.Finetune},
		{"org/mlx-model", 1, "", nil, lineage.Finetune},
		{"microsoft/Phi-3-mini-4k-instruct", 1, "", nil, lineage.Finetune},
		{"org/Mixtral-8x7B-v0.1", 1, "", nil, lineage.Finetune},
		{"org/model-GGUF", 2, "", nil, lineage.Merge},
		{"org/model", 3, "peft", []string{"lora"}, lineage.Merge},
	}
	for _, tt := range tests {
		if got := lineage.InferRelation(tt.id, tt.parents, tt.library, tt.tags); got != tt.want {
			t.Errorf("InferRelation(%q, %d, %q, %q) = %v, want %v", tt.id, tt.parents, tt.library, tt.tags, got, tt.want)
		}
		if got, want := lineage.HasQuantMarker(tt.id), lineage.InferRelation(tt.id, 1, "", nil) == lineage.Quantized; got != want {
			t.Errorf("HasQuantMarker(%q) = %v, want %v", tt.id, got, want)
		}
	}
}

func TestParseRelations(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want lineage.Relation
		ok   bool
	}{
		{"finetune", lineage.Finetune, true}, {"Adapter", lineage.Adapter, true}, {" quantized ", lineage.Quantized, true},
		{"MERGE", lineage.Merge, true}, {"merges", 0, false}, {"", 0, false}, {"fine-tune", 0, false},
	} {
		got, ok := lineage.ParseRelation(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRelation(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for _, r := range lineage.Relations {
		for _, declared := range []bool{true, false} {
			gr, gd := lineage.LabelRelation(lineage.EdgeLabel(r, declared))
			if gr != r || gd != declared {
				t.Errorf("LabelRelation(EdgeLabel(%v, %v)) = %v, %v", r, declared, gr, gd)
			}
			if !lineage.RelationLabels(r).Has(lineage.EdgeLabel(r, declared)) {
				t.Errorf("RelationLabels(%v) lacks EdgeLabel(%v, %v)", r, r, declared)
			}
		}
	}
	set, err := lineage.ParseRelations("finetune, merge")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range lineage.Relations {
		want := r == lineage.Finetune || r == lineage.Merge
		if set.Has(lineage.EdgeLabel(r, true)) != want || set.Has(lineage.EdgeLabel(r, false)) != want {
			t.Errorf("ParseRelations(finetune, merge) has %v = %v, want %v", r, set.Has(lineage.EdgeLabel(r, true)), want)
		}
	}
	if set, err := lineage.ParseRelations(" "); err != nil || set != graph.AllLabels {
		t.Errorf("ParseRelations(\" \") = %v, %v; want AllLabels, nil", set, err)
	}
	if _, err := lineage.ParseRelations("finetune,sideways"); !errors.Is(err, lineage.ErrUsage) {
		t.Errorf("ParseRelations(finetune,sideways) error = %v, want ErrUsage", err)
	}
}

// cardRecord parses a synthetic card for the Builder tests.
func cardRecord(t testing.TB, id, card string) lineage.Record {
	t.Helper()
	rec, ok := ParseCard(id, id+"/README.md", []byte(card), func(lineage.Diagnostic) {})
	if !ok {
		t.Fatalf("ParseCard(%s) not ok", id)
	}
	return rec
}

func listingRecord(t testing.TB, line int, js string) lineage.Record {
	t.Helper()
	rec, ok := ParseListingRecord("hub.jsonl", line, []byte(js), func(lineage.Diagnostic) {})
	if !ok {
		t.Fatalf("ParseListingRecord(%s) not ok", js)
	}
	return rec
}

func edgeRecords(t testing.TB, csv string) []lineage.Record {
	t.Helper()
	recs, _, err := readOne(t, memSrc{"edges.csv", []byte(csv)})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestBuilderPrecedence checks how records of one model from several
// inputs combine: precedence between sources, later-wins for duplicates of
// one kind, and card + listing merging.
func TestBuilderPrecedence(t *testing.T) {
	type step func(t *testing.T) []lineage.Record
	card := func(id, text string) step {
		return func(t *testing.T) []lineage.Record { return []lineage.Record{cardRecord(t, id, text)} }
	}
	listing := func(js string) step {
		return func(t *testing.T) []lineage.Record { return []lineage.Record{listingRecord(t, 1, js)} }
	}
	edges := func(csv string) step {
		return func(t *testing.T) []lineage.Record { return edgeRecords(t, csv) }
	}
	tests := []struct {
		name       string
		steps      []step
		child      string
		parents    string // sorted parent names of child
		duplicates int
		merged     int
		superseded int
	}{
		{"card beats tags", []step{card("org/m", "---\nbase_model: org/a\n---\n"), listing(`{"id":"org/m","tags":["base_model:org/b"]}`)}, "org/m", "org/a", 0, 1, 1},
		{"card beats tags listed first", []step{listing(`{"id":"org/m","tags":["base_model:org/b"]}`), card("org/m", "---\nbase_model: org/a\n---\n")}, "org/m", "org/a", 0, 1, 0},
		{"baseModels beats tags across records", []step{listing(`{"id":"org/m","baseModels":{"models":[{"id":"org/b"}]}}`), card("org/m", "# no front matter\n")}, "org/m", "org/b", 0, 1, 0},
		{"tags beat edge list", []step{listing(`{"id":"org/m","tags":["base_model:org/b"]}`), edges("parent,child\norg/c,org/m\n")}, "org/m", "org/b", 0, 0, 1},
		{"tags beat edge list read first", []step{edges("parent,child\norg/c,org/m\n"), listing(`{"id":"org/m","tags":["base_model:org/b"]}`)}, "org/m", "org/b", 0, 0, 0},
		{"edge list fills a record without parents", []step{listing(`{"id":"org/m"}`), edges("parent,child\norg/c,org/m\n")}, "org/m", "org/c", 0, 0, 0},
		{"edge list rows accumulate", []step{edges("parent,child\norg/c,org/m\norg/d,org/m\n")}, "org/m", "org/c org/d", 0, 0, 0},
		{"edge lists accumulate across files", []step{edges("parent,child\norg/c,org/m\n"), edges("parent,child\norg/d,org/m\n")}, "org/m", "org/c org/d", 0, 0, 0},
		{"later listing wins", []step{listing(`{"id":"org/m","tags":["base_model:org/a"]}`), listing(`{"id":"org/m","tags":["base_model:org/b"]}`)}, "org/m", "org/b", 1, 0, 0},
		{"later listing without parents wins", []step{listing(`{"id":"org/m","tags":["base_model:org/a"]}`), listing(`{"id":"org/m"}`)}, "org/m", "", 1, 0, 0},
		{"later card wins", []step{card("org/m", "---\nbase_model: org/a\n---\n"), card("ORG/M", "---\nbase_model: org/b\n---\n")}, "org/m", "org/b", 1, 0, 0},
		{"later listing does not erase card", []step{card("org/m", "---\nbase_model: org/a\n---\n"), listing(`{"id":"org/m","tags":["base_model:org/b"]}`), listing(`{"id":"org/m"}`)}, "org/m", "org/a", 1, 1, 1},
		{"duplicate listing does not revive edge list", []step{edges("parent,child\norg/c,org/m\n"), listing(`{"id":"org/m","tags":["base_model:org/a"]}`), listing(`{"id":"org/m","tags":["base_model:org/b"]}`)}, "org/m", "org/b", 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := lineage.NewBuilder(lineage.BuilderOptions{})
			for _, st := range tt.steps {
				b.Emit(st(t), nil)
			}
			s := b.Finish()
			v := mustLookup(t, s, tt.child)
			ps, _ := s.G.In(v)
			var names []string
			for _, p := range ps {
				names = append(names, s.Name(p))
			}
			slices.SortFunc(names, modelid.Compare)
			if got := strings.Join(names, " "); got != tt.parents {
				t.Errorf("parents(%s) = %q, want %q", tt.child, got, tt.parents)
			}
			st := s.Stats()
			if st.Duplicates != tt.duplicates || st.MergedRecords != tt.merged || st.Superseded != tt.superseded {
				t.Errorf("Stats duplicates %d merged %d superseded %d, want %d %d %d", st.Duplicates, st.MergedRecords, st.Superseded, tt.duplicates, tt.merged, tt.superseded)
			}
		})
	}
}

func TestBuilderMergesCardAndListingFields(t *testing.T) {
	b := lineage.NewBuilder(lineage.BuilderOptions{})
	b.Emit([]lineage.Record{cardRecord(t, "Org/M", "---\nlicense: mit\nbase_model: org/a\n---\n")}, nil)
	b.Emit([]lineage.Record{listingRecord(t, 1, `{"id":"org/m","createdAt":"2024-01-02T00:00:00Z","downloads":10,"likes":3,"library_name":"transformers"}`)}, nil)
	s := b.Finish()
	v := mustLookup(t, s, "org/m")
	if s.Name(v) != "Org/M" {
		t.Errorf("Name = %q, want Org/M (the first own record's spelling)", s.Name(v))
	}
	if s.License(v) != "mit" || s.Library(v) != "transformers" || s.Downloads(v) != 10 || s.Likes(v) != 3 {
		t.Errorf("merged fields license %q library %q downloads %d likes %d, want mit transformers 10 3", s.License(v), s.Library(v), s.Downloads(v), s.Likes(v))
	}
	if want := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC); !s.Created(v).Equal(want) {
		t.Errorf("Created = %v, want %v", s.Created(v), want)
	}
	if !s.HasRecord(v) || s.HasRecord(mustLookup(t, s, "org/a")) {
		t.Errorf("HasRecord(org/m)=%v HasRecord(org/a)=%v, want true false", s.HasRecord(v), s.HasRecord(mustLookup(t, s, "org/a")))
	}
	if st := s.Stats(); st.Records != 2 || st.ModelsWithRecord != 1 || st.MergedRecords != 1 {
		t.Errorf("Stats records %d with-record %d merged %d, want 2 1 1", st.Records, st.ModelsWithRecord, st.MergedRecords)
	}
}

// TestBuildDirectory builds from a directory tree of cards plus a listing
// and an edge list, as Read walks it.
func TestBuildDirectory(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("cards/org/base/README.md", "---\nlicense: apache-2.0\n---\n# Base\n")
	write("cards/org/chat/README.md", "---\nbase_model: org/base\nbase_model_relation: finetune\n---\n")
	write("cards/org/merged/README.md", "\ufeff\r\n---\r\nbase_model:\r\n- org/chat\r\n- other/model\r\n---\r\n")
	write("cards/bad dir/x/README.md", "---\nbase_model: org/base\n---\n")
	write("cards/.hidden/org/skip/README.md", "---\nbase_model: org/base\n---\n")
	write("hub/models.jsonl", `{"id":"org/chat","downloads":5,"tags":["base_model:org/other"]}`+"\n"+`{"id":"org/chat-GGUF","tags":["base_model:org/chat"]}`+"\n")
	write("edges/derivatives.csv", "parent,child,relation\norg/chat,org/lora,adapter\norg/base,org/chat,quantized\n")
	write("notes.txt", "not lineage")
	s, err := Build(context.Background(), []string{filepath.Join(dir, "cards"), filepath.Join(dir, "hub"), filepath.Join(dir, "edges")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	chat := mustLookup(t, s, "org/chat")
	ps, labs := s.G.In(chat)
	if len(ps) != 1 || s.Name(ps[0]) != "org/base" {
		t.Fatalf("parents(org/chat) = %v, want [org/base] (card beats tags and edge list)", ps)
	}
	if rel, declared := lineage.LabelRelation(labs[0]); rel != lineage.Finetune || !declared {
		t.Errorf("org/base -> org/chat = %v declared=%v, want finetune declared", rel, declared)
	}
	if got := hopIDs(s.Descendants(mustLookup(t, s, "org/base"), 0, graph.AllLabels, 0).Descendants); got != "org/chat org/chat-GGUF org/lora org/merged" {
		t.Errorf("Descendants(org/base) = %q, want org/chat org/chat-GGUF org/lora org/merged", got)
	}
	if got := strings.Join(s.Ancestors(mustLookup(t, s, "org/merged")).Foundations, " "); got != "org/base other/model" {
		t.Errorf("Ancestors(org/merged).Foundations = %q, want org/base other/model", got)
	}
	if _, err := s.Lookup("org/skip"); err == nil {
		t.Errorf("Lookup(org/skip) found a card under a hidden directory")
	}
	if s.Downloads(chat) != 5 {
		t.Errorf("Downloads(org/chat) = %d, want 5 (card and listing merged)", s.Downloads(chat))
	}
	var bad []lineage.Diagnostic
	for _, d := range s.Diagnostics() {
		if d.Kind == lineage.KindInvalidID && strings.Contains(d.Source, "bad dir") {
			bad = append(bad, d)
		}
	}
	if len(bad) != 1 {
		t.Errorf("diagnostics for the card folder 'bad dir/x' = %v, want one %s", bad, lineage.KindInvalidID)
	}
	if got := s.Sources(); len(got) != 3 {
		t.Errorf("Sources() = %v, want the 3 input paths", got)
	}
}

// TestParseListingRecordTruncatedEscapes: records cut off inside an escape
// are rejected as invalid JSON. The JSON library behind the listing reader
// read past the end of such input and panicked, depending on the memory
// after the buffer (found by FuzzListingRecord; corpus kept under
// testdata/fuzz/FuzzListingRecord), so each is tried many times.
func TestParseListingRecordTruncatedEscapes(t *testing.T) {
	inputs := []string{`{"\Yc\`, `{"\yc\`, `{"\`, `{"id\`, `{"id":"org/m\`, `{"\u00`, `{"a\"b\`, `{"tags":["\`, `{"cardData":{"\`}
	for _, in := range inputs {
		for i := 0; i < 500; i++ {
			// Vary what follows the input in memory.
			buf := append([]byte(in), bytes.Repeat([]byte{byte(i), '\\', '"'}, i%7)...)
			var ds []lineage.Diagnostic
			_, ok := ParseListingRecord("hub.jsonl", 1, buf[:len(in)], func(d lineage.Diagnostic) { ds = append(ds, d) })
			if ok || len(ds) != 1 || ds[0].Kind != lineage.KindBadRecord {
				t.Fatalf("ParseListingRecord(%q) ok=%v diagnostics %v, want a bad_record rejection", in, ok, ds)
			}
		}
	}
}

// TestUnixSecondsMatchesTimeDate checks the civil-date arithmetic against
// time.Date over every day of 1970..2100 (leap years, century years, the
// year 2000), of the years 0..3 and 9996..9999 (four-digit extremes), and
// days 29..31 past the end of short months.
func TestUnixSecondsMatchesTimeDate(t *testing.T) {
	years := []int{0, 1, 2, 3, 9996, 9997, 9998, 9999}
	for y := 1970; y <= 2100; y++ {
		years = append(years, y)
	}
	for _, y := range years {
		for mo := 1; mo <= 12; mo++ {
			for d := 1; d <= 31; d++ {
				h, mi, se := (y+d)%24, (mo*7+d)%60, (y*d)%61
				want := time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC).Unix()
				if got := unixSeconds(y, mo, d, h, mi, se); got != want {
					t.Fatalf("unixSeconds(%d-%02d-%02d %02d:%02d:%02d) = %d, want %d", y, mo, d, h, mi, se, got, want)
				}
			}
		}
	}
}
