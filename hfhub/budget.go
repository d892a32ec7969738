package hfhub

import (
	"errors"
	"fmt"
)

// Limits on an API answer, checked as it arrives, before anything is
// decoded: bytes alone do not bound memory, since 120 MB of "{}," decode
// into forty million maps. A model with 50,000 files is about 10 MB and
// 400,000 values of JSON.
const (
	maxBody      = 64 << 20
	maxJSONValue = 1_000_000 // values (objects, arrays, strings, numbers, ...)
	maxJSONDepth = 64
	// maxCardData bounds a model card's metadata (the README's YAML header,
	// a few kilobytes on the Hub), decoded into maps of any type.
	maxCardData = 1 << 20
)

// errTooLarge: failures that trying again will not mend.
var errTooLarge = errors.New("answer too large")

// jsonBudget counts the values and the nesting of a JSON text fed to it in
// pieces, failing once either exceeds its limit. It does not validate the
// JSON: the decoder does that afterwards, on a text known to be small
// enough.
type jsonBudget struct {
	values, depth int
	inString, esc bool
	inScalar      bool
}

func (b *jsonBudget) Write(p []byte) (int, error) {
	for i, c := range p {
		switch {
		case b.inString:
			switch {
			case b.esc:
				b.esc = false
			case c == '\\':
				b.esc = true
			case c == '"':
				b.inString = false
			}
			continue
		case c == '"':
			b.inString, b.inScalar = true, false
			b.values++
		case c == '{' || c == '[':
			b.inScalar = false
			b.values++
			if b.depth++; b.depth > maxJSONDepth {
				return i, fmt.Errorf("%w: nested more than %d deep", errTooLarge, maxJSONDepth)
			}
		case c == '}' || c == ']':
			b.inScalar = false
			b.depth--
		case c == ',' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r':
			b.inScalar = false
		default: // a number, true, false or null
			if !b.inScalar {
				b.inScalar = true
				b.values++
			}
		}
		if b.values > maxJSONValue {
			return i, fmt.Errorf("%w: more than %d values", errTooLarge, maxJSONValue)
		}
	}
	return len(p), nil
}
