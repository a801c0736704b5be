package synth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.txt from the current output")

// TestGolden holds the output to fixed hashes: a change to the bytes of any
// listing must be deliberate (and rewritten with -update). The hashes the
// commit that moved the generator into this package first held were
// computed with cmd/hubsynth at ebe0c65, before the move, and proved it
// kept every byte; the listing's shape has changed on purpose since.
func TestGolden(t *testing.T) {
	path := filepath.Join("testdata", "golden.txt")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			out.WriteString(line + "\n")
			continue
		}
		var models int
		var seed uint64
		var want string
		if _, err := fmt.Sscan(line, &models, &seed, &want); err != nil {
			t.Fatalf("%s: %q: %v", path, line, err)
		}
		var buf bytes.Buffer
		if _, err := Generate(&buf, Options{Models: models, Seed: seed}); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(buf.Bytes())
		got := hex.EncodeToString(sum[:])
		if got != want && !*update {
			t.Errorf("Generate(models=%d, seed=%d): sha256 %s, want %s (rerun with -update if the change is meant)", models, seed, got, want)
		}
		fmt.Fprintf(&out, "%d %d %s\n", models, seed, got)
	}
	if *update {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
