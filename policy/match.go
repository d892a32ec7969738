package policy

// The matching below runs on every request: it compares the bytes of an id
// lower-cased once per request, against patterns lower-cased once, and
// allocates nothing.

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// matchSegment reports whether v, in lower case and with no '/', matches
// the lower-case glob g. On a mismatch after a '*' it retries with the '*'
// taking one more byte: only the last '*' needs retrying, so the cost is at
// most len(g)*len(v).
func matchSegment(g string, v []byte) bool {
	gi, vi := 0, 0
	starG, starV := -1, 0
	for gi < len(g) || vi < len(v) {
		if gi < len(g) {
			switch c := g[gi]; c {
			case '*':
				starG, starV = gi, vi
				gi++
				continue
			case '?':
				if vi < len(v) {
					gi++
					vi++
					continue
				}
			case '[':
				if vi < len(v) {
					if n, ok := matchClass(g[gi:], v[vi]); ok {
						gi += n
						vi++
						continue
					}
				}
			default:
				if vi < len(v) && c == v[vi] {
					gi++
					vi++
					continue
				}
			}
		}
		if starG < 0 || starV >= len(v) {
			return false
		}
		starV++
		gi, vi = starG+1, starV
	}
	return true
}

// matchClass matches c against the class at the start of g and returns the
// class's length. A malformed class (which compilePattern refuses) matches
// nothing.
func matchClass(g string, c byte) (n int, ok bool) {
	i := 1
	negate := i < len(g) && g[i] == '^'
	if negate {
		i++
	}
	in := false
	for ; i < len(g) && g[i] != ']'; i++ {
		lo, hi := g[i], g[i]
		if i+2 < len(g) && g[i+1] == '-' && g[i+2] != ']' {
			hi = g[i+2]
			i += 2
		}
		if lo <= c && c <= hi {
			in = true
		}
	}
	if i == len(g) {
		return 0, false
	}
	return i + 1, in != negate
}

// lowerASCII lowers the ASCII letters of s and leaves every other byte.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lower(c)
	}
	return string(b)
}

// maxID is the longest id that can be valid: owner/name.
const maxID = 2*maxPart + 1

// lowerID writes id in lower case into buf and splits it into owner and
// name, without allocating. ok is false for an id that no rule may match:
// empty, more than one '/', an empty part or one longer than maxPart, or a
// byte outside repo names' characters (A-Z, a-z, 0-9, '_', '.', '-'). A
// legacy id with no owner ("gpt2") is bare: its owner is nil.
func lowerID(buf *[maxID]byte, id string) (owner, name []byte, bare, ok bool) {
	if id == "" || len(id) > maxID {
		return nil, nil, false, false
	}
	slash := -1
	for i := 0; i < len(id); i++ {
		switch c := lower(id[i]); {
		case c == '/' && slash < 0:
			slash = i
			buf[i] = c
		case nameChar(c):
			buf[i] = c
		default:
			return nil, nil, false, false
		}
	}
	b := buf[:len(id)]
	switch {
	case slash < 0 && len(b) > maxPart:
		return nil, nil, false, false
	case slash < 0:
		return nil, b, true, true
	case slash == 0 || slash == len(b)-1 || slash > maxPart || len(b)-slash-1 > maxPart:
		return nil, nil, false, false
	}
	return b[:slash], b[slash+1:], false, true
}
