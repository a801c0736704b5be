package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The file-level fault corpus: inputs that are damaged, hostile or odd as
// files (not as records), built by the test itself in a temporary
// directory (FIFOs, links and devices cannot be committed), each read
// together with a good listing whose three records must all survive. Each
// case runs the real command in a child process (this test binary,
// re-executed) so that its exit code, its output and its peak memory (the
// child's maximum resident set) are what a user would get. A case that
// hangs fails after a deadline instead of hanging the suite.

// goodListing holds the records every case must keep.
const goodListing = `{"id":"good/base","createdAt":"2024-01-01T00:00:00.000Z"}
{"id":"good/tune","cardData":{"base_model":"good/base"}}
{"id":"good/quant-GGUF","tags":["gguf","base_model:quantized:good/tune"]}
`

// TestMain lets the test binary act as the lineage command in a child
// process (LINEAGE_TEST_MAIN=1), for the cases below.
func TestMain(m *testing.M) {
	if os.Getenv("LINEAGE_TEST_MAIN") == "1" {
		code := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		// The peak of this process's own memory: VmHWM of its address
		// space (the rusage maximum would include the parent's, which a
		// fork-and-exec child inherits).
		if p := os.Getenv("LINEAGE_TEST_HWM"); p != "" {
			if st, err := os.ReadFile("/proc/self/status"); err == nil {
				for _, l := range strings.Split(string(st), "\n") {
					if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
						os.WriteFile(p, []byte(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))), 0o644)
					}
				}
			}
		}
		os.Exit(code)
	}
	os.Exit(m.Run())
}

type faultCase struct {
	name  string
	setup func(t *testing.T, dir string) (args []string, stdin []byte) // dir holds good.jsonl
	code  int                                                          // the exit code
	kept  int                                                          // records of the good file (and others) that must be read
	// keptMax, when set, makes kept a minimum: more than kept, at most
	// keptMax records (a cut whose place depends on the compression).
	keptMax int
	check   func(t *testing.T, dir string) // more checks after the run (nil: none)
	want    []string                       // what the output (stdout and stderr) must say
	maxMB   int                            // peak memory bound (0: the default)
}

func write(t *testing.T, p string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(link), 0o755)
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
}

func mkfifo(t *testing.T, p string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("FIFOs unavailable: %v", err)
	}
}

// lattice writes a listing of a lattice of merges: depth levels of two
// models, each merging both of the level above: 2^depth paths from the
// bottom to the top.
func lattice(depth int) []byte {
	var b strings.Builder
	b.WriteString(`{"id":"lat/l0-a"}` + "\n" + `{"id":"lat/l0-b"}` + "\n")
	for i := 1; i <= depth; i++ {
		for _, s := range []string{"a", "b"} {
			fmt.Fprintf(&b, `{"id":"lat/l%d-%s","cardData":{"base_model":["lat/l%d-a","lat/l%d-b"]}}`+"\n", i, s, i-1, i-1)
		}
	}
	return []byte(b.String())
}

var faultCases = []faultCase{
	{name: "empty csv in a directory", setup: func(t *testing.T, dir string) ([]string, []byte) {
		write(t, filepath.Join(dir, "d", "empty.csv"), nil)
		write(t, filepath.Join(dir, "d", "good.jsonl"), []byte(goodListing))
		return []string{"stats", "--json", "--in", filepath.Join(dir, "d")}, nil
	}, code: 0, kept: 3, want: []string{`"skipped_input": 1`}},
	{name: "corrupt gzip header", setup: func(t *testing.T, dir string) ([]string, []byte) {
		p := write(t, filepath.Join(dir, "bad.jsonl.gz"), []byte{0x1f, 0x8b, 9, 9, 9, 9})
		return []string{"stats", "--json", "--in", p, "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 0, kept: 3, want: []string{`"skipped_input": 1`}},
	{name: "gzip with a bad checksum", setup: func(t *testing.T, dir string) ([]string, []byte) {
		z := gz(t, []byte(`{"id":"crc/kept"}`+"\n"))
		z[len(z)-6] ^= 0xff // the CRC-32 trailer
		p := write(t, filepath.Join(dir, "crc.jsonl.gz"), z)
		return []string{"lint", "--max", "0", "--in", p, "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 1, kept: 3, want: []string{"input_fault", "checksum does not match"}},
	{name: "truncated gzip keeps the lines before the cut", setup: func(t *testing.T, dir string) ([]string, []byte) {
		var b strings.Builder
		for i := range 2000 {
			fmt.Fprintf(&b, `{"id":"cut/m-%d","downloads":%d}`+"\n", i, i)
		}
		z := gz(t, []byte(b.String()))
		p := write(t, filepath.Join(dir, "cut.jsonl.gz"), z[:len(z)*2/3])
		return []string{"stats", "--json", "--in", p, "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 0, kept: 3, keptMax: 3 + 1999, want: []string{`"input_fault": 1`}}, // some of the 2,000 lines, not all
	{name: "JSON array nested a million deep", setup: func(t *testing.T, dir string) ([]string, []byte) {
		deep := "[" + strings.Repeat("[", 1_000_000) + strings.Repeat("]", 1_000_000) + "]"
		p := write(t, filepath.Join(dir, "deep.json"), []byte(deep))
		return []string{"stats", "--json", "--in", p, "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 0, kept: 3, want: []string{`"bad_record": 1`}},
	{name: "card that is a dangling link, card that is a link to a directory", setup: func(t *testing.T, dir string) ([]string, []byte) {
		cards := filepath.Join(dir, "cards")
		write(t, filepath.Join(cards, "org", "ok", "README.md"), []byte("---\nbase_model: good/base\n---\n"))
		symlink(t, filepath.Join(dir, "nowhere"), filepath.Join(cards, "org", "dangling", "README.md"))
		os.MkdirAll(filepath.Join(dir, "somedir"), 0o755)
		symlink(t, filepath.Join(dir, "somedir"), filepath.Join(cards, "org", "dirlink", "README.md"))
		return []string{"stats", "--json", "--in", cards, "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 0, kept: 4, want: []string{`"skipped_input": 1`}}, // a README.md that links to a directory is a directory: walked, nothing in it
	{name: "JSON Lines whose first line is garbage or too deep", setup: func(t *testing.T, dir string) ([]string, []byte) {
		p := write(t, filepath.Join(dir, "first.jsonl"), []byte(strings.Repeat("[", 100)+"\n"+"garbage\n"+`{"id":"first/kept"}`+"\n"))
		return []string{"stats", "--json", "--in", p, "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 0, kept: 4, want: []string{`"bad_record": 2`}},
	{name: "JSON array cut off keeps its elements", setup: func(t *testing.T, dir string) ([]string, []byte) {
		p := write(t, filepath.Join(dir, "cut.json"), []byte("[\n"+`{"id":"arr/one"},`+"\n"+`{"id":"arr/two"},`+"\n"+`{"id":"arr/thr`))
		return []string{"stats", "--json", "--in", p, "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 0, kept: 5, want: []string{`"input_fault": 1`}},
	{name: "input that is a symlink to a directory", setup: func(t *testing.T, dir string) ([]string, []byte) {
		write(t, filepath.Join(dir, "real", "more.jsonl"), []byte(`{"id":"linked/one"}`+"\n"))
		symlink(t, filepath.Join(dir, "real"), filepath.Join(dir, "link"))
		return []string{"stats", "--json", "--in", filepath.Join(dir, "link"), "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 0, kept: 4},
	{name: "card linked to /dev/zero and a FIFO in the tree", setup: func(t *testing.T, dir string) ([]string, []byte) {
		cards := filepath.Join(dir, "cards")
		write(t, filepath.Join(cards, "org", "ok", "README.md"), []byte("---\nbase_model: good/base\n---\n"))
		symlink(t, "/dev/zero", filepath.Join(cards, "org", "zero", "README.md"))
		mkfifo(t, filepath.Join(cards, "org", "fifo", "README.md"))
		mkfifo(t, filepath.Join(cards, "data.jsonl"))
		return []string{"stats", "--json", "--in", cards, "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 0, kept: 4, want: []string{`"skipped_input": 3`}},
	{name: "card of 256 MiB is read up to its limit", setup: func(t *testing.T, dir string) ([]string, []byte) {
		p := write(t, filepath.Join(dir, "cards", "big", "card", "README.md"), []byte("---\nbase_model: good/base\n---\n"+strings.Repeat("Text of the card.\n", 64)))
		if err := os.Truncate(p, 256<<20); err != nil { // sparse: no disk used
			t.Fatal(err)
		}
		return []string{"stats", "--json", "--in", filepath.Join(dir, "cards"), "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 0, kept: 4},
	{name: "a million blank lines in a gzipped listing", setup: func(t *testing.T, dir string) ([]string, []byte) {
		p := write(t, filepath.Join(dir, "blank.jsonl.gz"), gz(t, []byte(strings.Repeat("\n", 1_000_000)+`{"id":"blank/after"}`+"\n"+strings.Repeat("\r\n", 1_000_000)+`{"id":"blank/last","createdAt":"x"}`+"\n")))
		return []string{"lint", "--max", "0", "--in", p, "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 1, kept: 5, want: []string{"blank.jsonl.gz:2000002"}},
	{name: "CR-only line ends", setup: func(t *testing.T, dir string) ([]string, []byte) {
		p := write(t, filepath.Join(dir, "cr.jsonl"), []byte(`{"id":"cr/one"}`+"\r"+`{"id":"cr/two","cardData":{"base_model":"cr/one"}}`+"\r"))
		return []string{"stats", "--json", "--in", p, "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 0, kept: 5},
	{name: "content after a JSON array", setup: func(t *testing.T, dir string) ([]string, []byte) {
		p := write(t, filepath.Join(dir, "two.json"), []byte(`[{"id":"arr/a"}]`+"\n"+`[{"id":"arr/b"}]`+"\n"+`{"id":"arr/c"}`+"\n"))
		return []string{"lint", "--max", "0", "--in", p, "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 1, kept: 6, want: []string{"content after the closing ]", "two.json:2:1"}},
	{name: "symlink loops in a tree", setup: func(t *testing.T, dir string) ([]string, []byte) {
		tree := filepath.Join(dir, "tree")
		write(t, filepath.Join(tree, "sub", "x.jsonl"), []byte(`{"id":"tree/one"}`+"\n"))
		symlink(t, tree, filepath.Join(tree, "sub", "up"))               // to an ancestor
		symlink(t, filepath.Join(tree, "l2"), filepath.Join(tree, "l1")) // a loop of links
		symlink(t, filepath.Join(tree, "l1"), filepath.Join(tree, "l2"))
		return []string{"stats", "--json", "--in", tree, "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 0, kept: 4, want: []string{`"skipped_input": 2`}},
	{name: "Hugging Face cache layout", setup: func(t *testing.T, dir string) ([]string, []byte) {
		hub := filepath.Join(dir, "hub")
		m := filepath.Join(hub, "models--org--cached-model")
		blob := write(t, filepath.Join(m, "blobs", "abc123"), []byte("---\nbase_model: good/tune\n---\n"))
		old := write(t, filepath.Join(m, "blobs", "old456"), []byte("---\nbase_model: good/base\n---\n"))
		symlink(t, blob, filepath.Join(m, "snapshots", "rev2", "README.md"))
		symlink(t, old, filepath.Join(m, "snapshots", "rev1", "README.md"))
		write(t, filepath.Join(m, "refs", "main"), []byte("rev2"))
		write(t, filepath.Join(m, "snapshots", "rev2", "config.json"), []byte(`{"_name_or_path":"x"}`))
		write(t, filepath.Join(hub, "datasets--org--data", "snapshots", "r", "README.md"), []byte("---\nbase_model: nope/nope\n---\n"))
		return []string{"ancestors", "--json", "org/cached-model", "--in", hub, "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 0, kept: -1, want: []string{`"id": "good/tune"`}},
	{name: "standard input as a listing", setup: func(t *testing.T, dir string) ([]string, []byte) {
		return []string{"stats", "--json", "--in", "-", "--in", filepath.Join(dir, "good.jsonl")}, []byte(`{"id":"stdin/one"}` + "\n")
	}, code: 0, kept: 4},
	{name: "a lattice of merges with 2^60 paths", setup: func(t *testing.T, dir string) ([]string, []byte) {
		p := write(t, filepath.Join(dir, "lattice.jsonl"), lattice(60))
		return []string{"ancestors", "lat/l60-a", "--paths", "--max-paths", "5", "--in", p}, nil
	}, code: 0, kept: -1, want: []string{"1152921504606846976 paths to the foundations; 5 shown"}},
	{name: "--max-paths 0 is a usage error", setup: func(t *testing.T, dir string) ([]string, []byte) {
		return []string{"ancestors", "good/quant-GGUF", "--paths", "--max-paths", "0", "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 2, kept: -1, want: []string{"--max-paths must be a positive number"}},
	{name: "duplicate YAML keys keep the last value", setup: func(t *testing.T, dir string) ([]string, []byte) {
		write(t, filepath.Join(dir, "cards", "org", "dup", "README.md"), []byte("---\nbase_model: good/base\nlicense: mit\nbase_model: good/tune\n---\n"))
		return []string{"ancestors", "--json", "org/dup", "--in", filepath.Join(dir, "cards"), "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 0, kept: -1, want: []string{`"id": "good/tune"`, `"depth": 1`}},
	{name: "--index given a FIFO", setup: func(t *testing.T, dir string) ([]string, []byte) {
		mkfifo(t, filepath.Join(dir, "index.fifo"))
		return []string{"rank", "--index", filepath.Join(dir, "index.fifo")}, nil
	}, code: 2, kept: -1, want: []string{"an index must be a regular file"}},
	{name: "-o through a symlink, and not over a device", setup: func(t *testing.T, dir string) ([]string, []byte) {
		symlink(t, filepath.Join(dir, "target.jsonl"), filepath.Join(dir, "out.jsonl"))
		return []string{"export", "--format", "listing", "-o", filepath.Join(dir, "out.jsonl"), "--in", filepath.Join(dir, "good.jsonl")}, nil
	}, code: 0, kept: -1, check: func(t *testing.T, dir string) {
		if st, err := os.Lstat(filepath.Join(dir, "out.jsonl")); err != nil || st.Mode()&os.ModeSymlink == 0 {
			t.Errorf("-o replaced the symbolic link: %v", err)
		}
		if b, err := os.ReadFile(filepath.Join(dir, "target.jsonl")); err != nil || !strings.Contains(string(b), "good/quant-GGUF") {
			t.Errorf("the link's target holds %q, %v; want the listing", b, err)
		}
		// And never over a device, even as root.
		args := []string{"export", "--format", "listing", "-o", os.DevNull, "--in", filepath.Join(dir, "good.jsonl")}
		if _, errOut, code := runCmd(t, args...); code != exitFailure || !strings.Contains(errOut, "refusing to replace it") {
			t.Errorf("lineage %s: exit %d, %s; want a refusal", strings.Join(args, " "), code, errOut)
		}
		if st, err := os.Stat(os.DevNull); err != nil || st.Mode()&os.ModeDevice == 0 {
			t.Fatalf("%s is no longer a device", os.DevNull)
		}
	}},
	{name: "nothing readable at all", setup: func(t *testing.T, dir string) ([]string, []byte) {
		p := write(t, filepath.Join(dir, "empty.csv"), nil)
		return []string{"stats", "--in", p}, nil
	}, code: 1, kept: -1, want: []string{"no input could be read", "the file is empty"}},
}

// TestFileFaults runs each case in a child process with a deadline, and
// logs the table of what it did (go test -v -run TestFileFaults shows it).
func TestFileFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("child processes skipped in -short mode")
	}
	t.Logf("%-58s %4s %8s %7s  %s", "case", "exit", "records", "peakMiB", "reported")
	for _, c := range faultCases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "good.jsonl"), []byte(goodListing))
			args, stdin := c.setup(t, dir)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], args...)
			hwm := filepath.Join(dir, "hwm")
			cmd.Env = append(os.Environ(), "LINEAGE_TEST_MAIN=1", "LINEAGE_TEST_HWM="+hwm)
			cmd.Stdin = bytes.NewReader(stdin)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			if ctx.Err() != nil {
				t.Fatalf("lineage %s hangs (killed after 60 s)", strings.Join(args, " "))
			}
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			peak := 0
			if b, err := os.ReadFile(hwm); err == nil {
				kb, _ := strconv.Atoi(string(b))
				peak = kb / 1024
			} else if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
				peak = int(ru.Maxrss / 1024) // an upper bound (see TestMain)
			}
			all := out.String() + errb.String()
			if code != c.code {
				t.Fatalf("lineage %s: exit %d, want %d\n%s", strings.Join(args, " "), code, c.code, all)
			}
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("lineage %s: output lacks %q:\n%s", strings.Join(args, " "), w, all)
				}
			}
			records := -1
			if c.kept >= 0 {
				var st struct {
					Records int `json:"records"`
				}
				if err := json.Unmarshal(out.Bytes(), &st); err != nil && !strings.HasPrefix(args[0], "lint") {
					t.Fatalf("stats output: %v\n%s", err, all)
				}
				records = st.Records
				if args[0] == "stats" && c.keptMax > 0 && (records < c.kept+1 || records > c.keptMax) {
					t.Errorf("lineage %s: %d records read, want more than %d and at most %d", strings.Join(args, " "), records, c.kept, c.keptMax)
				} else if args[0] == "stats" && c.keptMax == 0 && records != c.kept {
					t.Errorf("lineage %s: %d records read, want %d (the good ones and the readable part)", strings.Join(args, " "), records, c.kept)
				}
			}
			if c.check != nil {
				c.check(t, dir)
			}
			maxMB := c.maxMB
			if maxMB == 0 {
				maxMB = 64 // the test binary itself is about 20 MiB
			}
			if peak > maxMB {
				t.Errorf("lineage %s: peak memory %d MiB, over the %d MiB bound", strings.Join(args, " "), peak, maxMB)
			}
			t.Logf("%-58s %4d %8d %7d  %s", c.name, code, records, peak, summarize(all))
		})
	}
}

// summarize picks the problem kinds or the error a run printed, for the log.
func summarize(out string) string {
	var kinds []string
	for _, k := range []string{"skipped_input", "input_fault", "bad_record", "duplicate_key", "no input could be read", "must be a regular file", "must be a positive number"} {
		if strings.Contains(out, k) {
			kinds = append(kinds, k)
		}
	}
	return strings.Join(kinds, ", ")
}
