package ingest

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lineage-project/lineage/lineage/safefile"
)

// readPath reads one input as the user named it: "-" (standard input), a
// file, or a directory. A symbolic link is followed. A file named
// explicitly is read even when it is not a regular file (a pipe from a
// shell's process substitution is a common one); special files found in a
// directory are not.
func (r *reader) readPath(p string) {
	if p == "-" {
		if r.opt.Stdin == nil {
			r.skip("-", "standard input was named as an input, but none is available")
			return
		}
		r.readSource(ReaderSource("stdin", r.opt.Stdin), true)
		return
	}
	st, err := os.Stat(p)
	if err != nil {
		r.skip(p, statReason(p, err))
		return
	}
	if st.IsDir() {
		r.walk(p)
		return
	}
	if formatOf(p) == formatCard {
		id := cardIDFromPath(filepath.Dir(p))
		r.readCards([]cardFile{{path: p, id: id, size: st.Size(), regular: st.Mode().IsRegular()}})
		return
	}
	r.readSource(FileSource(p), true)
}

// statReason says why a path cannot be read, in words a user can act on.
func statReason(p string, err error) string {
	if lst, lerr := os.Lstat(p); lerr == nil && lst.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(p)
		return "symbolic link to " + target + " that cannot be followed: " + err.Error()
	}
	return err.Error()
}

// cardFile is a model card found in a walk.
type cardFile struct {
	path    string
	id      string
	size    int64
	regular bool
}

// walk reads a directory tree: model cards first (in path order, parsed in
// parallel), then data files in path order. Symbolic links are followed,
// to files and to directories, and each directory is read once (so a link
// to an ancestor is no loop). Directories whose names start with "." are
// not entered (except the root). A Hugging Face cache's model folder
// (models--ORG--NAME) gives its id and the README.md of its newest
// snapshot. Special files (FIFOs, devices, sockets) with names of inputs
// are reported and never opened.
func (r *reader) walk(root string) {
	var cards []cardFile
	var data []string
	seen := map[any]bool{}
	var visit func(dir, rel string)
	visit = func(dir, rel string) {
		if r.ctx.Err() != nil {
			return
		}
		if st, err := os.Stat(dir); err == nil {
			k := dirKey(dir, st)
			if seen[k] {
				return // reached again through a link: read once
			}
			seen[k] = true
		}
		if c, ok := r.hfCacheCard(dir); ok {
			cards = append(cards, c)
			return
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			r.skip(dir, "cannot read directory: "+err.Error())
			return
		}
		for _, e := range entries { // sorted by name
			p := filepath.Join(dir, e.Name())
			crel := filepath.Join(rel, e.Name())
			mode := e.Type()
			if mode&fs.ModeSymlink != 0 {
				st, err := os.Stat(p)
				if err != nil {
					if isInputName(e.Name()) || mayHoldInputs(e.Name()) {
						r.skip(p, statReason(p, err))
					}
					continue
				}
				mode = st.Mode().Type()
			}
			switch {
			case mode.IsDir():
				if strings.HasPrefix(e.Name(), ".") || isOtherHFRepo(e.Name()) {
					continue
				}
				visit(p, crel)
			case !mode.IsRegular():
				if isInputName(e.Name()) {
					r.skip(p, "not a regular file ("+safefile.Describe(mode)+"); not opened")
				}
			case formatOf(e.Name()) == formatCard:
				if rel == "" {
					continue // a README.md at the root names no model
				}
				st, err := os.Stat(p)
				if err != nil {
					r.skip(p, err.Error())
					continue
				}
				cards = append(cards, cardFile{path: p, id: cardIDFromPath(rel), size: st.Size(), regular: true})
			case formatOf(e.Name()) != formatUnknown:
				data = append(data, p)
			}
		}
	}
	visit(root, "")
	r.readCards(cards)
	for _, p := range data {
		if r.ctx.Err() != nil {
			return
		}
		r.readSource(FileSource(p), false)
	}
}

// isInputName reports whether a file of this name would be read.
func isInputName(name string) bool { return formatOf(name) != formatUnknown }

// mayHoldInputs reports whether a dangling link of this name may have led
// to a directory of inputs (one without an extension).
func mayHoldInputs(name string) bool { return !strings.Contains(name, ".") }

// cardIDFromPath turns a card folder into a model id: the last two path
// segments (ORG/NAME) or one for a legacy id. Hub ids have at most two.
func cardIDFromPath(dir string) string {
	dir = filepath.ToSlash(filepath.Clean(dir))
	parts := strings.Split(strings.Trim(dir, "/"), "/")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return strings.Join(parts, "/")
}

// isOtherHFRepo reports whether a directory is a Hugging Face cache folder
// of a dataset or a Space (not a model: no card of a model there).
func isOtherHFRepo(name string) bool {
	return strings.HasPrefix(name, "datasets--") || strings.HasPrefix(name, "spaces--")
}

// hfCacheCard reads dir as a Hugging Face cache model folder
// (models--ORG--NAME, with snapshots/REVISION/README.md links into blobs/):
// the id comes from the folder's name, and the card from the snapshot
// refs/main names, else the newest snapshot that has one. ok is false when
// dir is not such a folder.
func (r *reader) hfCacheCard(dir string) (c cardFile, ok bool) {
	name := filepath.Base(dir)
	rest, found := strings.CutPrefix(name, "models--")
	if !found {
		return c, false
	}
	snaps := filepath.Join(dir, "snapshots")
	entries, err := os.ReadDir(snaps)
	if err != nil {
		return c, false
	}
	id := strings.Replace(rest, "--", "/", 1) // ids never hold "--"
	type snap struct {
		path string
		main bool
		mod  time.Time
	}
	var list []snap
	main, _ := os.ReadFile(filepath.Join(dir, "refs", "main"))
	for _, e := range entries {
		p := filepath.Join(snaps, e.Name())
		st, err := os.Stat(p)
		if err != nil || !st.IsDir() {
			continue
		}
		list = append(list, snap{p, e.Name() == strings.TrimSpace(string(main)), st.ModTime()})
	}
	slices.SortStableFunc(list, func(a, b snap) int {
		switch {
		case a.main != b.main:
			if a.main {
				return -1
			}
			return 1
		case !a.mod.Equal(b.mod):
			return b.mod.Compare(a.mod) // newest first
		}
		return strings.Compare(a.path, b.path)
	})
	for _, s := range list {
		p := filepath.Join(s.path, "README.md")
		st, err := os.Stat(p) // follows the link into blobs/
		if err != nil {
			continue
		}
		if !st.Mode().IsRegular() {
			r.skip(p, "not a regular file ("+safefile.Describe(st.Mode().Type())+"); not opened")
			return c, true
		}
		return cardFile{path: p, id: id, size: st.Size(), regular: true}, true
	}
	// A cached model without a card still names a model that exists.
	return cardFile{id: id}, true
}
