package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// hubRecords is a small Hub in the API's shape: a foundation, a finetune
// with a quantization, an adapter and a merge with a second line, and an
// adapter that declares no parent (its adapter_config.json names one).
var hubRecords = map[string]string{
	"base/llm":      `{"_id":"1","id":"base/llm","author":"base","createdAt":"2024-01-01T00:00:00.000Z","downloads":900,"likes":5,"tags":["transformers","license:mit"],"childrenModelCount":{"adapter":0,"finetune":2,"merge":0,"quantized":0}}`,
	"org/chat":      `{"_id":"2","id":"org/chat","downloads":80,"tags":["base_model:base/llm","base_model:finetune:base/llm"],"baseModels":{"relation":"finetune","models":[{"_id":"1","id":"base/llm"}]},"childrenModelCount":{"adapter":1,"finetune":0,"merge":1,"quantized":1}}`,
	"org/chat-GGUF": `{"_id":"3","id":"org/chat-GGUF","tags":["gguf","base_model:org/chat","base_model:quantized:org/chat"],"baseModels":{"relation":"quantized","models":[{"_id":"2","id":"org/chat"}]},"childrenModelCount":{"adapter":0,"finetune":0,"merge":0,"quantized":0}}`,
	"org/chat-lora": `{"_id":"4","id":"org/chat-lora","library_name":"peft","tags":["base_model:org/chat","base_model:adapter:org/chat"],"baseModels":{"relation":"adapter","models":[{"_id":"2","id":"org/chat"}]},"childrenModelCount":{"adapter":0,"finetune":0,"merge":0,"quantized":0}}`,
	"other/tune":    `{"_id":"5","id":"other/tune","tags":["base_model:base/llm"],"baseModels":{"models":[{"_id":"1","id":"base/llm"}]},"childrenModelCount":{"adapter":0,"finetune":0,"merge":1,"quantized":0}}`,
	"org/mix":       `{"_id":"6","id":"org/mix","tags":["base_model:org/chat","base_model:other/tune"],"cardData":{"base_model":["org/chat","other/tune"],"base_model_relation":"merge","model-index":[{"name":"x"}]},"baseModels":{"relation":"merge","models":[{"_id":"2","id":"org/chat"},{"_id":"5","id":"other/tune"}]},"childrenModelCount":{"adapter":0,"finetune":0,"merge":0,"quantized":0}}`,
	"solo/adapter":  `{"_id":"7","id":"solo/adapter","library_name":"peft","tags":["peft"],"childrenModelCount":{"adapter":0,"finetune":0,"merge":0,"quantized":0}}`,
}

// hubFiles are the repositories' files, served by /ID/resolve/main/PATH.
var hubFiles = map[string]map[string]string{
	"solo/adapter": {"adapter_config.json": `{"base_model_name_or_path": "base/llm", "peft_type": "LORA"}`, "adapter_model.safetensors": "weights"},
}

// fakeHubServer serves hubRecords like the Hub: /api/models/ID (the model
// route) and /api/models?filter=base_model:ID (the list route, one model
// per page, Link paging, without the properties the list route refuses
// and answering 400 when asked for them), and the files. Token "bad" is
// refused. lineage/hub's own test server is the fuller one; this one
// checks the command end to end.
func fakeHubServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.Header.Get("Authorization") == "Bearer bad" {
			w.Header().Set("X-Error-Message", "Invalid credentials in Authorization header")
			http.Error(w, `{"error":"Invalid credentials in Authorization header"}`, http.StatusUnauthorized)
			return
		}
		expand := r.URL.Query()["expand[]"]
		if id, ok := strings.CutPrefix(r.URL.Path, "/api/models/"); ok {
			rec, found := hubRecords[id]
			if !found {
				w.Header().Set("X-Error-Code", "RepoNotFound")
				http.Error(w, `{"error":"Repository not found"}`, http.StatusUnauthorized)
				return
			}
			if slices.Equal(expand, []string{"siblings"}) {
				var sib []string
				for f := range hubFiles[id] {
					sib = append(sib, fmt.Sprintf(`{"rfilename":%q}`, f))
				}
				slices.Sort(sib)
				fmt.Fprintf(w, `{"_id":"x","id":%q,"siblings":[%s]}`, id, strings.Join(sib, ","))
				return
			}
			io.WriteString(w, rec)
			return
		}
		if repo, file, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/resolve/main/"); ok {
			data, found := hubFiles[repo][file]
			if !found {
				w.Header().Set("X-Error-Code", "EntryNotFound")
				http.Error(w, `{"error":"Entry not found"}`, http.StatusNotFound)
				return
			}
			http.ServeContent(w, r, file, time.Time{}, strings.NewReader(data))
			return
		}
		for _, e := range expand {
			if e == "baseModels" || e == "childrenModelCount" || e == "usedStorage" {
				http.Error(w, `{"error":"invalid expand value for a listing: `+e+`"}`, http.StatusBadRequest)
				return
			}
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
			var rec map[string]json.RawMessage
			json.Unmarshal([]byte(hubRecords[ids[i]]), &rec)
			delete(rec, "baseModels")
			delete(rec, "childrenModelCount")
			b, _ := json.Marshal(rec)
			fmt.Fprintf(w, "[%s]", b)
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
		{"unknown model", []string{"fetch", "--up", "no/such", "--no-cache"}, "", exitFailure, "not found on the hub (if it is private, set HF_TOKEN)"},
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
	_, errOut, code = runCmd(t, "fetch", "--down", "base/llm", "--cache", cache, "--max-requests", "10", "-o", out)
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

func TestFetchEvidence(t *testing.T) {
	fakeHubServer(t)
	stdout, errOut, code := runCmd(t, "fetch", "--search", "x", "--up", "solo/adapter", "--up", "org/mix", "--evidence", "--no-cache")
	if code != 0 {
		t.Fatalf("fetch --evidence: exit %d: %s", code, errOut)
	}
	var withEvidence []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var m struct {
			ID       string
			Evidence []struct{ File, Key, Value string } `json:"lineageEvidence"`
		}
		json.Unmarshal([]byte(line), &m)
		if m.Evidence != nil {
			withEvidence = append(withEvidence, fmt.Sprintf("%s %v", m.ID, m.Evidence))
		}
	}
	if want := []string{"solo/adapter [{adapter_config.json base_model_name_or_path base/llm}]"}; !slices.Equal(withEvidence, want) {
		t.Errorf("records with evidence = %q, want %q", withEvidence, want)
	}
	// base/llm and solo/adapter declare no parent; only solo/adapter's
	// files name one.
	if !strings.Contains(errOut, "evidence: 2 models without a declared parent, 1 files read (60 B), 1 models with 1 facts in lineageEvidence") {
		t.Errorf("summary: %s", errOut)
	}
	// The listing still reads.
	out := filepath.Join(t.TempDir(), "ev.jsonl")
	os.WriteFile(out, []byte(stdout), 0o644)
	for _, args := range [][]string{{"ancestors", "org/mix"}, {"rank"}} { // a full and a graph-only build
		if stdout, errOut, code := runCmd(t, append(args, "--in", out, "--quiet")...); code != 0 || !strings.Contains(stdout, "base/llm") {
			t.Errorf("%s on a listing with lineageEvidence: exit %d: %s%s", args[0], code, stdout, errOut)
		}
	}
}

// An endpoint that refuses connections fails at once with one short line.
func TestFetchUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv("HF_ENDPOINT", "http://"+addr)
	t.Setenv("HF_TOKEN", "")
	for _, args := range [][]string{
		{"fetch", "--up", "a/b", "--no-cache"},
		{"fetch", "--down", "a/b", "--cache", t.TempDir()},
		{"fetch", "--snapshot", "-o", filepath.Join(t.TempDir(), "m.parquet")},
	} {
		_, errOut, code := runCmd(t, args...)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if code != exitFailure || len(lines) != 1 || len(errOut) > 200 || !strings.Contains(errOut, "connection refused; check HF_ENDPOINT") ||
			strings.Contains(errOut, "cache") || strings.Contains(errOut, "expand") {
			t.Errorf("lineage %s against a closed port: exit %d, %d bytes: %s", strings.Join(args, " "), code, len(errOut), errOut)
		}
	}
}

// snapshotServer is a hub serving one LFS dataset file by a 302 to a
// store on another host, as the Hub does, and the Authorization headers
// the store saw.
func snapshotServer(t *testing.T, data []byte) *[]string {
	var storeAuth []string
	store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		storeAuth = append(storeAuth, r.Header.Get("Authorization"))
		http.ServeContent(w, r, "models.parquet", time.Time{}, bytes.NewReader(data))
	}))
	t.Cleanup(store.Close)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(store.URL, "http://"))
	sum := sha256.Sum256(data)
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/datasets/cfahlgren1/hub-stats/resolve/main/models.parquet" {
			w.Header().Set("X-Error-Code", "EntryNotFound")
			http.Error(w, `{"error":"Entry not found"}`, http.StatusNotFound)
			return
		}
		if r.Header.Get("Authorization") != "Bearer hf_tok" {
			t.Errorf("the resolve request carries %q, want the token", r.Header.Get("Authorization"))
		}
		w.Header().Set("X-Linked-Etag", `"`+hex.EncodeToString(sum[:])+`"`)
		w.Header().Set("X-Linked-Size", strconv.Itoa(len(data)))
		w.Header().Set("Location", "http://localhost:"+port+"/xet/models.parquet?sig=1")
		w.WriteHeader(http.StatusFound)
	}))
	t.Cleanup(hub.Close)
	t.Setenv("HF_ENDPOINT", hub.URL)
	t.Setenv("HF_TOKEN", "hf_tok")
	return &storeAuth
}

func TestFetchSnapshot(t *testing.T) {
	data := bytes.Repeat([]byte("PAR1 hub-stats "), 5000)
	storeAuth := snapshotServer(t, data)
	dir := t.TempDir()
	out := filepath.Join(dir, "models.parquet")
	_, errOut, code := runCmd(t, "fetch", "--snapshot", "-o", out)
	if got, _ := os.ReadFile(out); code != 0 || !bytes.Equal(got, data) {
		t.Fatalf("fetch --snapshot: exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "downloaded dataset cfahlgren1/hub-stats@main:models.parquet to "+out+" (73.2 KiB, SHA-256 verified)") {
		t.Errorf("summary: %s", errOut)
	}
	stdout, _, code := runCmd(t, "fetch", "--snapshot", "-o", "-", "--quiet")
	if code != 0 || stdout != string(data) {
		t.Errorf("fetch --snapshot -o -: exit %d, %d bytes", code, len(stdout))
	}
	for _, a := range *storeAuth {
		if a != "" {
			t.Errorf("the store received Authorization %q", a)
		}
	}
	// The snapshot reads as a listing only when it is a real parquet file;
	// here it is not, and an unknown file is a failure, not a usage error.
	if _, errOut, code := runCmd(t, "fetch", "--snapshot", "--file", "nope.parquet", "-o", filepath.Join(dir, "n")); code != exitFailure || !strings.Contains(errOut, "not found on the hub") {
		t.Errorf("fetch --snapshot of a missing file: exit %d: %s", code, errOut)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"fetch", "--snapshot"}, "needs -o FILE"},
		{[]string{"fetch", "--snapshot", "--up", "a/b", "-o", "x"}, "--up does not go with --snapshot"},
		{[]string{"fetch", "--dataset", "a/b", "--up", "a/b"}, "--dataset goes with --snapshot"},
	} {
		if _, errOut, code := runCmd(t, c.args...); code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("lineage %s: exit %d: %s; want a usage error mentioning %q", strings.Join(c.args, " "), code, errOut, c.want)
		}
	}
}
