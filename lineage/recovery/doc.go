// Package recovery proposes parents for models that declare none: the
// lineage that quantizations, re-uploads, merges and adapters published
// without base_model leave out of a lineage.Store. Every proposal names a
// model of the input (never an invented id), the relation, a confidence in
// [0, 1] and its evidence; Evaluate measures the error rate by hiding
// declarations that are known.
//
// # Evidence
//
// In order of precedence, for each model with no declared parent:
//
//   - file: a repository file names the parent: adapter_config.json's
//     base_model_name_or_path (an adapter), config.json's _name_or_path;
//   - card: the card body names it: a mergekit configuration (a merge,
//     with every listed model as a parent), a "fine-tuned from" link;
//   - name: the model's id names it once the conventions of the
//     publishers are undone: an embedded id (bartowski/Org_Name-GGUF,
//     RichardErkhov/Org_-_Name-gguf, fbaldassarri/Org_Name-autoround-...,
//     and a training run's repository: Org-Name followed by a run number,
//     user/google-gemma-7b-1724585024),
//     a format suffix (lineage.SplitFormatSuffix: -GGUF, -i1-GGUF,
//     -Q4_K_M-GGUF, -GPTQ, -AWQ, -bnb-4bit, -4bit, -MLX, -6.0bpw-h6-exl2,
//     -fp8 ...; a conversion of a full-precision conversion keeps its
//     source's precision word, X-fp16-GGUF of X-fp16), the organisation's
//     own variants (X-Instruct of X or X-Base, X-hf of X, Qwen2.5-Coder-7B
//     of Qwen2.5-7B, for organisations of the origins table), the same name (a re-upload or an unmarked
//     conversion; or, when the look-alike declares a parent, that parent:
//     the two are copies of one model), and, at low confidence, a prefix
//     or a suffix of the name;
//   - tags: weight-format markers (Store formats) make a match a
//     conversion and raise its confidence; peft/lora make an adapter;
//   - time: a parent created after its child is never proposed (a guard,
//     not a source; dates unknown on either side do not block).
//
// A GGUF header's general.base_model is the base of the model that was
// converted (llama.cpp copies it from that model's card), so it names the
// grandparent: it is used to tell look-alikes apart, never as a parent.
//
// # Look-alikes
//
// Many models share a name. The candidates for a name are ranked by these
// rules, in order; the first on which the best beats the runner-up decides
// and is reported (Proposal.Rule):
//
//  1. the same organisation as the child (not in a quantizer or
//     re-upload namespace, whose look-alike is a copy too);
//  2. the look-alike a GGUF header corroborates;
//  3. for a conversion: the original (not a conversion itself nor in a
//     quantizer or re-upload namespace); look-alikes that are conversions
//     lose outright;
//  4. sibling votes: more declared children named like the child;
//  5. the original, for other children;
//  6. the exact name before an alias (NAME before NAME-hf, Meta-NAME);
//  7. an official organisation (the origins table, not community);
//  8. more declared children; 9. created earlier; 10. more downloads;
//  11. otherwise a tie: the first id is taken at a much lower confidence.
//
// A child of an official organisation only gets an official parent (its
// look-alikes elsewhere are copies of it). A prefix or suffix match needs a
// parent that already has declared children or sibling votes.
//
// # Confidence
//
// The confidence of a name match is the observed precision of its kind of
// match and deciding rule on the development half of the hak crawl (see
// nameConfidence), scaled for embedded-id and format matches by how often
// the child's organisation's own declared conversions name the model their
// name names (smoothed towards the corpus rate): an organisation whose
// quantizations declare the grandparent (a copied card) gets lower
// confidence. Hint confidences are set by hand (see the constants in
// recover.go): "fine-tuned from" links (0.85) showed 0.98 precision on the
// converted crawls' cards; mergekit and repository-file hints are not
// measured (too few merges are hidden, no repository files at hand).
//
// DefaultMinConfidence (0.75) was chosen from the evaluation: precision
// over every proposal for a hidden model, and the share of the top
// foundations' lost descendants that comes back, by threshold (hak part 0 /
// part 1 / embedded sample):
//
//	threshold  precision (all relations)  lost descendants restored
//	0.70       0.915 / 0.943 / 0.983      0.73 / 1.69 / 0.85
//	0.75       0.937 / 0.952 / 0.985      0.67 / 1.58 / 0.83
//	0.80       0.945 / 0.961 / 0.993      0.37 / 0.23 / 0.04
//	0.90       0.967 / 0.978 / 0.997      0.03 / 0.04 / 0.03
//
// 0.75 keeps precision at or above 0.93 on every set with room to spare
// over the 0.9 the project asks for, while still bringing back the
// organisations' own instruct and base variants (confidence 0.75) that
// carry most of the top foundations' descendants; from 0.8 up they are
// left out and the restored share collapses.
//
// # Measured (Evaluate, 20% of single-parent declarations hidden, seed 1,
// threshold 0.75)
//
//	                          quantized P / R   finetune P / R   all P / R      restored (hidden only)
//	hak part 0 (development)  0.953 / 0.669     0.750 / 0.036    0.937 / 0.307  0.67 (0.44)
//	hak part 1 (check)        0.963 / 0.757     0.797 / 0.045    0.952 / 0.390  1.58 (0.50)
//	embedded sample (check)   0.990 / 0.935     0.702 / 0.043    0.986 / 0.710  0.99 (0.60)
//	realdata cards+hub+edges  0.946 / 0.714     0.971 / 0.475    0.959 / 0.166  0.93 (0.19)
//
// "Restored" counts every proposal at the threshold, including those for
// models that declared nothing to begin with (an official instruct model
// attached to its base brings its whole family); "hidden only" counts the
// proposals for hidden models alone. The last row is the converted crawls
// with their card bodies (shared/realdata cards, hub and edges; it overlaps
// the sample's sources): its finetunes come back from "fine-tuned from"
// links in the cards.
//
// hak's labels are noisy: about a tenth of its quantizations declare the
// model's base (a card copied from the converted model) while their name
// names the converted model, and 2,885 "quantized" children are finetunes
// of 4-bit models with no marker; both cap precision and recall there.
// Finetune recall is low by design: a finetune's name rarely names its
// parent unambiguously.
//
// # Scale
//
// Proposing runs on flat arrays: names are hashed (FNV-1a, case-folded)
// into open-addressing tables whose look-alikes are contiguous; sibling
// votes are a sorted array of (name prefix, parent) keys; names shared by
// many models are ranked once per name (held equal to the per-child
// ranking by a test); children are proposed for in parallel blocks.
//
// The package reads its input through Corpus; FromStore adapts a
// lineage.Store. It does no I/O.
package recovery
