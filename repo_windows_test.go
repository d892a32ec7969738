package hfgate

import "testing"

// The Windows rules of ValidateRepoPath, checked on every platform.
func TestValidateRepoPathWindows(t *testing.T) {
	for _, tt := range []struct {
		path string
		ok   bool
	}{
		{"model.gguf", true},
		{"sub/config.json", true},
		{"CONFIG/con.d/x", true},
		{"console.txt", true},
		{"COM10", true},
		{"CON", false},
		{"sub/nul.txt", false},
		{"aux.tar.gz", false},
		{"Com1", false},
		{"LPT9.bin", false},
		{"lpt\u00b9", false},
		{"CONIN$", false},
		{"NUL ", false},
		{"model.gguf:Zone.Identifier", false},
		{"a:b/c", false},
		{"what?.bin", false},
		{"x/trailing.", false},
		{"trailing ", false},
	} {
		err := validateRepoPath(tt.path, true)
		if (err == nil) != tt.ok {
			t.Errorf("validateRepoPath(%q, windows) = %v, want ok=%v", tt.path, err, tt.ok)
		}
		if unix := validateRepoPath(tt.path, false); unix != nil && tt.ok {
			t.Errorf("validateRepoPath(%q, unix) = %v", tt.path, unix)
		}
	}
}
