package main

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// hubRecords is a small Hub in the API's shape: a foundation, a finetune
// with a quantization, an adapter and a merge with a second line.
var hubRecords = map[string]string{
	"base/llm":      `{"_id":"1","id":"base/llm","author":"base","createdAt":"2024-01-01T00:00:00.000Z","downloads":900,"likes":5,"tags":["transformers","license:mit"],"childrenModelCount":2}`,
	"org/chat":      `{"_id":"2","id":"org/chat","downloads":80,"tags":["base_model:base/llm","base_model:finetune:base/llm"],"baseModels":{"relation":"finetune","models":[{"_id":"1","id":"base/llm"}]},"childrenModelCount":3}`,
	"org/chat-GGUF": `{"_id":"3","id":"org/chat-GGUF","tags":["gguf","base_model:org/chat","base_model:quantized:org/chat"],"baseModels":{"relation":"quantized","models":[{"_id":"2","id":"org/chat"}]},"childrenModelCount":0}`,
	"org/chat-lora": `{"_id":"4","id":"org/chat-lora","library_name":"peft","tags":["base_model:org/chat","base_model:adapter:org/chat"],"baseModels":{"relation":"adapter","models":[{"_id":"2","id":"org/chat"}]},"childrenModelCount":0}`,
	"other/tune":    `{"_id":"5","id":"other/tune","tags":["base_model:base/llm"],"baseModels":{"models":[{"_id":"1","id":"base/llm"}]},"childrenModelCount":1}`,
	"org/mix":       `{"_id":"6","id":"org/mix","tags":["base_model:org/chat","base_model:other/tune"],"cardData":{"base_model":["org/chat","other/tune"],"base_model_relation":"merge","model-index":[{"name":"x"}]},"baseModels":{"relation":"merge","models":[{"_id":"2","id":"org/chat"},{"_id":"5","id":"other/tune"}]},"childrenModelCount":0}`,
}

// fakeHubServer serves hubRecords: /api/models/ID and
// /api/models?filter=base_model:ID, one model per page (Link paging).
// Token "bad" is refused.
func fakeHubServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.Header.Get("Authorization") == "Bearer bad" {
			w.Header().Set("X-Error-Message", "Invalid credentials in Authorization header")
			http.Error(w, `{"error":"Invalid credentials in Authorization header"}`, http.StatusUnauthorized)
			return
		}
		if id, ok := strings.CutPrefix(r.URL.Path, "/api/models/"); ok {
			rec, found := hubRecords[id]
			if !found {
				w.Header().Set("X-Error-Code", "RepoNotFound")
				http.Error(w, `{"error":"Repository not found"}`, http.StatusUnauthorized)
				return
			}
			io.WriteString(w, rec)
			return
		}
		parent, _ := strings.CutPrefix(r.URL.Query().Get("filter"), "base_model:")
		var ids []string
		for id, rec := range hubRecords {
			if strings.Contains(rec, `"base_model:`+parent+`"`) {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		i, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
		if i+1 < len(ids) {
			q := r.URL.Query()
			q.Set("cursor", strconv.Itoa(i+1))
			w.Header().Set("Link", fmt.Sprintf(`<http://%s/api/models?%s>; rel="next"`, r.Host, q.Encode()))
		}
		if i < len(ids) {
			fmt.Fprintf(w, "[%s]", hubRecords[ids[i]])
		} else {
			io.WriteString(w, "[]")
		}
	}))
	t.Cleanup(srv.Close)
	t.Setenv("HF_ENDPOINT", srv.URL)
	t.Setenv("HF_TOKEN", "")
	t.Setenv("HUGGING_FACE_HUB_TOKEN", "")
	return srv, &requests
}

func TestFetchDownAndUp(t *testing.T) {
	_, requests := fakeHubServer(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "family.jsonl")
	_, errOut, code := runCmd(t, "fetch", "--down", "base/llm", "--cache", filepath.Join(dir, "cache"), "-o", out)
	if code != 0 {
		t.Fatalf("fetch --down: exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "fetched 6 models to "+out) {
		t.Errorf("fetch summary = %q", errOut)
	}
	stdout, errOut, code := runCmd(t, "descendants", "base/llm", "--in", out, "--json", "--quiet")
	var d struct {
		Count      int
		ByRelation map[string]int `json:"by_relation"`
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil || code != 0 {
		t.Fatalf("descendants on the fetched listing: %v %s", err, errOut)
	}
	if d.Count != 5 || d.ByRelation["quantized"] != 1 || d.ByRelation["merge"] != 1 || d.ByRelation["adapter"] != 1 {
		t.Errorf("descendants of base/llm = %+v, want 5 (1 quantized, 1 adapter, 1 merge)", d)
	}
	data, _ := os.ReadFile(out)
	if strings.Contains(string(data), "model-index") || !strings.Contains(string(data), `"cardData":{"base_model":["org/chat","other/tune"],"base_model_relation":"merge"}`) {
		t.Errorf("fetched listing does not keep just the lineage fields:\n%s", data)
	}

	// Again, from the cache: no request reaches the Hub.
	before := requests.Load()
	if _, errOut, code := runCmd(t, "fetch", "--down", "base/llm", "--cache", filepath.Join(dir, "cache"), "-o", out); code != 0 || requests.Load() != before {
		t.Errorf("cached re-run: exit %d, %d requests (%s)", code, requests.Load()-before, errOut)
	}

	stdout, errOut, code = runCmd(t, "fetch", "--up", "org/mix", "--no-cache", "--quiet")
	if code != 0 || errOut != "" {
		t.Fatalf("fetch --up: exit %d: %s", code, errOut)
	}
	var ids []string
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var m struct{ ID string }
		json.Unmarshal([]byte(l), &m)
		ids = append(ids, m.ID)
	}
	if want := []string{"base/llm", "org/chat", "org/mix", "other/tune"}; !slices.Equal(ids, want) {
		t.Errorf("fetch --up org/mix = %v, want %v", ids, want)
	}
}

func TestFetchErrors(t *testing.T) {
	fakeHubServer(t)
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		env  string // HF_TOKEN
		code int
		want string
	}{
		{"nothing to fetch", []string{"fetch"}, "", exitUsage, "needs --up MODEL"},
		{"bad id", []string{"fetch", "--up", "./local/path"}, "", exitUsage, "not a Hub model id"},
		{"bad flag", []string{"fetch", "--up", "a/b", "--concurrency", "0"}, "", exitUsage, "--concurrency"},
		{"unknown model", []string{"fetch", "--up", "no/such", "--no-cache"}, "", exitFailure, "not found on the hub (if it is private or gated, set HF_TOKEN)"},
		{"bad token", []string{"fetch", "--down", "base/llm", "--no-cache"}, "bad", exitFailure, "the token in HF_TOKEN was rejected"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("HF_TOKEN", c.env)
			_, errOut, code := runCmd(t, c.args...)
			if code != c.code || !strings.Contains(errOut, c.want) {
				t.Errorf("lineage %s: exit %d, stderr %q; want exit %d mentioning %q", strings.Join(c.args, " "), code, errOut, c.code, c.want)
			}
			if strings.Contains(errOut, "bad\"") || strings.Contains(errOut, "Bearer") {
				t.Errorf("the token leaks into the message: %s", errOut)
			}
		})
	}

	// A run stopped by the request cap writes what it has, says how to
	// resume, and the next run completes from the cache.
	cache, out := filepath.Join(dir, "cache"), filepath.Join(dir, "out.jsonl.gz")
	_, errOut, code := runCmd(t, "fetch", "--down", "base/llm", "--cache", cache, "--max-requests", "3", "-o", out)
	if code != exitFailure || !strings.Contains(errOut, "stopped at --max-requests 3") || !strings.Contains(errOut, "Run the same command again to resume") {
		t.Errorf("capped fetch: exit %d: %s", code, errOut)
	}
	_, errOut, code = runCmd(t, "fetch", "--down", "base/llm", "--cache", cache, "--max-requests", "5", "-o", out)
	if code != 0 || !strings.Contains(errOut, "fetched 6 models") {
		t.Errorf("resumed fetch: exit %d: %s", code, errOut)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("-o .gz is not gzip: %v", err)
	}
	data, _ := io.ReadAll(zr)
	if n := strings.Count(string(data), "\n"); n != 6 {
		t.Errorf("gzipped listing has %d lines, want 6", n)
	}
}
