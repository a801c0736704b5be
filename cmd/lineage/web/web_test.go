package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/ingest"
	"github.com/lineage-project/lineage/lineage/recovery"
)

type memSource struct {
	name string
	data string
}

func (m memSource) Name() string                 { return m.name }
func (m memSource) Open() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(m.data)), nil }

// testStore: a foundation with a finetune line, a quantization, an adapter,
// a merge with another line, and an unrelated model.
func testStore(t testing.TB) *lineage.Store {
	t.Helper()
	listing := `{"id":"Base/LLM","downloads":5000,"likes":9,"createdAt":"2024-01-02T00:00:00.000Z","library_name":"transformers","pipeline_tag":"text-generation","cardData":{"license":"apache-2.0"}}
{"id":"org/chat","downloads":700,"tags":["base_model:finetune:Base/LLM"]}
{"id":"org/chat-GGUF","downloads":40,"tags":["base_model:org/chat"]}
{"id":"org/chat-lora","tags":["base_model:adapter:org/chat"]}
{"id":"other/tune","downloads":30,"tags":["base_model:finetune:Base/LLM"]}
{"id":"org/mix","cardData":{"base_model":["org/chat","other/tune"],"base_model_relation":"merge"}}
{"id":"lone/model","downloads":1}
`
	s, err := ingest.BuildSources(context.Background(), []ingest.Source{memSource{"t.jsonl", listing}}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fakeRender stands in for lineage-render: it answers a small SVG naming
// the DOT's size, and counts calls and concurrent calls.
type fakeRender struct {
	calls, inFlight, maxFlight atomic.Int64
	delay                      time.Duration
	block                      bool
}

func (f *fakeRender) render(ctx context.Context, dot []byte) ([]byte, error) {
	f.calls.Add(1)
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for m := f.maxFlight.Load(); n > m && !f.maxFlight.CompareAndSwap(m, n); m = f.maxFlight.Load() {
	}
	if f.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	if !bytes.HasPrefix(dot, []byte("digraph")) {
		return nil, errors.New("not DOT")
	}
	return []byte(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" data-dot="%d"></svg>`, len(dot))), nil
}

func newTestServer(t testing.TB, mod func(*Options)) (*Server, http.Handler) {
	t.Helper()
	fr := &fakeRender{}
	opt := Options{Store: testStore(t), Render: fr.render}
	if mod != nil {
		mod(&opt)
	}
	srv, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return srv, srv.Handler()
}

func get(t testing.TB, h http.Handler, url string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, url, nil))
	return w
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func TestHome(t *testing.T) {
	_, h := newTestServer(t, nil)
	w := get(t, h, "/")
	if w.Code != 200 {
		t.Fatalf("GET / = %d", w.Code)
	}
	mustContain(t, "home page", w.Body.String(),
		`<a href="/model/Base/LLM">Base/LLM</a></td><td class="num">5</td>`,
		`7 models and 6 derivation edges`, `list="completions"`)
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
}

func TestSearch(t *testing.T) {
	_, h := newTestServer(t, nil)
	w := get(t, h, "/search?q=base/llm")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/model/Base/LLM" {
		t.Errorf("exact search = %d %q, want 303 to /model/Base/LLM", w.Code, w.Header().Get("Location"))
	}
	w = get(t, h, "/search?q=chat")
	body := w.Body.String()
	// By name part, most downloaded first.
	if i, j := strings.Index(body, ">org/chat<"), strings.Index(body, ">org/chat-GGUF<"); w.Code != 200 || i < 0 || j < i || !strings.Contains(body, ">org/chat-lora<") {
		t.Errorf("search chat = %d, order %d %d:\n%s", w.Code, i, j, body)
	}
	w = get(t, h, "/search?q=org/chta")
	mustContain(t, "search with a typo", w.Body.String(), "Did you mean", ">org/chat<")
	w = get(t, h, "/search?q="+strings.Repeat("x", 300))
	if w.Code != http.StatusBadRequest {
		t.Errorf("over-long query = %d, want 400", w.Code)
	}
}

func TestEscaping(t *testing.T) {
	_, h := newTestServer(t, nil)
	for _, u := range []string{"/search?q=%3Cscript%3Ealert(1)%3C/script%3E", "/model/%3Cimg%20src=x%20onerror=alert(1)%3E", "/?q=%22%3E%3Cscript%3E"} {
		body := get(t, h, u).Body.String()
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") || strings.Contains(body, `"><script>`) {
			t.Errorf("GET %s echoes markup unescaped:\n%s", u, body)
		}
	}
	w := get(t, h, "/tree/%3Cb%3E")
	if w.Code != 404 || strings.Contains(w.Body.String(), "<b>") || w.Header().Get("Content-Type") != "image/svg+xml" {
		t.Errorf("tree of an unknown id = %d %q:\n%s", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
}

func TestModelPage(t *testing.T) {
	_, h := newTestServer(t, nil)
	w := get(t, h, "/model/org/mix")
	if w.Code != 200 {
		t.Fatalf("GET /model/org/mix = %d", w.Code)
	}
	body := w.Body.String()
	mustContain(t, "org/mix page", body,
		`<h1 id="model-id">org/mix</h1>`,
		`3 ancestors; foundation:`,
		`<a href="/model/org/mix">org/mix</a> <span class="rel rel-merge">&larr; merge</span> <a href="/model/org/chat">org/chat</a> <span class="rel rel-finetune">&larr; finetune</span> <a href="/model/Base/LLM">Base/LLM</a>`,
		`<img id="tree-img" src="/tree/org/mix?dir=both&amp;max=80&amp;fold=1"`,
		`No model declares it as a parent.`)
	body = get(t, h, "/model/Base/LLM?dir=down&max=5&fold=0").Body.String()
	mustContain(t, "Base/LLM page", body, `A foundation. Built on: <strong>nothing declared</strong>.`,
		`Its card and listing name no base model, so it is counted as a foundation of its 5 descendants.`,
		`<h3>Recovered parents</h3>`, `Recovered lineage is off: <code>lineage serve --recovered</code>`, `<strong id="descendant-count">5</strong> distinct descendants (finetune 2, adapter 1, quantized 1, merge 1)`,
		`2 direct children:`, `src="/tree/Base/LLM?dir=down&amp;max=5&amp;fold=0"`, `<option value="5" selected>5</option>`, `id="tree-caption">showing 5 of 6 models; 1 folded`)
	if w := get(t, h, "/model/base/llm"); w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != "/model/Base/LLM" {
		t.Errorf("lower-case id = %d %q, want 301 to the record's spelling", w.Code, w.Header().Get("Location"))
	}
	w = get(t, h, "/model/org/chatt")
	if w.Code != 404 || !strings.Contains(w.Body.String(), `<a href="/model/org/chat">org/chat</a>`) {
		t.Errorf("unknown model = %d without suggestion:\n%s", w.Code, w.Body.String())
	}
}

// TestFoundationPanel: a foundation's "Built on" says so, whether it has
// a record of its own, lists hints as hints (linked when they name a
// model), and keeps the place of recovered candidates; a model with
// parents has no such place.
func TestFoundationPanel(t *testing.T) {
	b := lineage.NewBuilder(lineage.BuilderOptions{})
	b.Add(&lineage.Record{ID: "org/base", Kind: lineage.KindListing, Downloads: -1, Likes: -1, DownloadsAllTime: -1,
		Parents: []lineage.Parent{{ID: "ghost/parent", Relation: lineage.Finetune, Declared: true}}, ParentFrom: lineage.FromTags})
	b.Add(&lineage.Record{ID: "org/found", Kind: lineage.KindCard, Downloads: -1, Likes: -1, DownloadsAllTime: -1,
		Hints: []lineage.Hint{{Kind: lineage.HintCard, Source: "README.md", Key: lineage.HintLinkFrom, Value: "https://huggingface.co/org/base"},
			{Kind: lineage.HintCard, Source: "README.md", Key: lineage.HintLinkFrom, Value: "<b>not an id</b>"}}})
	srv, err := New(Options{Store: b.Finish()})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	body := get(t, h, "/model/org/found").Body.String()
	mustContain(t, "org/found page", body, `Built on: <strong>nothing declared</strong>.`, `Its card and listing name no base model, so it is counted as a foundation.`,
		`<span class="meta">card README.md, link.finetuned_from:</span> <a href="/model/org/base">org/base</a>`,
		`&lt;b&gt;not an id&lt;/b&gt;`, `<div id="recovered">`)
	body = get(t, h, "/model/ghost/parent").Body.String()
	mustContain(t, "ghost/parent page", body, `This graph has no record of its own for it, only models that name it as their parent, so it is counted as a foundation of its 1 descendant.`)
	body = get(t, h, "/model/org/base").Body.String()
	if strings.Contains(body, `id="recovered"`) || strings.Contains(body, "nothing declared") {
		t.Errorf("org/base has a declared parent, yet its page says it has none:\n%s", body)
	}
	var m struct{ Hints []hintView }
	json.Unmarshal(get(t, h, "/api/model/org/found").Body.Bytes(), &m)
	if len(m.Hints) != 2 || m.Hints[0].ID != "org/base" || m.Hints[1].ID != "" {
		t.Errorf("api hints = %+v", m.Hints)
	}
}

func TestAPI(t *testing.T) {
	_, h := newTestServer(t, nil)
	var m struct {
		ID                    string
		Foundations           []string
		Ancestors             []lineage.Hop
		Descendants           int
		DescendantsByRelation []relCount `json:"descendants_by_relation"`
		Children              []childGroup
	}
	w := get(t, h, "/api/model/org/chat")
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil || w.Code != 200 {
		t.Fatalf("api/model = %d %v", w.Code, err)
	}
	if m.ID != "org/chat" || len(m.Ancestors) != 1 || m.Descendants != 3 || len(m.Children) != 3 || m.Children[0].Relation != "adapter" || m.Children[2].Models[0].ID != "org/mix" {
		t.Errorf("api/model/org/chat = %+v", m)
	}
	var ids []string
	json.Unmarshal(get(t, h, "/api/complete?q=org/c&limit=2").Body.Bytes(), &ids)
	if strings.Join(ids, " ") != "org/chat org/chat-GGUF" {
		t.Errorf("complete(org/c, 2) = %v", ids)
	}
	var rank struct{ Foundations []lineage.RankEntry }
	json.Unmarshal(get(t, h, "/api/rank?top=99999").Body.Bytes(), &rank)
	if len(rank.Foundations) != 1 || rank.Foundations[0].ID != "Base/LLM" || rank.Foundations[0].Descendants != 5 {
		t.Errorf("api/rank = %+v", rank)
	}
	if w := get(t, h, "/api/model/no/such"); w.Code != 404 || !strings.Contains(w.Body.String(), `"error"`) {
		t.Errorf("api/model unknown = %d %s", w.Code, w.Body.String())
	}
}

func TestReadOnly(t *testing.T) {
	_, h := newTestServer(t, nil)
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(m, "/model/org/chat", strings.NewReader("x")))
		if w.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s = %d, want 405", m, w.Code)
		}
	}
}

func TestTree(t *testing.T) {
	fr := &fakeRender{delay: 20 * time.Millisecond}
	_, h := newTestServer(t, func(o *Options) { o.Render = fr.render; o.MaxTreeNodes = 10 })
	var wg sync.WaitGroup
	codes := make([]int, 6)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = get(t, h, fmt.Sprintf("/tree/Base/LLM?max=%d", 2+i%3)).Code
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != 200 {
			t.Errorf("tree request %d = %d", i, c)
		}
	}
	if fr.maxFlight.Load() != 1 || fr.calls.Load() != 3 {
		t.Errorf("renders: %d calls, %d at once; want 3 (one per distinct tree, the rest cached), 1 at once", fr.calls.Load(), fr.maxFlight.Load())
	}
	w := get(t, h, "/tree/org/chat?max=100000")
	if w.Code != 200 || w.Header().Get("Content-Type") != "image/svg+xml" || !strings.Contains(w.Header().Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("tree = %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Header().Get("Content-Security-Policy"))
	}
}

func TestTreeFailures(t *testing.T) {
	slow := &fakeRender{block: true}
	_, h := newTestServer(t, func(o *Options) { o.Render = slow.render; o.RenderTimeout = 30 * time.Millisecond })
	w := get(t, h, "/tree/org/chat")
	if w.Code != 500 || !strings.Contains(w.Body.String(), "longer than 30ms") {
		t.Errorf("slow render = %d %s", w.Code, w.Body.String())
	}
	_, h = newTestServer(t, func(o *Options) { o.Render = nil })
	w = get(t, h, "/tree/org/chat")
	if w.Code != 503 || !strings.Contains(w.Body.String(), "lineage-render") {
		t.Errorf("no renderer = %d %s", w.Code, w.Body.String())
	}
	if body := get(t, h, "/model/org/chat").Body.String(); !strings.Contains(body, "Tree drawings need the lineage-render command") {
		t.Errorf("model page without renderer does not say so")
	}
	big := func(ctx context.Context, dot []byte) ([]byte, error) { return bytes.Repeat([]byte("<svg>"), 1000), nil }
	_, h = newTestServer(t, func(o *Options) { o.Render = big; o.MaxSVGBytes = 100 })
	if w := get(t, h, "/tree/org/chat"); w.Code != 500 || !strings.Contains(w.Body.String(), "too large") {
		t.Errorf("huge SVG = %d %s", w.Code, w.Body.String())
	}
	_, h = newTestServer(t, func(o *Options) { o.MaxDOTBytes = 10 })
	if w := get(t, h, "/tree/org/chat"); w.Code != 500 || !strings.Contains(w.Body.String(), "too large to draw") {
		t.Errorf("huge DOT = %d %s", w.Code, w.Body.String())
	}
}

func TestInFlightLimit(t *testing.T) {
	slow := &fakeRender{block: true}
	_, h := newTestServer(t, func(o *Options) { o.Render = slow.render; o.MaxInFlight = 1; o.RenderTimeout = 300 * time.Millisecond })
	done := make(chan int)
	go func() { done <- get(t, h, "/tree/org/chat").Code }()
	for slow.inFlight.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	if w := get(t, h, "/"); w.Code != http.StatusServiceUnavailable {
		t.Errorf("request over the in-flight cap = %d, want 503", w.Code)
	}
	<-done
	if w := get(t, h, "/"); w.Code != 200 {
		t.Errorf("after the slow request = %d, want 200", w.Code)
	}
}

func TestSVGCacheBounded(t *testing.T) {
	srv, h := newTestServer(t, func(o *Options) { o.CacheBytes = 400 })
	for i := 1; i <= 10; i++ {
		get(t, h, fmt.Sprintf("/tree/Base/LLM?max=%d", i))
	}
	if srv.trees.bytes > 400 || srv.trees.lru.Len() != len(srv.trees.byKey) {
		t.Errorf("cache holds %d bytes in %d entries, limit 400", srv.trees.bytes, srv.trees.lru.Len())
	}
}

// TestCaptionCache: the tree caption of a family of captionCacheMin
// descendants or more is selected once per tree parameters and served
// the same afterwards; a small family's is not kept.
func TestCaptionCache(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"id":"big/root"}` + "\n")
	for i := range captionCacheMin {
		fmt.Fprintf(&b, `{"id":"u%d/kid","tags":["base_model:finetune:big/root"]}`+"\n", i)
	}
	b.WriteString(`{"id":"small/root"}` + "\n" + `{"id":"small/kid","tags":["base_model:small/root"]}` + "\n")
	s, err := ingest.BuildSources(context.Background(), []ingest.Source{memSource{"big.jsonl", b.String()}}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	caption := regexp.MustCompile(`id="tree-caption">[^<]*`)
	first := caption.FindString(get(t, h, "/model/big/root").Body.String())
	second := caption.FindString(get(t, h, "/model/big/root").Body.String())
	get(t, h, "/model/big/root?max=30")
	get(t, h, "/model/small/root")
	t.Logf("caption: %s", first)
	if first == "" || first != second || !strings.Contains(first, "of 5,001 models") {
		t.Errorf("captions %q then %q", first, second)
	}
	if n := len(srv.captions.m); n != 2 {
		t.Errorf("caption cache holds %d entries, want 2 (the big family at two sizes, not the small one)", n)
	}
	// A selection slower than the wait: the page goes without the caption
	// and says so; the selection finishes for the next page.
	setWait := func(d time.Duration) {
		srv.captions.mu.Lock()
		srv.captions.wait = d
		srv.captions.mu.Unlock()
	}
	pending := func() int {
		srv.captions.mu.Lock()
		defer srv.captions.mu.Unlock()
		return len(srv.captions.pending)
	}
	setWait(time.Nanosecond)
	body := get(t, h, "/model/big/root?max=5").Body.String()
	if !strings.Contains(body, "was not ready in time for this page") {
		t.Errorf("page with a slow caption lacks the note:\n%s", caption.FindString(body))
	}
	for i := 0; i < 10000 && pending() > 0; i++ {
		time.Sleep(time.Millisecond)
	}
	setWait(0)
	if got := caption.FindString(get(t, h, "/model/big/root?max=5").Body.String()); !strings.Contains(got, "of 5,001 models") {
		t.Errorf("the next page's caption = %q", got)
	}
}

// TestRecoveredCandidates: with recovered lineage, a foundation's page
// lists the proposed parents best first, labelled as candidates; without
// proposals for it, it says none reached the threshold; without recovery,
// that recovery is off. The API carries them only when recovery ran.
func TestRecoveredCandidates(t *testing.T) {
	s := testStore(t)
	lone, _ := s.Lookup("lone/model")
	base, _ := s.Lookup("Base/LLM")
	chat, _ := s.Lookup("org/chat")
	res := &recovery.Result{
		Proposals: []recovery.Proposal{
			{Child: lone, Parent: chat, Relation: lineage.Finetune, Confidence: 0.8, Match: recovery.MatchPrefix, Evidence: []recovery.Evidence{{Kind: "name", Detail: "<i>lone</i> starts with chat"}}},
			{Child: lone, Parent: base, Relation: lineage.Quantized, Confidence: 0.93, Match: recovery.MatchFormat},
		},
		Summary: recovery.Summary{MinConfidence: 0.75},
	}
	_, h := newTestServer(t, func(o *Options) { o.Recovery = res })
	body := get(t, h, "/model/lone/model").Body.String()
	i, j := strings.Index(body, `<a href="/model/Base/LLM">Base/LLM</a>`), strings.Index(body, `<a href="/model/org/chat">org/chat</a>`)
	if i < 0 || j < i {
		t.Errorf("lone/model page lacks the candidates best first (%d, %d):\n%s", i, j, body)
	}
	mustContain(t, "lone/model page", body, `<td class="num">0.93</td><td><span class="rel rel-quantized">quantized</span>`, `not declared by any input; candidates only: not drawn, not counted`,
		`prefix; name: &lt;i&gt;lone&lt;/i&gt; starts with chat`)
	mustContain(t, "Base/LLM page", get(t, h, "/model/Base/LLM").Body.String(), `proposes no parent for it at confidence 0.75 or more`)
	var m struct{ Recovered []recoveredView }
	json.Unmarshal(get(t, h, "/api/model/lone/model").Body.Bytes(), &m)
	if len(m.Recovered) != 2 || m.Recovered[0].ID != "Base/LLM" || m.Recovered[0].Confidence != 0.93 || m.Recovered[1].Match != "prefix" {
		t.Errorf("api recovered = %+v", m.Recovered)
	}

	// With the proposals added as edges (serve --recovered), the pages
	// mark them wherever they show: the child's ancestors, the parent's
	// children and descendant count, the home page's ranking.
	o, err := s.WithEdges(res.Edges())
	if err != nil {
		t.Fatal(err)
	}
	_, h = newTestServer(t, func(opt *Options) { opt.Store, opt.Recovery = o, res })
	mustContain(t, "lone/model page with recovered edges", get(t, h, "/model/lone/model").Body.String(),
		`<span class="rel rel-quantized">quantized</span> <abbr class="recovered" title="recovered from evidence, not declared by any input">recovered 0.93</abbr>`,
		`<span class="rel rel-finetune recovered">&larr; finetune (recovered)</span>`, `not declared by any input; added to this graph as recovered edges`)
	mustContain(t, "org/chat page with recovered edges", get(t, h, "/model/org/chat").Body.String(),
		`<a href="/model/lone/model">lone/model</a> <span class="meta">`, ` · recovered</span>`, `1 of them only through recovered edges`)
	mustContain(t, "home page with recovered edges", get(t, h, "/").Body.String(), `<th class="num">Recovered</th>`, `the graph has 2 recovered edges`)
	var am struct {
		Ancestors []lineage.Hop
	}
	json.Unmarshal(get(t, h, "/api/model/lone/model").Body.Bytes(), &am)
	rec := 0
	for _, a := range am.Ancestors {
		if a.Via == "lone/model" {
			if !a.Recovered || a.Confidence == 0 {
				t.Errorf("api ancestor %+v is not marked recovered", a)
			}
			rec++
		}
	}
	if rec != 2 {
		t.Errorf("api: %d recovered parents of lone/model, want 2: %+v", rec, am.Ancestors)
	}

	_, h = newTestServer(t, nil)
	mustContain(t, "page without recovery", get(t, h, "/model/lone/model").Body.String(), `Recovered lineage is off`)
	body = get(t, h, "/").Body.String()
	if strings.Contains(body, "Recovered") {
		t.Errorf("home page without recovered edges mentions them")
	}
	if body := get(t, h, "/api/model/lone/model").Body.String(); strings.Contains(body, `"recovered"`) {
		t.Errorf("api without recovery has a recovered field:\n%s", body)
	}
}
