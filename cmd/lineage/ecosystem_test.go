package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportGraphFormats(t *testing.T) {
	dir := t.TempDir()
	gml := filepath.Join(dir, "fam.graphml")
	if _, errOut, code := runCmd(t, "export", "--format", "graphml", "--family", "perplexity-ai/r1-1776", "-o", gml); code != 0 {
		t.Fatalf("export graphml: exit %d: %s", code, errOut)
	}
	data, _ := os.ReadFile(gml)
	var doc struct {
		Nodes []struct {
			ID string `xml:"id,attr"`
		} `xml:"graph>node"`
		Edges []struct{} `xml:"graph>edge"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	// The model, its one ancestor and its 29 descendants.
	if len(doc.Nodes) != 31 || len(doc.Edges) < 30 {
		t.Errorf("family GraphML has %d nodes and %d edges, want 31 nodes and at least 30 edges", len(doc.Nodes), len(doc.Edges))
	}
	out, _, code := runCmd(t, "export", "--format", "json", "--family", "perplexity-ai/r1-1776")
	var nl struct {
		Directed bool
		Nodes    []json.RawMessage
		Links    []json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &nl); err != nil || code != 0 || !nl.Directed || len(nl.Nodes) != 31 {
		t.Errorf("export json: exit %d, %v, %d nodes", code, err, len(nl.Nodes))
	}
	out, _, code = runCmd(t, "export", "--format", "csv", "--family", "perplexity-ai/r1-1776")
	if code != 0 || !strings.HasPrefix(out, "Source,Target,Type,relation,declared\n") || !strings.Contains(out, "\ndeepseek-ai/DeepSeek-R1,perplexity-ai/r1-1776,Directed,finetune,true\n") {
		t.Errorf("export csv: exit %d:\n%.300s", code, out)
	}
	out, _, code = runCmd(t, "export", "--format", "dot", "--family", "perplexity-ai/r1-1776")
	if code != 0 || !strings.HasPrefix(out, "digraph") || !strings.Contains(out, "perplexity-ai/r1-1776") {
		t.Errorf("export dot --family: exit %d:\n%.300s", code, out)
	}
	out, _, code = runCmd(t, "export", "--format", "dot")
	if code != 0 || !strings.Contains(out, `"deepseek-ai/DeepSeek-R1" -> "perplexity-ai/r1-1776" [relation=finetune, declared=true];`) {
		t.Errorf("export dot: exit %d", code)
	}
	if _, errOut, code := runCmd(t, "export", "--format", "listing", "--family", "x/y"); code != exitUsage || !strings.Contains(errOut, "--family works with") {
		t.Errorf("export listing --family: exit %d: %s", code, errOut)
	}
	if _, errOut, code := runCmd(t, "export", "--format", "graphml", "--family", "deepseek-ai/deepseek-r2"); code != exitFailure || !strings.Contains(errOut, "did you mean") {
		t.Errorf("export --family unknown: exit %d: %s", code, errOut)
	}
	if _, _, code := runCmd(t, "export", "--format", "svg"); code != exitUsage {
		t.Errorf("export --format svg: exit %d, want usage", code)
	}
}
