package lineage

import "github.com/lineage-project/lineage/graph"

// Accessors for package lineage/analytics, which reads the store through
// its public API only.

// CreatedUnix returns v's creation time in Unix seconds, or 0 when unknown
// (always 0 in a graph-only store). It is Created without the time.Time.
func (s *Store) CreatedUnix(v graph.NodeID) int64 { return s.createdAt(v) }

// NewestCreatedUnix returns the newest creation time of any model in the
// store, in Unix seconds, or 0 when no model has one.
func (s *Store) NewestCreatedUnix() int64 {
	var m int64
	for _, c := range s.created {
		m = max(m, c)
	}
	return m
}
