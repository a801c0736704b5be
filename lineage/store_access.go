package lineage

import "github.com/lineage-project/lineage/graph"

// Accessors for packages beside lineage (such as lineage/export) that
// order models the way lineage's own outputs do.

// ByName returns every node id sorted by model id case-insensitively
// (ASCII), then byte-wise: the order of modelid.Compare, in which lineage writes
// its listings and exports.
func (s *Store) ByName() []graph.NodeID {
	order := s.sortedOrder()
	out := make([]graph.NodeID, len(order))
	for i, v := range order {
		out[i] = graph.NodeID(v)
	}
	return out
}
