// Package hub fetches model records and files from the Hugging Face Hub
// and writes the records as a JSON Lines listing that package lineage
// reads.
//
// It follows huggingface_hub's conventions and the Hub's own rules: the
// endpoint comes from HF_ENDPOINT (default https://huggingface.co), a token
// from HF_TOKEN is sent as "Authorization: Bearer ..." to the endpoint's
// host only (never to the file store a download is redirected to), lists
// are paged through the Link header (rel="next"). The model route
// (GET /api/models/ID) and the list route (GET /api/models?...) are sent
// different expand[] sets (ModelExpand, ListExpand): the list route refuses
// baseModels, childrenModelCount and usedStorage, so listed records name
// their parents through base_model:ID and base_model:RELATION:ID tags and
// cardData. Answers 408, 429 and 5xx are retried; a 429 waits the reset
// time of the Hub's RateLimit header ("api";r=0;t=N), else Retry-After,
// else an exponential backoff; and requests are paced under the policy the
// RateLimit headers of every answer announce. A missing or private model
// (401 RepoNotFound without a token, 404 with one) is ErrNotFound, a
// disabled one (403 "Access to this resource is disabled.") ErrDisabled,
// a gated model's files ErrGated (its metadata is public), a renamed
// model's 307 is followed and its old id kept as an alias. A refused
// connection or an unknown host fails after one retry (ErrUnreachable).
//
// Client is the HTTP implementation of API and FileAPI, the small
// interfaces the walks use: it bounds concurrent requests, caps the
// requests of one run, and keeps every successful response in an on-disk
// cache, so that a run cut short (by the cap, an error or Ctrl-C) resumes
// where it stopped when run again. Fetcher walks the Hub through an API: a
// model's ancestors (Up), a model's descendants via base_model:ID tag
// searches (Down), or any listing (List); Evidence then reads, for models
// that declare no parent, the repository files that may name one
// (adapter_config.json, config.json, mergekit_config.yml, a GGUF header by
// range requests; ParseGGUFHeader) without downloading weights. Download
// fetches one file (the hub-stats snapshot) with resumption, verification
// and an atomic rename. Tests give the walks a fake API or an httptest
// server that behaves like the Hub (hubtest_test.go says where each
// behaviour comes from).
//
// What it does not assume: that the Hub answers every request (a missing
// parent is recorded and skipped, a failing page is retried, then
// reported), that responses are small (bodies and file reads are capped),
// that a transfer completes (it resumes), or that a walk ends (the request
// cap, MaxModels and MaxDepth bound it). It never prints: progress goes to
// callbacks, and errors are returned.
package hub
