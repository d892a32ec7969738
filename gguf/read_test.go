package gguf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"reflect"
	"testing"

	"github.com/hfgate/hfgate"
)

// allTypesKV has every value type as a scalar and as an array, empty
// values, and arrays nested three deep.
func allTypesKV() []KV {
	return kvs(
		"general.architecture", "llama",
		"t.u8", uint8(200), "t.i8", int8(-100),
		"t.u16", uint16(60000), "t.i16", int16(-30000),
		"t.u32", uint32(4_000_000_000), "t.i32", int32(-2_000_000_000),
		"t.f32", float32(3.5), "t.bool", true, "t.false", false,
		"t.str", "héllo", "t.empty", "",
		"t.u64", uint64(math.MaxUint64), "t.i64", int64(math.MinInt64),
		"t.f64", math.Pi,
		"a.u8", []uint8{1, 2, 255}, "a.i8", []int8{-1, 0, 1},
		"a.u16", []uint16{1, 65535}, "a.i16", []int16{-32768, 32767},
		"a.u32", []uint32{7, 8, 9}, "a.i32", []int32{-7, 8},
		"a.f32", []float32{0.5, -1.25}, "a.bool", []bool{true, false, true},
		"a.str", []string{"a", "", "ccc", "\x00\xff"}, "a.u64", []uint64{1 << 63},
		"a.i64", []int64{-1 << 63}, "a.f64", []float64{1e300, math.Copysign(0, -1)},
		"a.empty", []string{},
		"a.nested", []Value{
			val([]Value{val([]uint8{1}), val([]string{"x", "yz"})}),
			val([]Value{}),
			val([]int32{-5}),
		},
	)
}

func TestReadRoundTrip(t *testing.T) {
	tensors := withOffsets([]TensorInfo{
		{Name: "token_embd.weight", Dims: []uint64{256, 100}, Type: 12},
		{Name: "blk.0.attn_norm.weight", Dims: []uint64{256}, Type: 0},
		{Name: "scalar", Dims: []uint64{}, Type: 0},
		{Name: "four.d", Dims: []uint64{32, 2, 3, 4}, Type: 8},
	})
	for _, tt := range []struct {
		name    string
		order   binary.ByteOrder
		version uint32
		align   int
	}{
		{"v3 little-endian", binary.LittleEndian, 3, 32},
		{"v3 big-endian", binary.BigEndian, 3, 32},
		{"v2 little-endian", binary.LittleEndian, 2, 32},
		{"v3 alignment 64", binary.LittleEndian, 3, 64},
	} {
		t.Run(tt.name, func(t *testing.T) {
			kv := allTypesKV()
			if tt.align != 32 {
				kv = append(kv, KV{KeyAlignment, val(uint32(tt.align))})
			}
			fx := fixture{order: tt.order, version: tt.version, kv: kv, tensors: tensors, align: tt.align, data: 100}
			b, headerLen := fx.encode()
			f := mustRead(t, b)
			if f.Version != tt.version || f.ByteOrder != tt.order {
				t.Errorf("Version, ByteOrder = %d, %v, want %d, %v", f.Version, f.ByteOrder, tt.version, tt.order)
			}
			if !reflect.DeepEqual(f.KV, kv) {
				for i := range min(len(f.KV), len(kv)) {
					if !reflect.DeepEqual(f.KV[i], kv[i]) {
						t.Errorf("KV[%d] = %#v, want %#v", i, f.KV[i], kv[i])
					}
				}
				t.Fatalf("got %d KVs, want %d", len(f.KV), len(kv))
			}
			if !reflect.DeepEqual(f.Tensors, tensors) {
				t.Errorf("Tensors = %+v, want %+v", f.Tensors, tensors)
			}
			wantData := int64((headerLen + tt.align - 1) / tt.align * tt.align)
			if f.DataOffset != wantData || f.Alignment != uint64(tt.align) {
				t.Errorf("DataOffset, Alignment = %d, %d, want %d, %d", f.DataOffset, f.Alignment, wantData, tt.align)
			}
			if s, ok := f.String("t.str"); !ok || s != "héllo" {
				t.Errorf(`String("t.str") = %q, %v`, s, ok)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	good := fixture{kv: kvs("general.architecture", "llama"),
		tensors: []TensorInfo{{Name: "w", Dims: []uint64{4, 4}, Type: 0}}}
	valid, _ := good.encode()
	patch := func(b []byte, at int, p ...byte) []byte {
		b = bytes.Clone(b)
		copy(b[at:], p)
		return b
	}
	le := binary.LittleEndian
	enc := func(fx fixture) []byte { b, _ := fx.encode(); return b }
	// Offsets in valid: 0 magic, 4 version, 8 tensor count, 16 KV count,
	// 24 key length, 32 key (20 bytes), 52 value type, 56 string length.
	tests := []struct {
		name string
		file []byte
		opts Options
		want error
	}{
		{"bad magic", patch(valid, 0, 'G', 'G', 'M', 'L'), Options{}, ErrNotGGUF},
		{"safetensors", []byte(`{"__metadata__":{}}xxxxxxxxxxxx`), Options{}, ErrNotGGUF},
		{"version 1", patch(valid, 4, 1, 0, 0, 0), Options{}, ErrVersion},
		{"version 4", patch(valid, 4, 4, 0, 0, 0), Options{}, ErrVersion},
		{"KV count beyond file", patch(valid, 16, le.AppendUint64(nil, 60000)...), Options{}, ErrCorrupt},
		{"KV count over limit", patch(valid, 16, le.AppendUint64(nil, 1<<40)...), Options{MaxKVs: 10}, ErrLimit},
		{"tensor count over limit", patch(valid, 8, le.AppendUint64(nil, 1<<62)...), Options{}, ErrLimit},
		{"tensor count beyond file", patch(valid, 8, le.AppendUint64(nil, 1<<19)...), Options{}, ErrCorrupt},
		{"unknown value type", patch(valid, 52, 13), Options{}, ErrCorrupt},
		{"string over limit", patch(valid, 56, le.AppendUint64(nil, 1<<40)...), Options{}, ErrLimit},
		{"key over limit", valid, Options{MaxStringLen: 5}, ErrLimit},
		{"duplicate key", enc(fixture{kv: kvs("a", "x", "a", "y")}), Options{}, ErrCorrupt},
		{"alignment not a power of two", enc(fixture{kv: kvs(KeyAlignment, uint32(48))}), Options{}, ErrCorrupt},
		{"alignment zero", enc(fixture{kv: kvs(KeyAlignment, uint32(0))}), Options{}, ErrCorrupt},
		{"array over limit", enc(fixture{kv: kvs("a", make([]uint8, 11))}), Options{MaxArrayLen: 10}, ErrLimit},
		{"array of unknown type", patch(enc(fixture{kv: kvs("a", []uint8{1})}), 37, 99), Options{}, ErrCorrupt},
		{"arrays too deep", enc(fixture{kv: kvs("a", []Value{val([]Value{val([]uint8{})})})}), Options{MaxDepth: 2}, ErrLimit},
		{"too many dims", enc(fixture{tensors: []TensorInfo{{Name: "t", Dims: make([]uint64, 9)}}}), Options{}, ErrCorrupt},
		{"dims overflow", enc(fixture{tensors: []TensorInfo{{Name: "t", Dims: []uint64{1 << 32, 1 << 32}}}}), Options{}, ErrCorrupt},
		{"elements sum too large", enc(fixture{tensors: []TensorInfo{
			{Name: "a", Dims: []uint64{1 << 55}}, {Name: "b", Dims: []uint64{1 << 55}}, {Name: "c", Dims: []uint64{1 << 55}},
		}}), Options{}, ErrCorrupt},
		{"offset beyond int64", enc(fixture{tensors: []TensorInfo{{Name: "t", Dims: []uint64{1}, Offset: -1}}}), Options{}, ErrCorrupt},
		{"header over limit", enc(fixture{kv: kvs("a", make([]uint8, 5000))}), Options{MaxHeaderSize: 4096, ChunkSize: 1024}, ErrLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := tt.opts.Read(t.Context(), bytes.NewReader(tt.file), int64(len(tt.file)))
			if err == nil {
				t.Fatalf("Read = %+v, want error", f)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.want)
			}
			if code := hfgate.ErrorCode(err); code != hfgate.EINVALID {
				t.Errorf("code = %q, want %q (err %v)", code, hfgate.EINVALID, err)
			}
		})
	}
}

func TestReadNotGGUFMessage(t *testing.T) {
	_, err := Read(t.Context(), bytes.NewReader([]byte("PK\x03\x04 a zip file")), 18)
	if got, want := hfgate.ErrorMessage(err), `not a GGUF file (magic "PK\x03\x04", want "GGUF"); choose a .gguf model file`; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

// TestReadTruncated cuts a small file at every byte inside its header.
func TestReadTruncated(t *testing.T) {
	fx := fixture{kv: allTypesKV(), tensors: withOffsets([]TensorInfo{
		{Name: "a", Dims: []uint64{256, 2}, Type: 12}, {Name: "b", Dims: []uint64{3}, Type: 0},
	})}
	b, headerLen := fx.encode()
	for n := range headerLen {
		cut := b[:n]
		// Size known: a count that no longer fits may be caught as corrupt
		// before the read runs out.
		_, err := Options{ChunkSize: 64}.Read(t.Context(), bytes.NewReader(cut), int64(n))
		if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNotGGUF) {
			t.Fatalf("cut at %d, size known: err = %v, want truncated or corrupt", n, err)
		}
		if n >= 8 && errors.Is(err, ErrNotGGUF) {
			t.Fatalf("cut at %d: err = %v", n, err)
		}
		// Size unknown: the reader's io.EOF is the only sign.
		_, err = Options{ChunkSize: 64}.Read(t.Context(), bytes.NewReader(cut), -1)
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut at %d, size unknown: err = %v, want io.ErrUnexpectedEOF", n, err)
		}
		if code := hfgate.ErrorCode(err); code != hfgate.EINVALID {
			t.Fatalf("cut at %d: code %q", n, code)
		}
	}
	// The header alone, without padding or data, is enough.
	f, err := Read(t.Context(), bytes.NewReader(b[:headerLen]), int64(headerLen))
	if err != nil || len(f.Tensors) != 2 {
		t.Fatalf("header only: %v", err)
	}
}
