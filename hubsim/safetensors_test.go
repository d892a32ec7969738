package hubsim

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// parseSafetensors reads a safetensors header and checks that the tensors
// tile the data section exactly. It returns the parameter count.
func parseSafetensors(c content) (int64, error) {
	var n [8]byte
	c.readAt(n[:], 0)
	hl := int64(binary.LittleEndian.Uint64(n[:]))
	if hl%8 != 0 || 8+hl > c.size() {
		return 0, fmt.Errorf("header length %d", hl)
	}
	hdr := make([]byte, hl)
	c.readAt(hdr, 8)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &m); err != nil {
		return 0, err
	}
	type tensor struct {
		DType   string  `json:"dtype"`
		Shape   []int64 `json:"shape"`
		Offsets []int64 `json:"data_offsets"`
	}
	var ts []tensor
	for name, raw := range m {
		if name == "__metadata__" {
			continue
		}
		var t tensor
		if err := json.Unmarshal(raw, &t); err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		ts = append(ts, t)
	}
	slices.SortFunc(ts, func(a, b tensor) int { return int(a.Offsets[0] - b.Offsets[0]) })
	var params, next int64
	for _, t := range ts {
		e := int64(1)
		for _, d := range t.Shape {
			e *= d
		}
		width := map[string]int64{"F32": 4, "F16": 2, "BF16": 2}[t.DType]
		if t.Offsets[0] != next || t.Offsets[1]-t.Offsets[0] != e*width {
			return 0, fmt.Errorf("tensor at %v: want start %d and %d bytes", t.Offsets, next, e*width)
		}
		next = t.Offsets[1]
		params += e
	}
	if 8+hl+next != c.size() {
		return 0, fmt.Errorf("data ends at %d, file is %d bytes", 8+hl+next, c.size())
	}
	return params, nil
}

func TestSafetensorsHeader(t *testing.T) {
	cat := mustBuiltin(t)
	for _, tt := range []struct {
		repo   string
		params int64
	}{
		{"google-bert/bert-base-uncased", 110_106_428}, // the Hub's safetensors.total for this repo
		{"sentence-transformers/all-MiniLM-L6-v2", 22_713_216},
		{"meta-llama/Llama-3.2-1B-Instruct", 1_235_814_400},
	} {
		t.Run(tt.repo, func(t *testing.T) {
			c := mustContent(t, mustFile(t, cat, tt.repo, "model.safetensors"))
			params, err := parseSafetensors(c)
			if err != nil {
				t.Fatal(err)
			}
			if params != tt.params {
				t.Errorf("%d parameters, want %d", params, tt.params)
			}
		})
	}
}
