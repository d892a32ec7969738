package gguf

import (
	"math"
)

func (d *decoder) u32() (uint32, error) {
	p, err := d.c.next(4)
	if err != nil {
		return 0, err
	}
	return d.order.Uint32(p), nil
}

func (d *decoder) u64() (uint64, error) {
	p, err := d.c.next(8)
	if err != nil {
		return 0, err
	}
	return d.order.Uint64(p), nil
}

// room checks that n items of at least size bytes each can fit in what is
// left of the file and of MaxHeaderSize, before anything is allocated for
// them: a count is trusted only as far as the bytes behind it.
func (d *decoder) room(n uint64, size int, what string) error {
	pos := d.c.pos()
	fits := func(end int64) bool { return n <= uint64(max(end-pos, 0))/uint64(size) }
	if d.c.size >= 0 && !fits(d.c.size) {
		return corrupt(pos, "%d %s cannot fit in the %d bytes left in the file", n, what, d.c.size-pos)
	}
	if !fits(d.c.limit) {
		return overLimit(pos, "%d %s cannot fit in the header size limit of %d bytes", n, what, d.c.limit)
	}
	return nil
}

// strLen reads a string length and checks it against MaxStringLen.
func (d *decoder) strLen() (int, error) {
	at := d.c.pos()
	n, err := d.u64()
	if err != nil {
		return 0, err
	}
	if n > uint64(d.o.MaxStringLen) {
		return 0, overLimit(at, "a string of %d bytes, more than the limit of %d", n, d.o.MaxStringLen)
	}
	return int(n), nil
}

func (d *decoder) str() (string, error) {
	n, err := d.strLen()
	if err != nil {
		return "", err
	}
	p, err := d.c.next(n)
	return string(p), err
}

// value reads a value of type t; depth is the array nesting level around it.
func (d *decoder) value(t ValueType, depth int) (Value, error) {
	switch t {
	case TypeString:
		s, err := d.str()
		return Value{typ: t, v: s}, err
	case TypeArray:
		return d.array(depth + 1)
	}
	n := t.size()
	if n == 0 {
		return Value{}, corrupt(d.c.pos(), "unknown value type %d", uint32(t))
	}
	p, err := d.c.next(n)
	if err != nil {
		return Value{}, err
	}
	return Value{typ: t, v: d.scalar(t, p)}, nil
}

// scalar decodes a fixed-size value of type t from p.
func (d *decoder) scalar(t ValueType, p []byte) any {
	switch t {
	case TypeUint8:
		return p[0]
	case TypeInt8:
		return int8(p[0])
	case TypeBool:
		return p[0] != 0
	case TypeUint16:
		return d.order.Uint16(p)
	case TypeInt16:
		return int16(d.order.Uint16(p))
	case TypeUint32:
		return d.order.Uint32(p)
	case TypeInt32:
		return int32(d.order.Uint32(p))
	case TypeFloat32:
		return math.Float32frombits(d.order.Uint32(p))
	case TypeUint64:
		return d.order.Uint64(p)
	case TypeInt64:
		return int64(d.order.Uint64(p))
	default: // TypeFloat64
		return math.Float64frombits(d.order.Uint64(p))
	}
}

func (d *decoder) array(depth int) (Value, error) {
	at := d.c.pos()
	if depth > d.o.MaxDepth {
		return Value{}, overLimit(at, "arrays nested more than %d deep", d.o.MaxDepth)
	}
	et, err := d.u32()
	if err != nil {
		return Value{}, err
	}
	elem := ValueType(et)
	n, err := d.u64()
	if err != nil {
		return Value{}, err
	}
	if n > uint64(d.o.MaxArrayLen) {
		return Value{}, overLimit(at, "an array of %d elements, more than the limit of %d", n, d.o.MaxArrayLen)
	}
	size := elem.size()
	switch elem {
	case TypeString:
		size = 8
	case TypeArray:
		size = 4 + 8
	}
	if size == 0 {
		return Value{}, corrupt(at, "array of unknown value type %d", et)
	}
	if err := d.room(n, size, "array elements"); err != nil {
		return Value{}, err
	}
	v := Value{typ: TypeArray, elem: elem}
	switch elem {
	case TypeString:
		v.v, err = d.strings(int(n))
	case TypeArray:
		vs := make([]Value, n)
		for i := range vs {
			if vs[i], err = d.array(depth + 1); err != nil {
				break
			}
		}
		v.v = vs
	default:
		var p []byte
		if p, err = d.c.next(int(n) * size); err == nil {
			v.v = d.scalars(elem, p, int(n))
		}
	}
	return v, err
}

// strings reads n strings into one backing string, so that a 150k-token
// vocabulary costs a handful of allocations instead of 150k.
func (d *decoder) strings(n int) ([]string, error) {
	ends := make([]int, n)
	var arena []byte
	for i := range ends {
		l, err := d.strLen()
		if err != nil {
			return nil, err
		}
		p, err := d.c.next(l)
		if err != nil {
			return nil, err
		}
		arena = append(arena, p...)
		ends[i] = len(arena)
	}
	all, out, start := string(arena), make([]string, n), 0
	for i, end := range ends {
		out[i], start = all[start:end], end
	}
	return out, nil
}

// scalars decodes n fixed-size values of type t from p into a typed slice.
func (d *decoder) scalars(t ValueType, p []byte, n int) any {
	switch t {
	case TypeUint8:
		return append([]uint8(nil), p...)
	case TypeInt8:
		return decodeAll(p, n, 1, func(b []byte) int8 { return int8(b[0]) })
	case TypeBool:
		return decodeAll(p, n, 1, func(b []byte) bool { return b[0] != 0 })
	case TypeUint16:
		return decodeAll(p, n, 2, d.order.Uint16)
	case TypeInt16:
		return decodeAll(p, n, 2, func(b []byte) int16 { return int16(d.order.Uint16(b)) })
	case TypeUint32:
		return decodeAll(p, n, 4, d.order.Uint32)
	case TypeInt32:
		return decodeAll(p, n, 4, func(b []byte) int32 { return int32(d.order.Uint32(b)) })
	case TypeFloat32:
		return decodeAll(p, n, 4, func(b []byte) float32 { return math.Float32frombits(d.order.Uint32(b)) })
	case TypeUint64:
		return decodeAll(p, n, 8, d.order.Uint64)
	case TypeInt64:
		return decodeAll(p, n, 8, func(b []byte) int64 { return int64(d.order.Uint64(b)) })
	default: // TypeFloat64
		return decodeAll(p, n, 8, func(b []byte) float64 { return math.Float64frombits(d.order.Uint64(b)) })
	}
}

func decodeAll[T any](p []byte, n, size int, conv func([]byte) T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = conv(p[i*size:])
	}
	return out
}
