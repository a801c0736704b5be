package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/export"
	"github.com/lineage-project/lineage/lineage/ingest"
)

// exportStore is a small family: a foundation, a finetune, a quantization
// (inferred), an adapter, a merge of two lines, and an unrelated pair.
func exportStore(t *testing.T) *lineage.Store {
	t.Helper()
	listing := `{"id":"base/llm","downloads":1000,"likes":7,"createdAt":"2024-01-02T03:04:05.000Z","library_name":"transformers","pipeline_tag":"text-generation"}
{"id":"org/chat","downloads":50,"createdAt":"2024-02-01T00:00:00.000Z","tags":["base_model:finetune:base/llm"]}
{"id":"org/chat-GGUF","tags":["base_model:org/chat"]}
{"id":"org/chat-lora","tags":["base_model:adapter:org/chat"]}
{"id":"other/tune","tags":["base_model:finetune:base/llm"]}
{"id":"org/mix","cardData":{"base_model":["org/chat","other/tune"],"base_model_relation":"merge"}}
{"id":"far/away","downloads":3}
{"id":"far/child","tags":["base_model:far/away"]}
`
	return build(t, "l.jsonl", listing)
}

// build reads text as the file name (whose extension tells its format).
func build(t *testing.T, name, text string) *lineage.Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := ingest.BuildSources(context.Background(), []ingest.Source{ingest.FileSource(path)}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type gmlDoc struct {
	XMLName xml.Name `xml:"graphml"`
	Keys    []struct {
		ID   string `xml:"id,attr"`
		For  string `xml:"for,attr"`
		Name string `xml:"attr.name,attr"`
		Type string `xml:"attr.type,attr"`
	} `xml:"key"`
	Graph struct {
		EdgeDefault string `xml:"edgedefault,attr"`
		Nodes       []struct {
			ID   string    `xml:"id,attr"`
			Data []gmlData `xml:"data"`
		} `xml:"node"`
		Edges []struct {
			Source string    `xml:"source,attr"`
			Target string    `xml:"target,attr"`
			Data   []gmlData `xml:"data"`
		} `xml:"edge"`
	} `xml:"graph"`
}

type gmlData struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

func dataMap(ds []gmlData) map[string]string {
	m := map[string]string{}
	for _, d := range ds {
		m[d.Key] = d.Value
	}
	return m
}

func TestWriteGraphML(t *testing.T) {
	s := exportStore(t)
	var buf bytes.Buffer
	if err := export.GraphML(&buf, s, nil); err != nil {
		t.Fatal(err)
	}
	var doc gmlDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("GraphML does not parse: %v\n%s", err, buf.String())
	}
	if doc.Graph.EdgeDefault != "directed" || len(doc.Keys) != 9 {
		t.Errorf("graph header: edgedefault %q, %d keys", doc.Graph.EdgeDefault, len(doc.Keys))
	}
	var ids []string
	nodes := map[string]map[string]string{}
	for _, n := range doc.Graph.Nodes {
		ids = append(ids, n.ID)
		nodes[n.ID] = dataMap(n.Data)
	}
	want := []string{"base/llm", "far/away", "far/child", "org/chat", "org/chat-GGUF", "org/chat-lora", "org/mix", "other/tune"}
	if !slices.Equal(ids, want) {
		t.Errorf("nodes = %v, want %v", ids, want)
	}
	if b := nodes["base/llm"]; b["downloads"] != "1000" || b["likes"] != "7" || b["created"] != "2024-01-02" || b["foundation"] != "true" || b["library"] != "transformers" || b["label"] != "base/llm" {
		t.Errorf("base/llm attributes = %v", b)
	}
	if c := nodes["org/chat-GGUF"]; c["foundation"] != "false" || c["downloads"] != "" {
		t.Errorf("org/chat-GGUF attributes = %v, want foundation false and no downloads", c)
	}
	var edges []string
	for _, e := range doc.Graph.Edges {
		d := dataMap(e.Data)
		edges = append(edges, e.Source+">"+e.Target+":"+d["relation"]+":"+d["declared"])
	}
	wantEdges := []string{"base/llm>org/chat:finetune:true", "base/llm>other/tune:finetune:true", "far/away>far/child:finetune:false",
		"org/chat>org/chat-GGUF:quantized:false", "org/chat>org/chat-lora:adapter:true", "org/chat>org/mix:merge:true", "other/tune>org/mix:merge:true"}
	if !slices.Equal(edges, wantEdges) {
		t.Errorf("edges =\n%v\nwant\n%v", edges, wantEdges)
	}
	var again bytes.Buffer
	export.GraphML(&again, s, nil)
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Errorf("GraphML differs between two runs")
	}
}

func TestFamilyExport(t *testing.T) {
	s := exportStore(t)
	v, _ := s.Lookup("org/chat")
	fam := export.Family(s, v)
	var buf bytes.Buffer
	if err := export.NodeLink(&buf, s, fam); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Directed bool `json:"directed"`
		Nodes    []struct {
			ID         string `json:"id"`
			Foundation bool   `json:"foundation"`
			Downloads  *int64 `json:"downloads"`
		} `json:"nodes"`
		Links []struct {
			Source, Target, Relation string
			Declared                 bool
		} `json:"links"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("node-link JSON: %v\n%s", err, buf.String())
	}
	var ids []string
	for _, n := range doc.Nodes {
		ids = append(ids, n.ID)
	}
	// org/chat's ancestors and descendants; other/tune is a co-parent of
	// org/mix, neither ancestor nor descendant, so it and its edge are out.
	if want := []string{"base/llm", "org/chat", "org/chat-GGUF", "org/chat-lora", "org/mix"}; !slices.Equal(ids, want) || !doc.Directed {
		t.Errorf("family of org/chat = %v, want %v", ids, want)
	}
	if len(doc.Links) != 4 || doc.Links[0].Source != "base/llm" || doc.Links[0].Relation != "finetune" {
		t.Errorf("family links = %+v, want 4 starting base/llm -> org/chat finetune", doc.Links)
	}
}

func TestWriteEdgeCSVRoundTrips(t *testing.T) {
	s := exportStore(t)
	var buf bytes.Buffer
	if err := export.EdgeCSV(&buf, s, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "Source,Target,Type,relation,declared\nbase/llm,org/chat,Directed,finetune,true\n") {
		t.Errorf("edge CSV starts:\n%s", buf.String())
	}
	back := build(t, "e.csv", buf.String())
	var a, b bytes.Buffer
	export.EdgeCSV(&a, s, nil)
	export.EdgeCSV(&b, back, nil)
	// Only models with edges come back; inferred relations come back declared
	// (the CSV states them), so compare without the declared column.
	strip := func(s string) string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if i := strings.LastIndexByte(l, ','); i >= 0 {
				l = l[:i]
			}
			out = append(out, l)
		}
		return strings.Join(out, "\n")
	}
	if strip(a.String()) != strip(b.String()) {
		t.Errorf("edge CSV does not round-trip:\n%s\nvs\n%s", a.String(), b.String())
	}
}

// TestExportNetworkx reads the GraphML and node-link exports with networkx
// when a Python with networkx is installed (apt-get install -y
// python3-networkx); it skips otherwise.
func TestExportNetworkx(t *testing.T) {
	var py string
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import networkx").Run() == nil {
			py = p
			break
		}
	}
	if py == "" {
		t.Skip("python3 with networkx not found (apt-get install -y python3-networkx); skipping the networkx check")
	}
	s := exportStore(t)
	dir := t.TempDir()
	gml, nl := filepath.Join(dir, "g.graphml"), filepath.Join(dir, "g.json")
	var a, b bytes.Buffer
	export.GraphML(&a, s, nil)
	export.NodeLink(&b, s, nil)
	os.WriteFile(gml, a.Bytes(), 0o644)
	os.WriteFile(nl, b.Bytes(), 0o644)
	script := `
import json, sys, networkx as nx
g = nx.read_graphml(sys.argv[1])
d = json.load(open(sys.argv[2]))
try:
    h = nx.node_link_graph(d, edges="links")
except TypeError:
    h = nx.node_link_graph(d)
for x in (g, h):
    assert x.is_directed()
    print(x.number_of_nodes(), x.number_of_edges(), x.nodes["base/llm"]["downloads"], x.nodes["base/llm"]["foundation"],
          x.edges["org/chat", "org/mix"]["relation"], x.edges["org/chat", "org/chat-GGUF"]["declared"],
          sorted(nx.descendants(x, "base/llm"))[-1])
`
	out, err := exec.Command(py, "-c", script, gml, nl).CombinedOutput()
	if err != nil {
		t.Fatalf("networkx: %v\n%s", err, out)
	}
	want := "8 7 1000 True merge False other/tune\n"
	if string(out) != want+want {
		t.Errorf("networkx read:\n%s\nwant each line %q", out, want)
	}
}
