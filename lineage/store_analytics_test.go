package lineage

import (
	"testing"

	"github.com/lineage-project/lineage/graph"
)

// TestAnalyticsAccessors checks the accessors package lineage/analytics
// reads against Store.Created, on the embedded sample and on a graph-only
// store (no dates at all).
func TestAnalyticsAccessors(t *testing.T) {
	for _, graphOnly := range []bool{false, true} {
		b := NewBuilder(BuilderOptions{GraphOnly: graphOnly})
		for _, src := range sampleSources(t) {
			readPlain(t, src, b)
		}
		s := b.Finish()
		var newest int64
		for v := range s.NumModels() {
			c := s.Created(graph.NodeID(v))
			want := int64(0)
			if !c.IsZero() {
				want = c.Unix()
			}
			if got := s.CreatedUnix(graph.NodeID(v)); got != want {
				t.Fatalf("CreatedUnix(%s) = %d, Created says %d", s.Name(graph.NodeID(v)), got, want)
			}
			newest = max(newest, want)
		}
		if got := s.NewestCreatedUnix(); got != newest || (newest == 0) != graphOnly {
			t.Errorf("NewestCreatedUnix() = %d, want %d (graph-only %v)", got, newest, graphOnly)
		}
	}
}
