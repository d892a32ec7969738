package hfcache

import (
	"os"
	"path/filepath"
	"strings"
)

// DirFromEnv returns the hub cache directory and HF_HOME the way
// huggingface_hub's constants.py computes them:
//
//	hfHome   = $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface
//	hubCache = $HF_HUB_CACHE, else $HUGGINGFACE_HUB_CACHE (legacy), else hfHome/hub
//
// As in Python, a leading "~" is replaced by the home directory and $VAR or
// ${VAR} references are expanded (left as they are when VAR is unset). The
// home directory is $HOME, else os.UserHomeDir. Unlike Python, a variable set
// to the empty string counts as unset (Python would use the current
// directory). The official token file is $HF_TOKEN_PATH, else
// hfHome/token: credstore reads it.
//
// getenv is usually os.Getenv; nil means os.Getenv. DirFromEnv does no I/O
// beyond os.UserHomeDir and creates nothing.
func DirFromEnv(getenv func(string) string) (hubCache, hfHome string) {
	if getenv == nil {
		getenv = os.Getenv
	}
	first := func(vals ...string) string {
		for _, v := range vals {
			if v != "" {
				return v
			}
		}
		return ""
	}
	cacheHome := first(getenv("XDG_CACHE_HOME"), filepath.Join("~", ".cache"))
	hfHome = expandPath(first(getenv("HF_HOME"), filepath.Join(cacheHome, "huggingface")), getenv)
	hubCache = expandPath(first(getenv("HF_HUB_CACHE"), getenv("HUGGINGFACE_HUB_CACHE"), filepath.Join(hfHome, "hub")), getenv)
	return hubCache, hfHome
}

// OfflineFromEnv reports whether HF_HUB_OFFLINE (or transformers' legacy
// TRANSFORMERS_OFFLINE) is set to a true value: 1, ON, YES or TRUE in any
// case, as huggingface_hub reads it. Offline, files come only from the cache
// (Repo.Lookup). nil getenv means os.Getenv.
func OfflineFromEnv(getenv func(string) string) bool {
	if getenv == nil {
		getenv = os.Getenv
	}
	for _, name := range []string{"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"} {
		switch strings.ToUpper(strings.TrimSpace(getenv(name))) {
		case "1", "ON", "YES", "TRUE":
			return true
		}
	}
	return false
}

// expandPath applies Python's os.path.expanduser and then os.path.expandvars.
func expandPath(p string, getenv func(string) string) string {
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, "~"+string(filepath.Separator)) {
		home := getenv("HOME")
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		if home != "" { // Python leaves "~" alone when there is no home either
			p = home + p[1:]
		}
	}
	return expandVars(p, getenv)
}

// expandVars replaces $NAME and ${NAME} with the variable's value, leaving
// references to unset variables untouched, as Python's os.path.expandvars
// does (os.Expand would drop them).
func expandVars(s string, getenv func(string) string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			b.WriteByte(s[i])
			continue
		}
		rest := s[i+1:]
		braced := strings.HasPrefix(rest, "{")
		if braced {
			rest = rest[1:]
		}
		n := 0
		for n < len(rest) && isNameByte(rest[n]) {
			n++
		}
		if n == 0 || (braced && (n == len(rest) || rest[n] != '}')) {
			b.WriteByte('$')
			continue
		}
		ref := s[i : i+1+n]
		if braced {
			ref = s[i : i+3+n]
		}
		if v := getenv(rest[:n]); v != "" {
			b.WriteString(v)
		} else {
			b.WriteString(ref)
		}
		i += len(ref) - 1
	}
	return b.String()
}

func isNameByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
