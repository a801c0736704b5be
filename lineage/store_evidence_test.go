package lineage

import (
	"path/filepath"
	"reflect"
	"testing"
)

// TestStoreFormatsAndHints: a model's formats merge its card and listing
// (a later record of the same kind replacing the earlier), its hints are
// those of its latest card and latest listing, and both survive an index.
func TestStoreFormatsAndHints(t *testing.T) {
	card := func(id string, f Formats, hs ...Hint) Record {
		return Record{ID: id, Kind: KindCard, Source: id + "/README.md", Line: 1, Downloads: -1, DownloadsAllTime: -1, Likes: -1, Formats: f, Hints: hs}
	}
	listing := func(id string, f Formats, hs ...Hint) Record {
		return Record{ID: id, Kind: KindListing, Source: "l.jsonl", Line: 1, Downloads: -1, DownloadsAllTime: -1, Likes: -1, Formats: f, Hints: hs}
	}
	merge := Hint{Kind: HintCard, Source: "README.md", Key: HintMergeModel, Value: "org/a"}
	link := Hint{Kind: HintCard, Source: "README.md", Key: HintLinkFrom, Value: "https://huggingface.co/org/b"}
	gguf := Hint{Kind: HintFile, Source: "m.Q4_K_M.gguf", Key: HintGGUFBaseRepo, Value: "https://huggingface.co/org/c"}
	b := NewBuilder(BuilderOptions{})
	b.Emit([]Record{
		card("org/x", FormatMerge, merge),
		listing("org/x", FormatGGUF, gguf),
		card("org/x", FormatLoRA, link), // a later card: its hints and formats replace the card's
		listing("org/y", FormatAWQ),
		card("org/z", 0),
	}, nil)
	s := b.Finish()
	x, y, z := mustLookup(t, s, "org/x"), mustLookup(t, s, "org/y"), mustLookup(t, s, "org/z")
	// Formats: the later card replaces the first record's markers
	// wholesale (later wins), then nothing more of the listing is merged
	// back, so only the last card's marker remains.
	if got := s.Formats(x); got != FormatLoRA {
		t.Errorf("Formats(org/x) = %v, want lora", got)
	}
	if got, want := s.Hints(x), []Hint{gguf, link}; !reflect.DeepEqual(got, want) {
		t.Errorf("Hints(org/x) = %v, want %v", got, want)
	}
	if s.Formats(y) != FormatAWQ || s.Hints(y) != nil || s.HasHints(y) || s.HasHints(z) || !s.HasHints(x) {
		t.Errorf("org/y formats %v hints %v; HasHints x,y,z = %v %v %v", s.Formats(y), s.Hints(y), s.HasHints(x), s.HasHints(y), s.HasHints(z))
	}
	p := filepath.Join(t.TempDir(), "e.lidx")
	if err := s.WriteIndex(p); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadIndex(p)
	if err != nil {
		t.Fatal(err)
	}
	compareStores(t, s, loaded)
	// Graph-only: neither is kept.
	g := NewBuilder(BuilderOptions{GraphOnly: true})
	g.Emit([]Record{card("org/x", FormatMerge, merge)}, nil)
	gs := g.Finish()
	if v := mustLookup(t, gs, "org/x"); gs.Formats(v) != 0 || gs.Hints(v) != nil {
		t.Errorf("graph-only store keeps formats %v hints %v", gs.Formats(v), gs.Hints(v))
	}
}

func TestHintsEncoding(t *testing.T) {
	hs := []Hint{{HintCard, "README.md", HintMergeBase, "org/a"}, {HintFile, "", "", ""}, {HintFile, "x.gguf", HintGGUFBasename, string(make([]byte, 300))}}
	b := encodeHints(nil, hs)
	if got := decodeHints(b); !reflect.DeepEqual(got, hs) || !validHints(b) {
		t.Fatalf("decodeHints(encodeHints(%v)) = %v (valid %v)", hs, got, validHints(b))
	}
	for cut := 1; cut < len(b); cut++ {
		if validHints(b[:cut]) {
			// A cut that ends on a hint boundary is a valid shorter list.
			if got := decodeHints(b[:cut]); len(got) == 0 || !reflect.DeepEqual(got, hs[:len(got)]) {
				t.Fatalf("cut at %d: valid but decodes to %v", cut, got)
			}
		}
	}
	if validHints([]byte{9, 0, 0, 0}) {
		t.Errorf("a hint of unknown kind is valid")
	}
}
