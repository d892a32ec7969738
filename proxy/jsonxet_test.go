package proxy

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestStripXet(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"tree entry", `[{"type":"file","oid":"a","size":3,"path":"m.gguf","lfs":{"oid":"b","size":3,"pointerSize":130},"xetHash":"c"}]`,
			`[{"type":"file","oid":"a","size":3,"path":"m.gguf","lfs":{"oid":"b","size":3,"pointerSize":130}}]`},
		{"xetHash first and last", `{"xetHash":"x","a":1,"xetHash":"y"}`, `{"a":1}`},
		{"only xetHash", `{"xetHash":"x"}`, `{}`},
		{"nested in siblings", `{"siblings":[{"rfilename":"a","xetHash":{"deep":[1,2]}}],"b":[]}`, `{"siblings":[{"rfilename":"a"}],"b":[]}`},
		{"xetEnabled is false", `{"_id":"1","id":"a/b","xetEnabled":true}`, `{"_id":"1","id":"a/b","xetEnabled":false}`},
		{"xetEnabled in search items", `[{"id":"a","xetEnabled":true},{"id":"b","xetEnabled":false}]`, `[{"id":"a","xetEnabled":false},{"id":"b","xetEnabled":false}]`},
		{"escaped key", `{"\u0078etHash":"x","x\u0065tEnabled":true,"k":"\u003c"}`, `{"x\u0065tEnabled":false,"k":"\u003c"}`},
		{"a value named xetHash stays", `{"path":"xetHash","note":"xetEnabled"}`, `{"path":"xetHash","note":"xetEnabled"}`},
		{"whitespace", " { \"a\" : [ 1 , 2 ] ,\n\"xetHash\" : \"h\" } ", `{"a":[1,2]}`},
		{"scalars", `[true,false,null,-1.5e3,"s\"q"]`, `[true,false,null,-1.5e3,"s\"q"]`},
		{"empty", `[]`, `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := stripXet(&out, []byte(tt.in)); err != nil {
				t.Fatalf("stripXet(%s): %v", tt.in, err)
			}
			if got := out.String(); got != tt.want {
				t.Errorf("stripXet(%s)\n = %s\nwant %s", tt.in, got, tt.want)
			}
			if !json.Valid(out.Bytes()) {
				t.Errorf("stripXet(%s) is not valid JSON", tt.in)
			}
		})
	}
}

func TestStripXetRefusesMalformed(t *testing.T) {
	for _, in := range []string{``, `{`, `[1,]`, `{"a"}`, `{"a":}`, `[1 2]`, `"open`, `{"a":1}x`, `tru`, `{1:2}`,
		string(bytes.Repeat([]byte("["), maxJSONDepth+2)) + string(bytes.Repeat([]byte("]"), maxJSONDepth+2))} {
		var out bytes.Buffer
		if err := stripXet(&out, []byte(in)); err == nil {
			t.Errorf("stripXet(%.40q) = %s, want an error", in, out.String())
		}
	}
}

func FuzzStripXet(f *testing.F) {
	for _, s := range []string{`[{"xetHash":"a","b":1}]`, `{"xetEnabled":true}`, `{"\u0078etHash":1}`, `[]`, `1`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var out bytes.Buffer
		err := stripXet(&out, []byte(in))
		if !json.Valid([]byte(in)) {
			return // passed on or refused: not the proxy's business, as long as it does not panic
		}
		if err != nil {
			t.Fatalf("stripXet(%q): %v", in, err)
		}
		if !json.Valid(out.Bytes()) {
			t.Fatalf("stripXet(%q) = %q, not valid JSON", in, out.String())
		}
		var again bytes.Buffer
		if err := stripXet(&again, out.Bytes()); err != nil || again.String() != out.String() {
			t.Fatalf("stripXet is not idempotent on %q: %q then %q (%v)", in, out.String(), again.String(), err)
		}
	})
}

func TestParseRange(t *testing.T) {
	tests := []struct {
		header             string
		size               int64
		start, end         int64
		partial, satisfied bool
	}{
		{"", 100, 0, 100, false, true},
		{"bytes=0-0", 100, 0, 1, true, true},
		{"bytes=0-99", 100, 0, 100, true, true},
		{"bytes=10-", 100, 10, 100, true, true},
		{"bytes=90-200", 100, 90, 100, true, true},
		{"bytes=-10", 100, 90, 100, true, true},
		{"bytes=-1000", 100, 0, 100, true, true},
		{"bytes=100-", 100, 0, 0, false, false},
		{"bytes=-0", 100, 0, 0, false, false},
		{"bytes=0-", 0, 0, 0, false, false},
		{"bytes=5-3", 100, 0, 100, false, true},     // malformed: ignored
		{"bytes=0-1,5-6", 100, 0, 100, false, true}, // several ranges: ignored
		{"items=0-1", 100, 0, 100, false, true},
		{"bytes=x-1", 100, 0, 100, false, true},
	}
	for _, tt := range tests {
		start, end, partial, ok := parseRange(tt.header, tt.size)
		if ok != tt.satisfied || (ok && (start != tt.start || end != tt.end || partial != tt.partial)) {
			t.Errorf("parseRange(%q, %d) = %d, %d, %v, %v; want %d, %d, %v, %v", tt.header, tt.size,
				start, end, partial, ok, tt.start, tt.end, tt.partial, tt.satisfied)
		}
	}
}
