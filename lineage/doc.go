// Package lineage holds what lineage knows about Hugging Face models: the
// records that model cards, Hub listings, edge lists and hub-stats
// snapshots state (read by package lineage/ingest), the rules that turn a
// record's statements into parents (ids normalised by lineage/modelid,
// precedence, relations declared or inferred: ResolveParents,
// AssembleListing), the Builder that merges records into a derivative
// graph, and the frozen Store that answers what a model is built on (its
// ancestors up to its foundations), what is built on it (its distinct
// descendants), which foundations carry the most downstream work, and which
// problems the input has. A Store keeps its node table (names, dates,
// downloads, format markers, hints) indexed by graph.NodeID over a
// graph.Graph, and can be written to and loaded from a compact, versioned,
// checksummed index file. Recovered edges (package lineage/recovery) can be
// overlaid on a Store, marked as such.
//
// The package does not assume its input is clean: values that cannot be a
// Hub id, self-references, cycles, duplicates and unknown relations are
// reported as Diagnostics with their source and line, and never make a
// query loop or miscount. It reads no files but its own index, does no
// network I/O and writes nothing to standard output; callers (cmd/lineage)
// own the terminal.
package lineage
