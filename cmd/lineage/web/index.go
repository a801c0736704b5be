package web

import (
	"net/url"
	"strings"

	"github.com/lineage-project/lineage/lineage/modelid"
	"github.com/lineage-project/lineage/render"
)

func namePart(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}

// maxSuggestModels bounds the stores on which a miss is answered with
// Store.Suggest (a scan of every id, for typos); larger ones suggest what
// a search for the name part finds.
const maxSuggestModels = 200_000

// suggest returns up to k ids close to q for a miss.
func (ix *searchIndex) suggest(q string, k int) []string {
	if ix.s.NumModels() <= maxSuggestModels {
		return ix.s.Suggest(q, k)
	}
	p := q
	if id, _, problem := modelid.Normalize(q); problem == "" {
		p = id
	}
	var out []string
	for _, h := range ix.search(namePart(p), k).Hits {
		out = append(out, ix.s.Name(h.V))
	}
	return out
}

// escapeID path-escapes each segment of a model id.
func escapeID(id string) string {
	segs := strings.Split(id, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// modelURL is the UI page of a model.
func modelURL(id string) string { return "/model/" + escapeID(id) }

func humanCount(n int64) string {
	if n < 0 {
		return "unknown"
	}
	return render.HumanCount(n)
}
