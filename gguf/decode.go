package gguf

import (
	"encoding/binary"
	"math"
	"math/bits"

	"github.com/hfgate/hfgate"
)

// maxTotalElements bounds the sum of all tensors' element counts. The
// largest published models have about 2^41 parameters; the bound keeps
// ParameterCount and TensorDataSize (at most 8 bytes per element) far from
// overflowing int64.
const maxTotalElements = 1 << 56

// decoder parses a header from a chunkReader.
type decoder struct {
	c     *chunkReader
	order binary.ByteOrder
	o     Options
	elems uint64 // running sum of tensor element counts
}

func (d *decoder) file() (*File, error) {
	p, err := d.c.next(8)
	if err != nil {
		return nil, err
	}
	if string(p[:4]) != "GGUF" {
		return nil, hfgate.WrapError(hfgate.EINVALID, ErrNotGGUF,
			"not a GGUF file (magic %q, want \"GGUF\"); choose a .gguf model file", p[:4])
	}
	// The magic reads the same either way; the version tells the byte order.
	// As in @huggingface/gguf: a version whose low 16 bits are zero when read
	// little-endian was written big-endian.
	d.order = binary.LittleEndian
	version := d.order.Uint32(p[4:])
	if version&0xFFFF == 0 {
		d.order = binary.BigEndian
		version = d.order.Uint32(p[4:])
	}
	switch {
	case version == 1:
		return nil, hfgate.WrapError(hfgate.EINVALID, ErrVersion,
			"GGUF version 1 is obsolete and current llama.cpp no longer loads it; use a file converted after 2023")
	case version != 2 && version != 3:
		return nil, hfgate.WrapError(hfgate.EINVALID, ErrVersion,
			"GGUF version %d is not supported (versions 2 and 3 are); update hfgate", version)
	}
	f := &File{Version: version, ByteOrder: d.order, Alignment: DefaultAlignment}
	nTensors, err := d.u64()
	if err != nil {
		return nil, err
	}
	nKV, err := d.u64()
	if err != nil {
		return nil, err
	}
	if err := d.kvs(f, nKV); err != nil {
		return nil, err
	}
	if err := d.alignment(f); err != nil {
		return nil, err
	}
	if err := d.tensors(f, nTensors); err != nil {
		return nil, err
	}
	end := d.c.pos()
	f.DataOffset = end + int64((f.Alignment-uint64(end)%f.Alignment)%f.Alignment)
	return f, nil
}

func (d *decoder) kvs(f *File, n uint64) error {
	if n > uint64(d.o.MaxKVs) {
		return overLimit(d.c.pos(), "%d metadata entries, more than the limit of %d", n, d.o.MaxKVs)
	}
	// Smallest entry: key length, value type, a one-byte value.
	if err := d.room(n, 8+4+1, "metadata entries"); err != nil {
		return err
	}
	f.KV = make([]KV, 0, n)
	f.index = make(map[string]int, n)
	for range n {
		at := d.c.pos()
		key, err := d.str()
		if err != nil {
			return err
		}
		if _, dup := f.index[key]; dup {
			return corrupt(at, "metadata key %q appears twice", key)
		}
		t, err := d.u32()
		if err != nil {
			return err
		}
		v, err := d.value(ValueType(t), 0)
		if err != nil {
			return err
		}
		f.index[key] = len(f.KV)
		f.KV = append(f.KV, KV{Key: key, Value: v})
	}
	return nil
}

// alignment applies general.alignment, which must be a power of two.
func (d *decoder) alignment(f *File) error {
	v, ok := f.Lookup(KeyAlignment)
	if !ok {
		return nil
	}
	a, ok := v.Uint()
	if !ok || a == 0 || a&(a-1) != 0 || a > 1<<30 {
		return corrupt(d.c.pos(), "%s is %v, not a power of two", KeyAlignment, v)
	}
	f.Alignment = a
	return nil
}

func (d *decoder) tensors(f *File, n uint64) error {
	if n > uint64(d.o.MaxTensors) {
		return overLimit(d.c.pos(), "%d tensors, more than the limit of %d", n, d.o.MaxTensors)
	}
	// Smallest tensor info: name length, dims count, type, offset.
	if err := d.room(n, 8+4+4+8, "tensor infos"); err != nil {
		return err
	}
	f.Tensors = make([]TensorInfo, n)
	for i := range f.Tensors {
		if err := d.tensor(&f.Tensors[i]); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) tensor(t *TensorInfo) error {
	at := d.c.pos()
	name, err := d.str()
	if err != nil {
		return err
	}
	nd, err := d.u32()
	if err != nil {
		return err
	}
	if nd > uint32(d.o.MaxDims) {
		return corrupt(at, "tensor %q has %d dimensions, more than %d", name, nd, d.o.MaxDims)
	}
	t.Name, t.Dims = name, make([]uint64, nd)
	n := uint64(1)
	for i := range t.Dims {
		if t.Dims[i], err = d.u64(); err != nil {
			return err
		}
		hi, lo := bits.Mul64(n, t.Dims[i])
		if hi != 0 || lo > maxTotalElements {
			return corrupt(at, "tensor %q has impossible dimensions %v", name, t.Dims)
		}
		n = lo
	}
	if d.elems += n; d.elems > maxTotalElements {
		return corrupt(at, "the tensors hold more than 2^56 elements in total")
	}
	typ, err := d.u32()
	if err != nil {
		return err
	}
	off, err := d.u64()
	if err != nil {
		return err
	}
	if off > math.MaxInt64 {
		return corrupt(at, "tensor %q has offset %d", name, off)
	}
	t.Type, t.Offset = GGMLType(typ), int64(off)
	return nil
}
