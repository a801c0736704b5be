package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/lineage/synth"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, synth.Options{Models: 300, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	want := buf.Bytes()

	var stdout, stderr bytes.Buffer
	if code := run([]string{"--models", "300", "--seed", "5", "--quiet"}, &stdout, &stderr); code != 0 {
		t.Fatalf("run = %d, stderr %s", code, &stderr)
	}
	if !bytes.Equal(stdout.Bytes(), want) || stderr.Len() != 0 {
		t.Errorf("stdout differs from Generate or stderr not empty: %q", stderr.String())
	}

	gz := filepath.Join(dir, "x.jsonl.gz")
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"--models", "300", "--seed", "5", "-o", gz}, &stdout, &stderr); code != 0 {
		t.Fatalf("run -o = %d, stderr %s", code, &stderr)
	}
	if stdout.Len() != 0 || !strings.HasPrefix(stderr.String(), "hubsynth: models=300 ") {
		t.Errorf("stdout %d bytes, stderr %q", stdout.Len(), stderr.String())
	}
	f, err := os.Open(gz)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("gzip output differs from Generate")
	}

	pq := filepath.Join(dir, "x.parquet")
	if code := run([]string{"--models", "300", "--seed", "5", "--quiet", "-o", pq}, &stdout, &stderr); code != 0 {
		t.Fatalf("run -o x.parquet = %d, stderr %s", code, &stderr)
	}
	if data, err := os.ReadFile(pq); err != nil || len(data) < 8 || string(data[:4]) != "PAR1" || string(data[len(data)-4:]) != "PAR1" {
		t.Errorf("-o x.parquet: not a parquet file (%d bytes, %v)", len(data), err)
	}

	// --truth: the same listing, and the hidden edges; --undeclared 0: none.
	truth := filepath.Join(dir, "truth.csv")
	stdout.Reset()
	if code := run([]string{"--models", "300", "--seed", "5", "--quiet", "--truth", truth}, &stdout, &stderr); code != 0 {
		t.Fatalf("run --truth = %d, stderr %s", code, &stderr)
	}
	var wantTruth bytes.Buffer
	if _, err := synth.Generate(io.Discard, synth.Options{Models: 300, Seed: 5, Truth: &wantTruth}); err != nil {
		t.Fatal(err)
	}
	if gotTruth, err := os.ReadFile(truth); err != nil || !bytes.Equal(gotTruth, wantTruth.Bytes()) || !bytes.Equal(stdout.Bytes(), want) {
		t.Errorf("--truth wrote %q (%v), want %q; listing changed: %v", gotTruth, err, wantTruth.Bytes(), !bytes.Equal(stdout.Bytes(), want))
	}
	stdout.Reset()
	if code := run([]string{"--models", "300", "--seed", "5", "--quiet", "--undeclared", "0", "--truth", truth}, &stdout, &stderr); code != 0 {
		t.Fatalf("run --undeclared 0 = %d, stderr %s", code, &stderr)
	}
	if got, _ := os.ReadFile(truth); string(got) != "parent,child,relation\n" {
		t.Errorf("--undeclared 0: truth %q, want the header alone", got)
	}

	for _, bad := range [][]string{{"--models", "x"}, {"--models", "-1"}, {"--undeclared", "0.9"}, {"--undeclared", "-0.1"}, {"--row-group", "0"}, {"extra"}} {
		if code := run(bad, &stdout, &stderr); code != 2 {
			t.Errorf("run %q = %d, want 2", bad, code)
		}
	}
	if code := run([]string{"--models", "x"}, &stdout, &stderr); code != 2 {
		t.Errorf("bad flag: run = %d, want 2", code)
	}
	if code := run([]string{"--models", "-1"}, &stdout, &stderr); code != 2 {
		t.Errorf("negative --models: run = %d, want 2", code)
	}
	if code := run([]string{"-o", filepath.Join(dir, "no", "such", "dir.jsonl")}, &stdout, &stderr); code != 1 {
		t.Errorf("unwritable output: run = %d, want 1", code)
	}
}
