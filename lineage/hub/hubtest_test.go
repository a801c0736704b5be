package hub

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeHub is a test server that behaves like the real Hub where lineage
// meets it, including its refusals. Each behaviour names its source; where
// the source is indirect or missing, it says so.
//
//   - GET /api/models/ID (the model route) and GET /api/models (the list
//     route, paged by a cursor in a Link rel="next" header; huggingface_hub
//     utils/_pagination.py follows it). Both answer only the properties
//     asked for with expand[] (plus id and _id): huggingface_hub hf_api.py,
//     model_info/list_models: "When used, only the properties in the list
//     will be returned".
//   - expand[] values outside the route's set are a 400 with the Hub's
//     error JSON {"error": "..."}: the set is huggingface_hub hf_api.py's
//     ExpandModelProperty_T; the list route refuses baseModels,
//     childrenModelCount and usedStorage (huggingface_hub pull request
//     #3182, citing the Hub's apiListingRoutes.ts). The Hub's exact error
//     wording is not known here; only its status and JSON shape are
//     asserted (a third-party client notes the 400 body lists the valid
//     values).
//   - childrenModelCount is an object of counts by relation,
//     {"adapter":N,"finetune":N,"merge":N,"quantized":N} (huggingface_hub
//     ModelInfo.children_model_count is a dict; documented API examples).
//     Whether a model without children gets zeros or {} is not known; this
//     server sends all four keys.
//   - Listed records carry base_model:ID and base_model:RELATION:ID tags
//     (the Hub adds them from the card; the hub-stats snapshot shows them).
//   - Every answer carries RateLimit: "BUCKET";r=R;t=T and RateLimit-Policy:
//     "fixed window";"BUCKET";q=Q;w=W, and a request over the quota is a
//     429 with r=0 and no Retry-After (hub-docs rate-limits.md "HTTP
//     Headers"; huggingface_hub utils/_http.py _RATELIMIT_REGEX and
//     _RATELIMIT_POLICY_REGEX). Buckets: "api", and "resolvers" for
//     /resolve/ URLs (rate-limits.md). Quotas are per 5-minute window;
//     tests set small ones.
//   - A private or missing repository is 401 with X-Error-Code RepoNotFound
//     without a valid token and 404 with one (huggingface_hub
//     hf_raise_for_status: "401 is misleading as it is returned for private
//     and gated repos if user is not authenticated, missing repos"; the 404
//     with a token is the lead's report, not verified here). An invalid
//     token is 401 "Invalid credentials in Authorization header".
//   - A disabled repository is 403 with X-Error-Message "Access to this
//     resource is disabled." (hf_raise_for_status, DisabledRepoError).
//   - A gated model's metadata is public; its files are 401 (no token) or
//     403 (a token without access) with X-Error-Code GatedRepo
//     (hf_raise_for_status, GatedRepoError; hub-docs models-gated.md).
//   - A renamed repository answers 307 to its new path (huggingface_hub
//     file_download.py follows "relative redirects (e.g. a renamed
//     repository)"); that the API route redirects the same way, and that
//     the Location drops the query, is assumed here (the harder case).
//   - Files: GET /ID/resolve/main/PATH (and /datasets/ID/resolve/REV/PATH)
//     serves a file kept in git itself (ETag the git blob id), and answers
//     an LFS file with a 302 to the file store, carrying X-Linked-Etag (the
//     SHA-256, quoted), X-Linked-Size and X-Repo-Commit (huggingface_hub
//     file_download.py get_hf_file_metadata reads them from that redirect).
//     The store is a second server on another host name; it honours Range
//     and If-Range (http.ServeContent). A missing file is 404 with
//     X-Error-Code EntryNotFound.
//   - A model's file list is expand[]=siblings: [{"rfilename": PATH}].
type fakeHub struct {
	t        *testing.T
	mu       sync.Mutex
	models   map[string]map[string]any // lower-cased id -> record (every property)
	order    []string
	pageSize int    // the server's own page cap
	token    string // the valid token when not empty ("" accepts any or none)
	private  map[string]bool
	disabled map[string]bool
	gated    map[string]bool
	renamed  map[string]string               // lower-cased old id -> new id
	files    map[string]map[string]*fakeFile // "models/ID" or "datasets/ID" (lower case) -> path -> file

	// quota and window are the rate limit: quota requests per window and
	// bucket, on the clock now. Zero quota: 1000.
	quota   int
	window  time.Duration
	now     func() time.Time
	windows map[string]*fakeWindow
	limited atomic.Int64 // 429 answers sent for the rate limit

	// fail lists scripted answers: the n-th request to a path (counted from
	// 1) answers with the status and headers given.
	fail map[string][]scripted

	requests  atomic.Int64
	inFlight  atomic.Int64
	maxFlight atomic.Int64
	gate      chan struct{} // when set, every request waits on it
	paths     []string
	hubAuth   []string // Authorization headers the hub received
	hits      map[string]int
	linkHost  string // when set, Link headers point at this host

	store     *httptest.Server
	storeURL  string   // the store's base URL, with a host name other than the hub's
	storeAuth []string // Authorization headers the store received
	storeReqs []string // "PATH RANGE IF-RANGE" of each store request
}

// fakeFile is a file of a repository.
type fakeFile struct {
	data []byte
	lfs  bool
	// cutAfter, when > 0, makes the store cut the next cuts transfers off
	// after that many bytes of the body.
	cutAfter, cuts int
	// stall makes a cut transfer hang (until the client gives up) instead
	// of closing the connection.
	stall bool
	// badSHA makes the Hub give an X-Linked-Etag that is not the data's.
	badSHA bool
}

type fakeWindow struct {
	start time.Time
	used  int
}

type scripted struct {
	n      int
	status int
	header map[string]string
}

// modelRouteExpand is huggingface_hub hf_api.py's ExpandModelProperty_T.
var modelRouteExpand = []string{"author", "baseModels", "cardData", "childrenModelCount", "config", "createdAt", "disabled",
	"downloads", "downloadsAllTime", "gated", "gguf", "inference", "inferenceProviderMapping", "lastModified", "library_name",
	"likes", "mask_token", "model-index", "pipeline_tag", "private", "resourceGroup", "safetensors", "sha", "siblings", "spaces",
	"tags", "transformersInfo", "trendingScore", "usedStorage", "widgetData", "xetEnabled"}

// listRouteRefuses are the model-route properties the list route refuses
// (huggingface_hub pull request #3182).
var listRouteRefuses = []string{"baseModels", "childrenModelCount", "usedStorage"}

// newFakeHub builds a hub from DSL lines "child: parent relation ..." and
// "id" (a model with no parent). Relations ending in ? are undeclared (no
// base_model:REL tag, no baseModels.relation).
func newFakeHub(t *testing.T, dsl string) (*fakeHub, *httptest.Server) {
	h := &fakeHub{t: t, models: map[string]map[string]any{}, pageSize: 2, fail: map[string][]scripted{},
		private: map[string]bool{}, disabled: map[string]bool{}, gated: map[string]bool{}, renamed: map[string]string{},
		files: map[string]map[string]*fakeFile{}, hits: map[string]int{}, windows: map[string]*fakeWindow{},
		window: 5 * time.Minute, now: time.Now}
	children := map[string]map[string]int{}
	for _, line := range strings.Split(dsl, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		id, rest, _ := strings.Cut(line, ":")
		id = strings.TrimSpace(id)
		rec := map[string]any{"_id": fmt.Sprintf("%024x", len(h.order)+1), "id": id, "author": strings.Split(id, "/")[0],
			"createdAt": fmt.Sprintf("2024-01-%02dT00:00:00.000Z", len(h.order)%28+1), "lastModified": "2024-06-01T00:00:00.000Z",
			"downloads": 100 * (len(h.order) + 1), "downloadsAllTime": 1000 * (len(h.order) + 1), "likes": len(h.order),
			"library_name": "transformers", "pipeline_tag": "text-generation", "private": false, "gated": false, "sha": "deadbeef",
			"usedStorage": 12345, "trendingScore": 1}
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
			k := strings.ToLower(p)
			if children[k] == nil {
				children[k] = map[string]int{}
			}
			children[k][strings.TrimSuffix(r, "?")]++
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
		h.addFile(id, "config.json", []byte(`{"model_type":"llama"}`), false)
	}
	for k, rec := range h.models {
		by := map[string]int{"adapter": 0, "finetune": 0, "merge": 0, "quantized": 0}
		for r, n := range children[k] {
			by[r] += n
		}
		rec["childrenModelCount"] = by
	}
	slices.SortFunc(h.order, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	h.store = httptest.NewServer(http.HandlerFunc(h.serveStore))
	t.Cleanup(h.store.Close)
	su, _ := url.Parse(h.store.URL)
	h.storeURL = "http://localhost:" + su.Port()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv
}

// addFile adds a file to model id's repository ("datasets/ID" for a
// dataset's).
func (h *fakeHub) addFile(id, path string, data []byte, lfs bool) *fakeFile {
	h.mu.Lock()
	defer h.mu.Unlock()
	key := strings.ToLower(id)
	if !strings.HasPrefix(key, "datasets/") {
		key = "models/" + key
	}
	if h.files[key] == nil {
		h.files[key] = map[string]*fakeFile{}
	}
	f := &fakeFile{data: data, lfs: lfs}
	h.files[key][path] = f
	return f
}

// rename moves model old to new: old answers 307 to new from now on.
func (h *fakeHub) rename(old, new string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	rec := h.models[strings.ToLower(old)]
	delete(h.models, strings.ToLower(old))
	rec["id"] = new
	rec["author"] = strings.Split(new, "/")[0]
	h.models[strings.ToLower(new)] = rec
	h.renamed[strings.ToLower(old)] = new
	for i, id := range h.order {
		if strings.EqualFold(id, old) {
			h.order[i] = new
		}
	}
	slices.SortFunc(h.order, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	fk := "models/" + strings.ToLower(old)
	h.files["models/"+strings.ToLower(new)] = h.files[fk]
	delete(h.files, fk)
}

func (h *fakeHub) script(path string, n, status int, header map[string]string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fail[path] = append(h.fail[path], scripted{n, status, header})
}

// hubError answers the Hub's error JSON with X-Error-Code/-Message.
func hubError(w http.ResponseWriter, status int, code, msg string) {
	if code != "" {
		w.Header().Set("X-Error-Code", code)
	}
	w.Header().Set("X-Error-Message", msg)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// rateLimit counts the request in its bucket's window, sets the RateLimit
// headers, and reports whether it is over the quota.
func (h *fakeHub) rateLimit(w http.ResponseWriter, r *http.Request) bool {
	bucket := "api"
	if strings.Contains(r.URL.Path, "/resolve/") {
		bucket = "resolvers"
	}
	quota := h.quota
	if quota == 0 {
		quota = 1000
	}
	h.mu.Lock()
	now := h.now()
	win := h.windows[bucket]
	if win == nil || now.Sub(win.start) >= h.window {
		// Fixed windows aligned on multiples of the window length.
		win = &fakeWindow{start: now.Truncate(h.window)}
		h.windows[bucket] = win
	}
	win.used++
	over := win.used > quota
	remaining := max(quota-win.used, 0)
	reset := int((win.start.Add(h.window).Sub(now) + time.Second - 1) / time.Second)
	h.mu.Unlock()
	w.Header().Set("RateLimit", fmt.Sprintf(`"%s";r=%d;t=%d`, bucket, remaining, reset))
	w.Header().Set("RateLimit-Policy", fmt.Sprintf(`"fixed window";"%s";q=%d;w=%d`, bucket, quota, int(h.window/time.Second)))
	if over {
		h.limited.Add(1)
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprintf(w, "You have exceeded our rate limit of %d requests per %s.\n", quota, h.window)
	}
	return over
}

// expandValues returns the expand properties asked for, in either of the
// spellings the Hub accepts (expand[]=x as the docs write it, expand=x as
// requests encodes huggingface_hub's lists).
func expandValues(q url.Values) []string {
	return append(append([]string{}, q["expand[]"]...), q["expand"]...)
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
	h.hubAuth = append(h.hubAuth, r.Header.Get("Authorization"))
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
	if h.rateLimit(w, r) {
		return
	}
	auth := r.Header.Get("Authorization")
	if auth != "" && h.token != "" && auth != "Bearer "+h.token {
		hubError(w, http.StatusUnauthorized, "", "Invalid credentials in Authorization header")
		return
	}
	authed := auth != "" && (h.token == "" || auth == "Bearer "+h.token)
	if rest, ok := strings.CutPrefix(r.URL.Path, "/api/models/"); ok {
		h.serveModel(w, r, rest, authed)
		return
	}
	if r.URL.Path == "/api/models" {
		h.serveList(w, r)
		return
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/datasets/"); ok {
		repo, file, ok := splitResolve(rest)
		if !ok {
			http.NotFound(w, r)
			return
		}
		h.serveFile(w, r, "datasets/"+repo, file, authed)
		return
	}
	repo, file, ok := splitResolve(strings.TrimPrefix(r.URL.Path, "/"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	h.mu.Lock()
	newID, moved := h.renamed[strings.ToLower(repo)]
	h.mu.Unlock()
	if moved {
		w.Header().Set("Location", "/"+newID+"/resolve/main/"+file)
		w.WriteHeader(http.StatusTemporaryRedirect)
		return
	}
	if !h.repoVisible(w, repo, authed) {
		return
	}
	if h.gated[strings.ToLower(repo)] {
		if !authed {
			hubError(w, http.StatusUnauthorized, "GatedRepo", "Access to model "+repo+" is restricted. You must have access to it and be authenticated to access it. Please log in.")
		} else {
			hubError(w, http.StatusForbidden, "GatedRepo", "Access to model "+repo+" is restricted and you are not in the authorized list.")
		}
		return
	}
	h.serveFile(w, r, "models/"+repo, file, authed)
}

// splitResolve splits "ORG/NAME/resolve/REV/PATH" (revision main only).
func splitResolve(p string) (repo, file string, ok bool) {
	repo, file, ok = strings.Cut(p, "/resolve/main/")
	return repo, file, ok && strings.Count(repo, "/") == 1 && file != ""
}

// repoVisible answers a refusal for a missing, private or disabled model
// and reports whether the model may be shown.
func (h *fakeHub) repoVisible(w http.ResponseWriter, id string, authed bool) bool {
	k := strings.ToLower(id)
	h.mu.Lock()
	_, found := h.models[k]
	private, disabled := h.private[k], h.disabled[k]
	h.mu.Unlock()
	switch {
	case (!found || private) && !authed:
		hubError(w, http.StatusUnauthorized, "RepoNotFound", "Repository not found")
		return false
	case !found:
		hubError(w, http.StatusNotFound, "RepoNotFound", "Repository not found")
		return false
	case disabled:
		hubError(w, http.StatusForbidden, "", "Access to this resource is disabled.")
		return false
	}
	return true
}

// checkExpand answers 400 to expand values the route does not serve.
func checkExpand(w http.ResponseWriter, q url.Values, list bool) ([]string, bool) {
	props := expandValues(q)
	for _, p := range props {
		if !slices.Contains(modelRouteExpand, p) || list && slices.Contains(listRouteRefuses, p) {
			hubError(w, http.StatusBadRequest, "", fmt.Sprintf("Invalid expand value %q", p))
			return nil, false
		}
	}
	return props, true
}

// view is rec with only id, _id and the expanded properties.
func (h *fakeHub) view(rec map[string]any, props []string) map[string]any {
	out := map[string]any{"_id": rec["_id"], "id": rec["id"]}
	for _, p := range props {
		if p == "siblings" {
			var sib []any
			h.mu.Lock()
			for path := range h.files["models/"+strings.ToLower(rec["id"].(string))] {
				sib = append(sib, map[string]any{"rfilename": path})
			}
			h.mu.Unlock()
			slices.SortFunc(sib, func(a, b any) int {
				return strings.Compare(a.(map[string]any)["rfilename"].(string), b.(map[string]any)["rfilename"].(string))
			})
			out[p] = sib
			continue
		}
		if v, ok := rec[p]; ok {
			out[p] = v
		}
	}
	return out
}

func (h *fakeHub) serveModel(w http.ResponseWriter, r *http.Request, id string, authed bool) {
	h.mu.Lock()
	newID, moved := h.renamed[strings.ToLower(id)]
	h.mu.Unlock()
	if moved {
		w.Header().Set("Location", "/api/models/"+newID)
		w.WriteHeader(http.StatusTemporaryRedirect)
		return
	}
	props, ok := checkExpand(w, r.URL.Query(), false)
	if !ok || !h.repoVisible(w, id, authed) {
		return
	}
	h.mu.Lock()
	rec := h.models[strings.ToLower(id)]
	h.mu.Unlock()
	writeJSON(w, h.view(rec, props))
}

func (h *fakeHub) serveList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	props, ok := checkExpand(w, q, true)
	if !ok {
		return
	}
	var out []map[string]any
	h.mu.Lock()
	for _, id := range h.order {
		rec := h.models[strings.ToLower(id)]
		if h.private[strings.ToLower(id)] || h.disabled[strings.ToLower(id)] {
			continue
		}
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
	page := []map[string]any{}
	for _, rec := range out[min(start, len(out)):end] {
		page = append(page, h.view(rec, props))
	}
	writeJSON(w, page)
}

// serveFile answers a file: itself when kept in git, a 302 to the store
// when in LFS.
func (h *fakeHub) serveFile(w http.ResponseWriter, r *http.Request, repo, path string, authed bool) {
	h.mu.Lock()
	f := h.files[strings.ToLower(repo)][path]
	var data []byte
	var lfs, badSHA bool
	if f != nil {
		data, lfs, badSHA = f.data, f.lfs, f.badSHA
	}
	h.mu.Unlock()
	if f == nil {
		hubError(w, http.StatusNotFound, "EntryNotFound", path+" does not exist on \"main\"")
		return
	}
	w.Header().Set("X-Repo-Commit", "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00")
	if !lfs {
		blob := sha1.Sum(append([]byte(fmt.Sprintf("blob %d\x00", len(data))), data...))
		w.Header().Set("ETag", `"`+hex.EncodeToString(blob[:])+`"`)
		http.ServeContent(w, r, path, time.Time{}, bytes.NewReader(data))
		return
	}
	sum := sha256.Sum256(data)
	if badSHA {
		sum[0] ^= 0xff
	}
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	w.Header().Set("X-Linked-Etag", etag)
	w.Header().Set("ETag", etag)
	w.Header().Set("X-Linked-Size", strconv.Itoa(len(data)))
	w.Header().Set("Location", h.storeURL+"/"+repo+"/"+path+"?signed=1")
	w.WriteHeader(http.StatusFound)
}

// serveStore is the file store: the bytes of LFS files, with Range and
// If-Range, cut off when a file says so.
func (h *fakeHub) serveStore(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.storeAuth = append(h.storeAuth, r.Header.Get("Authorization"))
	h.storeReqs = append(h.storeReqs, strings.TrimSpace(r.URL.Path+" "+r.Header.Get("Range")+" "+r.Header.Get("If-Range")))
	repo, path := "", ""
	if parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 4); len(parts) == 4 {
		repo, path = parts[0]+"/"+parts[1]+"/"+parts[2], parts[3]
	}
	f := h.files[strings.ToLower(repo)][path]
	var data []byte
	cut, stall := 0, false
	if f != nil {
		data = f.data
		if f.cuts > 0 {
			f.cuts--
			cut, stall = f.cutAfter, f.stall
		}
	}
	h.mu.Unlock()
	if f == nil {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(data)
	w.Header().Set("ETag", `"s3-`+hex.EncodeToString(sum[:8])+`"`)
	if cut > 0 {
		cw := &cutWriter{ResponseWriter: w, left: cut}
		if stall {
			cw.stall = r.Context().Done()
		}
		w = cw
	}
	http.ServeContent(w, r, path, time.Time{}, bytes.NewReader(data))
}

// cutWriter passes on the first left bytes of a body, then aborts the
// connection: a transfer cut off half-way.
type cutWriter struct {
	http.ResponseWriter
	left  int
	stall <-chan struct{} // when set, hang until it closes instead
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if len(p) > c.left {
		c.ResponseWriter.Write(p[:c.left])
		if fl, ok := c.ResponseWriter.(http.Flusher); ok {
			fl.Flush()
		}
		if c.stall != nil {
			<-c.stall
		}
		panic(http.ErrAbortHandler)
	}
	c.left -= len(p)
	return c.ResponseWriter.Write(p)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
