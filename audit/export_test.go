package audit_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
	"github.com/hfgate/hfgate/memstore"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// exportEvents returns a chain with one event of each kind, fields a peer
// chose among them (a formula for a user agent, a newline in a path).
func exportEvents() []*hfgate.AuditEvent {
	t0 := time.Date(2030, 5, 6, 7, 8, 9, 123456000, time.UTC)
	alice := func(e *hfgate.AuditEvent) *hfgate.AuditEvent {
		e.PrincipalKind, e.Subject, e.Username, e.SessionID = hfgate.PrincipalUser, "huggingface:6523a1f0", "alice", "5e55"
		e.ClientIP, e.UserAgent = "192.0.2.7", "huggingface_hub/0.36.0; python/3.11"
		return e
	}
	events := []*hfgate.AuditEvent{
		alice(&hfgate.AuditEvent{Kind: hfgate.AuditKindIntent, RequestID: "req-1", Method: "GET",
			Path: "/Qwen/Qwen2.5-0.5B/resolve/main/q4.gguf", Action: "download", RepoType: hfgate.RepoTypeModel,
			Repo: "Qwen/Qwen2.5-0.5B", Revision: "main", Commit: "0123456789abcdef0123456789abcdef01234567",
			File: "q4.gguf", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			Status: 200, Decision: hfgate.AuditAllow, Rule: "acme-members-download"}),
		alice(&hfgate.AuditEvent{Kind: hfgate.AuditKindEnd, RequestID: "req-1", Method: "GET",
			Path: "/Qwen/Qwen2.5-0.5B/resolve/main/q4.gguf", Action: "download", RepoType: hfgate.RepoTypeModel,
			Repo: "Qwen/Qwen2.5-0.5B", File: "q4.gguf", Bytes: 397807936, Status: 200,
			Duration: 2345678 * time.Microsecond, Source: hfgate.AuditFromCache, Outcome: hfgate.AuditComplete}),
		{Kind: hfgate.AuditKindDecision, RequestID: "req-2", PrincipalKind: hfgate.PrincipalUser, Subject: "huggingface:77b0c2d1",
			Username: "bob", TokenID: "tok_8rX", ClientIP: "2001:db8::2", UserAgent: "=HYPERLINK(\"http://x\",\"y\")",
			Method: "HEAD", Path: "/datasets/acme/private/resolve/main/-2+3\n.csv", Action: "download",
			RepoType: hfgate.RepoTypeDataset, Repo: "acme/private", Revision: "main", File: "-2+3\n.csv", Status: 403,
			Decision: hfgate.AuditDeny, Rule: "default-deny"},
		{Kind: hfgate.AuditKindExchange, RequestID: "req-3", PrincipalKind: hfgate.PrincipalCI,
			Subject: "repo:acme/app:ref:refs/heads/main", ClientIP: "198.51.100.4", Method: "POST", Path: "/oauth/token",
			Action: hfgate.AuditActionTokenExchange, TokenID: "tok_ci1", Status: 200, Decision: hfgate.AuditAllow, Rule: "acme-app-main",
			Detail: map[string]string{"iss": "https://token.actions.githubusercontent.com", "repository_id": "42", "ref": "refs/heads/main"}},
		{Kind: hfgate.AuditKindAdmin, PrincipalKind: hfgate.PrincipalUser, Subject: "huggingface:admin1", Username: "@root",
			ClientIP: "127.0.0.1", Method: "POST", Path: "/admin/api/revoke", Action: "revoke-token", Status: 200,
			Detail: map[string]string{"token_id": "tok_8rX", "reason": "laptop lost"}},
	}
	prev := ""
	for i, e := range events {
		e.Writer, e.Seq, e.Time, e.PrevHash = "gw-1/20300506T070809.000000Z-0a0b", int64(i+1), t0.Add(time.Duration(i)*time.Second), prev
		e.Hash = audit.Hash(e)
		prev = e.Hash
	}
	return events
}

// golden compares got with testdata/TestExport/name, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "TestExport", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update once to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n%s\nwant\n%s", name, got, want)
	}
}

// TestExport streams a store's events page by page to both encoders and
// compares with the golden files.
func TestExport(t *testing.T) {
	s := &memstore.Store{}
	if err := s.AppendAudit(t.Context(), exportEvents()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		file string
		enc  func(*bytes.Buffer) audit.Encoder
	}{
		{"events.jsonl", func(b *bytes.Buffer) audit.Encoder { return audit.NewJSONEncoder(b) }},
		{"events.csv", func(b *bytes.Buffer) audit.Encoder { return audit.NewCSVEncoder(b) }},
	} {
		var buf bytes.Buffer
		n, err := audit.Export(t.Context(), s, hfgate.AuditFilter{Ascending: true, Limit: 2}, tt.enc(&buf))
		if err != nil || n != 5 {
			t.Fatalf("Export(%s) = %d, %v; want 5 events", tt.file, n, err)
		}
		golden(t, tt.file, buf.Bytes())
	}
}

// TestJSONFields reads the JSON lines back and checks the OCSF names the
// issue asks for.
func TestJSONFields(t *testing.T) {
	var buf bytes.Buffer
	enc := audit.NewJSONEncoder(&buf)
	events := exportEvents()
	for _, e := range events {
		if err := enc.Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(events) {
		t.Fatalf("%d lines for %d events", len(lines), len(events))
	}
	get := func(v any, path ...any) any {
		for _, p := range path {
			switch p := p.(type) {
			case string:
				m, _ := v.(map[string]any)
				v = m[p]
			case int:
				a, _ := v.([]any)
				if p >= len(a) {
					return nil
				}
				v = a[p]
			}
		}
		return v
	}
	var rec []map[string]any
	for i, line := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d is not JSON: %v", i+1, err)
		}
		rec = append(rec, m)
	}
	for _, tt := range []struct {
		line int
		path []any
		want any
	}{
		{0, []any{"time"}, float64(events[0].Time.UnixMilli())},
		{0, []any{"activity_name"}, "Get"},
		{0, []any{"class_uid"}, float64(4002)},
		{0, []any{"actor", "user", "name"}, "alice"},
		{0, []any{"actor", "user", "uid"}, "huggingface:6523a1f0"},
		{0, []any{"actor", "session", "uid"}, "5e55"},
		{0, []any{"src_endpoint", "ip"}, "192.0.2.7"},
		{0, []any{"http_request", "user_agent"}, "huggingface_hub/0.36.0; python/3.11"},
		{0, []any{"http_request", "url", "path"}, "/Qwen/Qwen2.5-0.5B/resolve/main/q4.gguf"},
		{0, []any{"http_response", "code"}, float64(200)},
		{0, []any{"resources", 0, "name"}, "Qwen/Qwen2.5-0.5B"},
		{0, []any{"resources", 0, "type"}, "model"},
		{0, []any{"resources", 0, "uid"}, "models/Qwen/Qwen2.5-0.5B"},
		{0, []any{"disposition"}, "Allowed"},
		{0, []any{"authorizations", 0, "policy", "name"}, "acme-members-download"},
		{0, []any{"file", "hashes", 0, "value"}, events[0].SHA256},
		{0, []any{"metadata", "correlation_uid"}, "req-1"},
		{0, []any{"metadata", "event_code"}, "intent"},
		{0, []any{"unmapped", "hash"}, events[0].Hash},
		{1, []any{"traffic", "bytes_out"}, float64(397807936)},
		{1, []any{"duration"}, float64(2345)},
		{1, []any{"status"}, "Success"},
		{1, []any{"unmapped", "source"}, "cache"},
		{2, []any{"activity_name"}, "Head"},
		{2, []any{"disposition"}, "Blocked"},
		{2, []any{"actor", "session", "credential_uid"}, "tok_8rX"},
		{2, []any{"status"}, "Failure"},
		{3, []any{"class_uid"}, float64(3002)},
		{3, []any{"activity_name"}, "Logon"},
		{3, []any{"unmapped", "detail", "repository_id"}, "42"},
		{4, []any{"class_uid"}, float64(6003)},
		{4, []any{"activity_name"}, "revoke-token"},
		{4, []any{"unmapped", "detail", "token_id"}, "tok_8rX"},
	} {
		if got := get(rec[tt.line], tt.path...); got != tt.want {
			t.Errorf("line %d %v = %v, want %v", tt.line+1, tt.path, got, tt.want)
		}
	}
}

// TestCSVDefused reads the CSV back: every row has every column, and no
// cell a spreadsheet would run as a formula.
func TestCSVDefused(t *testing.T) {
	var buf bytes.Buffer
	enc := audit.NewCSVEncoder(&buf)
	for _, e := range exportEvents() {
		if err := enc.Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\r\n") {
		t.Error("rows do not end in CRLF (RFC 4180)")
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not read back: %v", err)
	}
	if len(rows) != 6 {
		t.Fatalf("%d rows, want a header and 5", len(rows))
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	for _, row := range rows[1:] {
		if len(row) != len(rows[0]) {
			t.Fatalf("row of %d cells under a header of %d", len(row), len(rows[0]))
		}
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("column %s: cell %q would run as a formula", rows[0][i], cell)
			}
		}
	}
	for _, tt := range []struct {
		row  int
		col  string
		want string
	}{
		{3, "user_agent", `'=HYPERLINK("http://x","y")`},
		{3, "file", "'-2+3\n.csv"},
		{5, "username", "'@root"},
		{1, "username", "alice"},
		{2, "duration_ms", "2345.678"},
		{4, "detail", `{"iss":"https://token.actions.githubusercontent.com","ref":"refs/heads/main","repository_id":"42"}`},
	} {
		if got := rows[tt.row][col[tt.col]]; got != tt.want {
			t.Errorf("row %d %s = %q, want %q", tt.row, tt.col, got, tt.want)
		}
	}
	var empty bytes.Buffer
	if err := audit.NewCSVEncoder(&empty).Flush(); err != nil || !strings.HasPrefix(empty.String(), "time,writer,seq,") {
		t.Errorf("an empty export = %q, %v; want the header row", empty.String(), err)
	}
}
