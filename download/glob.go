package download

import "strings"

// Selected reports whether a repository path passes include and exclude
// patterns (those of a Request, or of any command that picks files of a
// repo), as huggingface_hub's filter_repo_objects decides: no Include means everything, and a pattern ending in "/" gets
// "*" appended so that it selects a whole folder.
func Selected(p string, include, exclude []string) bool {
	if len(include) > 0 && !slicesMatch(p, include) {
		return false
	}
	return !slicesMatch(p, exclude)
}

func slicesMatch(p string, patterns []string) bool {
	for _, pat := range patterns {
		if strings.HasSuffix(pat, "/") {
			pat += "*"
		}
		if fnmatch(pat, p) {
			return true
		}
	}
	return false
}

// fnmatch matches name against pattern the way Python's fnmatch does, which
// is what huggingface_hub (and so every user's muscle memory of
// --include "*.gguf") relies on. path.Match does not fit: its '*' stops at
// '/', so "*.gguf" would miss "sub/x.gguf" and "sub/*" would miss deeper
// files, and it rejects '[!...]'. Here '*' matches any run of characters,
// '/' included, '?' any one character (not byte), and [...] a set: [!...] negates it,
// a ']' first in the set is literal, and a-z is a range. A '[' with no
// closing ']' is a literal. Matching is case-sensitive (POSIX normcase).
func fnmatch(patternStr, nameStr string) bool {
	pattern, name := []rune(patternStr), []rune(nameStr)
	px, nx := 0, 0
	starPx, starNx := -1, -1 // where to resume after the last '*'
	for nx < len(name) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				starPx, starNx = px, nx
				px++
				continue
			case '?':
				px++
				nx++
				continue
			case '[':
				if ok, width, valid := matchSet(pattern[px:], name[nx]); valid {
					if ok {
						px += width
						nx++
						continue
					}
				} else if name[nx] == '[' {
					px++
					nx++
					continue
				}
			default:
				if c == name[nx] {
					px++
					nx++
					continue
				}
			}
		}
		if starPx < 0 {
			return false
		}
		// Let the last '*' swallow one more character and retry.
		starNx++
		px, nx = starPx+1, starNx
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

// matchSet matches c against the set at the start of pat ("[...]"). width
// is the set's length in pat; valid is false when the set is not closed.
func matchSet(pat []rune, c rune) (ok bool, width int, valid bool) {
	i := 1
	negate := i < len(pat) && pat[i] == '!'
	if negate {
		i++
	}
	start := i
	for ; i < len(pat); i++ {
		if pat[i] == ']' && i > start {
			break
		}
	}
	if i >= len(pat) {
		return false, 0, false
	}
	set := pat[start:i]
	for j := 0; j < len(set); j++ {
		lo, hi := set[j], set[j]
		if j+2 < len(set) && set[j+1] == '-' {
			hi = set[j+2]
			j += 2
		}
		if lo <= c && c <= hi {
			ok = true
		}
	}
	return ok != negate, i + 1, true
}
