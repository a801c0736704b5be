package svg

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"html"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf16"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font/sfnt"
)

// Fonts. Graphviz lays text out without any font file, with built-in
// width tables; for fontname Helvetica it uses Arial's metrics. A browser
// draws "Helvetica,sans-Serif" with whatever it has (DejaVu Sans on a
// plain Linux, about 10% wider), so long labels spilled out of their boxes.
// Liberation Sans has the same advance widths as Arial and Helvetica and
// is free (SIL Open Font License 1.1, which allows embedding), so the SVG
// carries it: DOTToSVG embeds the glyphs the document uses as an
// @font-face font and names it first in every Helvetica font-family, and
// SVGToPNG draws with it too. Layout and drawing then measure text alike.
//
// The embedded font is a subset (the glyphs used, renumbered, without
// hinting or kerning: Graphviz does not kern either) under a family name of
// its own, "lineage-sans", since the licence reserves the name
// "Liberation" for unmodified fonts; its name table keeps the original
// copyright and licence notices.

// embeddedFamily is the CSS family name of the embedded fonts.
const embeddedFamily = "lineage-sans"

// graphvizSans is the font-family attribute Graphviz writes for Helvetica.
const graphvizSans = `font-family="Helvetica,sans-Serif"`

var (
	fontsOnce sync.Once
	fontsErr  error
	regular   *sfnt.Font
	bold      *sfnt.Font
)

func loadFonts() error {
	fontsOnce.Do(func() {
		if regular, fontsErr = sfnt.Parse(liberationsansregular.TTF); fontsErr != nil {
			return
		}
		bold, fontsErr = sfnt.Parse(liberationsansbold.TTF)
	})
	return fontsErr
}

// embedFonts returns svg with the fonts of its Helvetica text embedded (see
// above). It returns svg unchanged when it has no Helvetica text, and an
// error when its <text> elements are not as Graphviz writes them.
func embedFonts(svg []byte) ([]byte, error) {
	if !bytes.Contains(svg, []byte(graphvizSans)) {
		return svg, nil
	}
	if err := loadFonts(); err != nil {
		return nil, fmt.Errorf("embed fonts: %w", err)
	}
	runes, boldRunes, err := textRunes(svg)
	if err != nil {
		return nil, fmt.Errorf("embed fonts: %w", err)
	}
	var css strings.Builder
	for _, f := range []struct {
		font   *sfnt.Font
		data   []byte
		runes  []rune
		weight string
	}{{regular, liberationsansregular.TTF, runes, "normal"}, {bold, liberationsansbold.TTF, boldRunes, "bold"}} {
		if len(f.runes) == 0 {
			continue
		}
		sub, err := subsetFont(f.data, f.font, f.runes, embeddedFamily, map[string]string{"normal": "Regular", "bold": "Bold"}[f.weight])
		if err != nil {
			return nil, fmt.Errorf("embed fonts: %w", err)
		}
		fmt.Fprintf(&css, "@font-face{font-family:%q;font-weight:%s;font-style:normal;src:url(data:font/ttf;base64,%s) format(\"truetype\")}\n",
			embeddedFamily, f.weight, base64.StdEncoding.EncodeToString(sub))
	}
	css.WriteString("text{font-kerning:none}\n")
	// Insert the style sheet as the first child of the root element.
	start := bytes.Index(svg, []byte("<svg"))
	end := -1
	if start >= 0 {
		end = bytes.IndexByte(svg[start:], '>')
	}
	if end < 0 {
		return nil, fmt.Errorf("embed fonts: %w: no <svg> start tag", ErrRender)
	}
	end += start + 1
	var out bytes.Buffer
	out.Grow(len(svg) + css.Len() + 64)
	out.Write(svg[:end])
	out.WriteString("\n<defs><style>\n")
	out.WriteString(css.String())
	out.WriteString("</style></defs>")
	out.Write(bytes.ReplaceAll(svg[end:], []byte(graphvizSans), []byte(`font-family="`+embeddedFamily+`,Helvetica,Arial,sans-serif"`)))
	return out.Bytes(), nil
}

// textRunes returns the characters of the document's Helvetica text, in
// regular and in bold weight, each sorted and distinct. It reads the
// <text> elements as Graphviz writes them (font attributes on the element,
// character data with entities, no markup inside) with a byte scanner,
// ten times faster than encoding/xml; anything else is an error, and the
// document was checked to be XML when it was rasterised or tested.
func textRunes(svg []byte) (regularRunes, boldRunes []rune, err error) {
	seen := [2]map[rune]bool{{}, {}}
	rest := svg
	for {
		i := bytes.Index(rest, []byte("<text"))
		if i < 0 {
			break
		}
		rest = rest[i+len("<text"):]
		end := bytes.IndexByte(rest, '>')
		if end < 0 {
			return nil, nil, errors.New("unterminated <text> tag")
		}
		tag := rest[:end]
		rest = rest[end+1:]
		if bytes.HasSuffix(tag, []byte("/")) {
			continue // <text/>
		}
		close := bytes.Index(rest, []byte("</text>"))
		if close < 0 {
			return nil, nil, errors.New("unterminated <text> element")
		}
		content := rest[:close]
		rest = rest[close:]
		if bytes.IndexByte(content, '<') >= 0 {
			return nil, nil, errors.New("markup inside <text>")
		}
		if !bytes.Contains(tag, []byte(graphvizSans)) {
			continue
		}
		k := 0
		if bytes.Contains(tag, []byte(`font-weight="bold"`)) || bytes.Contains(tag, []byte(`font-weight="700"`)) {
			k = 1
		}
		for _, r := range html.UnescapeString(string(content)) {
			seen[k][r] = true
		}
	}
	list := func(m map[rune]bool) []rune {
		out := make([]rune, 0, len(m))
		for r := range m {
			out = append(out, r)
		}
		slices.Sort(out)
		return out
	}
	return list(seen[0]), list(seen[1]), nil
}

// errFont reports a font file subsetFont cannot read.
var errFont = errors.New("unsupported font file")

// subsetFont returns a TrueType font holding .notdef and the glyphs of the
// runes the font has (with the components of composite glyphs), renumbered
// in glyph order, without hinting, kerning or layout tables, named family
// and style; data is the font file f was parsed from.
func subsetFont(data []byte, f *sfnt.Font, runes []rune, family, style string) ([]byte, error) {
	tables := map[string][]byte{}
	if len(data) < 12 {
		return nil, errFont
	}
	n := int(binary.BigEndian.Uint16(data[4:]))
	for i := 0; i < n; i++ {
		rec := 12 + 16*i
		if rec+16 > len(data) {
			return nil, errFont
		}
		tag := string(data[rec : rec+4])
		off, length := binary.BigEndian.Uint32(data[rec+8:]), binary.BigEndian.Uint32(data[rec+12:])
		if uint64(off)+uint64(length) > uint64(len(data)) {
			return nil, errFont
		}
		tables[tag] = data[off : off+length]
	}
	for _, tag := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "post", "OS/2"} {
		if tables[tag] == nil {
			return nil, fmt.Errorf("%w: no %s table", errFont, tag)
		}
	}
	head, hhea, maxp := tables["head"], tables["hhea"], tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 || len(tables["post"]) < 32 {
		return nil, errFont
	}
	numGlyphs := int(binary.BigEndian.Uint16(maxp[4:]))
	longLoca := binary.BigEndian.Uint16(head[50:]) == 1
	loca, glyf, hmtx := tables["loca"], tables["glyf"], tables["hmtx"]
	glyph := func(g int) ([]byte, error) {
		var a, b uint32
		if longLoca {
			if 4*g+8 > len(loca) {
				return nil, errFont
			}
			a, b = binary.BigEndian.Uint32(loca[4*g:]), binary.BigEndian.Uint32(loca[4*g+4:])
		} else {
			if 2*g+4 > len(loca) {
				return nil, errFont
			}
			a, b = 2*uint32(binary.BigEndian.Uint16(loca[2*g:])), 2*uint32(binary.BigEndian.Uint16(loca[2*g+2:]))
		}
		if a > b || int(b) > len(glyf) {
			return nil, errFont
		}
		return glyf[a:b], nil
	}
	numHMetrics := int(binary.BigEndian.Uint16(hhea[34:]))
	metric := func(g int) (adv, lsb uint16, err error) {
		if numHMetrics == 0 || 4*numHMetrics > len(hmtx) {
			return 0, 0, errFont
		}
		if g < numHMetrics {
			return binary.BigEndian.Uint16(hmtx[4*g:]), binary.BigEndian.Uint16(hmtx[4*g+2:]), nil
		}
		adv = binary.BigEndian.Uint16(hmtx[4*(numHMetrics-1):])
		p := 4*numHMetrics + 2*(g-numHMetrics)
		if p+2 > len(hmtx) {
			return 0, 0, errFont
		}
		return adv, binary.BigEndian.Uint16(hmtx[p:]), nil
	}

	// The glyphs kept: .notdef, those of the runes, and their components.
	var buf sfnt.Buffer
	cmap := map[rune]int{}
	keep := map[int]bool{0: true}
	var todo []int
	for _, r := range runes {
		if r > 0xFFFF {
			continue // Liberation has no glyph beyond the BMP
		}
		gi, err := f.GlyphIndex(&buf, r)
		if err != nil || gi == 0 || int(gi) >= numGlyphs {
			continue
		}
		cmap[r] = int(gi)
		if !keep[int(gi)] {
			keep[int(gi)] = true
			todo = append(todo, int(gi))
		}
	}
	for len(todo) > 0 {
		g := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		data, err := glyph(g)
		if err != nil {
			return nil, err
		}
		comps, err := components(data)
		if err != nil {
			return nil, err
		}
		for _, c := range comps {
			if c >= numGlyphs {
				return nil, errFont
			}
			if !keep[c] {
				keep[c] = true
				todo = append(todo, c)
			}
		}
	}
	olds := make([]int, 0, len(keep))
	for g := range keep {
		olds = append(olds, g)
	}
	sort.Ints(olds)
	newID := make(map[int]int, len(olds))
	for i, g := range olds {
		newID[g] = i
	}

	var newGlyf, newLoca, newHmtx bytes.Buffer
	for _, g := range olds {
		data, err := glyph(g)
		if err != nil {
			return nil, err
		}
		binary.Write(&newLoca, binary.BigEndian, uint32(newGlyf.Len()))
		out, err := rewriteGlyph(data, newID)
		if err != nil {
			return nil, err
		}
		newGlyf.Write(out)
		for newGlyf.Len()%4 != 0 {
			newGlyf.WriteByte(0)
		}
		adv, lsb, err := metric(g)
		if err != nil {
			return nil, err
		}
		binary.Write(&newHmtx, binary.BigEndian, [2]uint16{adv, lsb})
	}
	binary.Write(&newLoca, binary.BigEndian, uint32(newGlyf.Len()))

	out := map[string][]byte{
		"glyf": newGlyf.Bytes(),
		"loca": newLoca.Bytes(),
		"hmtx": newHmtx.Bytes(),
		"cmap": cmapTable(cmap, newID),
		"OS/2": tables["OS/2"],
		"name": nameTable(f, family, style),
	}
	h := slices.Clone(head)
	binary.BigEndian.PutUint32(h[8:], 0) // checkSumAdjustment, set below
	binary.BigEndian.PutUint16(h[50:], 1)
	out["head"] = h
	hh := slices.Clone(hhea)
	binary.BigEndian.PutUint16(hh[34:], uint16(len(olds)))
	out["hhea"] = hh
	m := slices.Clone(maxp)
	binary.BigEndian.PutUint16(m[4:], uint16(len(olds)))
	out["maxp"] = m
	post := slices.Clone(tables["post"][:32])
	binary.BigEndian.PutUint32(post[0:], 0x00030000) // no glyph names
	out["post"] = post
	font := writeSFNT(out)
	binary.BigEndian.PutUint32(font[headOffset(font)+8:], 0xB1B0AFBA-checksum(font))
	return font, nil
}

// Composite glyph flags.
const (
	argsAreWords    = 0x0001
	haveScale       = 0x0008
	moreComponents  = 0x0020
	haveXYScale     = 0x0040
	have2x2         = 0x0080
	haveInstruction = 0x0100
)

// components returns the glyph ids a composite glyph refers to.
func components(g []byte) ([]int, error) {
	if len(g) < 10 || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil, nil // empty or simple
	}
	var out []int
	p := 10
	for {
		if p+4 > len(g) {
			return nil, errFont
		}
		flags := binary.BigEndian.Uint16(g[p:])
		out = append(out, int(binary.BigEndian.Uint16(g[p+2:])))
		p += 4 + componentArgs(flags)
		if flags&moreComponents == 0 {
			return out, nil
		}
	}
}

// componentArgs returns the size of a component's arguments and transform.
func componentArgs(flags uint16) int {
	n := 2
	if flags&argsAreWords != 0 {
		n = 4
	}
	switch {
	case flags&haveScale != 0:
		n += 2
	case flags&haveXYScale != 0:
		n += 4
	case flags&have2x2 != 0:
		n += 8
	}
	return n
}

// rewriteGlyph returns a glyph without its hinting instructions, with the
// component ids of a composite renumbered by newID.
func rewriteGlyph(g []byte, newID map[int]int) ([]byte, error) {
	if len(g) == 0 {
		return nil, nil
	}
	if len(g) < 10 {
		return nil, errFont
	}
	contours := int16(binary.BigEndian.Uint16(g))
	if contours >= 0 {
		// Simple: header, end points, instruction length, instructions,
		// then flags and coordinates.
		p := 10 + 2*int(contours)
		if p+2 > len(g) {
			return nil, errFont
		}
		ilen := int(binary.BigEndian.Uint16(g[p:]))
		if p+2+ilen > len(g) {
			return nil, errFont
		}
		out := make([]byte, 0, len(g)-ilen)
		out = append(out, g[:p]...)
		out = append(out, 0, 0)
		return append(out, g[p+2+ilen:]...), nil
	}
	out := slices.Clone(g)
	p := 10
	for {
		if p+4 > len(out) {
			return nil, errFont
		}
		flags := binary.BigEndian.Uint16(out[p:])
		id, ok := newID[int(binary.BigEndian.Uint16(out[p+2:]))]
		if !ok {
			return nil, errFont
		}
		binary.BigEndian.PutUint16(out[p+2:], uint16(id))
		binary.BigEndian.PutUint16(out[p:], flags&^haveInstruction)
		p += 4 + componentArgs(flags)
		if flags&moreComponents == 0 {
			if p > len(out) {
				return nil, errFont
			}
			return out[:p], nil // instructions, if any, dropped
		}
	}
}

// cmapTable returns a cmap with one format 4 subtable (Windows, Unicode
// BMP) mapping each rune to its new glyph id.
func cmapTable(cmap map[rune]int, newID map[int]int) []byte {
	runes := make([]rune, 0, len(cmap))
	for r := range cmap {
		runes = append(runes, r)
	}
	slices.Sort(runes)
	// One segment per run of consecutive runes with consecutive glyph ids,
	// then the final 0xFFFF segment.
	type seg struct{ start, end rune }
	var segs []seg
	for _, r := range runes {
		if k := len(segs) - 1; k >= 0 && segs[k].end == r-1 && newID[cmap[r]] == newID[cmap[r-1]]+1 {
			segs[k].end = r
			continue
		}
		segs = append(segs, seg{r, r})
	}
	segs = append(segs, seg{0xFFFF, 0xFFFF})
	n := len(segs)
	search := 1
	for search*2 <= n {
		search *= 2
	}
	var sub bytes.Buffer
	w := func(v uint16) { binary.Write(&sub, binary.BigEndian, v) }
	w(4)
	w(uint16(16 + 8*n)) // length
	w(0)                // language
	w(uint16(2 * n))
	w(uint16(2 * search))
	w(uint16(bitsLen(search) - 1))
	w(uint16(2*n - 2*search))
	for _, s := range segs {
		w(uint16(s.end))
	}
	w(0)
	for _, s := range segs {
		w(uint16(s.start))
	}
	for _, s := range segs {
		if s.start == 0xFFFF {
			w(1) // maps 0xFFFF to glyph 0
			continue
		}
		w(uint16(newID[cmap[s.start]] - int(s.start)))
	}
	for range segs {
		w(0) // idRangeOffset
	}
	var t bytes.Buffer
	binary.Write(&t, binary.BigEndian, [4]uint16{0, 1, 3, 1})
	binary.Write(&t, binary.BigEndian, uint32(12))
	t.Write(sub.Bytes())
	return t.Bytes()
}

func bitsLen(x int) int {
	n := 0
	for ; x > 0; x >>= 1 {
		n++
	}
	return n
}

// nameTable returns a name table for family and style that keeps the
// original font's copyright, licence and licence URL.
func nameTable(f *sfnt.Font, family, style string) []byte {
	var buf sfnt.Buffer
	get := func(id sfnt.NameID) string { s, _ := f.Name(&buf, id); return s }
	records := []struct {
		id  uint16
		val string
	}{
		{0, get(sfnt.NameIDCopyright) + " Subset by lineage, renamed as the SIL Open Font License asks of modified fonts."},
		{1, family},
		{2, style},
		{3, family + "-" + style},
		{4, family + " " + style},
		{5, get(sfnt.NameIDVersion)},
		{6, family + "-" + style},
		{13, get(sfnt.NameIDLicense)},
		{14, get(sfnt.NameIDLicenseURL)},
	}
	var strs bytes.Buffer
	var t bytes.Buffer
	w := func(v uint16) { binary.Write(&t, binary.BigEndian, v) }
	w(0)
	w(uint16(len(records)))
	w(uint16(6 + 12*len(records)))
	for _, r := range records {
		u := utf16.Encode([]rune(r.val))
		w(3)      // Windows
		w(1)      // Unicode BMP
		w(0x0409) // English (US)
		w(r.id)
		w(uint16(2 * len(u)))
		w(uint16(strs.Len()))
		for _, c := range u {
			binary.Write(&strs, binary.BigEndian, c)
		}
	}
	t.Write(strs.Bytes())
	return t.Bytes()
}

// writeSFNT lays tables out as a TrueType file, tags sorted, each table
// 4-byte aligned, with checksums.
func writeSFNT(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for tag := range tables {
		tags = append(tags, tag)
	}
	slices.Sort(tags)
	n := len(tags)
	search := 1
	for search*2 <= n {
		search *= 2
	}
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(0x00010000))
	binary.Write(&b, binary.BigEndian, [4]uint16{uint16(n), uint16(16 * search), uint16(bitsLen(search) - 1), uint16(16*n - 16*search)})
	off := 12 + 16*n
	for _, tag := range tags {
		t := tables[tag]
		b.WriteString(tag)
		binary.Write(&b, binary.BigEndian, [3]uint32{checksum(t), uint32(off), uint32(len(t))})
		off += (len(t) + 3) &^ 3
	}
	for _, tag := range tags {
		b.Write(tables[tag])
		for b.Len()%4 != 0 {
			b.WriteByte(0)
		}
	}
	return b.Bytes()
}

// headOffset returns the offset of the head table in a font written by
// writeSFNT.
func headOffset(font []byte) int {
	n := int(binary.BigEndian.Uint16(font[4:]))
	for i := 0; i < n; i++ {
		rec := font[12+16*i:]
		if string(rec[:4]) == "head" {
			return int(binary.BigEndian.Uint32(rec[8:]))
		}
	}
	return 0
}

// checksum is the TrueType table checksum: the sum of big-endian uint32s,
// the last one zero-padded.
func checksum(b []byte) uint32 {
	var s uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		s += binary.BigEndian.Uint32(w[:])
	}
	return s
}
