package main

import (
	"bufio"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate/hubsim"
)

// TestGatewayProxyE2E: HF clients through hfgate serve, with the real
// binary on both databases. hfgate download with HF_ENDPOINT = the
// gateway; alice (acme) gets a repo the policy keeps for acme, bob is
// refused it although the Hub would let him read it, and gets it once
// hubsim makes him a member and his profile is refreshed (hfgate admin
// users refresh); a Xet-backed repo comes over plain HTTP; the audit log
// lists every download with its SHA-256 and bytes, verifies, and stops
// verifying once a row is edited in the database.
func TestGatewayProxyE2E(t *testing.T) {
	forEachGatewayDB(t, func(t *testing.T, db gatewayDB) {
		e := newE2E(t, hubsim.Options{})
		config := e.gatewayConfigFile(e.newKey("k1"))
		demo, err := os.ReadFile(filepath.Join("testdata", "gateway-demo.toml")) // the demo policy
		if err != nil {
			t.Fatal(err)
		}
		appendFile(t, config, "\n"+string(demo))
		gw := e.serve(config, db.url)
		state := []string{"--config", config, "--database", db.url}

		tokens := map[string]string{}
		for _, user := range []string{"alice", "bob"} {
			e.signInGateway(e.gwBrowser(user), gw.url)
			var created struct{ Token string }
			out := e.mustRun("", append([]string{"admin", "tokens", "create", "--user", user, "--name", "e2e", "--json"}, state...)...)
			if err := json.Unmarshal([]byte(out.stdout), &created); err != nil || created.Token == "" {
				t.Fatalf("admin tokens create: %q", out.stdout)
			}
			tokens[user] = created.Token
		}
		download := func(user, repo, file string) result {
			t.Helper()
			saved := e.env
			defer func() { e.env = saved }()
			e.env = append(append([]string(nil), saved...), "HF_ENDPOINT="+gw.url, "HF_TOKEN="+tokens[user],
				"HF_HOME="+filepath.Join(e.home, "hf-"+user))
			return e.run("", "download", repo, file)
		}
		check := func(r result, repo, file string) {
			t.Helper()
			fi, err := e.hub.Catalog().Stat(repo, "main", file)
			if err != nil {
				t.Fatal(err)
			}
			path := strings.TrimSpace(r.stdout)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("download printed %q: %v", path, err)
			}
			if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != fi.SHA256 {
				t.Errorf("%s/%s through the gateway is not the Hub's file", repo, file)
			}
		}

		const qwen, qwenFile = hubsim.RepoQwenCoder7BGGUF, "README.md"
		const xet, xetFile = hubsim.RepoXet, "xet-llama-Q4_K_M.gguf"
		if r := download("alice", qwen, qwenFile); r.code != 0 {
			t.Fatalf("alice: exit %d: %s", r.code, r.stderr)
		} else {
			check(r, qwen, qwenFile)
		}
		r := download("bob", qwen, qwenFile)
		if r.code != exitGated || !strings.Contains(r.stderr, "gateway") || !strings.Contains(r.stderr, "default-deny") ||
			!strings.Contains(r.stderr, "membership of org acme") {
			t.Fatalf("bob: exit %d: %s; want %d and the gateway's rule", r.code, r.stderr, exitGated)
		}
		if r := download("bob", xet, xetFile); r.code != 0 {
			t.Fatalf("bob, a Xet-backed repo: exit %d: %s", r.code, r.stderr)
		} else {
			check(r, xet, xetFile)
		}

		if err := e.hub.SetMembership("bob", "acme", "read"); err != nil {
			t.Fatal(err)
		}
		if r := download("bob", qwen, qwenFile); r.code != exitGated {
			t.Fatalf("bob in acme before his profile is refreshed: exit %d", r.code)
		}
		out := e.mustRun("", append([]string{"admin", "users", "refresh", "bob"}, state...)...)
		if !strings.Contains(out.stdout, "acme") {
			t.Errorf("admin users refresh: %q", out.stdout)
		}
		// The refresh reaches the running gateway as a revocation does
		// (at once on PostgreSQL, within the revocation log's read
		// interval on a SQLite file).
		deadline := time.Now().Add(10 * time.Second)
		for {
			r := download("bob", qwen, qwenFile)
			if r.code == 0 {
				check(r, qwen, qwenFile)
				break
			}
			if r.code != exitGated || time.Now().After(deadline) {
				t.Fatalf("bob after the refresh: exit %d: %s", r.code, r.stderr)
			}
			time.Sleep(100 * time.Millisecond)
		}

		// The audit log: every download with its SHA-256 and bytes.
		events := auditJSON(t, e, state)
		want := []struct {
			user, repo, file, outcome string
			sha                       bool
		}{
			{"alice", qwen, qwenFile, "complete", true},
			{"bob", xet, xetFile, "complete", true},
			{"bob", qwen, qwenFile, "complete", true},
		}
		for _, w := range want {
			fi, _ := e.hub.Catalog().Stat(w.repo, "main", w.file)
			found := false
			for _, ev := range events {
				if ev.user == w.user && ev.repo == w.repo && ev.file == w.file && ev.activity == "end" &&
					ev.sha256 == fi.SHA256 && ev.bytes == fi.Size {
					found = true
				}
			}
			if !found {
				t.Errorf("no complete download of %s/%s by %s with its sha256 and %d bytes in the audit log", w.repo, w.file, w.user, fi.Size)
			}
		}
		var denied bool
		for _, ev := range events {
			denied = denied || (ev.user == "bob" && ev.repo == qwen && ev.disposition == "Blocked")
		}
		if !denied {
			t.Error("bob's refusal is not in the audit log")
		}
		if csv := e.mustRun("", append([]string{"admin", "audit", "--csv", "--user", "bob"}, state...)...).stdout; !strings.Contains(csv, xetFile) {
			t.Errorf("the CSV export lacks bob's download: %.300s", csv)
		}

		e.stop(gw) // its writer's last events are in
		if r := e.run("", append([]string{"admin", "audit", "verify"}, state...)...); r.code != 0 || !strings.Contains(r.stdout, "verified") {
			t.Fatalf("audit verify: exit %d: %s %s", r.code, r.stdout, r.stderr)
		}
		tamper(t, db, "UPDATE audit_events SET bytes = bytes + 1 WHERE kind = 'end' AND username = 'alice'")
		r = e.run("", append([]string{"admin", "audit", "verify"}, state...)...)
		if r.code != exitIntegrity || !strings.Contains(r.stdout, "edited") {
			t.Fatalf("audit verify after an edit: exit %d: %s", r.code, r.stdout)
		}
	})
}

// auditEvent is what the test reads of one JSON line of hfgate admin audit
// --json (OCSF-style names).
type auditEvent struct {
	user, repo, file, activity, disposition, sha256 string
	bytes                                           int64
}

func auditJSON(t *testing.T, e *e2e, state []string) []auditEvent {
	t.Helper()
	out := e.mustRun("", append([]string{"admin", "audit", "--json"}, state...)...).stdout
	var events []auditEvent
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			Actor struct {
				User struct{ Name string } `json:"user"`
			} `json:"actor"`
			Disposition string `json:"disposition"`
			Resources   []struct {
				Name string `json:"name"`
			} `json:"resources"`
			File *struct {
				Path   string `json:"path"`
				Hashes []struct {
					Value string `json:"value"`
				} `json:"hashes"`
			} `json:"file"`
			Traffic *struct {
				BytesOut int64 `json:"bytes_out"`
			} `json:"traffic"`
			Metadata struct {
				EventCode string `json:"event_code"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("audit --json line %q: %v", sc.Text(), err)
		}
		ev := auditEvent{user: line.Actor.User.Name, activity: line.Metadata.EventCode, disposition: line.Disposition}
		if len(line.Resources) > 0 {
			ev.repo = line.Resources[0].Name
		}
		if line.File != nil {
			ev.file = line.File.Path
			if len(line.File.Hashes) > 0 {
				ev.sha256 = line.File.Hashes[0].Value
			}
		}
		if line.Traffic != nil {
			ev.bytes = line.Traffic.BytesOut
		}
		events = append(events, ev)
	}
	if len(events) == 0 {
		t.Fatal("the audit log is empty")
	}
	return events
}

// tamper runs one statement on the gateway's database, as someone with
// write access to it might.
func tamper(t *testing.T, db gatewayDB, stmt string) {
	t.Helper()
	driver, dsn := "pgx", db.url
	if p := sqlitePath(db.url); p != "" {
		driver, dsn = "sqlite", p
	}
	conn, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	res, err := conn.Exec(stmt)
	if err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("%s changed no row", stmt)
	}
}
