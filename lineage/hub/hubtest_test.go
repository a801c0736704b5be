package hub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// fakeHub serves /api/models and /api/models/ORG/NAME in the shape of the
// real Hub API: records with _id, baseModels {relation, models:[{_id,id}]},
// base_model:ID and base_model:REL:ID tags, childrenModelCount, paging by
// cursor with a Link header, X-Error-Code on unknown repos.
type fakeHub struct {
	t        *testing.T
	mu       sync.Mutex
	models   map[string]map[string]any // lower-cased id -> record
	order    []string
	pageSize int    // the server's own page cap
	token    string // required token when not empty ("" accepts any or none)
	private  map[string]bool

	// fail lists scripted answers: the n-th request to a path (counted from
	// 1) answers with the status and headers given.
	fail map[string][]scripted

	requests  atomic.Int64
	inFlight  atomic.Int64
	maxFlight atomic.Int64
	gate      chan struct{} // when set, every request waits on it
	paths     []string
	hits      map[string]int
	linkHost  string // when set, Link headers point at this host
}

type scripted struct {
	n      int
	status int
	header map[string]string
}

// newFakeHub builds a hub from DSL lines "child: parent relation ..." and
// "id" (a model with no parent). Relations ending in ? are undeclared (no
// base_model:REL tag, no baseModels.relation).
func newFakeHub(t *testing.T, dsl string) (*fakeHub, *httptest.Server) {
	h := &fakeHub{t: t, models: map[string]map[string]any{}, pageSize: 2, fail: map[string][]scripted{}, private: map[string]bool{}, hits: map[string]int{}}
	children := map[string]int{}
	for _, line := range strings.Split(dsl, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		id, rest, _ := strings.Cut(line, ":")
		id = strings.TrimSpace(id)
		rec := map[string]any{"_id": fmt.Sprintf("%024x", len(h.order)+1), "id": id, "author": strings.Split(id, "/")[0],
			"createdAt": fmt.Sprintf("2024-01-%02dT00:00:00.000Z", len(h.order)%28+1), "lastModified": "2024-06-01T00:00:00.000Z",
			"downloads": 100 * (len(h.order) + 1), "likes": len(h.order), "library_name": "transformers", "pipeline_tag": "text-generation",
			"private": false, "sha": "deadbeef", "siblings": []any{map[string]any{"rfilename": "config.json"}}}
		tags := []string{"transformers", "safetensors", "license:apache-2.0"}
		f := strings.Fields(rest)
		var bms []any
		var parents []string
		rel := ""
		for i := 0; i+1 < len(f); i += 2 {
			p, r := f[i], f[i+1]
			parents = append(parents, p)
			bms = append(bms, map[string]any{"_id": "x" + p, "id": p})
			tags = append(tags, "base_model:"+p)
			if !strings.HasSuffix(r, "?") {
				tags = append(tags, "base_model:"+r+":"+p)
				rel = r
			}
			children[strings.ToLower(p)]++
		}
		rec["tags"] = tags
		if len(parents) > 0 {
			bm := map[string]any{"models": bms}
			if rel != "" {
				bm["relation"] = rel
			}
			rec["baseModels"] = bm
			var base any = parents[0]
			if len(parents) > 1 {
				base = parents
			}
			rec["cardData"] = map[string]any{"base_model": base, "license": "apache-2.0", "model-index": []any{map[string]any{"name": id}}, "widget": []any{"x"}}
		}
		h.models[strings.ToLower(id)] = rec
		h.order = append(h.order, id)
	}
	for k, rec := range h.models {
		rec["childrenModelCount"] = children[k]
	}
	slices.SortFunc(h.order, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv
}

func (h *fakeHub) script(path string, n, status int, header map[string]string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fail[path] = append(h.fail[path], scripted{n, status, header})
}

func (h *fakeHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.requests.Add(1)
	n := h.inFlight.Add(1)
	defer h.inFlight.Add(-1)
	for {
		m := h.maxFlight.Load()
		if n <= m || h.maxFlight.CompareAndSwap(m, n) {
			break
		}
	}
	if h.gate != nil {
		<-h.gate
	}
	h.mu.Lock()
	h.paths = append(h.paths, r.URL.RequestURI())
	h.hits[r.URL.Path]++
	count := h.hits[r.URL.Path]
	var sc *scripted
	for i := range h.fail[r.URL.Path] {
		if h.fail[r.URL.Path][i].n == count {
			sc = &h.fail[r.URL.Path][i]
		}
	}
	h.mu.Unlock()
	if sc != nil {
		for k, v := range sc.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(sc.status)
		fmt.Fprintf(w, `{"error":"scripted %d"}`, sc.status)
		return
	}
	auth := r.Header.Get("Authorization")
	if auth != "" && h.token != "" && auth != "Bearer "+h.token {
		w.Header().Set("X-Error-Message", "Invalid credentials in Authorization header")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"Invalid credentials in Authorization header"}`)
		return
	}
	if !slices.Contains(r.URL.Query()["expand[]"], "baseModels") {
		http.Error(w, `{"error":"expand[] must name baseModels"}`, http.StatusBadRequest)
		return
	}
	if id, ok := strings.CutPrefix(r.URL.Path, "/api/models/"); ok {
		h.mu.Lock()
		rec, found := h.models[strings.ToLower(id)]
		private := h.private[strings.ToLower(id)]
		h.mu.Unlock()
		if !found || private && auth == "" {
			w.Header().Set("X-Error-Code", "RepoNotFound")
			w.Header().Set("X-Error-Message", "Repository not found")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"Repository not found"}`)
			return
		}
		writeJSON(w, rec)
		return
	}
	if r.URL.Path != "/api/models" {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	var out []map[string]any
	h.mu.Lock()
	for _, id := range h.order {
		rec := h.models[strings.ToLower(id)]
		if f := q.Get("filter"); f != "" && !slices.Contains(rec["tags"].([]string), f) {
			continue
		}
		if a := q.Get("author"); a != "" && rec["author"] != a {
			continue
		}
		if s := q.Get("search"); s != "" && !strings.Contains(strings.ToLower(id), strings.ToLower(s)) {
			continue
		}
		out = append(out, rec)
	}
	h.mu.Unlock()
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > h.pageSize {
		limit = h.pageSize
	}
	start, _ := strconv.Atoi(q.Get("cursor"))
	end := min(start+limit, len(out))
	if end < len(out) {
		nq := r.URL.Query()
		nq.Set("cursor", strconv.Itoa(end))
		host := "http://" + r.Host
		if h.linkHost != "" {
			host = h.linkHost
		}
		w.Header().Set("Link", fmt.Sprintf(`<%s/api/models?%s>; rel="next"`, host, nq.Encode()))
	}
	page := out[min(start, len(out)):end]
	if page == nil {
		page = []map[string]any{}
	}
	writeJSON(w, page)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
