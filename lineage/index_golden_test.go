package lineage

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// committedIndex is a small index written by this package and committed,
// so that a change of the format (the layout, the section order, the
// name-table hash) that does not bump IndexVersion fails here: the file is
// loaded and must answer exactly as the store it was written from.
var update = flag.Bool("update", false, "rewrite golden files (the committed index)")

var committedIndex = filepath.Join("testdata", fmt.Sprintf("index-v%d.lidx", IndexVersion))

// goldenIndexStore is the fixture listing plus models with format markers
// and hints, so that every section of the format is pinned.
func goldenIndexStore(t *testing.T) *Store {
	b := NewBuilder(BuilderOptions{})
	b.AddSource("fixture.jsonl")
	readPlain(t, memSrc{"fixture.jsonl", []byte(indexFixture)}, b)
	b.Emit([]Record{
		{ID: "quant/Base-GGUF", Kind: KindListing, Source: "hints.jsonl", Line: 1, Downloads: 7, DownloadsAllTime: -1, Likes: -1, Formats: FormatGGUF | FormatQuantized,
			Hints: []Hint{{Kind: HintFile, Source: "base.Q4_K_M.gguf", Key: HintGGUFBaseRepo, Value: "https://huggingface.co/Org/Base"}}},
		{ID: "merge/m", Kind: KindCard, Source: "merge/m/README.md", Line: 1, Downloads: -1, DownloadsAllTime: -1, Likes: -1, Formats: FormatMerge,
			Hints: []Hint{{Kind: HintCard, Source: "merge/m/README.md", Key: HintMergeModel, Value: "Org/Base"}, {Kind: HintCard, Source: "merge/m/README.md", Key: HintMergeModel, Value: "quant/Base-GGUF"}}},
	}, nil)
	return b.Finish()
}

func TestCommittedIndex(t *testing.T) {
	want := goldenIndexStore(t)
	if *update {
		if err := want.WriteIndex(committedIndex); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(committedIndex); err != nil {
		t.Fatalf("%v: the committed index of this format version is missing (go test ./lineage -run TestCommittedIndex -update writes it; commit it with the version bump)", err)
	}
	got, err := LoadIndex(committedIndex)
	if err != nil {
		t.Fatalf("LoadIndex(%s): %v", committedIndex, err)
	}
	defer got.Close()
	compareStores(t, want, got)
}
