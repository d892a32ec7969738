package audit_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
)

// sampleEvent returns an event with every field set.
func sampleEvent() *hfgate.AuditEvent {
	return &hfgate.AuditEvent{
		Writer: "gw-1/20300506T070809.000000Z-0a0b", Seq: 7, Time: time.Date(2030, 5, 6, 7, 8, 9, 123456000, time.UTC),
		Kind: hfgate.AuditKindEnd, RequestID: "req-1", PrincipalKind: hfgate.PrincipalUser,
		Subject: "huggingface:6523a1f0", Username: "alice", SessionID: "5e55", TokenID: "tok_1",
		ClientIP: "127.0.0.1", UserAgent: "hf<&>\u2028", Method: "GET", Path: "/Qwen/X/resolve/main/a.gguf",
		Action: "download", RepoType: hfgate.RepoTypeModel, Repo: "Qwen/X", Revision: "main",
		Commit: "0123456789abcdef0123456789abcdef01234567", File: "a.gguf",
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Bytes:  1 << 40, Status: 200, Decision: hfgate.AuditAllow, Rule: "acme", Duration: 1500 * time.Millisecond,
		Source: hfgate.AuditFromHub, Outcome: hfgate.AuditComplete, Detail: map[string]string{"b": "2", "a": "1"},
		PrevHash: "5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9",
	}
}

// TestCanonicalPinned pins the canonical form and the hash of an event:
// if either changes, every stored chain stops verifying.
func TestCanonicalPinned(t *testing.T) {
	e := sampleEvent()
	const want = `{"writer":"gw-1/20300506T070809.000000Z-0a0b","seq":7,"time":"2030-05-06T07:08:09.123456Z","kind":"end",` +
		`"request_id":"req-1","principal_kind":"user","subject":"huggingface:6523a1f0","username":"alice","session_id":"5e55",` +
		`"token_id":"tok_1","client_ip":"127.0.0.1","user_agent":"hf\u003c\u0026\u003e\u2028","method":"GET",` +
		`"path":"/Qwen/X/resolve/main/a.gguf","action":"download","repo_type":"model","repo":"Qwen/X","revision":"main",` +
		`"commit":"0123456789abcdef0123456789abcdef01234567","file":"a.gguf",` +
		`"sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","bytes":1099511627776,"status":200,` +
		`"decision":"allow","rule":"acme","duration_ns":1500000000,"source":"hub","outcome":"complete","detail":{"a":"1","b":"2"},` +
		`"prev_hash":"5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9"}`
	if got := string(audit.Canonical(e)); got != want {
		t.Errorf("Canonical =\n%s\nwant\n%s", got, want)
	}
	if got, want := audit.Hash(e), "12c46a397a298efe9e898ccec2267202b199772e9f23af7afd98b926de566ff0"; got != want {
		t.Errorf("Hash = %s, want %s", got, want)
	}
	// Zero fields are left out, so fields added later keep old hashes.
	minimal := &hfgate.AuditEvent{Writer: "w/1", Seq: 1, Time: time.Unix(0, 0), Kind: hfgate.AuditKindAdmin}
	if got, want := string(audit.Canonical(minimal)), `{"writer":"w/1","seq":1,"time":"1970-01-01T00:00:00.000000Z","kind":"admin"}`; got != want {
		t.Errorf("Canonical(minimal) = %s, want %s", got, want)
	}
}

// TestHashCoversEveryField changes each field of AuditEvent but Hash in
// turn: each change must change the hash, so that no field added to
// AuditEvent can be edited without Verify seeing it.
func TestHashCoversEveryField(t *testing.T) {
	base := audit.Hash(sampleEvent())
	typ := reflect.TypeFor[hfgate.AuditEvent]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Name == "Hash" {
			continue
		}
		e := sampleEvent()
		v := reflect.ValueOf(e).Elem().Field(i)
		switch v.Kind() {
		case reflect.String:
			v.SetString(v.String() + "x")
		case reflect.Int, reflect.Int64:
			v.SetInt(v.Int() + 1)
		case reflect.Map:
			e.Detail["a"] = "changed"
		case reflect.Struct: // time.Time
			e.Time = e.Time.Add(time.Microsecond)
		default:
			t.Fatalf("field %s has kind %s: teach this test and Canonical about it", f.Name, v.Kind())
		}
		if audit.Hash(e) == base {
			t.Errorf("changing %s leaves the hash as it was", f.Name)
		}
	}
}
