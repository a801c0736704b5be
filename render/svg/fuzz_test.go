package svg

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzSVGToPNG feeds SVGToPNG arbitrary documents, seeded with SVGs that
// Graphviz drew for the repository (the README's picture and the render
// package's golden DOT files): no input may panic or hang, an error always
// wraps ErrSVG, and every document accepted yields a PNG that decodes to an
// image within the raster limits. The limits are lowered while fuzzing so
// that an input costs milliseconds, not the seconds of a 24-megapixel PNG.
func FuzzSVGToPNG(f *testing.F) {
	seeds, _ := filepath.Glob("../../testdata/readme/*.svg")
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	dots, _ := filepath.Glob("../testdata/*.dot")
	for _, p := range dots {
		dot, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out, err := DOTToSVG(context.Background(), dot)
		if err != nil {
			f.Fatalf("%s: %v", p, err)
		}
		f.Add(out)
	}
	for _, s := range []string{
		`<svg width="10pt" height="10pt"></svg><g/>`, // once an index out of range
		`<svg width="10pt" height="10pt"><g transform="scale(2)"><text x="1" y="5">a</text></g></svg>`,
		`<svg viewBox="0 0 10 10"><polyline points="0,0 10,10" stroke="black" stroke-dasharray="0.001"/></svg>`,
		`<svg width="1e300pt" height="1e-300pt"><path d="M 0,0 C 1e300,1e300 -1e300,0 5,5 Z" fill="red" stroke="blue"/></svg>`,
	} {
		f.Add([]byte(s))
	}
	side, pixels := maxSide, maxPixels
	maxSide, maxPixels = 2000, 1_000_000
	f.Cleanup(func() { maxSide, maxPixels = side, pixels })
	f.Fuzz(func(t *testing.T, doc []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		out, err := SVGToPNG(ctx, doc)
		if err != nil {
			if !errors.Is(err, ErrSVG) {
				t.Fatalf("SVGToPNG: error %v does not wrap ErrSVG", err)
			}
			return
		}
		img, err := png.Decode(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("SVGToPNG made a PNG that does not decode: %v", err)
		}
		if b := img.Bounds(); b.Dx() < 1 || b.Dy() < 1 || float64(b.Dx()) > maxSide || float64(b.Dy()) > maxSide || float64(b.Dx()*b.Dy()) > maxPixels+2*maxSide {
			t.Fatalf("image is %v, outside the raster limits", b)
		}
	})
}
