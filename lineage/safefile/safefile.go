// Package safefile writes a file so that a reader never sees it half
// written and nothing but the named file is touched: the content goes to a
// temporary file beside the target, is synced, and is renamed over it, and
// the directory is synced. A path that is a symbolic link is written
// through to the file it points at (the link stays a link); a path that is
// an existing non-regular file (a device, a FIFO, a socket, a directory) is
// refused rather than replaced. Every writer of lineage (the index, command
// outputs, the Hub client's cache and downloads) goes through it.
//
// It does not handle "-" for standard output: that is the command's
// business (package safefile never touches os.Stdout).
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNotRegular marks a target that exists and is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// maxLinks bounds how many symbolic links Target follows.
const maxLinks = 40

// Target returns the path a write to path lands on: path itself, or, when
// it is a symbolic link (or a chain of them), the file it finally points
// at, which need not exist yet. It fails when path names an existing
// non-regular file, or the links loop.
func Target(path string) (string, error) {
	p := path
	for range maxLinks {
		st, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, nil
		}
		if err != nil {
			return "", err
		}
		switch m := st.Mode(); {
		case m&fs.ModeSymlink != 0:
			dest, err := os.Readlink(p)
			if err != nil {
				return "", err
			}
			if !filepath.IsAbs(dest) {
				dest = filepath.Join(filepath.Dir(p), dest)
			}
			p = dest
		case m.IsRegular():
			return p, nil
		default:
			return "", fmt.Errorf("%s is %s, %w: refusing to replace it (name a regular file, or - for standard output)", path, Describe(m), ErrNotRegular)
		}
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}

// Describe names what kind of file a mode is, for messages: "a directory",
// "a named pipe", "a socket", "a character device", "a device", "a
// regular file", or "a special file".
func Describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsRegular():
		return "a regular file"
	}
	return "a special file"
}

// Write writes path with what write produces (see the package doc). On any
// error, from write or from the file system, the target is left as it was
// and the temporary file removed. A new file is created -rw-r--r--; an
// existing one keeps its permissions.
func Write(path string, write func(io.Writer) error) (err error) {
	target, err := Target(path)
	if err != nil {
		return err
	}
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(target); err == nil {
		mode = st.Mode().Perm()
	}
	dir := filepath.Dir(target)
	f, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	// A temporary file is private (0600); the result is a file like any
	// other the user writes.
	if err = f.Chmod(mode); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, target); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // the rename itself durable; not every file system allows it
		d.Close()
	}
	return nil
}
