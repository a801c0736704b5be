package hub

import (
	"context"
	"net/http"
	"testing"

	"github.com/lineage-project/lineage/lineage/hubapi"
)

// FuzzParseRateLimit: no header panics the parser, and what it accepts is
// in range.
func FuzzParseRateLimit(f *testing.F) {
	f.Add(`"api";r=0;t=55`, `"fixed window";"api";q=500;w=300`)
	f.Add(`"resolvers";r=10;t=3, "api";r=1;t=2`, ``)
	f.Add(`;;=;r=;t=`, `q=-1;w=x`)
	f.Fuzz(func(t *testing.T, rl, policy string) {
		h := http.Header{"Ratelimit": {rl}, "Ratelimit-Policy": {policy}}
		got, ok := parseRateLimit(h)
		if ok && (got.Remaining < 0 || got.Reset < 0 || got.Quota < 0 || got.Window < 0) {
			t.Fatalf("parseRateLimit(%q, %q) = %+v", rl, policy, got)
		}
	})
}

// FuzzParseContentRange: an accepted range is ordered and within the size.
func FuzzParseContentRange(f *testing.F) {
	for _, s := range []string{"bytes 0-99/200", "bytes */200", "bytes 5-4/10", "bytes 0-0/*", "bytes -1--2/3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		start, end, total, ok := parseContentRange(s)
		if !ok {
			return
		}
		if start == -1 && end == -1 {
			if total < 0 {
				t.Fatalf("%q: */%d", s, total)
			}
			return
		}
		if start < 0 || end < start || total >= 0 && end >= total {
			t.Fatalf("parseContentRange(%q) = %d-%d/%d", s, start, end, total)
		}
	})
}

// fileMap is a FileAPI over files in memory.
type fileMap map[string][]byte

func (m fileMap) Files(context.Context, string) ([]string, error) {
	var out []string
	for p := range m {
		out = append(out, p)
	}
	return out, nil
}

func (m fileMap) ReadRange(_ context.Context, _, path string, off, n int64) ([]byte, int64, error) {
	b := m[path]
	if off >= int64(len(b)) {
		return nil, int64(len(b)), nil
	}
	return b[off:min(int64(len(b)), off+n)], int64(len(b)), nil
}

// FuzzMergekitConfig: no configuration panics the reader; every fact it
// records is a mergekit key with a non-empty value.
func FuzzMergekitConfig(f *testing.F) {
	f.Add("base_model: a/b\nmodels:\n  - model: c/d\n  - e/f\nslices:\n  - sources:\n      - model: {model: g/h}\n")
	f.Add("experts:\n  - source_model: x/y\n")
	f.Add("a: &x [*x]\nmodels: *x\n")
	f.Add("- list")
	f.Fuzz(func(t *testing.T, yml string) {
		r := &evidenceReader{fa: fileMap{fileMergekit: []byte(yml)}, id: "t/t"}
		r.run(context.Background())
		for _, ff := range r.facts {
			if ff.Value == "" || ff.File != fileMergekit || (ff.Key != hubapi.KeyMergeModel && ff.Key != hubapi.KeyMergeBase) {
				t.Fatalf("fact %+v from %q", ff, yml)
			}
		}
	})
}
