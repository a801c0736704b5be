package lineage

import (
	"strings"
	"testing"
)

func TestFormatOf(t *testing.T) {
	// Every name a marker prints is itself recognised as that marker.
	for i := 0; i < numFormats; i++ {
		f := Formats(1 << i)
		if got := FormatOf(formatNames[i]); got != f {
			t.Errorf("FormatOf(%q) = %v, want %v", formatNames[i], got, f)
		}
		if got := FormatOf(strings.ToUpper(formatNames[i])); got != f {
			t.Errorf("FormatOf(%q) = %v, want %v", strings.ToUpper(formatNames[i]), got, f)
		}
	}
	for _, tag := range []string{"", "gguf-my-repo", "text-generation", "base_model:adapter:x/y", "llama", "ggufs", strings.Repeat("a", 40)} {
		if got := FormatOf(tag); got != 0 {
			t.Errorf("FormatOf(%q) = %v, want none", tag, got)
		}
	}
	f := FormatOf("GGUF") | FormatOf("peft")
	if !f.Has(FormatGGUF) || !f.Has(FormatPEFT) || f.Has(FormatAWQ) || f.String() != "gguf,peft" {
		t.Errorf("set = %v", f)
	}
}
