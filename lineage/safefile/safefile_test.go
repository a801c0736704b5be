package safefile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteNewAndReplace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.txt")
	if err := Write(p, writeString("one")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); read(t, p) != "one" || st.Mode().Perm() != 0o644 {
		t.Fatalf("new file %q mode %v", read(t, p), st.Mode())
	}
	os.Chmod(p, 0o600)
	if err := Write(p, writeString("two")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); read(t, p) != "two" || st.Mode().Perm() != 0o600 {
		t.Fatalf("replaced file %q mode %v, want two 0600 (kept)", read(t, p), st.Mode())
	}
	// A failing writer leaves the file as it was and no temporary behind.
	boom := errors.New("boom")
	if err := Write(p, func(w io.Writer) error { io.WriteString(w, "partial"); return boom }); !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want boom", err)
	}
	if read(t, p) != "two" {
		t.Fatalf("after a failed write the file holds %q", read(t, p))
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Fatalf("directory holds %d entries after a failed write, want 1 (no temporary left)", len(es))
	}
}

func TestWriteThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "sub", "real.txt")
	os.MkdirAll(filepath.Dir(real), 0o755)
	os.WriteFile(real, []byte("old"), 0o644)
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink(filepath.Join("sub", "real.txt"), link); err != nil {
		t.Skip(err)
	}
	chain := filepath.Join(dir, "chain.txt")
	os.Symlink("link.txt", chain)
	if err := Write(chain, writeString("new")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced by a file")
	}
	if st, _ := os.Lstat(chain); st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link chain was replaced by a file")
	}
	if read(t, real) != "new" {
		t.Fatalf("target holds %q, want new", read(t, real))
	}
	// A dangling link is written through: its target is created.
	dangling := filepath.Join(dir, "dangling")
	os.Symlink("created.txt", dangling)
	if err := Write(dangling, writeString("x")); err != nil || read(t, filepath.Join(dir, "created.txt")) != "x" {
		t.Fatalf("Write(dangling link) = %v", err)
	}
	// A loop of links is an error, not a hang.
	os.Symlink("loop2", filepath.Join(dir, "loop1"))
	os.Symlink("loop1", filepath.Join(dir, "loop2"))
	if err := Write(filepath.Join(dir, "loop1"), writeString("x")); err == nil {
		t.Fatalf("Write(link loop) succeeded")
	}
}

func TestWriteRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	for _, p := range []string{fifo, dir, os.DevNull} {
		if err := Write(p, writeString("x")); !errors.Is(err, ErrNotRegular) {
			t.Errorf("Write(%s) = %v, want ErrNotRegular", p, err)
		}
	}
	if st, _ := os.Lstat(fifo); st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced")
	}
	if st, err := os.Stat(os.DevNull); err != nil || st.Mode()&os.ModeDevice == 0 {
		t.Errorf("%s is no longer a device", os.DevNull)
	}
	// Through a link to a device, the same.
	link := filepath.Join(dir, "null")
	os.Symlink(os.DevNull, link)
	if err := Write(link, writeString("x")); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Write(link to %s) = %v, want ErrNotRegular", os.DevNull, err)
	}
}
