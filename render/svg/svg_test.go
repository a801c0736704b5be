package svg_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/lineage-project/lineage/render"
	"github.com/lineage-project/lineage/render/internal/rendertest"
	"github.com/lineage-project/lineage/render/svg"
)

var pngDir = flag.String("pngdir", "", "also write the test pictures (SVG and PNG) into this directory, to look at")

const mistralDSL = `
mistralai/Mistral-7B-v0.1 = 5123456 2023-09-27
mistralai/Mistral-7B-Instruct-v0.2: mistralai/Mistral-7B-v0.1 finetune
HuggingFaceH4/zephyr-7b-beta: mistralai/Mistral-7B-v0.1 finetune
HuggingFaceH4/zephyr-7b-beta = 812345 2023-10-26
TheBloke/zephyr-7b-beta-GGUF: HuggingFaceH4/zephyr-7b-beta quantized
TheBloke/zephyr-7b-beta-AWQ: HuggingFaceH4/zephyr-7b-beta quantized
someone/zephyr-lora: HuggingFaceH4/zephyr-7b-beta adapter
someone/zephyr-lora-tuned: someone/zephyr-lora finetune
openchat/openchat-3.5: mistralai/Mistral-7B-v0.1 finetune?
x/merged-7b: HuggingFaceH4/zephyr-7b-beta merge mistralai/Mistral-7B-Instruct-v0.2 merge
x/merged-7b-GGUF: x/merged-7b quantized?
y/quant-of-instruct: mistralai/Mistral-7B-Instruct-v0.2 quantized
y/quant-of-instruct-2: mistralai/Mistral-7B-Instruct-v0.2 quantized
`

const hostile = `"><script>alert(1)</script>`

// family returns the DOT of a small family with every relation, a merge,
// folded badges, and one model with a hostile id.
func family(t testing.TB, rankdir string, fold bool) (*render.Family, []byte) {
	t.Helper()
	w := rendertest.Parse(mistralDSL)
	w.Add("mistralai/Mistral-7B-v0.1", hostile, "finetune")
	w.Add("mistralai/Mistral-7B-v0.1", `uni/日本語 "q" \N`, "adapter")
	f, err := render.Select(w.Graph(), w.Info(), render.Options{Root: w.ID("mistralai/Mistral-7B-v0.1"), Fold: fold, RankDir: rankdir})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.WriteDOT(&buf); err != nil {
		t.Fatal(err)
	}
	return f, buf.Bytes()
}

func save(t *testing.T, name string, data []byte) {
	if *pngDir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(*pngDir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// svgDoc is what the structural checks look at in an SVG document.
type svgDoc struct {
	ids    map[string]bool
	hrefs  map[string]bool
	texts  []string
	titles []string // xlink:title values
	elems  map[string]int
}

// parseSVG decodes the whole document with encoding/xml (strict), failing
// the test on any error.
func parseSVG(t *testing.T, data []byte) svgDoc {
	t.Helper()
	d := svgDoc{ids: map[string]bool{}, hrefs: map[string]bool{}, elems: map[string]int{}}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var inText bool
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			d.elems[x.Name.Local]++
			for _, a := range x.Attr {
				switch {
				case a.Name.Local == "id":
					d.ids[a.Value] = true
				case a.Name.Local == "href":
					d.hrefs[a.Value] = true
				case a.Name.Local == "title":
					d.titles = append(d.titles, a.Value)
				}
			}
			if x.Name.Local == "text" {
				inText = true
				text.Reset()
			}
		case xml.CharData:
			if inText {
				text.Write(x)
			}
		case xml.EndElement:
			if x.Name.Local == "text" {
				d.texts = append(d.texts, text.String())
				inText = false
			}
		}
	}
	return d
}

func TestDOTToSVGStructure(t *testing.T) {
	ctx := context.Background()
	f, dot := family(t, "TB", false)
	out, err := svg.DOTToSVG(ctx, dot)
	if err != nil {
		t.Fatal(err)
	}
	save(t, "family.svg", out)
	doc := parseSVG(t, out)
	for i, n := range f.Nodes {
		if id := fmt.Sprintf("n%d", i); !doc.ids[id] {
			t.Errorf("no element with id %q (node %s)", id, n.Name)
		}
		if n.Kind == render.Model && !doc.hrefs[n.URL] {
			t.Errorf("no xlink:href %q", n.URL)
		}
	}
	if !doc.ids["legend"] {
		t.Errorf("no legend cluster (id legend)")
	}
	for _, want := range []string{"Legend", "finetune", "adapter", "quantized", "merge", "queried model", f.Caption()} {
		found := false
		for _, s := range doc.texts {
			if s == want {
				found = true
			}
		}
		if !found {
			t.Errorf("no text %q in SVG; texts: %q", want, doc.texts)
		}
	}
	// The hostile id: present as text, never as markup.
	if doc.elems["script"] != 0 {
		t.Errorf("SVG holds a <script> element")
	}
	if bytes.Contains(out, []byte("<script")) {
		t.Errorf("raw <script appears in the SVG")
	}
	found := 0
	for _, s := range doc.texts {
		if s == hostile || s == `uni/日本語 "q" \N` {
			found++
		}
	}
	if found != 2 {
		t.Errorf("hostile and unicode ids found %d times as text, want 2; texts: %q", found, doc.texts)
	}
	titled := false
	for _, s := range doc.titles {
		titled = titled || strings.HasPrefix(s, hostile)
	}
	if !titled {
		t.Errorf("hostile id not in any tooltip")
	}
}

func TestDOTToSVGErrors(t *testing.T) {
	ctx := context.Background()
	_, good := family(t, "LR", true)
	for _, tc := range []struct {
		name string
		dot  string
		want error
	}{
		{"empty", "", svg.ErrEmpty},
		{"blank", " \n\t", svg.ErrEmpty},
		{"syntax", "digraph { a -> ", nil},
		{"not dot", "hello world", nil},
		{"bad attribute list", `digraph { a [label="x" ; }`, nil},
	} {
		out, err := svg.DOTToSVG(ctx, []byte(tc.dot))
		if err == nil {
			t.Errorf("%s: DOTToSVG = %d bytes, nil error; want an error", tc.name, len(out))
		} else if tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
		// A failed parse must not poison the next render with a stale error.
		if _, err := svg.DOTToSVG(ctx, good); err != nil {
			t.Errorf("after %s: good DOT fails: %v", tc.name, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := svg.DOTToSVG(cctx, good); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}
}

func TestDOTToSVGConcurrentAndDeterministic(t *testing.T) {
	ctx := context.Background()
	_, dot := family(t, "TB", true)
	const n = 6
	outs := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = svg.DOTToSVG(ctx, dot)
		}()
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		if errs[i] != nil {
			t.Fatalf("render %d: %v", i, errs[i])
		}
		if !bytes.Equal(outs[i], outs[0]) {
			t.Errorf("render %d differs from render 0", i)
		}
	}
}

var pathRE = regexp.MustCompile(`(?s)<g id="[^"]*" class="edge[^"]*">.*?<path fill="none" [^>]*d="M([-0-9.]+),([-0-9.]+)C([^"]+)"`)

// edgeMidpoints returns the midpoint of every edge's curve, in SVG user
// space, from Graphviz's output.
func edgeMidpoints(t *testing.T, out []byte) [][2]float64 {
	var pts [][2]float64
	for _, m := range pathRE.FindAllStringSubmatch(string(out), -1) {
		coords := strings.FieldsFunc(m[3], func(r rune) bool { return r == ' ' || r == ',' })
		var xs []float64
		xs = append(xs, num(t, m[1]), num(t, m[2]))
		for _, c := range coords {
			xs = append(xs, num(t, c))
		}
		// Points p0 p1 p2 p3 [p4 p5 p6]...: take the middle Bézier segment
		// and evaluate it at t = 0.5.
		segs := (len(xs)/2 - 1) / 3
		s := segs / 2
		p := func(k int) (float64, float64) { return xs[2*(3*s+k)], xs[2*(3*s+k)+1] }
		x0, y0 := p(0)
		x1, y1 := p(1)
		x2, y2 := p(2)
		x3, y3 := p(3)
		pts = append(pts, [2]float64{(x0 + 3*x1 + 3*x2 + x3) / 8, (y0 + 3*y1 + 3*y2 + y3) / 8})
	}
	return pts
}

func num(t *testing.T, s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("bad number %q in SVG path", s)
	}
	return v
}

var sizeRE = regexp.MustCompile(`<svg width="([0-9.]+)pt" height="([0-9.]+)pt"`)
var translateRE = regexp.MustCompile(`translate\(([-0-9.]+) ([-0-9.]+)\)`)

func TestDOTToPNG(t *testing.T) {
	ctx := context.Background()
	for _, rankdir := range []string{"TB", "LR"} {
		_, dot := family(t, rankdir, false)
		out, err := svg.DOTToSVG(ctx, dot)
		if err != nil {
			t.Fatal(err)
		}
		data, err := svg.DOTToPNG(ctx, dot)
		if err != nil {
			t.Fatal(err)
		}
		save(t, "family-"+rankdir+".png", data)
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: not a PNG: %v", rankdir, err)
		}
		// Size: 2 pixels per point of the SVG.
		m := sizeRE.FindSubmatch(out)
		tr := translateRE.FindSubmatch(out)
		if m == nil || tr == nil {
			t.Fatalf("cannot read the SVG size and transform")
		}
		wpt, hpt := num(t, string(m[1])), num(t, string(m[2]))
		b := img.Bounds()
		if math.Abs(float64(b.Dx())-2*wpt) > 2 || math.Abs(float64(b.Dy())-2*hpt) > 2 {
			t.Errorf("%s: PNG is %dx%d, want about %.0fx%.0f", rankdir, b.Dx(), b.Dy(), 2*wpt, 2*hpt)
		}
		if b.Dx() < 300 || b.Dy() < 200 {
			t.Errorf("%s: PNG too small: %v", rankdir, b)
		}
		// Drawn, not blank: a meaningful share of ink.
		ink := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if !background(img, x, y) {
					ink++
				}
			}
		}
		if frac := float64(ink) / float64(b.Dx()*b.Dy()); frac < 0.03 || frac > 0.7 {
			t.Errorf("%s: %.1f%% of pixels drawn, want a picture", rankdir, 100*frac)
		}
		// Edges are drawn (go-graphviz's own PNG draws only labels and
		// arrowheads): there is ink near the middle of each edge curve.
		ex, ey := num(t, string(tr[1])), num(t, string(tr[2]))
		mids := edgeMidpoints(t, out)
		if len(mids) < 10 {
			t.Fatalf("%s: found %d edges in SVG", rankdir, len(mids))
		}
		hit := 0
		for _, p := range mids {
			px, py := int(2*(p[0]+ex)), int(2*(p[1]+ey))
			if inkNear(img, px, py, 6) { // dotted lines: dots every 12 px
				hit++
			}
		}
		if hit < len(mids)*9/10 {
			t.Errorf("%s: ink at the middle of %d of %d edges", rankdir, hit, len(mids))
		}
	}
}

// background reports whether the pixel at (x, y) is blank (transparent
// or near white).
func background(img image.Image, x, y int) bool {
	var r, g, b, a uint8
	switch m := img.(type) {
	case *image.RGBA:
		if !(image.Point{x, y}.In(m.Rect)) {
			return true
		}
		i := m.PixOffset(x, y)
		r, g, b, a = m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3]
	case *image.NRGBA:
		if !(image.Point{x, y}.In(m.Rect)) {
			return true
		}
		i := m.PixOffset(x, y)
		r, g, b, a = m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3]
	default:
		c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
		r, g, b, a = c.R, c.G, c.B, c.A
	}
	return a == 0 || r > 0xf0 && g > 0xf0 && b > 0xf0
}

func inkNear(img image.Image, x, y, r int) bool {
	for dy := -r; dy <= r; dy++ {
		for dx := -r; dx <= r; dx++ {
			if !background(img, x+dx, y+dy) {
				return true
			}
		}
	}
	return false
}

func TestSVGToPNGErrors(t *testing.T) {
	ctx := context.Background()
	for _, in := range []string{"", "not xml", "<html></html>", `<svg width="10pt" height="10pt"><path d="M 1,1 Q 2,2 3,3"/></svg>`} {
		if _, err := svg.SVGToPNG(ctx, []byte(in)); !errors.Is(err, svg.ErrSVG) {
			t.Errorf("SVGToPNG(%q) err = %v, want ErrSVG", in, err)
		}
	}
	// A minimal document draws.
	data, err := svg.SVGToPNG(ctx, []byte(`<svg width="20pt" height="10pt" viewBox="0 0 20 10"><rect x="0" y="0" width="10" height="10" fill="#ff0000"/></svg>`))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if r, g, _, a := img.At(5, 5).RGBA(); r < 0xf000 || g > 0x1000 || a < 0xf000 {
		t.Errorf("pixel (5,5) = %v, want red", img.At(5, 5))
	}
	if _, _, _, a := img.At(30, 5).RGBA(); a != 0 {
		t.Errorf("pixel (30,5) = %v, want transparent", img.At(30, 5))
	}
}

// BenchmarkTree measures Graphviz layout to SVG, and rasterising that SVG
// to PNG, for pictures of 50, 150 and 1000 models.
func BenchmarkTree(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{50, 150, 1000} {
		var dot bytes.Buffer
		if err := rendertest.Tree(n).WriteDOT(&dot); err != nil {
			b.Fatal(err)
		}
		out, err := svg.DOTToSVG(ctx, dot.Bytes())
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%d/svg", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := svg.DOTToSVG(ctx, dot.Bytes()); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%d/svg2png", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := svg.SVGToPNG(ctx, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestWideFanFitsAPage lays out a model with 150 leaf finetunes (too many
// downloads to fold): drawn as a grid, the picture is about as high as it
// is wide (it was one column, seven times higher than wide), left to right
// and top to bottom.
func TestWideFanFitsAPage(t *testing.T) {
	w := rendertest.New()
	w.Meta("org/base", 2_000_000, "2024-05-01")
	for i := 0; i < 150; i++ {
		leaf := fmt.Sprintf("org%d/a-fairly-long-model-name-%03d", i%7, i)
		w.Add("org/base", leaf, "finetune")
		w.Meta(leaf, int64(1000+i), "2024-06-01")
	}
	for _, rankdir := range []string{"LR", "TB"} {
		f, err := render.Select(w.Graph(), w.Info(), render.Options{Root: w.ID("org/base"), Fold: true, RankDir: rankdir})
		if err != nil {
			t.Fatal(err)
		}
		var dot bytes.Buffer
		if err := f.WriteDOT(&dot); err != nil {
			t.Fatal(err)
		}
		out, err := svg.DOTToSVG(context.Background(), dot.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`viewBox="0\.00 0\.00 ([0-9.]+) ([0-9.]+)"`).FindSubmatch(out)
		if m == nil {
			t.Fatal("no viewBox")
		}
		wd, _ := strconv.ParseFloat(string(m[1]), 64)
		ht, _ := strconv.ParseFloat(string(m[2]), 64)
		t.Logf("%s: %.0f x %.0f pt", rankdir, wd, ht)
		if r := ht / wd; r > 2 || r < 0.4 {
			t.Errorf("%s: %.0f x %.0f pt: height/width %.2f, want a picture near square", rankdir, wd, ht, r)
		}
	}
}
