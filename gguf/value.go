package gguf

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
)

// ValueType is the type of a metadata value, as numbered in the GGUF
// specification.
type ValueType uint32

// The GGUF metadata value types.
const (
	TypeUint8   ValueType = 0
	TypeInt8    ValueType = 1
	TypeUint16  ValueType = 2
	TypeInt16   ValueType = 3
	TypeUint32  ValueType = 4
	TypeInt32   ValueType = 5
	TypeFloat32 ValueType = 6
	TypeBool    ValueType = 7 // one byte; any non-zero byte reads as true
	TypeString  ValueType = 8
	TypeArray   ValueType = 9
	TypeUint64  ValueType = 10
	TypeInt64   ValueType = 11
	TypeFloat64 ValueType = 12
)

var valueTypeNames = [...]string{"uint8", "int8", "uint16", "int16", "uint32", "int32",
	"float32", "bool", "string", "array", "uint64", "int64", "float64"}

// String returns the type's name, e.g. "uint32", or "type(N)" for an
// unknown type.
func (t ValueType) String() string {
	if int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return "type(" + strconv.FormatUint(uint64(t), 10) + ")"
}

// size returns the encoded size of a fixed-size type, or 0 for strings,
// arrays and unknown types.
func (t ValueType) size() int {
	switch t {
	case TypeUint8, TypeInt8, TypeBool:
		return 1
	case TypeUint16, TypeInt16:
		return 2
	case TypeUint32, TypeInt32, TypeFloat32:
		return 4
	case TypeUint64, TypeInt64, TypeFloat64:
		return 8
	}
	return 0
}

// KV is one metadata key-value pair.
type KV struct {
	Key   string
	Value Value
}

// Value is a metadata value. The zero Value has type uint8 and holds no
// value; every accessor reports false for it.
//
// Scalars are held as the Go type of the same size (uint8, int8, ...,
// float64, bool, string). Arrays of scalars are held as a slice of that type
// ([]uint32, []string, ...); arrays of arrays as []Value.
type Value struct {
	typ  ValueType
	elem ValueType // element type when typ == TypeArray
	v    any
}

// Type returns the value's type.
func (v Value) Type() ValueType { return v.typ }

// ElemType returns the element type of an array, and 0 for other values.
func (v Value) ElemType() ValueType { return v.elem }

// Any returns the value as a Go value: a scalar, a typed slice for an array
// of scalars, or []Value for an array of arrays. Callers must not modify a
// returned slice.
func (v Value) Any() any { return v.v }

// Uint returns an integer value of any integer type as a uint64, and false
// for negative integers and other types.
func (v Value) Uint() (uint64, bool) {
	if i, ok := v.Int(); ok {
		if i < 0 {
			return 0, false
		}
		return uint64(i), true
	}
	u, ok := v.v.(uint64)
	return u, ok
}

// Int returns an integer value of any integer type as an int64, and false
// for a uint64 above math.MaxInt64 and for other types.
func (v Value) Int() (int64, bool) {
	switch x := v.v.(type) {
	case uint8:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case int16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint64:
		return int64(x), x <= math.MaxInt64
	}
	return 0, false
}

// Float returns a float or integer value as a float64.
func (v Value) Float() (float64, bool) {
	switch x := v.v.(type) {
	case float32:
		return float64(x), true
	case float64:
		return x, true
	case uint64:
		return float64(x), true
	}
	i, ok := v.Int()
	return float64(i), ok
}

// Bool returns a bool value.
func (v Value) Bool() (bool, bool) {
	b, ok := v.v.(bool)
	return b, ok
}

// Text returns a string value. The bytes are as stored in the file: the
// specification says UTF-8, but nothing checks it, so sanitize before
// displaying.
func (v Value) Text() (string, bool) {
	s, ok := v.v.(string)
	return s, ok
}

// Strings returns an array of strings.
func (v Value) Strings() ([]string, bool) {
	s, ok := v.v.([]string)
	return s, ok
}

// Uints returns an array of non-negative integers of any integer type as
// []uint64 (a new slice), and false for other arrays or a negative element.
func (v Value) Uints() ([]uint64, bool) {
	if v.typ != TypeArray || v.elem == TypeArray {
		return nil, false
	}
	out := make([]uint64, v.Len())
	for i := range out {
		u, ok := v.index(i).Uint()
		if !ok {
			return nil, false
		}
		out[i] = u
	}
	return out, true
}

// Len returns the number of elements of an array, and 0 for other values.
func (v Value) Len() int {
	if v.typ != TypeArray || v.v == nil {
		return 0
	}
	return reflect.ValueOf(v.v).Len()
}

// index returns element i of an array as a Value; i must be in range.
func (v Value) index(i int) Value {
	x := reflect.ValueOf(v.v).Index(i).Interface()
	if inner, ok := x.(Value); ok {
		return inner
	}
	return Value{typ: v.elem, v: x}
}

// String formats the value for display: scalars as themselves, strings
// quoted and cut at 64 bytes, arrays as their type and length.
func (v Value) String() string {
	switch x := v.v.(type) {
	case nil:
		return "<none>"
	case string:
		if len(x) > 64 {
			return strconv.Quote(x[:64]) + "…"
		}
		return strconv.Quote(x)
	}
	if v.typ == TypeArray {
		return fmt.Sprintf("[%d]%s", v.Len(), v.elem)
	}
	return fmt.Sprint(v.v)
}
