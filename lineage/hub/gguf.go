package hub

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// GGUFType is the type of a GGUF metadata value, as the GGUF specification
// (ggml's docs/gguf.md) numbers them.
type GGUFType uint32

// The GGUF value types.
const (
	GGUFUint8   GGUFType = 0
	GGUFInt8    GGUFType = 1
	GGUFUint16  GGUFType = 2
	GGUFInt16   GGUFType = 3
	GGUFUint32  GGUFType = 4
	GGUFInt32   GGUFType = 5
	GGUFFloat32 GGUFType = 6
	GGUFBool    GGUFType = 7
	GGUFString  GGUFType = 8
	GGUFArray   GGUFType = 9
	GGUFUint64  GGUFType = 10
	GGUFInt64   GGUFType = 11
	GGUFFloat64 GGUFType = 12
)

var ggufTypeNames = [...]string{"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string", "array", "uint64", "int64", "float64"}

// String returns the specification's name of the type.
func (t GGUFType) String() string {
	if int(t) < len(ggufTypeNames) {
		return ggufTypeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint32(t))
}

// size is the encoded size of a fixed-size type, 0 for strings and arrays.
func (t GGUFType) size() int {
	switch t {
	case GGUFUint8, GGUFInt8, GGUFBool:
		return 1
	case GGUFUint16, GGUFInt16:
		return 2
	case GGUFUint32, GGUFInt32, GGUFFloat32:
		return 4
	case GGUFUint64, GGUFInt64, GGUFFloat64:
		return 8
	}
	return 0
}

// GGUFKV is one metadata key-value pair of a GGUF header. Value holds the
// Go value of a scalar (uint8, int8, uint16, int16, uint32, int32, float32,
// bool, string, uint64, int64, float64) and a GGUFArrayInfo for an array,
// whose elements are checked but not kept (a vocabulary is megabytes).
type GGUFKV struct {
	Key   string
	Type  GGUFType
	Value any
}

// GGUFArrayInfo describes an array value: its element type and length.
type GGUFArrayInfo struct {
	Elem GGUFType
	Len  uint64
}

// GGUFHeader is the part of a GGUF file before the tensor infos: version,
// counts and the metadata key-value pairs in file order.
type GGUFHeader struct {
	Version     uint32
	TensorCount uint64
	KVCount     uint64 // as the header declares it
	KV          []GGUFKV
	// End is the offset just past the last key-value pair read: the end of
	// the metadata section when the header is complete.
	End int
}

// String returns the string value of key, if the header holds one.
func (h *GGUFHeader) String(key string) (string, bool) {
	for _, kv := range h.KV {
		if kv.Key == key {
			s, ok := kv.Value.(string)
			return s, ok
		}
	}
	return "", false
}

// Uint returns the value of key when it is an unsigned or non-negative
// signed integer.
func (h *GGUFHeader) Uint(key string) (uint64, bool) {
	for _, kv := range h.KV {
		if kv.Key != key {
			continue
		}
		switch v := kv.Value.(type) {
		case uint8:
			return uint64(v), true
		case uint16:
			return uint64(v), true
		case uint32:
			return uint64(v), true
		case uint64:
			return v, true
		case int8:
			return uint64(v), v >= 0
		case int16:
			return uint64(v), v >= 0
		case int32:
			return uint64(v), v >= 0
		case int64:
			return uint64(v), v >= 0
		}
		return 0, false
	}
	return 0, false
}

// GGUFLimits bounds what ParseGGUFHeader accepts; a header beyond them is
// an error, not a reason to allocate. The zero value of a field means its
// default.
type GGUFLimits struct {
	MaxKVs       uint64 // key-value pairs; default 65536
	MaxStringLen uint64 // bytes of one string (keys are capped at 65535 by the specification); default 16 MiB
	MaxArrayLen  uint64 // elements of one array; default 1<<26
	MaxDepth     int    // nesting of arrays in arrays; default 4
}

func (l GGUFLimits) withDefaults() GGUFLimits {
	if l.MaxKVs == 0 {
		l.MaxKVs = 1 << 16
	}
	if l.MaxStringLen == 0 {
		l.MaxStringLen = 16 << 20
	}
	if l.MaxArrayLen == 0 {
		l.MaxArrayLen = 1 << 26
	}
	if l.MaxDepth == 0 {
		l.MaxDepth = 4
	}
	return l
}

// ggufMaxKeyLen is the specification's limit on a key's length.
const ggufMaxKeyLen = 65535

// Errors of ParseGGUFHeader.
var (
	// ErrGGUFShort marks input that ends inside the header: the caller may
	// read more of the file and parse again.
	ErrGGUFShort = errors.New("gguf header: need more bytes")
	// ErrNotGGUF marks input that does not start with the GGUF magic.
	ErrNotGGUF = errors.New("not a GGUF file")
	// ErrGGUFUnsupported marks a GGUF file this parser does not read: a
	// version other than 2 or 3, or a big-endian file.
	ErrGGUFUnsupported = errors.New("unsupported GGUF file")
	// ErrGGUFBad marks a header that breaks the specification or the limits.
	ErrGGUFBad = errors.New("malformed GGUF header")
)

// ParseGGUFHeader reads the header and metadata key-value pairs of a GGUF
// file (versions 2 and 3, little-endian) from its first bytes b. It reads
// nothing past the metadata (tensor infos and data are left alone).
//
// When b ends before the metadata does, it returns the pairs read so far
// and an error wrapping ErrGGUFShort; parsing a longer prefix of the same
// file returns those pairs and more. Input without the magic wraps
// ErrNotGGUF; version 1, unknown versions and big-endian files wrap
// ErrGGUFUnsupported; a header that breaks the specification (a bool other
// than 0 or 1, an unknown value type) or lim wraps ErrGGUFBad. It never
// panics and allocates no more than b and lim allow.
func ParseGGUFHeader(b []byte, lim GGUFLimits) (*GGUFHeader, error) {
	lim = lim.withDefaults()
	p := ggufParser{b: b, lim: lim}
	if len(b) < 4 {
		if string(b) != "GGUF"[:len(b)] {
			return nil, ErrNotGGUF
		}
		return nil, p.short()
	}
	if string(b[:4]) != "GGUF" {
		return nil, fmt.Errorf("%w (starts with %q, not \"GGUF\")", ErrNotGGUF, b[:4])
	}
	p.off = 4
	if !p.need(20) {
		return nil, p.short()
	}
	h := &GGUFHeader{}
	h.Version = p.u32()
	switch v := h.Version; {
	case v == 2 || v == 3:
	case bits.ReverseBytes32(v) == 2 || bits.ReverseBytes32(v) == 3:
		return nil, fmt.Errorf("%w: big-endian GGUF (version %d written byte-swapped); only little-endian files are read", ErrGGUFUnsupported, bits.ReverseBytes32(v))
	case v == 1:
		return nil, fmt.Errorf("%w: GGUF version 1 (32-bit counts, from 2023); only versions 2 and 3 are read", ErrGGUFUnsupported)
	default:
		return nil, fmt.Errorf("%w: unknown GGUF version %d; versions 2 and 3 are read", ErrGGUFUnsupported, v)
	}
	h.TensorCount = p.u64()
	h.KVCount = p.u64()
	if h.KVCount > lim.MaxKVs {
		return nil, fmt.Errorf("%w: %d metadata pairs, over the limit of %d", ErrGGUFBad, h.KVCount, lim.MaxKVs)
	}
	h.End = p.off
	for i := uint64(0); i < h.KVCount; i++ {
		kv, err := p.kv()
		if err != nil {
			if errors.Is(err, ErrGGUFShort) {
				return h, err
			}
			return h, fmt.Errorf("metadata pair %d at byte %d: %w", i, h.End, err)
		}
		h.KV = append(h.KV, kv)
		h.End = p.off
	}
	return h, nil
}

type ggufParser struct {
	b   []byte
	off int
	lim GGUFLimits
}

func (p *ggufParser) short() error {
	return fmt.Errorf("%w (have %d)", ErrGGUFShort, len(p.b))
}

// need reports whether n more bytes are there.
func (p *ggufParser) need(n uint64) bool { return uint64(len(p.b)-p.off) >= n }

func (p *ggufParser) u32() uint32 {
	v := binary.LittleEndian.Uint32(p.b[p.off:])
	p.off += 4
	return v
}

func (p *ggufParser) u64() uint64 {
	v := binary.LittleEndian.Uint64(p.b[p.off:])
	p.off += 8
	return v
}

// str reads a gguf_string: a uint64 length and that many bytes.
func (p *ggufParser) str(max uint64, keep bool) (string, error) {
	if !p.need(8) {
		return "", p.short()
	}
	n := p.u64()
	if n > max {
		return "", fmt.Errorf("%w: a string of %d bytes, over the limit of %d", ErrGGUFBad, n, max)
	}
	if !p.need(n) {
		return "", p.short()
	}
	var s string
	if keep {
		s = string(p.b[p.off : p.off+int(n)])
	}
	p.off += int(n)
	return s, nil
}

func (p *ggufParser) kv() (GGUFKV, error) {
	key, err := p.str(ggufMaxKeyLen, true)
	if err != nil {
		return GGUFKV{}, err
	}
	if !p.need(4) {
		return GGUFKV{}, p.short()
	}
	t := GGUFType(p.u32())
	v, err := p.value(t, 0, true)
	if err != nil {
		if errors.Is(err, ErrGGUFShort) {
			return GGUFKV{}, err
		}
		return GGUFKV{}, fmt.Errorf("key %q: %w", key, err)
	}
	return GGUFKV{Key: key, Type: t, Value: v}, nil
}

// value reads one value of type t; keep says whether to build its Go value
// (array elements are only checked).
func (p *ggufParser) value(t GGUFType, depth int, keep bool) (any, error) {
	if sz := t.size(); sz > 0 {
		if !p.need(uint64(sz)) {
			return nil, p.short()
		}
		b := p.b[p.off : p.off+sz]
		p.off += sz
		if t == GGUFBool && b[0] > 1 {
			return nil, fmt.Errorf("%w: bool value %d (want 0 or 1)", ErrGGUFBad, b[0])
		}
		if !keep {
			return nil, nil
		}
		return scalar(t, b), nil
	}
	switch t {
	case GGUFString:
		s, err := p.str(p.lim.MaxStringLen, keep)
		if err != nil || !keep {
			return nil, err
		}
		return s, nil
	case GGUFArray:
		if depth >= p.lim.MaxDepth {
			return nil, fmt.Errorf("%w: arrays nested over %d deep", ErrGGUFBad, p.lim.MaxDepth)
		}
		if !p.need(12) {
			return nil, p.short()
		}
		elem := GGUFType(p.u32())
		n := p.u64()
		if n > p.lim.MaxArrayLen {
			return nil, fmt.Errorf("%w: an array of %d elements, over the limit of %d", ErrGGUFBad, n, p.lim.MaxArrayLen)
		}
		if sz := elem.size(); sz > 0 {
			// Fixed-size elements are skipped in one step (bools are checked).
			if n > uint64(len(p.b)-p.off)/uint64(sz) {
				return nil, p.short()
			}
			if elem == GGUFBool {
				for _, c := range p.b[p.off : p.off+int(n)] {
					if c > 1 {
						return nil, fmt.Errorf("%w: bool value %d in an array (want 0 or 1)", ErrGGUFBad, c)
					}
				}
			}
			p.off += int(n) * sz
		} else {
			if elem != GGUFString && elem != GGUFArray {
				return nil, fmt.Errorf("%w: unknown array element type %d", ErrGGUFBad, uint32(elem))
			}
			for i := uint64(0); i < n; i++ {
				if _, err := p.value(elem, depth+1, false); err != nil {
					return nil, err
				}
			}
		}
		return GGUFArrayInfo{Elem: elem, Len: n}, nil
	}
	return nil, fmt.Errorf("%w: unknown value type %d", ErrGGUFBad, uint32(t))
}

func scalar(t GGUFType, b []byte) any {
	le := binary.LittleEndian
	switch t {
	case GGUFUint8:
		return b[0]
	case GGUFInt8:
		return int8(b[0])
	case GGUFBool:
		return b[0] == 1
	case GGUFUint16:
		return le.Uint16(b)
	case GGUFInt16:
		return int16(le.Uint16(b))
	case GGUFUint32:
		return le.Uint32(b)
	case GGUFInt32:
		return int32(le.Uint32(b))
	case GGUFFloat32:
		return math.Float32frombits(le.Uint32(b))
	case GGUFUint64:
		return le.Uint64(b)
	case GGUFInt64:
		return int64(le.Uint64(b))
	case GGUFFloat64:
		return math.Float64frombits(le.Uint64(b))
	}
	return nil
}
