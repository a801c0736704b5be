package render

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// commas formats n with thousands separators: 12345 -> "12,345".
func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// HumanCount formats a count for a label: 999, 1.2K, 12K, 1.2M, 3.4B.
// Negative counts (unknown) format as "".
func HumanCount(n int64) string {
	if n < 0 {
		return ""
	}
	units := []struct {
		div    int64
		suffix string
	}{{1_000_000_000, "B"}, {1_000_000, "M"}, {1_000, "K"}}
	for _, u := range units {
		if n >= u.div {
			// One decimal below 10 units, none above; truncated, never
			// rounded up across a unit boundary (999,999 is "999K").
			whole := n / u.div
			if whole >= 10 {
				return strconv.FormatInt(whole, 10) + u.suffix
			}
			tenth := (n % u.div) * 10 / u.div
			if tenth == 0 {
				return strconv.FormatInt(whole, 10) + u.suffix
			}
			return strconv.FormatInt(whole, 10) + "." + strconv.FormatInt(tenth, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// clean makes untrusted text printable on one line: invalid UTF-8 and
// control characters (newlines included) become U+FFFD.
func clean(s string) string {
	ok := utf8.ValidString(s)
	if ok {
		for _, r := range s {
			if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
				ok = false
				break
			}
		}
	}
	if ok {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return '\uFFFD'
		}
		return r
	}, s)
}

// modelLines returns the lines of a model's label: its name, then
// downloads and date when known.
func modelLines(n *Node) []string {
	lines := []string{clean(n.Name)}
	var meta []string
	if n.Downloads >= 0 {
		meta = append(meta, HumanCount(n.Downloads)+" downloads")
	}
	if n.Created != "" {
		meta = append(meta, clean(n.Created))
	}
	if len(meta) > 0 {
		lines = append(lines, strings.Join(meta, " · "))
	}
	return lines
}

// foldedLabel returns the label of a summary or badge: "+312 quantized",
// "+3 ancestors (merge)", "+45 quantized, +120 adapter".
func foldedLabel(n *Node) string {
	var b strings.Builder
	for i, c := range n.Folded {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('+')
		b.WriteString(commas(int64(c.N)))
		b.WriteByte(' ')
		if n.Up {
			if c.N == 1 {
				b.WriteString("ancestor (")
			} else {
				b.WriteString("ancestors (")
			}
			b.WriteString(clean(relName(c.Relation)))
			b.WriteByte(')')
		} else {
			b.WriteString(clean(relName(c.Relation)))
		}
	}
	return b.String()
}

// foldedLines returns the lines of a summary's or badge's label: the
// folded counts, then how many of them hang from recovered edges.
func foldedLines(n *Node) []string {
	lines := []string{foldedLabel(n)}
	if n.Recovered > 0 {
		lines = append(lines, "("+commas(int64(n.Recovered))+" recovered)")
	}
	return lines
}

// tooltipLines returns the lines of a node's tooltip.
func (f *Family) tooltipLines(n *Node) []string {
	if n.Kind == Model {
		lines := []string{clean(n.Name)}
		if n.Downloads >= 0 {
			lines = append(lines, commas(n.Downloads)+" downloads")
		}
		if n.Created != "" {
			lines = append(lines, "created "+clean(n.Created))
		}
		switch {
		case n.Root && n.Foundation:
			lines = append(lines, "queried model; foundation (no parents)")
		case n.Root:
			lines = append(lines, "queried model")
		case n.Foundation:
			lines = append(lines, "foundation (no parents)")
		}
		return lines
	}
	anchor := clean(f.Nodes[n.Anchor].Name)
	total := commas(int64(n.Total()))
	var head string
	switch {
	case n.Kind == Badge:
		head = total + plural(n.Total(), " leaf model", " leaf models") + " of " + anchor + " folded: " + countList(n.Folded)
	case n.Up:
		head = total + plural(n.Total(), " ancestor", " ancestors") + " of " + anchor + " folded (" + relName(n.Folded[0].Relation) + ")"
	default:
		head = total + plural(n.Total(), " model", " models") + " under " + anchor + " folded (" + relName(n.Folded[0].Relation) + " children and their descendants)"
	}
	lines := []string{clean(head)}
	if len(n.Examples) > 0 {
		ex := make([]string, len(n.Examples))
		for i, e := range n.Examples {
			ex[i] = clean(e)
		}
		lines = append(lines, "e.g. "+strings.Join(ex, ", "))
	}
	if n.Recovered > 0 {
		lines = append(lines, commas(int64(n.Recovered))+" of them over recovered edges (not declared, proposed from evidence)")
	}
	return lines
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
