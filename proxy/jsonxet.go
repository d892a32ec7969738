package proxy

import (
	"bytes"
	"encoding/json"
	"errors"
)

// errBadJSON is a Hub answer that claims to be JSON and is not.
var errBadJSON = errors.New("the Hub's JSON answer is malformed")

// maxJSONDepth bounds the nesting stripXet follows; the Hub's answers
// nest a few levels.
const maxJSONDepth = 512

// mayHoldXet reports whether body may name a Xet field: a key "xetHash" or
// "xetEnabled" is written either literally or with a \u escape.
func mayHoldXet(body []byte) bool {
	return bytes.Contains(body, []byte(`xet`)) || bytes.Contains(body, []byte(`\u`))
}

// stripXet writes body to dst without what makes a client use Xet
// (reference §3): every object member named "xetHash" is dropped, at any
// depth (tree and paths-info entries, siblings), and every "xetEnabled" is
// false (expand=xetEnabled). Insignificant whitespace is dropped too; every
// other byte is kept. It fails on malformed JSON.
func stripXet(dst *bytes.Buffer, body []byte) error {
	w := xetWalker{src: body, dst: dst}
	if err := w.value(true, 0); err != nil {
		return err
	}
	w.space()
	if w.i != len(w.src) {
		return errBadJSON
	}
	return nil
}

type xetWalker struct {
	src []byte
	i   int
	dst *bytes.Buffer
}

func (w *xetWalker) space() {
	for w.i < len(w.src) {
		switch w.src[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

// value reads one value, writing it to dst when emit is set.
func (w *xetWalker) value(emit bool, depth int) error {
	if depth > maxJSONDepth {
		return errBadJSON
	}
	w.space()
	if w.i >= len(w.src) {
		return errBadJSON
	}
	switch w.src[w.i] {
	case '{':
		return w.object(emit, depth)
	case '[':
		return w.array(emit, depth)
	case '"':
		s, err := w.str()
		if err == nil && emit {
			w.dst.Write(s)
		}
		return err
	}
	start := w.i
	for w.i < len(w.src) {
		c := w.src[w.i]
		if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		w.i++
	}
	lit := w.src[start:w.i]
	if len(lit) == 0 || !json.Valid(lit) {
		return errBadJSON
	}
	if emit {
		w.dst.Write(lit)
	}
	return nil
}

// str reads a string, quotes included.
func (w *xetWalker) str() ([]byte, error) {
	start := w.i
	w.i++ // the opening quote
	for w.i < len(w.src) {
		switch w.src[w.i] {
		case '\\':
			w.i += 2
			continue
		case '"':
			w.i++
			return w.src[start:w.i], nil
		}
		w.i++
	}
	return nil, errBadJSON
}

func (w *xetWalker) array(emit bool, depth int) error {
	w.i++ // [
	if emit {
		w.dst.WriteByte('[')
	}
	for n := 0; ; n++ {
		w.space()
		if w.i < len(w.src) && w.src[w.i] == ']' && n == 0 {
			break
		}
		if n > 0 && emit {
			w.dst.WriteByte(',')
		}
		if err := w.value(emit, depth+1); err != nil {
			return err
		}
		w.space()
		if w.i >= len(w.src) {
			return errBadJSON
		}
		if w.src[w.i] == ']' {
			break
		}
		if w.src[w.i] != ',' {
			return errBadJSON
		}
		w.i++
	}
	w.i++ // ]
	if emit {
		w.dst.WriteByte(']')
	}
	return nil
}

func (w *xetWalker) object(emit bool, depth int) error {
	w.i++ // {
	if emit {
		w.dst.WriteByte('{')
	}
	written := 0
	for n := 0; ; n++ {
		w.space()
		if w.i < len(w.src) && w.src[w.i] == '}' && n == 0 {
			break
		}
		if w.i >= len(w.src) || w.src[w.i] != '"' {
			return errBadJSON
		}
		key, err := w.str()
		if err != nil {
			return err
		}
		w.space()
		if w.i >= len(w.src) || w.src[w.i] != ':' {
			return errBadJSON
		}
		w.i++
		kind := keyKind(key)
		keep := emit && kind != xetHashKey
		if keep {
			if written > 0 {
				w.dst.WriteByte(',')
			}
			written++
			w.dst.Write(key)
			w.dst.WriteByte(':')
		}
		if kind == xetEnabledKey {
			if err := w.value(false, depth+1); err != nil {
				return err
			}
			if keep {
				w.dst.WriteString("false")
			}
		} else if err := w.value(keep, depth+1); err != nil {
			return err
		}
		w.space()
		if w.i >= len(w.src) {
			return errBadJSON
		}
		if w.src[w.i] == '}' {
			break
		}
		if w.src[w.i] != ',' {
			return errBadJSON
		}
		w.i++
	}
	w.i++ // }
	if emit {
		w.dst.WriteByte('}')
	}
	return nil
}

// Key kinds of keyKind.
const (
	otherKey = iota
	xetHashKey
	xetEnabledKey
)

// keyKind says whether a quoted key is "xetHash", "xetEnabled" or another.
func keyKind(quoted []byte) int {
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') >= 0 {
		var s string
		if json.Unmarshal(quoted, &s) != nil {
			return otherKey
		}
		inner = []byte(s)
	}
	switch string(inner) {
	case "xetHash":
		return xetHashKey
	case "xetEnabled":
		return xetEnabledKey
	}
	return otherKey
}
