package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs "lineage serve" on a free loopback port with args and
// returns its base URL; the server stops when the test ends.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), &bytes.Buffer{}, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, stderr.String())
		}
	})
	re := regexp.MustCompile(`lineage serve: (http://127\.0\.0\.1:\d+)/`)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			return m[1]
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("serve exited %d before listening: %s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start: %s", stderr.String())
	return ""
}

func TestServeCommand(t *testing.T) {
	t.Setenv("LINEAGE_RENDER", filepath.Join(t.TempDir(), "no-such-renderer"))
	base := startServe(t, "--quiet")
	resp, err := http.Get(base + "/api/model/perplexity-ai/r1-1776")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /api/model = %d", resp.StatusCode)
	}
	if _, _, code := runCmd(t, "serve", "--addr", "nonsense"); code != exitUsage {
		t.Errorf("serve --addr nonsense: exit %d, want %d", code, exitUsage)
	}
	if _, _, code := runCmd(t, "serve", "extra"); code != exitUsage {
		t.Errorf("serve extra: exit %d, want %d", code, exitUsage)
	}
}

// TestServeRecover: with --recover, a model's API lists the parents that
// lineage recover --json proposes for it, in confidence order; without
// it, none.
func TestServeRecover(t *testing.T) {
	t.Setenv("LINEAGE_RENDER", filepath.Join(t.TempDir(), "no-such-renderer"))
	out, errOut, code := runCmd(t, "recover", "--json")
	if code != 0 {
		t.Fatalf("recover --json: exit %d: %s", code, errOut)
	}
	var rec struct {
		Proposals []struct {
			ID, Parent string
			Confidence float64
		}
	}
	if err := json.Unmarshal([]byte(out), &rec); err != nil || len(rec.Proposals) == 0 {
		t.Fatalf("recover --json: %v, %d proposals", err, len(rec.Proposals))
	}
	want := map[string][]string{}
	for _, p := range rec.Proposals {
		want[p.ID] = append(want[p.ID], p.Parent)
	}
	base := startServe(t, "--quiet", "--recovered")
	plain := startServe(t, "--quiet")
	n := 0
	for id, parents := range want {
		if n++; n > 25 {
			break
		}
		var m struct {
			Recovered []struct {
				ID         string
				Confidence float64
			}
			Ancestors []struct {
				ID, Via   string
				Recovered bool
			}
		}
		resp, err := http.Get(base + "/api/model/" + id)
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&m)
		resp.Body.Close()
		var got []string
		for i, r := range m.Recovered {
			got = append(got, r.ID)
			if i > 0 && r.Confidence > m.Recovered[i-1].Confidence {
				t.Errorf("%s: candidates not by confidence: %+v", id, m.Recovered)
			}
		}
		slices.Sort(got)
		slices.Sort(parents)
		if err != nil || !slices.Equal(got, parents) {
			t.Errorf("%s: served candidates %v (%v), lineage recover proposes %v", id, got, err, parents)
		}
		// The proposals are edges of the served graph: the model's
		// ancestors at depth 1 are its recovered parents, marked.
		var direct []string
		for _, h := range m.Ancestors {
			if h.Via == id {
				if !h.Recovered {
					t.Errorf("%s: parent %s is not marked recovered", id, h.ID)
				}
				direct = append(direct, h.ID)
			}
		}
		slices.Sort(direct)
		if !slices.Equal(direct, parents) {
			t.Errorf("%s: served parents %v, lineage recover proposes %v", id, direct, parents)
		}
		resp, err = http.Get(plain + "/api/model/" + id)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), `"recovered"`) {
			t.Errorf("%s: served without --recovered, yet the API lists candidates", id)
		}
	}
}

// chromium returns the path of a Chromium to drive, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Skip("chromium not found; the end-to-end browser test needs Debian's chromium: apt-get install -y chromium")
	return ""
}

// browse runs headless Chromium on url with extra flags (--dump-dom or
// --screenshot=FILE) and returns what it printed.
func browse(t *testing.T, chrome, url string, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir=" + t.TempDir(), "--virtual-time-budget=20000", "--window-size=1400,1800"}, extra...)
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, chrome, append(args, url)...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, errb.String())
	}
	return out.String()
}

// TestServeBrowser loads the UI in headless Chromium: the home page's
// completion, a search, the model page it leads to (ancestors, children,
// the family tree drawn by the real lineage-render), and a screenshot.
func TestServeBrowser(t *testing.T) {
	chrome := chromium(t)
	bin := filepath.Join(t.TempDir(), "lineage-render")
	build := exec.Command("go", "build", "-o", bin, "../lineage-render")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build lineage-render: %v\n%s", err, out)
	}
	t.Setenv("LINEAGE_RENDER", bin)
	base := startServe(t, "--quiet")

	// Completion: typing "r1-17" (prefilled from ?q=) fills the datalist.
	dom := browse(t, chrome, base+"/?q=r1-17", "--dump-dom")
	if !strings.Contains(dom, `<option value="perplexity-ai/r1-1776">`) {
		t.Errorf("home page completion for r1-17 lacks perplexity-ai/r1-1776:\n%s", grepLines(dom, "option"))
	}

	// Search, as the form submits it, then open the first hit.
	dom = browse(t, chrome, base+"/search?q=r1-1776", "--dump-dom")
	m := regexp.MustCompile(`<li><a href="(/model/[^"]+)">perplexity-ai/r1-1776</a>`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("search results lack perplexity-ai/r1-1776:\n%s", grepLines(dom, "<li>"))
	}
	model := base + m[1]
	dom = browse(t, chrome, model, "--dump-dom")
	for _, want := range []string{
		`<h1 id="model-id">perplexity-ai/r1-1776</h1>`,
		`<a href="/model/deepseek-ai/DeepSeek-R1">deepseek-ai/DeepSeek-R1</a>`, // its ancestor
		`<span class="rel rel-finetune">finetune</span>`,
		`id="descendant-count"`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("model page lacks %q", want)
		}
	}
	tree := regexp.MustCompile(`<img id="tree-img"[^>]*>`).FindString(dom)
	if !regexp.MustCompile(`data-loaded="[1-9]\d*"`).MatchString(tree) {
		t.Errorf("family tree image did not load in the browser: %s", tree)
	}

	shot := filepath.Join(t.TempDir(), "model.png")
	if dir := os.Getenv("LINEAGE_SCREENSHOT_DIR"); dir != "" {
		shot = filepath.Join(dir, "model.png")
	}
	browse(t, chrome, model, "--screenshot="+shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 1000 {
		t.Errorf("screenshot is %v", b)
	}
	t.Logf("screenshot of %s: %s", model, shot)
}

// TestServeBrowserSearch runs the searches of the issue in headless
// Chromium, as the search form submits them: the model meant comes first,
// a full id (in any case) opens its page, a bare name lists the matches;
// and the completion box offers words matches as the user types.
func TestServeBrowserSearch(t *testing.T) {
	chrome := chromium(t)
	t.Setenv("LINEAGE_RENDER", filepath.Join(t.TempDir(), "no-such-renderer"))
	base := startServe(t, "--quiet")
	hits := regexp.MustCompile(`<li><a href="/model/[^"]+">([^<]+)</a> <span class="meta match-(\w+)">`)
	for _, tc := range []struct {
		q     string
		first []string // "match id" of the first hits, in order
	}{
		{"1776", []string{"words perplexity-ai/r1-1776"}},
		{"mistral 7b", []string{"words mistralai/Mistral-7B-v0.1"}},
		{"Mistral 7B", []string{"words mistralai/Mistral-7B-v0.1"}},
		{"Mistral-7B", []string{"id Mistral-7b", "name unsloth/mistral-7b", "prefix mistralai/Mistral-7B-v0.1"}},
		{"r1-1776", []string{"name perplexity-ai/r1-1776"}},
	} {
		dom := browse(t, chrome, base+"/search?q="+url.QueryEscape(tc.q), "--dump-dom")
		var got []string
		for _, m := range hits.FindAllStringSubmatch(dom, len(tc.first)) {
			got = append(got, m[2]+" "+m[1])
		}
		if strings.Join(got, ", ") != strings.Join(tc.first, ", ") {
			t.Errorf("search %q in the browser starts %q, want %q\n%s", tc.q, got, tc.first, grepLines(dom, "<li>"))
		}
	}
	// A full id, in any case, opens the model's page.
	for _, q := range []string{"perplexity-ai/r1-1776", "PERPLEXITY-AI/R1-1776", "https://huggingface.co/perplexity-ai/r1-1776", "mistralai/mistral-7b-v0.1"} {
		dom := browse(t, chrome, base+"/search?q="+url.QueryEscape(q), "--dump-dom")
		want := `<h1 id="model-id">perplexity-ai/r1-1776</h1>`
		if strings.HasPrefix(q, "mistralai") {
			want = `<h1 id="model-id">mistralai/Mistral-7B-v0.1</h1>`
		}
		if !strings.Contains(dom, want) {
			t.Errorf("search %q in the browser did not open the model page (%s):\n%s", q, want, grepLines(dom, "<h1"))
		}
	}
	// Completion of words: typing "mistral 7b" offers the family.
	dom := browse(t, chrome, base+"/?q="+url.QueryEscape("mistral 7b"), "--dump-dom")
	if !strings.Contains(dom, `<option value="mistralai/Mistral-7B-v0.1">`) {
		t.Errorf("completion for %q lacks mistralai/Mistral-7B-v0.1:\n%s", "mistral 7b", grepLines(dom, "option"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
