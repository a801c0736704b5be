package hub

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

// The fixtures are written byte by byte after the GGUF specification
// (ggml docs/gguf.md, "File Structure"): the magic "GGUF", a uint32
// version, a uint64 tensor count, a uint64 metadata count, then per pair a
// gguf_string key (uint64 length + bytes), a uint32 value type and the
// value; arrays are a uint32 element type, a uint64 count and the
// elements. All little-endian.

// gv is a value for the fixture writer: its type number and Go value; an
// array holds its element type and elements.
type gv struct {
	typ uint32
	val any
}

type garr struct {
	elem  uint32
	items []gv
}

type gkv struct {
	key string
	v   gv
}

func gStr(s string) gv { return gv{8, s} }
func gU32(n uint32) gv { return gv{4, n} }
func gU64(n uint64) gv { return gv{10, n} }
func gBool(b bool) gv  { return gv{7, b} }
func gStrs(s ...string) gv {
	a := garr{elem: 8}
	for _, x := range s {
		a.items = append(a.items, gStr(x))
	}
	return gv{9, a}
}

// ggufFixture writes a GGUF header (no tensor infos) with the given pairs.
func ggufFixture(version uint32, tensors uint64, kvs ...gkv) []byte {
	var b bytes.Buffer
	b.WriteString("GGUF")
	le := binary.LittleEndian
	b.Write(le.AppendUint32(nil, version))
	b.Write(le.AppendUint64(nil, tensors))
	b.Write(le.AppendUint64(nil, uint64(len(kvs))))
	for _, kv := range kvs {
		writeGStr(&b, kv.key)
		b.Write(le.AppendUint32(nil, kv.v.typ))
		writeGVal(&b, kv.v)
	}
	return b.Bytes()
}

func writeGStr(b *bytes.Buffer, s string) {
	b.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(s))))
	b.WriteString(s)
}

func writeGVal(b *bytes.Buffer, v gv) {
	le := binary.LittleEndian
	switch x := v.val.(type) {
	case uint8:
		b.WriteByte(x)
	case int8:
		b.WriteByte(byte(x))
	case uint16:
		b.Write(le.AppendUint16(nil, x))
	case int16:
		b.Write(le.AppendUint16(nil, uint16(x)))
	case uint32:
		b.Write(le.AppendUint32(nil, x))
	case int32:
		b.Write(le.AppendUint32(nil, uint32(x)))
	case float32:
		b.Write(le.AppendUint32(nil, math.Float32bits(x)))
	case bool:
		if x {
			b.WriteByte(1)
		} else {
			b.WriteByte(0)
		}
	case string:
		writeGStr(b, x)
	case uint64:
		b.Write(le.AppendUint64(nil, x))
	case int64:
		b.Write(le.AppendUint64(nil, uint64(x)))
	case float64:
		b.Write(le.AppendUint64(nil, math.Float64bits(x)))
	case garr:
		b.Write(le.AppendUint32(nil, x.elem))
		b.Write(le.AppendUint64(nil, uint64(len(x.items))))
		for _, it := range x.items {
			writeGVal(b, it)
		}
	case []byte: // raw bytes, for malformed values
		b.Write(x)
	default:
		panic("fixture value of unknown type")
	}
}

// everyType is a header with a value of each of the 13 types, arrays of
// numbers, bools, strings and arrays, as llama.cpp writes general.* keys.
var everyType = []gkv{
	{"general.architecture", gStr("llama")},
	{"general.name", gStr("Chat 7B Instruct")},
	{"general.basename", gStr("chat")},
	{"general.quantized_by", gStr("someone")},
	{"general.base_model.count", gU32(2)},
	{"general.base_model.0.name", gStr("Llm 7B")},
	{"general.base_model.0.organization", gStr("Base")},
	{"general.base_model.0.repo_url", gStr("https://huggingface.co/base/llm-7b")},
	{"general.base_model.1.repo_url", gStr("https://huggingface.co/other/tune")},
	{"general.tags", gStrs("text-generation", "gguf")},
	{"t.u8", gv{0, uint8(200)}},
	{"t.i8", gv{1, int8(-5)}},
	{"t.u16", gv{2, uint16(65000)}},
	{"t.i16", gv{3, int16(-30000)}},
	{"t.u32", gU32(4000000000)},
	{"t.i32", gv{5, int32(-2000000000)}},
	{"t.f32", gv{6, float32(1.5)}},
	{"t.bool", gBool(true)},
	{"t.u64", gU64(1 << 60)},
	{"t.i64", gv{11, int64(-1 << 60)}},
	{"t.f64", gv{12, 2.25}},
	{"t.bools", gv{9, garr{7, []gv{gBool(true), gBool(false)}}}},
	{"t.f32s", gv{9, garr{6, []gv{{6, float32(1)}, {6, float32(2)}, {6, float32(3)}}}}},
	{"t.nested", gv{9, garr{9, []gv{{9, garr{4, []gv{gU32(1), gU32(2)}}}, {9, garr{8, []gv{gStr("x")}}}}}}},
	{"t.empty", gv{9, garr{8, nil}}},
	{"tokenizer.ggml.tokens", gStrs("<s>", "</s>", "a", "b")},
}

// wantKV is the parser's expected reading of a fixture pair, built from the
// fixture itself: scalars as their Go values, arrays as element type and
// length.
func wantKV(kv gkv) GGUFKV {
	if a, ok := kv.v.val.(garr); ok {
		return GGUFKV{Key: kv.key, Type: GGUFArray, Value: GGUFArrayInfo{Elem: GGUFType(a.elem), Len: uint64(len(a.items))}}
	}
	return GGUFKV{Key: kv.key, Type: GGUFType(kv.v.typ), Value: kv.v.val}
}

func TestParseGGUFHeader(t *testing.T) {
	for _, version := range []uint32{2, 3} {
		data := ggufFixture(version, 291, everyType...)
		tail := append(append([]byte{}, data...), "tensor infos follow"...)
		h, err := ParseGGUFHeader(tail, GGUFLimits{})
		if err != nil {
			t.Fatalf("v%d: %v", version, err)
		}
		if h.Version != version || h.TensorCount != 291 || h.KVCount != uint64(len(everyType)) || h.End != len(data) {
			t.Errorf("v%d: version %d, tensors %d, kvs %d, end %d; want %d, 291, %d, %d", version, h.Version, h.TensorCount, h.KVCount, h.End, version, len(everyType), len(data))
		}
		if len(h.KV) != len(everyType) {
			t.Fatalf("v%d: %d pairs, want %d", version, len(h.KV), len(everyType))
		}
		for i, kv := range everyType {
			if want := wantKV(kv); !reflect.DeepEqual(h.KV[i], want) {
				t.Errorf("v%d: pair %d = %#v, want %#v", version, i, h.KV[i], want)
			}
		}
		if s, ok := h.String("general.base_model.0.repo_url"); !ok || s != "https://huggingface.co/base/llm-7b" {
			t.Errorf("String(repo_url) = %q, %v", s, ok)
		}
		if n, ok := h.Uint("general.base_model.count"); !ok || n != 2 {
			t.Errorf("Uint(count) = %d, %v", n, ok)
		}
		if _, ok := h.Uint("t.i8"); ok {
			t.Errorf("Uint(-5) accepted")
		}
	}
}

// Every prefix of a header is "need more bytes", with the pairs complete
// within it: the client reads on until the metadata is whole.
func TestParseGGUFHeaderTruncated(t *testing.T) {
	data := ggufFixture(3, 1, everyType...)
	full, err := ParseGGUFHeader(data, GGUFLimits{})
	if err != nil {
		t.Fatal(err)
	}
	// ends[i] is the offset just past pair i, computed from the fixture.
	var ends []int
	for i := range everyType {
		ends = append(ends, len(ggufFixture(3, 1, everyType[:i+1]...)))
	}
	for k := 0; k < len(data); k++ {
		h, err := ParseGGUFHeader(data[:k], GGUFLimits{})
		if !errors.Is(err, ErrGGUFShort) {
			t.Fatalf("prefix %d of %d: err %v, want ErrGGUFShort", k, len(data), err)
		}
		if k < 24 {
			if h != nil {
				t.Errorf("prefix %d: a header before the counts are whole", k)
			}
			continue
		}
		complete := 0
		for _, e := range ends {
			// The pair's end in the real file is its end in a fixture
			// of the first i+1 pairs (same bytes, same offsets).
			if e <= k {
				complete++
			}
		}
		if len(h.KV) != complete || !sameKVs(h.KV, full.KV[:complete]) {
			t.Fatalf("prefix %d: %d pairs, want the first %d", k, len(h.KV), complete)
		}
	}
}

func TestParseGGUFHeaderErrors(t *testing.T) {
	le := binary.LittleEndian
	be := ggufFixture(3, 0, gkv{"general.name", gStr("x")})
	binary.BigEndian.PutUint32(be[4:], 3)
	binary.BigEndian.PutUint64(be[8:], 0)
	binary.BigEndian.PutUint64(be[16:], 1)
	v1 := ggufFixture(1, 0)
	v9 := ggufFixture(9, 0)
	many := ggufFixture(3, 0)
	le.PutUint64(many[16:], 1<<40)
	cases := []struct {
		name string
		data []byte
		lim  GGUFLimits
		want error
		text string
	}{
		{"not gguf", []byte("PK\x03\x04 a zip file"), GGUFLimits{}, ErrNotGGUF, `"PK\x03\x04"`},
		{"short not gguf", []byte("GX"), GGUFLimits{}, ErrNotGGUF, ""},
		{"big-endian", be, GGUFLimits{}, ErrGGUFUnsupported, "big-endian"},
		{"version 1", v1, GGUFLimits{}, ErrGGUFUnsupported, "version 1"},
		{"version 9", v9, GGUFLimits{}, ErrGGUFUnsupported, "unknown GGUF version 9"},
		{"kv count", many, GGUFLimits{}, ErrGGUFBad, "1099511627776 metadata pairs"},
		{"bool 2", ggufFixture(3, 0, gkv{"b", gv{7, uint8(2)}}), GGUFLimits{}, ErrGGUFBad, `key "b": malformed GGUF header: bool value 2`},
		{"bool array 7", ggufFixture(3, 0, gkv{"b", gv{9, garr{7, []gv{{7, uint8(7)}}}}}), GGUFLimits{}, ErrGGUFBad, "bool value 7 in an array"},
		{"unknown type", ggufFixture(3, 0, gkv{"x", gv{13, uint32(0)}}), GGUFLimits{}, ErrGGUFBad, "unknown value type 13"},
		{"unknown elem", ggufFixture(3, 0, gkv{"x", gv{9, garr{42, nil}}}), GGUFLimits{}, ErrGGUFBad, "unknown array element type 42"},
		{"string limit", ggufFixture(3, 0, gkv{"s", gStr(strings.Repeat("x", 100))}), GGUFLimits{MaxStringLen: 99}, ErrGGUFBad, "100 bytes, over the limit of 99"},
		{"array limit", ggufFixture(3, 0, gkv{"a", gStrs("a", "b", "c")}), GGUFLimits{MaxArrayLen: 2}, ErrGGUFBad, "3 elements"},
		{"depth", ggufFixture(3, 0, gkv{"a", gv{9, garr{9, []gv{{9, garr{9, []gv{{9, garr{8, nil}}}}}}}}}), GGUFLimits{MaxDepth: 2}, ErrGGUFBad, "nested over 2"},
		{"kv limit", ggufFixture(3, 0, gkv{"a", gU32(1)}, gkv{"b", gU32(2)}), GGUFLimits{MaxKVs: 1}, ErrGGUFBad, "2 metadata pairs"},
		// A length no file could hold is an error, not a wait for 2^63 bytes.
		{"huge key", append(ggufFixture(3, 0)[:16], append(le.AppendUint64(nil, 1), le.AppendUint64(nil, 1<<62)...)...), GGUFLimits{}, ErrGGUFBad, "over the limit of 65535"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseGGUFHeader(c.data, c.lim)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
				t.Errorf("ParseGGUFHeader = %v, want %v mentioning %q", err, c.want, c.text)
			}
		})
	}
}

// FuzzGGUFHeader: no input panics; a complete header parses the same with
// bytes after it; every prefix of a complete header is "need more bytes"
// with a prefix of its pairs.
func FuzzGGUFHeader(f *testing.F) {
	f.Add(ggufFixture(3, 2, everyType...))
	f.Add(ggufFixture(2, 0, everyType[:5]...))
	f.Add(ggufFixture(3, 0))
	f.Add([]byte("GGUF\x03\x00\x00\x00"))
	f.Add([]byte("GGUF\x00\x00\x00\x03"))
	lim := GGUFLimits{MaxStringLen: 1 << 16, MaxArrayLen: 1 << 16, MaxKVs: 1 << 10}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseGGUFHeader(data, lim)
		if err != nil {
			if !errors.Is(err, ErrGGUFShort) && !errors.Is(err, ErrNotGGUF) && !errors.Is(err, ErrGGUFUnsupported) && !errors.Is(err, ErrGGUFBad) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if h.End > len(data) || uint64(len(h.KV)) != h.KVCount {
			t.Fatalf("complete header with end %d of %d, %d of %d pairs", h.End, len(data), len(h.KV), h.KVCount)
		}
		more, err := ParseGGUFHeader(append(data[:len(data):len(data)], 0xff, 0, 7), lim)
		if err != nil || more.End != h.End || !sameKVs(more.KV, h.KV) {
			t.Fatalf("trailing bytes change the header: %v", err)
		}
		for _, k := range []int{h.End - 1, h.End / 2, 24} {
			if k < 0 || k >= h.End {
				continue
			}
			p, err := ParseGGUFHeader(data[:k], lim)
			if !errors.Is(err, ErrGGUFShort) {
				t.Fatalf("prefix %d of a %d-byte header: %v, want ErrGGUFShort", k, h.End, err)
			}
			if p != nil && (len(p.KV) > len(h.KV) || !sameKVs(p.KV, h.KV[:len(p.KV)])) {
				t.Fatalf("prefix %d: pairs are not a prefix of the header's", k)
			}
		}
	})
}

// sameKVs compares pairs, values by their printed form (a NaN equals
// itself).
func sameKVs(a, b []GGUFKV) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || a[i].Type != b[i].Type || fmt.Sprintf("%#v", a[i].Value) != fmt.Sprintf("%#v", b[i].Value) {
			return false
		}
	}
	return true
}

func ExampleParseGGUFHeader() {
	// The first bytes of a quantized model's .gguf file (read with a
	// Range request), here written by the test fixture.
	data := ggufFixture(3, 291,
		gkv{"general.architecture", gStr("llama")},
		gkv{"general.base_model.count", gU32(1)},
		gkv{"general.base_model.0.repo_url", gStr("https://huggingface.co/org/chat")},
		gkv{"tokenizer.ggml.tokens", gStrs("<s>", "</s>")})
	h, err := ParseGGUFHeader(data, GGUFLimits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	url, _ := h.String("general.base_model.0.repo_url")
	fmt.Println(h.Version, h.TensorCount, len(h.KV), url)
	fmt.Println(h.KV[3].Value)
	_, err = ParseGGUFHeader(data[:40], GGUFLimits{})
	fmt.Println(errors.Is(err, ErrGGUFShort))
	// Output:
	// 3 291 4 https://huggingface.co/org/chat
	// {string 2}
	// true
}

// BenchmarkParseGGUFHeader parses a header with a 120k-token vocabulary
// (about 2 MiB), the bulk of a real one.
func BenchmarkParseGGUFHeader(b *testing.B) {
	data := ggufFixture(3, 291, append(append([]gkv{}, everyType[:10]...), bigTokens(120000))...)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseGGUFHeader(data, GGUFLimits{}); err != nil {
			b.Fatal(err)
		}
	}
}
