package svg

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"io"
	"regexp"
	"slices"
	"testing"

	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/lineage-project/lineage/render/internal/rendertest"
)

// TestSubsetFont checks a subset against the original font with an
// independent reader (golang.org/x/image/font/sfnt): every rune kept maps
// to a glyph with the original's advance and outline, runes not asked for
// are absent, and the file's checksums hold.
func TestSubsetFont(t *testing.T) {
	if err := loadFonts(); err != nil {
		t.Fatal(err)
	}
	runes := []rune("Aaé·Ω→ /-0123456789ſ\u00c5") // Å and é are composites in Liberation
	sub, err := subsetFont(liberationsansregular.TTF, regular, runes, "lineage-sans", "Regular")
	if err != nil {
		t.Fatal(err)
	}
	sf, err := sfnt.Parse(sub)
	if err != nil {
		t.Fatalf("the subset does not parse: %v", err)
	}
	if n := sf.NumGlyphs(); n > len(runes)+8 {
		t.Errorf("subset has %d glyphs for %d runes", n, len(runes))
	}
	var b1, b2 sfnt.Buffer
	ppem := fixed.I(2048)
	for _, r := range runes {
		g1, err1 := regular.GlyphIndex(&b1, r)
		g2, err2 := sf.GlyphIndex(&b2, r)
		if err1 != nil || err2 != nil || g1 == 0 {
			t.Fatalf("rune %q: original glyph %d (%v), subset glyph %d (%v)", r, g1, err1, g2, err2)
		}
		if g2 == 0 {
			t.Errorf("rune %q missing from the subset", r)
			continue
		}
		a1, _ := regular.GlyphAdvance(&b1, g1, ppem, font.HintingNone)
		a2, _ := sf.GlyphAdvance(&b2, g2, ppem, font.HintingNone)
		if a1 != a2 {
			t.Errorf("rune %q: advance %v in the subset, %v in the font", r, a2, a1)
		}
		s1, err1 := regular.LoadGlyph(&b1, g1, ppem, nil)
		s1 = slices.Clone(s1)
		s2, err2 := sf.LoadGlyph(&b2, g2, ppem, nil)
		if err1 != nil || err2 != nil || !slices.Equal(s1, s2) {
			t.Errorf("rune %q: outline differs (%v, %v; %d vs %d segments)", r, err1, err2, len(s1), len(s2))
		}
	}
	if g, _ := sf.GlyphIndex(&b2, 'Z'); g != 0 {
		t.Errorf("rune Z was not asked for but has glyph %d", g)
	}
	if c := checksum(sub); c != 0xB1B0AFBA {
		t.Errorf("whole-font checksum %#x, want 0xB1B0AFBA", c)
	}
}

// TestEmbedFonts checks a drawing: the style sheet carries one font per
// weight used, holding every character of the Helvetica text, and every
// Helvetica font-family names the embedded font first.
func TestEmbedFonts(t *testing.T) {
	dot := `digraph g { graph [fontname=Helvetica, label="caption ·"]; node [fontname=Helvetica]; a [label="org/Model-1 → é"]; b [label=<<B>bold</B>>]; a -> b; c [fontname=Courier, label="mono"]; }`
	out, err := DOTToSVG(context.Background(), []byte(dot))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte(graphvizSans)) || !bytes.Contains(out, []byte(`font-family="lineage-sans,Helvetica,Arial,sans-serif"`)) {
		t.Errorf("font-family not rewritten:\n%s", out)
	}
	fonts := regexp.MustCompile(`font-weight:(\w+);font-style:normal;src:url\(data:font/ttf;base64,([A-Za-z0-9+/=]+)\)`).FindAllSubmatch(out, -1)
	if len(fonts) != 2 || string(fonts[0][1]) != "normal" || string(fonts[1][1]) != "bold" {
		t.Fatalf("want a regular and a bold font, got %d", len(fonts))
	}
	for i, want := range []string{"caption ·org/Model-1 → é", "bold"} {
		data, err := base64.StdEncoding.DecodeString(string(fonts[i][2]))
		if err != nil {
			t.Fatal(err)
		}
		sf, err := sfnt.Parse(data)
		if err != nil {
			t.Fatalf("embedded font %d: %v", i, err)
		}
		var buf sfnt.Buffer
		for _, r := range want {
			if g, err := sf.GlyphIndex(&buf, r); err != nil || g == 0 {
				t.Errorf("embedded font %d lacks %q", i, r)
			}
		}
	}
	// Still one well-formed XML document.
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Entity = xml.HTMLEntity
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("SVG with fonts is not XML: %v", err)
		}
	}
	// A drawing without Helvetica text is left alone.
	plain, err := DOTToSVG(context.Background(), []byte(`digraph { a -> b }`))
	if err != nil || bytes.Contains(plain, []byte("@font-face")) {
		t.Errorf("Times drawing got fonts (%v)", err)
	}
}

// BenchmarkEmbedFonts measures embedding the fonts into the SVG of a
// 150-model tree (part of DOTToSVG; compare BenchmarkTree/150/svg).
func BenchmarkEmbedFonts(b *testing.B) {
	var dot bytes.Buffer
	if err := rendertest.Tree(150).WriteDOT(&dot); err != nil {
		b.Fatal(err)
	}
	out, err := DOTToSVG(context.Background(), dot.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	// Undo the embedding to measure it from Graphviz's output.
	i, j := bytes.Index(out, []byte("\n<defs><style>")), bytes.Index(out, []byte("</style></defs>"))
	raw := bytes.ReplaceAll(append(out[:i:i], out[j+len("</style></defs>"):]...), []byte(`font-family="lineage-sans,Helvetica,Arial,sans-serif"`), []byte(graphvizSans))
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := embedFonts(raw); err != nil {
			b.Fatal(err)
		}
	}
}
