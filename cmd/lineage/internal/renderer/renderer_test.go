package renderer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// script writes an executable shell script named name into dir.
func script(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// noEnv is an Options that finds nothing unless a test says otherwise.
func noEnv(t *testing.T) Options {
	return Options{
		Getenv:     func(string) string { return "" },
		Executable: func() (string, error) { return filepath.Join(t.TempDir(), "lineage"), nil },
		LookPath:   func(string) (string, error) { return "", exec.ErrNotFound },
		MainModule: "example.com/other",
		Dir:        t.TempDir(),
	}
}

func TestFindOrder(t *testing.T) {
	env := script(t, t.TempDir(), "from-env", "echo env")
	exeDir := t.TempDir()
	beside := script(t, exeDir, Name, "echo beside")
	onPath := script(t, t.TempDir(), Name, "echo path")
	for _, tc := range []struct {
		name string
		opt  func(*Options)
		want string
	}{
		{"env first", func(o *Options) {
			o.Getenv = func(k string) string { return map[string]string{"LINEAGE_RENDER": env}[k] }
			o.Executable = func() (string, error) { return filepath.Join(exeDir, "lineage"), nil }
			o.LookPath = func(string) (string, error) { return onPath, nil }
		}, env},
		{"beside the executable", func(o *Options) {
			o.Executable = func() (string, error) { return filepath.Join(exeDir, "lineage"), nil }
			o.LookPath = func(string) (string, error) { return onPath, nil }
		}, beside},
		{"on PATH", func(o *Options) {
			o.LookPath = func(name string) (string, error) {
				if name == Name {
					return onPath, nil
				}
				return "", exec.ErrNotFound
			}
		}, onPath},
	} {
		opt := noEnv(t)
		tc.opt(&opt)
		r, err := Find(context.Background(), opt)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if r.Path != tc.want || r.Built {
			t.Errorf("%s: Find = %s (built %v), want %s", tc.name, r.Path, r.Built, tc.want)
		}
	}
}

// TestNoBuildOutsideTheModule checks that a working directory holding a
// cmd/lineage-render of another module is never built or run, and that a
// program built from another module never builds one.
func TestNoBuildOutsideTheModule(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "ran")
	fakeGo := script(t, t.TempDir(), "go", "touch "+marker+"; exit 1")
	lookPath := func(name string) (string, error) {
		if name == "go" {
			return fakeGo, nil
		}
		return "", exec.ErrNotFound
	}
	other := t.TempDir()
	os.MkdirAll(filepath.Join(other, "cmd", Name), 0o755)
	os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/evil\n"), 0o644)
	os.WriteFile(filepath.Join(other, "cmd", Name, "main.go"), []byte("package main\n"), 0o644)
	ours := t.TempDir()
	os.MkdirAll(filepath.Join(ours, "cmd", Name), 0o755)
	os.WriteFile(filepath.Join(ours, "go.mod"), []byte("module "+Module+" // the real one\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(ours, "cmd", Name, "main.go"), []byte("package main\n"), 0o644)
	for _, tc := range []struct {
		name, main, dir string
	}{
		{"unrelated checkout", Module, filepath.Join(other, "cmd")},
		{"no checkout", Module, t.TempDir()},
		{"program from another module", "example.com/other", ours},
	} {
		opt := noEnv(t)
		opt.LookPath, opt.MainModule, opt.Dir = lookPath, tc.main, tc.dir
		if _, err := Find(context.Background(), opt); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: Find err = %v, want ErrNotFound", tc.name, err)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatalf("the go command was run outside a checkout of %s", Module)
	}
	// Inside a checkout of this module (from a subdirectory), it builds
	// there: the fake go command runs (and fails).
	opt := noEnv(t)
	opt.LookPath, opt.MainModule, opt.Dir = lookPath, Module, filepath.Join(ours, "cmd", Name)
	if _, err := Find(context.Background(), opt); err == nil || !strings.Contains(err.Error(), "build lineage-render in "+ours) {
		t.Errorf("in our checkout: Find err = %v, want a build failure in %s", err, ours)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("in our checkout the go command was not run")
	}
}

// TestBuildNotice checks the message shown while a slow build runs, and
// that the built binary is used and removed by Close.
func TestBuildNotice(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "cmd", Name), 0o755)
	os.WriteFile(filepath.Join(root, "go.mod"), []byte("module "+Module+"\n"), 0o644)
	os.WriteFile(filepath.Join(root, "cmd", Name, "main.go"), []byte("package main\n"), 0o644)
	// A go command that takes 1.5 s and "builds" a renderer answering <svg/>.
	fakeGo := script(t, t.TempDir(), "go", `sleep 1.5
[ "$1" = build ] && [ "$2" = -o ] && [ "$4" = ./cmd/lineage-render ] || exit 3
printf '#!/bin/sh\ncat >/dev/null; echo "<svg/>"\n' > "$3" && chmod +x "$3"`)
	opt := noEnv(t)
	var log bytes.Buffer
	opt.LookPath = func(name string) (string, error) {
		if name == "go" {
			return fakeGo, nil
		}
		return "", exec.ErrNotFound
	}
	opt.MainModule, opt.Dir, opt.Log = Module, root, &log
	r, err := Find(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Built || !strings.Contains(log.String(), buildNotice) {
		t.Errorf("built %v, log %q; want a build and the notice %q", r.Built, log.String(), buildNotice)
	}
	out, err := r.Render(context.Background(), "svg", []byte("digraph{}"))
	if err != nil || strings.TrimSpace(string(out)) != "<svg/>" {
		t.Errorf("Render = %q, %v", out, err)
	}
	r.Close()
	if _, err := os.Stat(r.Path); !os.IsNotExist(err) {
		t.Errorf("Close left %s behind (%v)", r.Path, err)
	}
}

func TestRender(t *testing.T) {
	dir := t.TempDir()
	// The renderer gets the format flag and the DOT on stdin.
	echo := &Renderer{Path: script(t, dir, "echo", `[ "$1" = --format ] || exit 9; printf '%s:' "$2"; cat`)}
	out, err := echo.Render(context.Background(), "png", []byte("digraph{}"))
	if err != nil || string(out) != "png:digraph{}" {
		t.Errorf("Render = %q, %v", out, err)
	}
	// A failure reports the renderer's own message.
	fail := &Renderer{Path: script(t, dir, "fail", "echo 'lineage-render: parse dot: syntax error' >&2; exit 1")}
	if _, err := fail.Render(context.Background(), "svg", nil); err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Errorf("failing renderer: err = %v", err)
	}
	// Cancellation kills the renderer, and Render returns within WaitDelay
	// even though a grandchild keeps the output pipe open.
	slow := &Renderer{Path: script(t, dir, "slow", "sleep 30 & sleep 30")}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = slow.Render(ctx, "svg", nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled render: err = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > WaitDelay+5*time.Second {
		t.Errorf("cancelled render returned after %v", d)
	}
}

func TestModulePath(t *testing.T) {
	for _, tc := range []struct{ gomod, want string }{
		{"module github.com/lineage-project/lineage\n\ngo 1.26\n", Module},
		{"// comment\nmodule \"github.com/lineage-project/lineage\" // quoted\n", Module},
		{"go 1.26\n", ""},
		{"module github.com/lineage-project/lineage/v2\n", "github.com/lineage-project/lineage/v2"},
	} {
		if got := modulePath([]byte(tc.gomod)); got != tc.want {
			t.Errorf("modulePath(%q) = %q, want %q", tc.gomod, got, tc.want)
		}
	}
}
