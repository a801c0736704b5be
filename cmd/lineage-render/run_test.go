package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const smallDOT = `digraph lineage { a [label="org/a", URL="https://huggingface.co/org/a"]; b [label="org/b"]; a -> b [style="dashed"]; }`

func TestRun(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tests := []struct {
		name       string
		args       []string
		stdin      string
		code       int
		stdoutHas  string
		stderrHas  string
		file       string
		fileHasPNG bool
	}{
		{name: "svg to stdout", args: []string{"--format", "svg"}, stdin: smallDOT, code: 0, stdoutHas: `xlink:href="https://huggingface.co/org/a"`},
		{name: "default format is svg", args: nil, stdin: smallDOT, code: 0, stdoutHas: "<svg"},
		{name: "png to file", args: []string{"--format", "png", "-o", filepath.Join(dir, "out.png")}, stdin: smallDOT, code: 0, file: filepath.Join(dir, "out.png"), fileHasPNG: true},
		{name: "bad format", args: []string{"--format", "gif"}, stdin: smallDOT, code: 2, stderrHas: `unknown format "gif"`},
		{name: "bad flag", args: []string{"--nope"}, stdin: smallDOT, code: 2, stderrHas: "usage"},
		{name: "extra argument", args: []string{"in.dot"}, stdin: smallDOT, code: 2, stderrHas: "unexpected argument"},
		{name: "empty input", args: []string{"--format", "svg"}, stdin: "", code: 1, stderrHas: "render svg: no graph in DOT input"},
		{name: "syntax error", args: []string{"--format", "png"}, stdin: "digraph { a -> ", code: 1, stderrHas: "render png: parse dot"},
		{name: "unwritable output", args: []string{"-o", filepath.Join(dir, "missing", "x.svg")}, stdin: smallDOT, code: 1, stderrHas: "write " + filepath.Join(dir, "missing", "x.svg")},
		{name: "help", args: []string{"-h"}, code: 0, stderrHas: "-format"},
		{name: "device output", args: []string{"-o", os.DevNull}, stdin: smallDOT, code: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(ctx, tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("run(%q) = %d, want %d; stderr: %s", tt.args, code, tt.code, stderr.String())
			}
			if tt.stdoutHas != "" && !strings.Contains(stdout.String(), tt.stdoutHas) {
				t.Errorf("stdout lacks %q", tt.stdoutHas)
			}
			if tt.stderrHas != "" && !strings.Contains(stderr.String(), tt.stderrHas) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.stderrHas)
			}
			if tt.code != 0 && stdout.Len() != 0 {
				t.Errorf("failed run wrote %d bytes to stdout", stdout.Len())
			}
			if tt.file != "" {
				data, err := os.ReadFile(tt.file)
				if err != nil {
					t.Fatal(err)
				}
				if tt.fileHasPNG {
					img, err := png.Decode(bytes.NewReader(data))
					if err != nil {
						t.Fatalf("output is not a PNG: %v", err)
					}
					if b := img.Bounds(); b.Dx() < 50 || b.Dy() < 100 {
						t.Errorf("PNG is only %v", b)
					}
				}
			}
		})
	}
	if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode().IsRegular() {
		t.Fatalf("%s was replaced by a regular file", os.DevNull)
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".lineage-render-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}
