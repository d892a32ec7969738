package gguf

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"
)

func FuzzRead(f *testing.F) {
	seeds := []fixture{
		{kv: allTypesKV(), tensors: withOffsets([]TensorInfo{{Name: "a", Dims: []uint64{256, 2}, Type: 12}})},
		{order: binary.BigEndian, kv: allTypesKV()},
		{version: 2, kv: kvs(KeyAlignment, uint32(64), "s", []string{"x", "yy"})},
		{kv: qwen2KV(), tensors: qwen2Tensors(1000)[:20]},
		{kv: kvs("a", []Value{val([]Value{val([]uint16{1})})})},
	}
	for _, fx := range seeds {
		b, _ := fx.encode()
		f.Add(b)
	}
	f.Add([]byte("GGUF"))
	f.Add([]byte("GGUF\x00\x00\x00\x03"))

	opts := Options{ChunkSize: 256, MaxChunkSize: 4096, MaxHeaderSize: 1 << 20}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := opts.Read(t.Context(), bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		if got.DataOffset < 24 || uint64(got.DataOffset)%got.Alignment != 0 || got.ParameterCount() < 0 {
			t.Fatalf("DataOffset %d, Alignment %d, ParameterCount %d", got.DataOffset, got.Alignment, got.ParameterCount())
		}
		_ = got.Quantization()
		_, _ = got.TensorDataSize()
		_, _ = Estimate([]*File{got}, EstimateOptions{})

		// What was read must survive being written and read again.
		again, _ := fixture{order: got.ByteOrder, version: got.Version, kv: got.KV, tensors: got.Tensors, align: 1}.encode()
		back, err := opts.Read(t.Context(), bytes.NewReader(again), -1)
		if err != nil {
			t.Fatalf("re-reading the re-encoded header: %v", err)
		}
		if !reflect.DeepEqual(back.KV, got.KV) || !reflect.DeepEqual(back.Tensors, got.Tensors) {
			t.Fatal("re-encoded header reads differently")
		}
	})
}
