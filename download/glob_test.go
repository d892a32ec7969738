package download

import "testing"

func TestFnmatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, name string
		want          bool
	}{
		{"*.gguf", "a.gguf", true},
		{"*.gguf", "sub/dir/a.gguf", true}, // '*' crosses '/', unlike path.Match
		{"*.gguf", "a.gguf.part", false},
		{"sub/*", "sub/x/y.bin", true},
		{"*Q4_K_M*", "model-Q4_K_M-00001-of-00002.gguf", true},
		{"*q4_k_m*", "model-Q4_K_M.gguf", false}, // case-sensitive, as on POSIX
		{"?.bin", "a.bin", true},
		{"?.bin", "ab.bin", false},
		{"?.bin", "é.bin", true}, // one character, not one byte
		{"file-[0-4]?.bin", "file-07.bin", true},
		{"file-[0-4]?.bin", "file-57.bin", false},
		{"file-[!0-4]?.bin", "file-57.bin", true},
		{"[]x]", "]", true},
		{"a[", "a[", true}, // an unclosed '[' is literal
		{"", "", true},
		{"*", "", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
	} {
		if got := fnmatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("fnmatch(%q, %q)=%v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestSelected(t *testing.T) {
	inc, exc := []string{"small/", "*.json"}, []string{"small/file-1*"}
	for _, tt := range []struct {
		name string
		want bool
	}{
		{"small/file-00.bin", true},
		{"small/file-12.bin", false},
		{"config.json", true},
		{"blob-2GiB.bin", false},
	} {
		if got := Selected(tt.name, inc, exc); got != tt.want {
			t.Errorf("Selected(%q)=%v, want %v", tt.name, got, tt.want)
		}
	}
	if !Selected("anything", nil, nil) {
		t.Error("no patterns must select everything")
	}
}
