package hubsim

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// stLayout is a generated safetensors file: an 8-byte little-endian header
// length, a JSON header (padded with spaces to 8 bytes, as the safetensors
// library does) mapping tensor names to dtype, shape and data offsets, then
// the tensor data.
type stLayout struct {
	header   []byte // length prefix and JSON
	dataSize int64
	dtype    string
	params   int64
}

func newSafetensorsLayout(m *ModelSpec, dtype string) (*stLayout, error) {
	var width int64
	switch dtype {
	case "F32":
		width = 4
	case "F16", "BF16":
		width = 2
	default:
		return nil, fmt.Errorf("safetensors dtype %q is not one of F32, F16, BF16", dtype)
	}
	ts, err := safetensorsTensors(m)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ts, func(a, b stTensor) int { return strings.Compare(a.name, b.name) })
	l := &stLayout{dtype: dtype}
	var js bytes.Buffer
	js.WriteString(`{"__metadata__":{"format":"pt"}`)
	for _, t := range ts {
		n := int64(1)
		for _, d := range t.shape {
			n *= d
		}
		l.params += n
		fmt.Fprintf(&js, `,%s:{"dtype":%q,"shape":[`, strconv.Quote(t.name), dtype)
		for i, d := range t.shape {
			if i > 0 {
				js.WriteByte(',')
			}
			js.WriteString(strconv.FormatInt(d, 10))
		}
		fmt.Fprintf(&js, `],"data_offsets":[%d,%d]}`, l.dataSize, l.dataSize+n*width)
		l.dataSize += n * width
	}
	js.WriteByte('}')
	for js.Len()%8 != 0 {
		js.WriteByte(' ')
	}
	l.header = binary.LittleEndian.AppendUint64(nil, uint64(js.Len()))
	l.header = append(l.header, js.Bytes()...)
	return l, nil
}

func (l *stLayout) size() int64 { return int64(len(l.header)) + l.dataSize }
