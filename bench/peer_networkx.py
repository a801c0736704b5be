#!/usr/bin/python3
"""Rank Hugging Face foundation models by descendant count with networkx.

Benchmark peer of `lineage rank`: reads a Hub API JSON Lines listing
(optionally gzip-compressed), builds a networkx DiGraph with lower-cased ids
and edges parent -> child, and prints the top foundations (nodes with no
parent that have at least one descendant) as `count<TAB>id` lines, by
descendant count descending, ties by id ascending.

Parents of a record come from, in order of precedence:
  1. cardData.base_model (a string or a list),
  2. baseModels.models[].id,
  3. tags "base_model:ID" and "base_model:RELATION:ID".
Self-references are skipped; "https://huggingface.co/" prefixes and trailing
"/" are stripped.

usage: peer_networkx.py LISTING.jsonl[.gz] [--top N]
"""

import argparse
import gzip
import json

import networkx as nx

HF_PREFIX = "https://huggingface.co/"
RELATIONS = {"adapter", "finetune", "quantized", "merge"}


def normalize(model_id):
    model_id = model_id.strip()
    if model_id.startswith(HF_PREFIX):
        model_id = model_id[len(HF_PREFIX):]
    return model_id.rstrip("/").lower()


def parents_of(record):
    card = record.get("cardData") or {}
    base = card.get("base_model")
    if base:
        return [base] if isinstance(base, str) else [b for b in base if isinstance(b, str)]

    models = (record.get("baseModels") or {}).get("models") or []
    ids = [m["id"] for m in models if isinstance(m, dict) and m.get("id")]
    if ids:
        return ids

    parents = []
    for tag in record.get("tags") or []:
        if not tag.startswith("base_model:"):
            continue
        rest = tag[len("base_model:"):]
        relation, sep, model_id = rest.partition(":")
        if sep and relation in RELATIONS:
            rest = model_id
        if rest not in parents:
            parents.append(rest)
    return parents


def open_listing(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def load_graph(path):
    graph = nx.DiGraph()
    with open_listing(path) as f:
        for line in f:
            if not line.strip():
                continue
            record = json.loads(line)
            child = normalize(record["id"])
            graph.add_node(child)
            for parent in parents_of(record):
                parent = normalize(parent)
                if parent and parent != child:
                    graph.add_edge(parent, child)
    return graph


def rank_foundations(graph, top):
    ranked = []
    for node in graph.nodes:
        if graph.in_degree(node) == 0 and graph.out_degree(node) > 0:
            ranked.append((len(nx.descendants(graph, node)), node))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    return ranked[:top]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("listing", help="Hub API JSON Lines file (.jsonl or .jsonl.gz)")
    parser.add_argument("--top", type=int, default=25, help="number of foundations to print")
    args = parser.parse_args()

    graph = load_graph(args.listing)
    for count, node in rank_foundations(graph, args.top):
        print(f"{count}\t{node}")


if __name__ == "__main__":
    main()
