package svg

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansbolditalic"
	"codeberg.org/go-fonts/liberation/liberationsansitalic"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"codeberg.org/go-fonts/liberation/liberationserifbold"
	"codeberg.org/go-fonts/liberation/liberationserifbolditalic"
	"codeberg.org/go-fonts/liberation/liberationserifitalic"
	"codeberg.org/go-fonts/liberation/liberationserifregular"
	"golang.org/x/image/colornames"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Raster limits: PNGs are drawn at 2 pixels per point (144 dpi), scaled
// down for large drawings so that neither side exceeds maxSide pixels and
// the image stays under maxPixels.
const pixelsPerPoint = 2.0

// maxSide and maxPixels are variables only so that the fuzz test can draw
// smaller images.
var (
	maxSide   = 32000.0
	maxPixels = 24_000_000.0
)

// ErrSVG reports SVG input that SVGToPNG cannot draw.
var ErrSVG = errors.New("unsupported svg")

// SVGToPNG rasterises an SVG document as written by Graphviz and encodes it
// as PNG. It is a small pure-Go renderer for the subset Graphviz emits:
// <g> with transform (scale, rotate, translate), <polygon>, <polyline>,
// <path> (absolute M, L, C, Z, H, V), <ellipse>, <circle>, <rect>, <line>
// and <text>, with fill, stroke, stroke-width, stroke-dasharray, opacities,
// text-anchor, font-size, font-weight and font-style. Text is drawn with
// the Liberation fonts (Sans for Helvetica, Arial and the embedded
// lineage-sans, Serif for Times: the widths Graphviz lays those out with)
// or Go Mono for Courier-like families; they cover Latin, Greek and
// Cyrillic: other scripts (CJK, emoji) show as boxes.
// Other elements (<image>, gradients) are skipped. Anti-aliasing comes from
// golang.org/x/image/vector. The image has 2 pixels per SVG point (144 dpi),
// less for drawings that would exceed 24 million pixels or 32,000 pixels a
// side; it is transparent where the SVG draws nothing.
func SVGToPNG(ctx context.Context, svg []byte) ([]byte, error) {
	img, err := rasterize(ctx, svg)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// matrix is an affine transform [a c e; b d f].
type matrix struct{ a, b, c, d, e, f float64 }

var identity = matrix{a: 1, d: 1}

func (m matrix) apply(x, y float64) (float64, float64) {
	return m.a*x + m.c*y + m.e, m.b*x + m.d*y + m.f
}

// mul returns m·n (n applied first).
func (m matrix) mul(n matrix) matrix {
	return matrix{
		a: m.a*n.a + m.c*n.b, b: m.b*n.a + m.d*n.b,
		c: m.a*n.c + m.c*n.d, d: m.b*n.c + m.d*n.d,
		e: m.a*n.e + m.c*n.f + m.e, f: m.b*n.e + m.d*n.f + m.f,
	}
}

// scale returns the mean linear scale of m, used for widths and font sizes.
func (m matrix) scale() float64 { return math.Sqrt(math.Abs(m.a*m.d - m.b*m.c)) }

// style is the inherited presentation state.
type style struct {
	m             matrix
	fill, stroke  string
	strokeWidth   float64
	dash          []float64
	fillOpacity   float64
	strokeOpacity float64
	opacity       float64
	fontFamily    string
	fontSize      float64
	fontWeight    string
	fontStyle     string
	anchor        string
}

type rasterizer struct {
	img   *image.RGBA
	z     *vector.Rasterizer
	faces map[faceKey]font.Face
	fonts map[string]*sfnt.Font
}

type faceKey struct {
	font string
	size float64
}

func rasterize(ctx context.Context, data []byte) (*image.RGBA, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Entity = xml.HTMLEntity
	r := &rasterizer{z: &vector.Rasterizer{}, faces: map[faceKey]font.Face{}, fonts: map[string]*sfnt.Font{}}
	var stack []style
	var textBuf strings.Builder
	var textStyle style
	var textX, textY float64
	inText := false
	elems := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrSVG, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			elems++
			if elems%256 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			attrs := map[string]string{}
			for _, a := range t.Attr {
				attrs[a.Name.Local] = a.Value
			}
			name := t.Name.Local
			if r.img != nil && len(stack) == 0 {
				// The root <svg> has ended: XML allows one root element,
				// and a browser shows nothing after it either.
				return nil, fmt.Errorf("%w: content after the root <svg> element", ErrSVG)
			}
			if r.img == nil {
				if name != "svg" {
					return nil, fmt.Errorf("%w: document does not start with <svg>", ErrSVG)
				}
				st, err := r.init(attrs)
				if err != nil {
					return nil, err
				}
				stack = append(stack, st)
				continue
			}
			st := stack[len(stack)-1]
			if err := st.apply(attrs); err != nil {
				return nil, err
			}
			stack = append(stack, st)
			switch name {
			case "text":
				inText, textStyle = true, st
				textBuf.Reset()
				textX, textY = num(attrs["x"]), num(attrs["y"])
			case "title", "desc", "defs", "style", "image", "linearGradient", "radialGradient", "clipPath":
				if err := dec.Skip(); err != nil {
					return nil, fmt.Errorf("%w: %v", ErrSVG, err)
				}
				stack = stack[:len(stack)-1]
			default:
				if err := r.shape(name, attrs, &st); err != nil {
					return nil, err
				}
			}
		case xml.CharData:
			if inText {
				textBuf.Write(t)
			}
		case xml.EndElement:
			if t.Name.Local == "text" && inText {
				r.text(textBuf.String(), textX, textY, &textStyle)
				inText = false
			}
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if r.img == nil {
		return nil, fmt.Errorf("%w: no <svg> element", ErrSVG)
	}
	return r.img, nil
}

// init sizes the image from the root element and returns the base style.
func (r *rasterizer) init(attrs map[string]string) (style, error) {
	w, h := length(attrs["width"]), length(attrs["height"])
	var vb [4]float64
	hasVB := false
	if f := strings.FieldsFunc(attrs["viewBox"], func(r rune) bool { return r == ' ' || r == ',' }); len(f) == 4 {
		for i := range f {
			vb[i] = num(f[i])
		}
		hasVB = vb[2] > 0 && vb[3] > 0
	}
	if w <= 0 || h <= 0 {
		if !hasVB {
			return style{}, fmt.Errorf("%w: no size", ErrSVG)
		}
		w, h = vb[2], vb[3]
	}
	s := pixelsPerPoint
	s = math.Min(s, maxSide/w)
	s = math.Min(s, maxSide/h)
	s = math.Min(s, math.Sqrt(maxPixels/(w*h)))
	pw, ph := min(max(1, int(math.Ceil(w*s))), int(maxSide)), min(max(1, int(math.Ceil(h*s))), int(maxSide))
	r.img = image.NewRGBA(image.Rect(0, 0, pw, ph))
	m := matrix{a: s, d: s}
	if hasVB {
		m = m.mul(matrix{a: w / vb[2], d: h / vb[3]}).mul(matrix{a: 1, d: 1, e: -vb[0], f: -vb[1]})
	}
	return style{
		m: m, fill: "black", stroke: "none", strokeWidth: 1,
		fillOpacity: 1, strokeOpacity: 1, opacity: 1,
		fontFamily: "Times,serif", fontSize: 14, anchor: "start",
	}, nil
}

// apply updates st with the presentation attributes of an element.
func (st *style) apply(attrs map[string]string) error {
	if t, ok := attrs["transform"]; ok {
		m, err := parseTransform(t)
		if err != nil {
			return err
		}
		st.m = st.m.mul(m)
	}
	if v, ok := attrs["style"]; ok {
		// Graphviz rarely writes style="..."; honour simple declarations.
		for _, decl := range strings.Split(v, ";") {
			if k, val, ok := strings.Cut(decl, ":"); ok {
				st.set(strings.TrimSpace(k), strings.TrimSpace(val))
			}
		}
	}
	for _, k := range []string{"fill", "stroke", "stroke-width", "stroke-dasharray", "fill-opacity", "stroke-opacity", "opacity", "font-family", "font-size", "font-weight", "font-style", "text-anchor"} {
		if v, ok := attrs[k]; ok {
			st.set(k, v)
		}
	}
	return nil
}

func (st *style) set(k, v string) {
	switch k {
	case "fill":
		st.fill = v
	case "stroke":
		st.stroke = v
	case "stroke-width":
		st.strokeWidth = num(v)
	case "stroke-dasharray":
		st.dash = nil
		if v != "none" {
			for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
				st.dash = append(st.dash, num(f))
			}
		}
	case "fill-opacity":
		st.fillOpacity = num(v)
	case "stroke-opacity":
		st.strokeOpacity = num(v)
	case "opacity":
		st.opacity *= num(v)
	case "font-family":
		st.fontFamily = v
	case "font-size":
		st.fontSize = length(v)
	case "font-weight":
		st.fontWeight = v
	case "font-style":
		st.fontStyle = v
	case "text-anchor":
		st.anchor = v
	}
}

// parseTransform parses a list of scale, rotate, translate and matrix
// operations.
func parseTransform(s string) (matrix, error) {
	m := identity
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		open := strings.IndexByte(s, '(')
		end := strings.IndexByte(s, ')')
		if open < 0 || end < open {
			return m, fmt.Errorf("%w: transform %q", ErrSVG, s)
		}
		op := strings.TrimSpace(strings.Trim(s[:open], ", "))
		var args []float64
		for _, f := range strings.FieldsFunc(s[open+1:end], func(r rune) bool { return r == ',' || r == ' ' }) {
			args = append(args, num(f))
		}
		s = s[end+1:]
		arg := func(i int, def float64) float64 {
			if i < len(args) {
				return args[i]
			}
			return def
		}
		var n matrix
		switch op {
		case "scale":
			sx := arg(0, 1)
			n = matrix{a: sx, d: arg(1, sx)}
		case "translate":
			n = matrix{a: 1, d: 1, e: arg(0, 0), f: arg(1, 0)}
		case "rotate":
			a := arg(0, 0) * math.Pi / 180
			n = matrix{a: math.Cos(a), b: math.Sin(a), c: -math.Sin(a), d: math.Cos(a)}
			if cx, cy := arg(1, 0), arg(2, 0); cx != 0 || cy != 0 {
				n = matrix{a: 1, d: 1, e: cx, f: cy}.mul(n).mul(matrix{a: 1, d: 1, e: -cx, f: -cy})
			}
		case "matrix":
			n = matrix{arg(0, 1), arg(1, 0), arg(2, 0), arg(3, 1), arg(4, 0), arg(5, 0)}
		default:
			return m, fmt.Errorf("%w: transform %q", ErrSVG, op)
		}
		m = m.mul(n)
	}
	return m, nil
}

// num parses a number, returning 0 for junk (as browsers mostly do).
func num(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// length parses a length in pt, px or unitless (taken as points, as
// Graphviz writes them), returning 0 for junk.
func length(s string) float64 {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasSuffix(s, "pt"):
		return num(strings.TrimSuffix(s, "pt"))
	case strings.HasSuffix(s, "px"):
		return num(strings.TrimSuffix(s, "px")) * 0.75
	case strings.HasSuffix(s, "in"):
		return num(strings.TrimSuffix(s, "in")) * 72
	}
	return num(s)
}

// parseColor parses an SVG colour; ok is false for none/transparent.
func parseColor(s string, opacity float64) (color.NRGBA, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || s == "none" || s == "transparent" || opacity <= 0 {
		return color.NRGBA{}, false
	}
	var c color.NRGBA
	switch {
	case strings.HasPrefix(s, "#") && (len(s) == 7 || len(s) == 9):
		v, err := strconv.ParseUint(s[1:], 16, 64)
		if err != nil {
			return c, false
		}
		if len(s) == 9 {
			c = color.NRGBA{uint8(v >> 24), uint8(v >> 16), uint8(v >> 8), uint8(v)}
		} else {
			c = color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
		}
	case strings.HasPrefix(s, "#") && len(s) == 4:
		v, err := strconv.ParseUint(s[1:], 16, 16)
		if err != nil {
			return c, false
		}
		c = color.NRGBA{uint8(v>>8&15) * 17, uint8(v>>4&15) * 17, uint8(v&15) * 17, 255}
	default:
		rgba, ok := colornames.Map[s]
		if !ok {
			rgba = colornames.Black
		}
		c = color.NRGBA{rgba.R, rgba.G, rgba.B, 255}
	}
	c.A = uint8(math.Round(float64(c.A) * math.Min(opacity, 1)))
	return c, c.A > 0
}

// shape draws one graphics element.
func (r *rasterizer) shape(name string, attrs map[string]string, st *style) error {
	var subs [][]pt // device-space polylines
	closed := false
	switch name {
	case "polygon", "polyline":
		pts := points(attrs["points"])
		if len(pts) < 2 {
			return nil
		}
		subs = [][]pt{st.transform(pts)}
		closed = name == "polygon"
	case "path":
		var err error
		subs, closed, err = flattenPath(attrs["d"], st.m)
		if err != nil {
			return err
		}
	case "ellipse", "circle":
		cx, cy := num(attrs["cx"]), num(attrs["cy"])
		rx, ry := num(attrs["rx"]), num(attrs["ry"])
		if name == "circle" {
			rx, ry = num(attrs["r"]), num(attrs["r"])
		}
		n := 72
		e := make([]pt, n)
		for i := range e {
			a := 2 * math.Pi * float64(i) / float64(n)
			e[i] = pt{cx + rx*math.Cos(a), cy + ry*math.Sin(a)}
		}
		subs, closed = [][]pt{st.transform(e)}, true
	case "rect":
		x, y, w, h := num(attrs["x"]), num(attrs["y"]), num(attrs["width"]), num(attrs["height"])
		subs, closed = [][]pt{st.transform([]pt{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}})}, true
	case "line":
		subs = [][]pt{st.transform([]pt{{num(attrs["x1"]), num(attrs["y1"])}, {num(attrs["x2"]), num(attrs["y2"])}})}
	default:
		return nil // containers (<g>, <a>) and unknown elements draw nothing themselves
	}
	if c, ok := parseColor(st.fill, st.fillOpacity*st.opacity); ok && (closed || name == "path") {
		r.fill(subs, c)
	}
	if c, ok := parseColor(st.stroke, st.strokeOpacity*st.opacity); ok && st.strokeWidth > 0 {
		if closed {
			for i, s := range subs {
				if len(s) > 1 && s[0] != s[len(s)-1] {
					subs[i] = append(s, s[0])
				}
			}
		}
		sc := st.m.scale()
		dash := make([]float64, len(st.dash))
		for i, d := range st.dash {
			dash[i] = d * sc
		}
		r.stroke(subs, st.strokeWidth*sc, dash, c)
	}
	return nil
}

type pt struct{ x, y float64 }

func (st *style) transform(ps []pt) []pt {
	out := make([]pt, len(ps))
	for i, p := range ps {
		out[i].x, out[i].y = st.m.apply(p.x, p.y)
	}
	return out
}

func points(s string) []pt {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
	var ps []pt
	for i := 0; i+1 < len(f); i += 2 {
		ps = append(ps, pt{num(f[i]), num(f[i+1])})
	}
	return ps
}

// flattenPath turns path data into device-space polylines. It supports the
// absolute commands Graphviz writes (M, L, H, V, C, Z) and their relative
// forms.
func flattenPath(d string, m matrix) (subs [][]pt, closed bool, err error) {
	toks := pathTokens(d)
	var cur []pt
	var x, y, sx, sy float64
	cmd := byte(0)
	dev := func(px, py float64) pt {
		a, b := m.apply(px, py)
		return pt{a, b}
	}
	flush := func() {
		if len(cur) > 1 {
			subs = append(subs, cur)
		}
		cur = nil
	}
	i := 0
	next := func() (float64, bool) {
		if i >= len(toks) || isCmd(toks[i]) {
			return 0, false
		}
		v := num(toks[i])
		i++
		return v, true
	}
	for i < len(toks) {
		if isCmd(toks[i]) {
			cmd = toks[i][0]
			i++
			if cmd == 'Z' || cmd == 'z' {
				if len(cur) > 0 {
					cur = append(cur, dev(sx, sy))
					x, y = sx, sy
					closed = true
				}
				flush()
				continue
			}
		}
		rel := cmd >= 'a' && cmd <= 'z'
		ox, oy := 0.0, 0.0
		if rel {
			ox, oy = x, y
		}
		switch cmd {
		case 'M', 'm':
			a, ok1 := next()
			b, ok2 := next()
			if !ok1 || !ok2 {
				return nil, false, fmt.Errorf("%w: path %q", ErrSVG, d)
			}
			flush()
			x, y = ox+a, oy+b
			sx, sy = x, y
			cur = []pt{dev(x, y)}
			if cmd == 'M' {
				cmd = 'L'
			} else {
				cmd = 'l'
			}
		case 'L', 'l':
			a, ok1 := next()
			b, ok2 := next()
			if !ok1 || !ok2 {
				return nil, false, fmt.Errorf("%w: path %q", ErrSVG, d)
			}
			x, y = ox+a, oy+b
			cur = append(cur, dev(x, y))
		case 'H', 'h':
			a, ok := next()
			if !ok {
				return nil, false, fmt.Errorf("%w: path %q", ErrSVG, d)
			}
			x = ox + a
			cur = append(cur, dev(x, y))
		case 'V', 'v':
			b, ok := next()
			if !ok {
				return nil, false, fmt.Errorf("%w: path %q", ErrSVG, d)
			}
			y = oy + b
			cur = append(cur, dev(x, y))
		case 'C', 'c':
			var v [6]float64
			for k := range v {
				f, ok := next()
				if !ok {
					return nil, false, fmt.Errorf("%w: path %q", ErrSVG, d)
				}
				v[k] = f
			}
			p0 := dev(x, y)
			p1 := dev(ox+v[0], oy+v[1])
			p2 := dev(ox+v[2], oy+v[3])
			x, y = ox+v[4], oy+v[5]
			p3 := dev(x, y)
			if len(cur) == 0 {
				cur = []pt{p0}
			}
			cur = appendCubic(cur, p0, p1, p2, p3)
		default:
			return nil, false, fmt.Errorf("%w: path command %q", ErrSVG, string(cmd))
		}
	}
	flush()
	return subs, closed, nil
}

func isCmd(t string) bool {
	return len(t) == 1 && strings.ContainsRune("MmLlHhVvCcZz", rune(t[0])) ||
		len(t) == 1 && strings.ContainsRune("SsQqTtAa", rune(t[0]))
}

// pathTokens splits path data into commands and numbers.
func pathTokens(d string) []string {
	var toks []string
	i := 0
	for i < len(d) {
		c := d[i]
		switch {
		case c == ' ' || c == ',' || c == '\n' || c == '\t' || c == '\r':
			i++
		case (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') && c != 'e' && c != 'E':
			toks = append(toks, string(c))
			i++
		default:
			j := i + 1
			for j < len(d) {
				cj := d[j]
				if cj >= '0' && cj <= '9' || cj == '.' || cj == 'e' || cj == 'E' ||
					(cj == '-' || cj == '+') && (d[j-1] == 'e' || d[j-1] == 'E') {
					j++
					continue
				}
				break
			}
			toks = append(toks, d[i:j])
			i = j
		}
	}
	return toks
}

// appendCubic flattens a cubic Bézier into line segments (p0 excluded).
func appendCubic(out []pt, p0, p1, p2, p3 pt) []pt {
	l := dist(p0, p1) + dist(p1, p2) + dist(p2, p3)
	n := int(math.Ceil(l / 4))
	n = max(2, min(n, 200))
	for k := 1; k <= n; k++ {
		t := float64(k) / float64(n)
		u := 1 - t
		a, b, c, d := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
		out = append(out, pt{a*p0.x + b*p1.x + c*p2.x + d*p3.x, a*p0.y + b*p1.y + c*p2.y + d*p3.y})
	}
	return out
}

func dist(a, b pt) float64 { return math.Hypot(b.x-a.x, b.y-a.y) }

// fill fills the polylines (non-zero-ish winding, as the rasterizer
// accumulates absolute coverage).
func (r *rasterizer) fill(subs [][]pt, c color.NRGBA) {
	var polys [][]pt
	for _, s := range subs {
		if len(s) >= 3 {
			polys = append(polys, s)
		}
	}
	// Fast path: an opaque fill covering the whole image (Graphviz's
	// background polygon) is a plain copy.
	if len(polys) == 1 && c.A == 255 && covers(polys[0], r.img.Bounds()) {
		draw.Draw(r.img, r.img.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
		return
	}
	r.draw(polys, c, false)
}

// covers reports whether the polygon is an axis-aligned rectangle that
// contains b.
func covers(p []pt, b image.Rectangle) bool {
	if len(p) < 4 || len(p) > 5 {
		return false
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, q := range p {
		minX, minY = math.Min(minX, q.x), math.Min(minY, q.y)
		maxX, maxY = math.Max(maxX, q.x), math.Max(maxY, q.y)
	}
	for _, q := range p {
		if (q.x != minX && q.x != maxX) || (q.y != minY && q.y != maxY) {
			return false
		}
	}
	return minX <= float64(b.Min.X)+1 && minY <= float64(b.Min.Y)+1 && maxX >= float64(b.Max.X)-1 && maxY >= float64(b.Max.Y)-1
}

// stroke draws the outlines of the polylines with the given width and dash
// pattern, as the union of one quadrilateral per segment and a round join
// at every vertex.
func (r *rasterizer) stroke(subs [][]pt, width float64, dash []float64, c color.NRGBA) {
	hw := math.Max(width, 0.8) / 2 // keep hairlines visible
	var polys [][]pt
	for _, s := range subs {
		for _, run := range dashed(s, dash) {
			for k := 0; k+1 < len(run); k++ {
				a, b := run[k], run[k+1]
				l := dist(a, b)
				if l == 0 {
					continue
				}
				nx, ny := -(b.y-a.y)/l*hw, (b.x-a.x)/l*hw
				polys = append(polys, []pt{{a.x + nx, a.y + ny}, {b.x + nx, b.y + ny}, {b.x - nx, b.y - ny}, {a.x - nx, a.y - ny}})
			}
			for k := 1; k+1 < len(run); k++ {
				if hw > 0.75 {
					polys = append(polys, disc(run[k], hw))
				}
			}
		}
	}
	// Rasterise in chunks of nearby pieces: the rasterizer's cost is the
	// area of the bounding box, and one box around a long diagonal edge
	// would cover much of the picture.
	const chunkArea = 1 << 16
	start := 0
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i, p := range polys {
		x0, y0, x1, y1 := minX, minY, maxX, maxY
		for _, q := range p {
			x0, y0 = math.Min(x0, q.x), math.Min(y0, q.y)
			x1, y1 = math.Max(x1, q.x), math.Max(y1, q.y)
		}
		if i > start && (x1-x0)*(y1-y0) > chunkArea {
			r.draw(polys[start:i], c, true)
			start = i
			x0, y0, x1, y1 = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
			for _, q := range p {
				x0, y0 = math.Min(x0, q.x), math.Min(y0, q.y)
				x1, y1 = math.Max(x1, q.x), math.Max(y1, q.y)
			}
		}
		minX, minY, maxX, maxY = x0, y0, x1, y1
	}
	r.draw(polys[start:], c, true)
}

// disc approximates a circle by a polygon.
func disc(p pt, rad float64) []pt {
	const n = 10
	out := make([]pt, n)
	for i := range out {
		a := 2 * math.Pi * float64(i) / n
		out[i] = pt{p.x + rad*math.Cos(a), p.y + rad*math.Sin(a)}
	}
	return out
}

// dashed splits a polyline into the runs drawn by a dash pattern.
func dashed(s []pt, dash []float64) [][]pt {
	total := 0.0
	for _, d := range dash {
		if d < 0 {
			return [][]pt{s}
		}
		total += d
	}
	if len(dash) == 0 || total <= 0 {
		return [][]pt{s}
	}
	if len(dash)%2 == 1 {
		dash = append(dash, dash...)
	}
	var runs [][]pt
	di, left, on := 0, dash[0], true
	cur := []pt{s[0]}
	for k := 0; k+1 < len(s); k++ {
		a, b := s[k], s[k+1]
		l := dist(a, b)
		pos := 0.0
		for l-pos > left {
			pos += left
			t := pos / l
			p := pt{a.x + (b.x-a.x)*t, a.y + (b.y-a.y)*t}
			if on {
				cur = append(cur, p)
				runs = append(runs, cur)
				cur = nil
			} else {
				cur = []pt{p}
			}
			on = !on
			di = (di + 1) % len(dash)
			left = dash[di]
		}
		left -= l - pos
		if on {
			cur = append(cur, b)
		}
	}
	if on && len(cur) > 1 {
		runs = append(runs, cur)
	}
	return runs
}

// draw rasterises polygons in one pass over their bounding box. When
// orient is set each polygon is first made counter-clockwise so that
// overlapping pieces add up instead of cancelling.
func (r *rasterizer) draw(polys [][]pt, c color.NRGBA, orient bool) {
	if len(polys) == 0 {
		return
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range polys {
		for _, q := range p {
			minX, minY = math.Min(minX, q.x), math.Min(minY, q.y)
			maxX, maxY = math.Max(maxX, q.x), math.Max(maxY, q.y)
		}
	}
	rect := image.Rect(int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX))+1, int(math.Ceil(maxY))+1).Intersect(r.img.Bounds())
	if rect.Empty() {
		return
	}
	ox, oy := float64(rect.Min.X), float64(rect.Min.Y)
	// The rasterizer copes with points outside its bounds (it clips).
	clampX := func(v float64) float32 { return float32(v - ox) }
	clampY := func(v float64) float32 { return float32(v - oy) }
	r.z.Reset(rect.Dx(), rect.Dy())
	for _, p := range polys {
		if orient && area(p) < 0 {
			for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
				p[i], p[j] = p[j], p[i]
			}
		}
		r.z.MoveTo(clampX(p[0].x), clampY(p[0].y))
		for _, q := range p[1:] {
			r.z.LineTo(clampX(q.x), clampY(q.y))
		}
		r.z.ClosePath()
	}
	r.z.DrawOp = draw.Over
	r.z.Draw(r.img, rect, image.NewUniform(c), image.Point{})
}

// area returns the signed area of a polygon (positive when clockwise in
// y-down coordinates).
func area(p []pt) float64 {
	s := 0.0
	for i := range p {
		j := (i + 1) % len(p)
		s += p[i].x*p[j].y - p[j].x*p[i].y
	}
	return s / 2
}

// text draws one <text> element.
func (r *rasterizer) text(s string, x, y float64, st *style) {
	s = strings.TrimSpace(s)
	c, ok := parseColor(st.fill, st.fillOpacity*st.opacity)
	if s == "" || !ok {
		return
	}
	size := st.fontSize * st.m.scale()
	if size < 1 {
		return
	}
	face, err := r.face(st, size)
	if err != nil {
		return
	}
	px, py := st.m.apply(x, y)
	w := font.MeasureString(face, s)
	switch st.anchor {
	case "middle":
		px -= float64(w) / 128
	case "end":
		px -= float64(w) / 64
	}
	d := font.Drawer{Dst: r.img, Src: image.NewUniform(c), Face: face, Dot: fixed.Point26_6{X: fixed.Int26_6(px * 64), Y: fixed.Int26_6(py * 64)}}
	d.DrawString(s)
}

func (r *rasterizer) face(st *style, size float64) (font.Face, error) {
	fam := strings.ToLower(st.fontFamily)
	bold := st.fontWeight == "bold" || st.fontWeight == "700" || strings.Contains(fam, "bold")
	italic := st.fontStyle == "italic" || st.fontStyle == "oblique" || strings.Contains(fam, "italic") || strings.Contains(fam, "oblique")
	// Sans-serif (Helvetica, Arial, the embedded lineage-sans) and serif
	// (Times) text is drawn with the Liberation fonts, whose widths are the
	// ones Graphviz lays those families out with; monospace with Go Mono
	// (the same 0.6 em advance as Courier).
	name := "sans"
	switch first := strings.TrimSpace(strings.SplitN(fam, ",", 2)[0]); {
	case strings.Contains(first, "courier") || strings.Contains(first, "mono"):
		name = "mono"
	case strings.Contains(first, "times") || first == "serif":
		name = "serif"
	}
	if name != "mono" {
		if bold {
			name += "-bold"
		}
		if italic {
			name += "-italic"
		}
	}
	size = math.Round(size*4) / 4
	key := faceKey{name, size}
	if f, ok := r.faces[key]; ok {
		return f, nil
	}
	fnt, ok := r.fonts[name]
	if !ok {
		data := map[string][]byte{
			"sans": liberationsansregular.TTF, "sans-bold": liberationsansbold.TTF,
			"sans-italic": liberationsansitalic.TTF, "sans-bold-italic": liberationsansbolditalic.TTF,
			"serif": liberationserifregular.TTF, "serif-bold": liberationserifbold.TTF,
			"serif-italic": liberationserifitalic.TTF, "serif-bold-italic": liberationserifbolditalic.TTF,
			"mono": gomono.TTF,
		}[name]
		var err error
		fnt, err = opentype.Parse(data)
		if err != nil {
			return nil, err
		}
		r.fonts[name] = fnt
	}
	f, err := opentype.NewFace(fnt, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, err
	}
	r.faces[key] = f
	return f, nil
}
