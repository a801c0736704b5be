package synth_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lineage-project/lineage/lineage/synth"
)

// A small listing with the true parents of its undeclared derivatives.
func ExampleGenerate() {
	var listing, truth bytes.Buffer
	st, err := synth.Generate(&listing, synth.Options{Models: 2000, Seed: 1, Truth: &truth})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.Count(listing.String(), "\n"), "records;", st.WithParents, "declare parents;", st.Undeclared, "do not")
	fmt.Print(strings.SplitAfterN(truth.String(), "\n", 3)[0])
	// Output:
	// 2000 records; 573 declare parents; 184 do not
	// parent,child,relation
}

// WriteFile picks the format by the name: JSON Lines, gzip-compressed JSON
// Lines, or a hub-stats models.parquet.
func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "synth")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	for _, name := range []string{"hub.jsonl.gz", "hub.parquet"} {
		st, err := synth.WriteFile(filepath.Join(dir, name), synth.Options{Models: 1000, Seed: 2, Undeclared: -1})
		fmt.Println(name, st.Models, st.Undeclared, err)
	}
	// Output:
	// hub.jsonl.gz 1000 0 <nil>
	// hub.parquet 1000 0 <nil>
}
