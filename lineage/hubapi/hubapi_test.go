package hubapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// Every JSON key Model writes is a spelling Lookup knows, as the field
// whose canonical name it is: the struct and the list cannot drift apart.
func TestModelKeysAreFields(t *testing.T) {
	typ := reflect.TypeOf(Model{})
	seen := map[Field]bool{}
	for i := 0; i < typ.NumField(); i++ {
		key, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		f, ok := Lookup(key)
		if !ok {
			t.Errorf("Model.%s writes %q, which Lookup does not know", typ.Field(i).Name, key)
			continue
		}
		if f.Name() != key {
			t.Errorf("Model.%s writes %q, not the canonical %q", typ.Field(i).Name, key, f.Name())
		}
		seen[f] = true
	}
	for f := Field(0); f < NumFields; f++ {
		if !seen[f] && f != FieldModelID && f != FieldSafetensors && f != FieldChildrenModelCount {
			t.Errorf("field %s has no Model field", f)
		}
	}
}

func TestLookup(t *testing.T) {
	for _, k := range Keys() {
		f, ok := Lookup(k)
		if !ok || !contains(f.Spellings(), k) {
			t.Errorf("Lookup(%q) = %v, %v", k, f, ok)
		}
	}
	for _, k := range []string{"ID", "CreatedAt", "", "base_model"} {
		if f, ok := Lookup(k); ok {
			t.Errorf("Lookup(%q) = %v, want none (keys are case-sensitive)", k, f)
		}
	}
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

func ExampleModel() {
	n := int64(12)
	m := Model{ID: "org/x-GGUF", Downloads: &n, BaseModels: &BaseModels{Relation: "quantized", Models: []ModelRef{{ID: "org/x"}}},
		Evidence: []FileFact{{File: "x.Q4_K_M.gguf", Key: KeyGGUFBaseRepo, Value: "https://huggingface.co/org/x"}}}
	b, _ := json.Marshal(m)
	fmt.Println(string(b))
	f, _ := Lookup("created_at")
	fmt.Println(f.Name())
	// Output:
	// {"id":"org/x-GGUF","downloads":12,"baseModels":{"relation":"quantized","models":[{"id":"org/x"}]},"lineageEvidence":[{"file":"x.Q4_K_M.gguf","key":"general.base_model.repo_url","value":"https://huggingface.co/org/x"}]}
	// createdAt
}

// lineageAliases is a field of its own, written after lineageEvidence.
func TestAliasesField(t *testing.T) {
	m := Model{ID: "new/name", Aliases: []string{"old/name"}}
	b, _ := json.Marshal(m)
	if string(b) != `{"id":"new/name","lineageAliases":["old/name"]}` {
		t.Errorf("Marshal = %s", b)
	}
	if f, ok := Lookup("lineageAliases"); !ok || f != FieldAliases || f.Name() != "lineageAliases" {
		t.Errorf("Lookup(lineageAliases) = %v, %v", f, ok)
	}
}
