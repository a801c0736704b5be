// peer_duckdb.cjs MODELS.parquet [TOP]
//
// Benchmark peer of `lineage rank --in MODELS.parquet`: DuckDB (the
// @duckdb/node-api package, found through NODE_PATH) reads a hub-stats
// models.parquet with read_parquet, takes the edges parent -> child from
// baseModels.models[].id (ids lower-cased, self-references dropped, each
// edge once), and counts every foundation's distinct descendants with a
// recursive CTE: a foundation is a parent that is nobody's child, and
// UNION (not UNION ALL) keeps each (foundation, model) pair once, which
// makes the count distinct and ends the recursion on cycles. It prints the
// top TOP (default 25) as "count<TAB>id" lines, by count descending, ties
// by id ascending, as bench/peer_networkx.py does.
//
// DuckDB uses every core (its default). Exit status 2 for a usage error,
// 1 for a failure.
'use strict';

const os = require('os');

async function main() {
	const [file, topArg = '25'] = process.argv.slice(2);
	const top = Number(topArg);
	if (!file || !Number.isInteger(top) || top <= 0 || process.argv.length > 4) {
		console.error('usage: peer_duckdb.cjs MODELS.parquet [TOP]');
		process.exit(2);
	}
	const { DuckDBInstance } = require('@duckdb/node-api');
	const db = await DuckDBInstance.create(':memory:', { threads: String(os.cpus().length) });
	const con = await db.connect();
	const quoted = "'" + file.replaceAll("'", "''") + "'";
	const sql = `
WITH RECURSIVE
edges AS (
  SELECT DISTINCT lower(m.id) AS parent, lower(child) AS child
  FROM (SELECT id AS child, unnest(baseModels.models) AS m
        FROM read_parquet(${quoted}) WHERE baseModels IS NOT NULL)
  WHERE m.id IS NOT NULL AND lower(m.id) <> lower(child)
),
roots AS (
  SELECT DISTINCT parent AS root FROM edges
  WHERE parent NOT IN (SELECT child FROM edges)
),
reach(root, node) AS (
  SELECT root, root FROM roots
  UNION
  SELECT r.root, e.child FROM reach r JOIN edges e ON e.parent = r.node
)
SELECT root, count(*) - 1 AS descendants
FROM reach GROUP BY root
ORDER BY descendants DESC, root
LIMIT ${top}`;
	const reader = await con.runAndReadAll(sql);
	const lines = reader.getRows().map(([root, n]) => `${Number(n)}\t${root}`);
	process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err) => {
	console.error('peer_duckdb:', err && err.message ? err.message : err);
	process.exit(1);
});
