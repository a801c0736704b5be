// Package hub fetches model records from the Hugging Face Hub API and
// writes them as a JSON Lines listing that package lineage reads.
//
// It follows the conventions of huggingface_hub: the endpoint comes from
// HF_ENDPOINT (default https://huggingface.co), a token from HF_TOKEN is sent
// as "Authorization: Bearer ...", lists are paged through the Link header
// (rel="next"), and requests answered 429 or 5xx are retried with
// exponential backoff, honouring Retry-After.
//
// Client is the HTTP implementation of API, the small interface the walks
// use: it bounds concurrent requests, caps the requests of one run, and
// keeps every successful response in an on-disk cache, so that a run cut
// short (by the cap, an error or Ctrl-C) resumes where it stopped when run
// again. Fetcher walks the Hub through an API: a model's ancestors (Up), a
// model's descendants via base_model:ID tag searches (Down), or any listing
// (List); tests give it a fake API or an httptest server.
//
// What it does not assume: that the Hub answers every request (a missing
// parent is recorded and skipped, a failing page is retried, then reported),
// that responses are small (bodies are capped), or that a walk ends (the
// request cap, MaxModels and MaxDepth bound it). It never prints: progress
// goes to a callback, and errors are returned.
package hub
