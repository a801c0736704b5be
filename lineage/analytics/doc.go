// Package analytics answers "who builds on whom" over a lineage.Store. An
// Analysis credits every derivative (a model reached from a foundation
// along the selected relations) to the foundations it is built on, and
// aggregates those credits by the foundation's country or organisation
// (from an origins table), by the foundation itself, by month of
// creation, or by days since the foundation's release.
//
// Attribution: a derivative built on k foundations gives each of them 1
// (AttributionFull, the rule of Store.Rank: a group's count is the sum of
// its foundations' distinct descendant counts, and shares may sum to more
// than 100%) or 1/k (AttributionFractional: shares sum to 100%). A share is
// always a group's credit divided by the number of derivatives counted.
//
// The origins table maps Hugging Face Hub organisations (the part of a
// model id before '/') to the organisation behind them: its name, the
// country of its headquarters, its kind and the public page the row was
// taken from. A curated table is embedded (origins.csv); callers may add
// or override rows (Origins.With). Organisations the table does not know,
// and rows with no country, fall in the explicit Unknown bucket.
//
// What it assumes: a frozen lineage.Store, read through its public API
// only (names, creation times, the graph); it never reads input files,
// the network or the terminal. Outputs are sorted by a total order
// (credit descending, then key case-insensitively), so they are
// deterministic for the same store, table and scope.
package analytics
