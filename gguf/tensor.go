package gguf

// TensorInfo describes one tensor of the file. Its data is not read.
type TensorInfo struct {
	Name string
	// Dims are the dimensions, innermost (row length) first, as ggml's ne.
	Dims []uint64
	Type GGMLType
	// Offset is where the tensor's data starts, relative to File.DataOffset.
	Offset int64
}

// Elements returns the number of elements: the product of Dims (1 for a
// tensor without dimensions). Read guarantees it fits in an int64.
func (t TensorInfo) Elements() int64 {
	n := int64(1)
	for _, d := range t.Dims {
		n *= int64(d)
	}
	return n
}

// Size returns the bytes of the tensor's data, counted in rows of whole
// blocks as ggml does, and false when the type is unknown.
func (t TensorInfo) Size() (int64, bool) {
	if !t.Type.Known() {
		return 0, false
	}
	if len(t.Dims) == 0 {
		return t.Type.RowSize(1), true
	}
	row := int64(t.Dims[0])
	if row == 0 {
		return 0, true
	}
	return t.Type.RowSize(row) * (t.Elements() / row), true
}
