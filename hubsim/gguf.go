package hubsim

import (
	"encoding/binary"
	"math"
)

// GGUF is written by hand here rather than with a library: hubsim must not
// depend on the project's own gguf parser (the two are cross-checked), and
// writing the format is a few dozen lines (ggml docs/gguf.md).

const (
	ggufMagic     = "GGUF"
	ggufVersion   = 3
	ggufAlignment = 32 // general.alignment, and the default when absent
)

// GGUF metadata value types.
const (
	gvUint8   = 0
	gvUint16  = 2
	gvUint32  = 4
	gvInt32   = 5
	gvFloat32 = 6
	gvBool    = 7
	gvString  = 8
	gvArray   = 9
)

// ggufEnc appends little-endian GGUF values to buf. With measure set it only
// counts bytes, so a file's size is known without building its header.
type ggufEnc struct {
	buf     []byte
	n       int64
	measure bool
	kvs     uint64
}

func (e *ggufEnc) raw(b []byte) {
	e.n += int64(len(b))
	if !e.measure {
		e.buf = append(e.buf, b...)
	}
}

func (e *ggufEnc) u16(v uint16) { e.raw(binary.LittleEndian.AppendUint16(nil, v)) }
func (e *ggufEnc) u32(v uint32) {
	e.n += 4
	if !e.measure {
		e.buf = binary.LittleEndian.AppendUint32(e.buf, v)
	}
}

func (e *ggufEnc) u64(v uint64) {
	e.n += 8
	if !e.measure {
		e.buf = binary.LittleEndian.AppendUint64(e.buf, v)
	}
}

func (e *ggufEnc) str(s string) {
	e.u64(uint64(len(s)))
	e.n += int64(len(s))
	if !e.measure {
		e.buf = append(e.buf, s...)
	}
}

func (e *ggufEnc) key(k string, typ uint32) {
	e.kvs++
	e.str(k)
	e.u32(typ)
}

func (e *ggufEnc) kvString(k, v string) { e.key(k, gvString); e.str(v) }
func (e *ggufEnc) kvU32(k string, v uint32) {
	e.key(k, gvUint32)
	e.u32(v)
}
func (e *ggufEnc) kvI32(k string, v int32) { e.key(k, gvInt32); e.u32(uint32(v)) }
func (e *ggufEnc) kvU16(k string, v uint16) {
	e.key(k, gvUint16)
	e.u16(v)
}
func (e *ggufEnc) kvF32(k string, v float64) {
	e.key(k, gvFloat32)
	e.u32(math.Float32bits(float32(v)))
}
func (e *ggufEnc) kvBool(k string, v bool) {
	e.key(k, gvBool)
	b := byte(0)
	if v {
		b = 1
	}
	e.raw([]byte{b})
}

func (e *ggufEnc) kvStrings(k string, vs []string) {
	e.key(k, gvArray)
	e.u32(gvString)
	e.u64(uint64(len(vs)))
	for _, v := range vs {
		e.str(v)
	}
}

func (e *ggufEnc) kvI32s(k string, vs []int32) {
	e.key(k, gvArray)
	e.u32(gvInt32)
	e.u64(uint64(len(vs)))
	for _, v := range vs {
		e.u32(uint32(v))
	}
}

func (e *ggufEnc) kvF32s(k string, vs []float32) {
	e.key(k, gvArray)
	e.u32(gvFloat32)
	e.u64(uint64(len(vs)))
	for _, v := range vs {
		e.u32(math.Float32bits(v))
	}
}

// ggufTensorRef is a tensor as listed in one file: type and data offset
// relative to the start of the data section.
type ggufTensorRef struct {
	*tensorInfo
	offset int64
}

// encodeGGUF writes a whole GGUF header: magic, version, counts, the
// metadata written by kv, the tensor infos, and padding up to the alignment,
// where the tensor data starts. kv is called twice when not measuring: once
// to count the pairs, once to write them.
func encodeGGUF(measure bool, kv func(*ggufEnc), tensors []ggufTensorRef) ([]byte, int64) {
	count := &ggufEnc{measure: true}
	kv(count)
	e := &ggufEnc{measure: measure}
	if !measure {
		e.buf = make([]byte, 0, count.n+int64(len(tensors))*96+64)
	}
	e.raw([]byte(ggufMagic))
	e.u32(ggufVersion)
	e.u64(uint64(len(tensors)))
	e.u64(count.kvs)
	kv(e)
	for _, t := range tensors {
		e.str(t.name)
		e.u32(uint32(len(t.dims)))
		for _, d := range t.dims {
			e.u64(uint64(d))
		}
		e.u32(uint32(t.typ))
		e.u64(uint64(t.offset))
	}
	if pad := alignUp(e.n, ggufAlignment) - e.n; pad > 0 {
		e.raw(make([]byte, pad))
	}
	return e.buf, e.n
}

func alignUp(n, a int64) int64 { return (n + a - 1) / a * a }
