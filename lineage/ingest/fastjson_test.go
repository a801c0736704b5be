package ingest

import (
	"bufio"
	"os"
	"reflect"
	"testing"

	"github.com/lineage-project/lineage/lineage"
)

// sameParse checks that the fast scanner and the general decoder give the
// same record and diagnostics for one line.
func sameParse(t testing.TB, line []byte) {
	var fd, sd []lineage.Diagnostic
	fr, fok := ParseListingRecord("x.jsonl", 7, line, func(d lineage.Diagnostic) { fd = append(fd, d) })
	sr, sok := parseListingSlow("x.jsonl", 7, line, func(d lineage.Diagnostic) { sd = append(sd, d) })
	if fok != sok {
		t.Fatalf("fast ok=%v, slow ok=%v for %s", fok, sok, line)
	}
	if !reflect.DeepEqual(fr, sr) {
		t.Fatalf("fast and slow records differ for %s:\nfast %+v\nslow %+v", line, fr, sr)
	}
	if !fok {
		return // error texts may differ in wording; both reject
	}
	if !reflect.DeepEqual(fd, sd) {
		t.Fatalf("fast and slow diagnostics differ for %s:\nfast %v\nslow %v", line, fd, sd)
	}
	// As a Build parses: lists and parents in a batch arena (here one
	// with old entries and little room, so lists grow it mid-way), and
	// graph-only (dates checked, not converted).
	for _, lean := range []bool{false, true} {
		// The arena first holds an earlier record's tags and parents.
		ar := new(lineage.Arena)
		var old lineage.Record
		ok := parseListing(&old, "x.jsonl", 6, []byte(`{"id":"o/x","tags":["peft"],"cardData":{"base_model":"old/entry"}}`), lean, lean, ar, Limits{}.withDefaults(), func(lineage.Diagnostic) {})
		if !ok || len(old.Parents) != 1 || len(old.Tags) != 1 {
			t.Fatalf("the earlier record parsed as %+v", old)
		}
		var ad []lineage.Diagnostic
		var ap lineage.Record
		aok := parseListing(&ap, "x.jsonl", 7, line, lean, lean, ar, Limits{}.withDefaults(), func(d lineage.Diagnostic) { ad = append(ad, d) })
		if lean {
			// Unconverted dates stay 0; a converted one must be right.
			if ap.Created != 0 && ap.Created != fr.Created || ap.Modified != 0 && ap.Modified != fr.Modified {
				t.Fatalf("graph-only dates %d, %d; want 0 or %d, %d for %s", ap.Created, ap.Modified, fr.Created, fr.Modified, line)
			}
			ap.Created, ap.Modified = fr.Created, fr.Modified
		}
		if aok != fok || !reflect.DeepEqual(ap, fr) || !reflect.DeepEqual(ad, fd) {
			t.Fatalf("arena (graph-only %v) parse differs for %s:\narena %+v %v\nplain %+v %v", lean, line, ap, ad, fr, fd)
		}
		if old.Tags[0] != "peft" || old.Parents[0].ID != "old/entry" {
			t.Fatalf("the arena's earlier entries were overwritten for %s", line)
		}
	}
}

var scanCases = []string{
	`{"id":"a/b","lineageAliases":["a/old","bad id"],"lineageEvidence":[{"file":"x.gguf","key":"general.base_model.repo_url","value":"https://huggingface.co/o/p"}]}`,
	`{"id":"a/b","lineageEvidence":{"file":"not a list"},"lineageAliases":"a/old"}`,
	`{"id":"a/b"}`,
	`{"id":"a/b","author":"a","createdAt":"2024-01-02T03:04:05.000Z","lastModified":"2024-02-02T03:04:05Z","downloads":12,"likes":null,"library_name":"peft","pipeline_tag":"text-generation","tags":["peft","base_model:x/y","base_model:adapter:x/y","region:us"]}`,
	`{"modelId":"a/b","created_at":"2024-01-02","downloads":1.5e3,"tags":null}`,
	`{"id":"a/b","cardData":{"base_model":["x/y","https://huggingface.co/z/w/tree/main"],"base_model_relation":"merge","license":["mit","apache-2.0"],"language":"en","widget":[{"text":"hi \"there\""}]}}`,
	`{"id":"a/b","cardData":{"base_model":null}}`,
	`{"id":"a/b","cardData":{"base_model":""}}`,
	`{"id":"a/b","cardData":{"base_model":[1,{"x":2}]}}`,
	`{"id":"a/b","cardData":{"base_model_relation":"quantised","base_model":"x/y"}}`,
	`{"id":"a/b","cardData":{"finetuned_from":"gpt2"}}`,
	`{"id":"a/b","cardData":null,"card_data":"base_model: x/y\nbase_model_relation: adapter\n"}`,
	`{"id":"a/b","card_data":{"base_model":"q/r"},"cardData":{"base_model":"x/y"}}`,
	`{"id":"a/b","cardData":{"base_model":"x/y"},"card_data":{"base_model":"q/r"}}`,
	`{"id":"a/b","cardData":{"base_model":"x/y"},"cardData":null}`,
	`{"id":"a/b","baseModels":{"relation":"quantized","models":[{"_id":"1","id":"x/y"}]}}`,
	`{"id":"a/b","baseModels":[{"id":"x/y"}]}`,
	`{"id":"a/b","baseModels":null,"tags":["base_model:finetune:x/y"]}`,
	`{"id":"a/b","tags":["base_model:x/\u0079"]}`,
	`{"id":"a/b","x":1.2.3}`,
	`{"id":"a/b","x":tru}`,
	`{"id":"a/b"} trailing`,
	`{"id":"a/b",}`,
	`{"id":"a/b","downloads":-5}`,
	`{"id":"a/b","downloads":"12"}`,
	`{"id":"https://huggingface.co/A/B/"}`,
	`{"id":"./local"}`,
	`{}`,
	`[]`,
	`{"id":"a/b","tags":["base_model:a/b"]}`,
	`{"id":"a/b","createdAt":"yesterday"}`,
	`{"id":"a/b","tags":["ünïcode","base_model:x/y"]}`,
	`{"id":"a/b","nested":{"deep":[[[[{"a":[1,2,{"b":null}]}]]]]}}`,
}

func TestScanListingMatchesDecoder(t *testing.T) {
	for _, c := range scanCases {
		sameParse(t, []byte(c))
	}
}

func TestScanListingMatchesDecoderOnRealData(t *testing.T) {
	for _, p := range []string{"../../../shared/realdata/hub/models.jsonl"} {
		f, err := os.Open(p)
		if err != nil {
			t.Skipf("real data not present (%v): skipping the fast/slow parser comparison on real Hub records", err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		n := 0
		for sc.Scan() {
			sameParse(t, sc.Bytes())
			n++
		}
		if n < 3000 {
			t.Errorf("compared %d records, want the ~3025 of models.jsonl", n)
		}
	}
}

func FuzzScanListing(f *testing.F) {
	for _, c := range scanCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		sameParse(t, line)
	})
}
