// Package lineage turns Hugging Face lineage declarations into a derivative
// graph and answers questions about it: what a model is built on (its
// ancestors up to its foundations), what is built on it (its distinct
// descendants), and which foundations carry the most downstream work (by
// distinct descendants, by their downloads or likes summed over those
// descendants, or by PageRank: Store.RankBy).
//
// It reads three kinds of input, detected from the path and the content:
// model cards (README.md files with YAML front matter in an ORG/NAME folder
// tree), Hub API listings (JSON array or JSON Lines, optionally gzipped) and
// edge lists (CSV/TSV with parent, child and relation columns). Records are
// normalised (case-insensitive ids, URL and revision forms reduced to
// ORG/NAME), merged by precedence, and frozen into a graph.Graph with a node
// table kept here, indexed by graph.NodeID. A Store can be written to and
// loaded from a compact, versioned, checksummed index file.
//
// The package does not assume its input is clean: values that cannot be a
// Hub id, self-references, cycles, duplicates and unknown relations are
// reported as Diagnostics with their source and line, and never make a
// query loop or miscount. It does no network I/O and writes nothing to
// standard output; callers (cmd/lineage) own the terminal.
//
// It does not assume a processor: on amd64 the listing scanner finds string
// ends and checks ids with SSE2 assembly (every amd64 CPU has it), held
// equal by tests and fuzzing to the portable code every other
// architecture runs; on Linux a plain JSON Lines file is read from a memory
// mapping, elsewhere it is streamed.
package lineage
