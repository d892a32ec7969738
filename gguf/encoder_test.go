package gguf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"testing"
)

// This file is a GGUF writer for building test fixtures. It is written from
// the specification independently of the decoder (it shares only the Value
// and TensorInfo types), so that round trips test the decoder against it.

// val wraps a Go value as a Value: a scalar of one of the 12 scalar types,
// a slice of one of them (an array), or []Value (an array of arrays).
func val(x any) Value {
	switch x.(type) {
	case uint8:
		return Value{typ: TypeUint8, v: x}
	case int8:
		return Value{typ: TypeInt8, v: x}
	case uint16:
		return Value{typ: TypeUint16, v: x}
	case int16:
		return Value{typ: TypeInt16, v: x}
	case uint32:
		return Value{typ: TypeUint32, v: x}
	case int32:
		return Value{typ: TypeInt32, v: x}
	case float32:
		return Value{typ: TypeFloat32, v: x}
	case bool:
		return Value{typ: TypeBool, v: x}
	case string:
		return Value{typ: TypeString, v: x}
	case uint64:
		return Value{typ: TypeUint64, v: x}
	case int64:
		return Value{typ: TypeInt64, v: x}
	case float64:
		return Value{typ: TypeFloat64, v: x}
	case []uint8:
		return Value{typ: TypeArray, elem: TypeUint8, v: x}
	case []int8:
		return Value{typ: TypeArray, elem: TypeInt8, v: x}
	case []uint16:
		return Value{typ: TypeArray, elem: TypeUint16, v: x}
	case []int16:
		return Value{typ: TypeArray, elem: TypeInt16, v: x}
	case []uint32:
		return Value{typ: TypeArray, elem: TypeUint32, v: x}
	case []int32:
		return Value{typ: TypeArray, elem: TypeInt32, v: x}
	case []float32:
		return Value{typ: TypeArray, elem: TypeFloat32, v: x}
	case []bool:
		return Value{typ: TypeArray, elem: TypeBool, v: x}
	case []string:
		return Value{typ: TypeArray, elem: TypeString, v: x}
	case []uint64:
		return Value{typ: TypeArray, elem: TypeUint64, v: x}
	case []int64:
		return Value{typ: TypeArray, elem: TypeInt64, v: x}
	case []float64:
		return Value{typ: TypeArray, elem: TypeFloat64, v: x}
	case []Value:
		return Value{typ: TypeArray, elem: TypeArray, v: x}
	}
	panic(fmt.Sprintf("val: unsupported %T", x))
}

// fixture describes a GGUF file to encode.
type fixture struct {
	order   binary.ByteOrder // nil means little-endian
	version uint32           // 0 means 3
	kv      []KV
	tensors []TensorInfo
	align   int   // padding after the tensor infos; 0 means 32
	data    int64 // bytes of (zero) tensor data to append
}

// kvs builds a KV list from alternating keys and Go values.
func kvs(pairs ...any) []KV {
	var out []KV
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, KV{Key: pairs[i].(string), Value: val(pairs[i+1])})
	}
	return out
}

type gw struct {
	bytes.Buffer
	o binary.AppendByteOrder
}

func (w *gw) u32(v uint32)               { w.Write(w.o.AppendUint32(nil, v)) }
func (w *gw) u64(v uint64)               { w.Write(w.o.AppendUint64(nil, v)) }
func (w *gw) str(s string)               { w.u64(uint64(len(s))); w.WriteString(s) }
func (w *gw) arrHead(t ValueType, n int) { w.u32(uint32(t)); w.u64(uint64(n)) }

func (w *gw) scalar(x any) {
	switch x := x.(type) {
	case uint8:
		w.WriteByte(x)
	case int8:
		w.WriteByte(byte(x))
	case bool:
		if x {
			w.WriteByte(1)
		} else {
			w.WriteByte(0)
		}
	case uint16:
		w.Write(w.o.AppendUint16(nil, x))
	case int16:
		w.Write(w.o.AppendUint16(nil, uint16(x)))
	case uint32:
		w.u32(x)
	case int32:
		w.u32(uint32(x))
	case float32:
		w.u32(math.Float32bits(x))
	case uint64:
		w.u64(x)
	case int64:
		w.u64(uint64(x))
	case float64:
		w.u64(math.Float64bits(x))
	case string:
		w.str(x)
	default:
		panic(fmt.Sprintf("scalar: unsupported %T", x))
	}
}

func writeEach[T any](w *gw, t ValueType, xs []T) {
	w.arrHead(t, len(xs))
	for _, x := range xs {
		w.scalar(x)
	}
}

// array writes an array body: element type, count, elements.
func (w *gw) array(v Value) {
	switch x := v.v.(type) {
	case []uint8:
		writeEach(w, TypeUint8, x)
	case []int8:
		writeEach(w, TypeInt8, x)
	case []uint16:
		writeEach(w, TypeUint16, x)
	case []int16:
		writeEach(w, TypeInt16, x)
	case []uint32:
		writeEach(w, TypeUint32, x)
	case []int32:
		writeEach(w, TypeInt32, x)
	case []float32:
		writeEach(w, TypeFloat32, x)
	case []bool:
		writeEach(w, TypeBool, x)
	case []string:
		writeEach(w, TypeString, x)
	case []uint64:
		writeEach(w, TypeUint64, x)
	case []int64:
		writeEach(w, TypeInt64, x)
	case []float64:
		writeEach(w, TypeFloat64, x)
	case []Value:
		w.arrHead(TypeArray, len(x))
		for _, inner := range x {
			w.array(inner)
		}
	default:
		panic(fmt.Sprintf("array: unsupported %T", x))
	}
}

// encode returns the file's bytes and the length of its header before
// padding.
func (fx fixture) encode() (file []byte, headerLen int) {
	w := &gw{o: binary.LittleEndian}
	if fx.order == binary.BigEndian {
		w.o = binary.BigEndian
	}
	version := fx.version
	if version == 0 {
		version = 3
	}
	w.WriteString("GGUF")
	w.u32(version)
	w.u64(uint64(len(fx.tensors)))
	w.u64(uint64(len(fx.kv)))
	for _, kv := range fx.kv {
		w.str(kv.Key)
		w.u32(uint32(kv.Value.typ))
		if kv.Value.typ == TypeArray {
			w.array(kv.Value)
		} else {
			w.scalar(kv.Value.v)
		}
	}
	for _, t := range fx.tensors {
		w.str(t.Name)
		w.u32(uint32(len(t.Dims)))
		for _, d := range t.Dims {
			w.u64(d)
		}
		w.u32(uint32(t.Type))
		w.u64(uint64(t.Offset))
	}
	headerLen = w.Len()
	align := fx.align
	if align == 0 {
		align = 32
	}
	for w.Len()%align != 0 {
		w.WriteByte(0)
	}
	w.Write(make([]byte, fx.data))
	return w.Bytes(), headerLen
}

// mustRead parses b with the default options.
func mustRead(tb testing.TB, b []byte) *File {
	tb.Helper()
	f, err := Read(tb.Context(), bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatalf("Read: %v", err)
	}
	return f
}

// withOffsets sets each tensor's Offset to follow the previous one, aligned
// to 32 bytes, the way writers lay out tensor data.
func withOffsets(ts []TensorInfo) []TensorInfo {
	var off int64
	for i := range ts {
		ts[i].Offset = off
		n, _ := ts[i].Size()
		off = (off + n + 31) / 32 * 32
	}
	return ts
}
