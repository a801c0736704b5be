// Package render turns the neighbourhood of one model in a lineage graph
// into a diagram people can publish: it selects the family of a model
// (ancestors up to its foundations, descendants down to the leaves), folds
// what does not fit a node budget into summary nodes, and writes the result
// as deterministic Graphviz DOT (WriteDOT) or Mermaid flowchart text
// (WriteMermaid). Turning DOT into SVG or PNG is the job of package
// render/svg, kept apart so that programs which only print DOT or Mermaid do
// not link Graphviz.
//
// What it assumes: the topology is a frozen graph.Graph whose edges run
// parent -> child. Everything else comes from the caller through Info:
// model names, download counts and dates, and what an edge label means
// (Info.Relation, Info.Inferred). The package never decodes labels itself;
// it only recognises the relation names Finetune, Adapter, Quantized and
// Merge to pick edge styles and to decide which leaves fold into badges.
// Any other relation name is drawn in a neutral style.
//
// What it does not assume: that the graph is acyclic (every walk keeps a
// visited set), that a model has one parent (merges keep every parent that
// is in the picture), or that names are well-formed (every string written
// is escaped, so a model id holding quotes, backslashes, markup, control
// characters or invalid UTF-8 cannot break the DOT or the Mermaid text, nor
// inject markup into the SVG Graphviz makes from it). Select finds the family
// with graph.Reach and holds it as a graph.Graph of its own (dense local
// ids mapped to the big graph's), counting descendants with
// graph.CountDescendants: work is proportional to the size of the selected
// family, not of the whole graph, except for Reach's two visited bitsets of
// one bit per node (250 KB each at two million nodes), so Select may be
// called on a graph of millions of nodes.
//
// DOT is the package's one DOT writer, for any graph plus callbacks; the
// family drawing (Family.WriteDOT) and lineage's export both go through it,
// so there is one set of escaping rules.
//
// Output is byte-identical across runs: every list written is sorted by a
// total order and no map is iterated while writing.
package render
