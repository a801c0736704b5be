// Package renderer finds the lineage-render command and runs it to lay DOT
// out as SVG or PNG. lineage-render is a separate binary because it links
// Graphviz compiled to WebAssembly, whose start-up cost the query commands
// must not pay; "lineage tree" and "lineage serve" both reach it through
// this package, so they find the same binary the same way and run it with
// the same limits.
//
// Find looks, in order, at $LINEAGE_RENDER, next to the running executable,
// and on PATH. Only when none is there, and only when the running program
// was itself built from the lineage module (go run, go test, or a binary
// built from a checkout) and the working directory lies inside a checkout
// of that same module, does it build ./cmd/lineage-render of that checkout
// with the go command into a temporary directory. Code found in an
// unrelated working directory is never built or run.
//
// What it assumes: a Unix-like process model (a child killed on
// cancellation; its pipes closed within WaitDelay even when a grandchild
// still holds them).
package renderer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Module is the path of the module lineage-render belongs to.
const Module = "github.com/lineage-project/lineage"

// Name is the command's file name.
const Name = "lineage-render"

// WaitDelay bounds how long a child may hold its output pipes open after it
// exits or is killed (exec.Cmd.WaitDelay).
const WaitDelay = 2 * time.Second

// buildNotice is printed when building lineage-render takes longer than
// noticeAfter (a first build compiles Graphviz's WebAssembly wrapper, about
// 20 s; later ones come from the go command's cache in about a second).
const (
	buildNotice = "building lineage-render (first run only)..."
	noticeAfter = time.Second
)

// ErrNotFound says no lineage-render could be found or built.
var ErrNotFound = errors.New("SVG and PNG need the lineage-render command, which was not found in $LINEAGE_RENDER, next to lineage or on PATH; install it with: go install github.com/lineage-project/lineage/cmd/lineage-render@latest (or go install ./cmd/lineage-render from the lineage source tree), or write .dot/.mmd instead")

// Options says where Find looks. The zero value looks at the real
// environment; the fields exist for tests.
type Options struct {
	// Getenv reads $LINEAGE_RENDER; nil means os.Getenv.
	Getenv func(string) string
	// Executable returns the running program's path; nil means
	// os.Executable.
	Executable func() (string, error)
	// LookPath finds a command on PATH; nil means exec.LookPath.
	LookPath func(string) (string, error)
	// MainModule is the module the running program was built from; ""
	// means the one debug.ReadBuildInfo reports.
	MainModule string
	// Dir is where a source checkout is looked for; "" means the working
	// directory.
	Dir string
	// Log receives what Find is doing when it takes a while (the build
	// notice); nil discards it.
	Log io.Writer
}

// Renderer is a lineage-render binary ready to run.
type Renderer struct {
	// Path is the binary run.
	Path string
	// Built reports that Path was built by Find from a source checkout
	// (and is removed by Close).
	Built bool
	tmp   string
}

// Find locates lineage-render as the package comment says, building it
// from the source checkout as a last resort; ctx bounds that build. Close
// the renderer when done with it.
func Find(ctx context.Context, opt Options) (*Renderer, error) {
	getenv, executable, lookPath := opt.Getenv, opt.Executable, opt.LookPath
	if getenv == nil {
		getenv = os.Getenv
	}
	if executable == nil {
		executable = os.Executable
	}
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	if p := getenv("LINEAGE_RENDER"); p != "" {
		return &Renderer{Path: p}, nil
	}
	if exe, err := executable(); err == nil {
		if p := filepath.Join(filepath.Dir(exe), Name); isExecutable(p) {
			return &Renderer{Path: p}, nil
		}
	}
	if p, err := lookPath(Name); err == nil {
		return &Renderer{Path: p}, nil
	}
	main := opt.MainModule
	if main == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			main = bi.Main.Path
		}
	}
	if main != Module {
		return nil, ErrNotFound
	}
	dir := opt.Dir
	if dir == "" {
		var err error
		if dir, err = os.Getwd(); err != nil {
			return nil, ErrNotFound
		}
	}
	root, ok := moduleRoot(dir, Module)
	if !ok || !isFile(filepath.Join(root, "cmd", Name, "main.go")) {
		return nil, ErrNotFound
	}
	gobin, err := lookPath("go")
	if err != nil {
		return nil, ErrNotFound
	}
	return build(ctx, gobin, root, opt.Log)
}

// build compiles root's cmd/lineage-render into a temporary directory,
// telling log when it takes more than noticeAfter.
func build(ctx context.Context, gobin, root string, log io.Writer) (*Renderer, error) {
	tmp, err := os.MkdirTemp("", "lineage-render-")
	if err != nil {
		return nil, fmt.Errorf("build lineage-render: %w", err)
	}
	r := &Renderer{Path: filepath.Join(tmp, Name), Built: true, tmp: tmp}
	var msg bytes.Buffer
	cmd := exec.CommandContext(ctx, gobin, "build", "-o", r.Path, "./cmd/"+Name)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = &msg, &msg
	cmd.WaitDelay = WaitDelay
	var once sync.Once
	notice := time.AfterFunc(noticeAfter, func() {
		once.Do(func() {
			if log != nil {
				fmt.Fprintln(log, buildNotice)
			}
		})
	})
	err = cmd.Run()
	notice.Stop()
	once.Do(func() {}) // no notice after this point
	if err != nil {
		r.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("build lineage-render: %w", ctx.Err())
		}
		return nil, fmt.Errorf("build lineage-render in %s: %v: %s", root, err, strings.TrimSpace(msg.String()))
	}
	return r, nil
}

// Close removes a binary Find built; it does nothing otherwise.
func (r *Renderer) Close() error {
	if r == nil || r.tmp == "" {
		return nil
	}
	err := os.RemoveAll(r.tmp)
	r.tmp = ""
	return err
}

// Render runs lineage-render --format format (svg or png) on dot and
// returns its output. The process is killed when ctx is done, and Render
// returns at most WaitDelay later even if a child of it keeps the pipes
// open.
func (r *Renderer) Render(ctx context.Context, format string, dot []byte) ([]byte, error) {
	cmd := exec.CommandContext(ctx, r.Path, "--format", format)
	var out, errb bytes.Buffer
	cmd.Stdin = bytes.NewReader(dot)
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.WaitDelay = WaitDelay
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("lineage-render: %w", ctx.Err())
		}
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("lineage-render (%s): %s", r.Path, msg)
	}
	return out.Bytes(), nil
}

// moduleRoot walks up from dir to the nearest go.mod and reports its
// directory when that go.mod declares module.
func moduleRoot(dir, module string) (string, bool) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			return dir, modulePath(data) == module
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// modulePath returns the path of a go.mod's module directive, or "".
func modulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) != 2 || f[0] != "module" {
			continue
		}
		if p, err := strconv.Unquote(f[1]); err == nil {
			return p
		}
		return f[1]
	}
	return ""
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
