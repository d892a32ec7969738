package audittest

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
)

// Open returns a fresh, empty store and the database under it; it may
// register cleanups on t.
type Open func(t testing.TB) (hfgate.AuditStore, *sql.DB)

// Tampering records a chain of ten events, changes the database under the
// store with SQL as someone with access to it could, and checks that
// audit.Verify names each change: an edited column, a deleted row, two
// rows swapped, the last rows deleted, a row rewritten with a recomputed
// hash.
func Tampering(t *testing.T, open Open) {
	for _, tt := range []struct {
		name  string
		sql   []string // run in order; {writer} stands for the quoted writer id
		forge int64    // a seq to rewrite with a recomputed hash
		want  []string // "seq:kind"
	}{
		{"untouched", nil, 0, nil},
		{"username edited", []string{`UPDATE audit_events SET username = 'mallory' WHERE writer = {writer} AND seq = 5`}, 0, []string{"5:edited"}},
		{"bytes edited", []string{`UPDATE audit_events SET bytes = bytes + 1 WHERE writer = {writer} AND seq = 3`}, 0, []string{"3:edited"}},
		{"decision edited", []string{`UPDATE audit_events SET decision = 'allow' WHERE writer = {writer} AND seq = 7`}, 0, []string{"7:edited"}},
		{"row deleted", []string{`DELETE FROM audit_events WHERE writer = {writer} AND seq = 5`}, 0, []string{"5:missing"}},
		{"rows swapped", []string{
			`UPDATE audit_events SET seq = -5 WHERE writer = {writer} AND seq = 5`,
			`UPDATE audit_events SET seq = 5 WHERE writer = {writer} AND seq = 6`,
			`UPDATE audit_events SET seq = 6 WHERE writer = {writer} AND seq = -5`,
		}, 0, []string{"5:reordered", "6:reordered"}},
		{"last rows deleted", []string{`DELETE FROM audit_events WHERE writer = {writer} AND seq >= 9`}, 0, []string{"9:truncated"}},
		{"rewritten with its hash", nil, 4, []string{"4:forged"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			store, db := open(t)
			w, err := audit.Open(t.Context(), store, audit.Config{Replica: "gw-tamper"})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			for i := range 10 {
				e := &hfgate.AuditEvent{Kind: hfgate.AuditKindDecision, RequestID: fmt.Sprint("r", i), Username: "alice",
					Action: "download", Repo: "acme/private", Decision: hfgate.AuditDeny, Rule: "default-deny", Status: 403, Bytes: 7}
				if err := w.Record(t.Context(), e); err != nil {
					t.Fatal(err)
				}
			}
			quoted := "'" + strings.ReplaceAll(w.ID(), "'", "''") + "'"
			stmts := tt.sql
			if tt.forge > 0 {
				stmts = append(stmts, forge(t, store, w.ID(), tt.forge, quoted))
			}
			for _, q := range stmts {
				if _, err := db.ExecContext(t.Context(), strings.ReplaceAll(q, "{writer}", quoted)); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			r, err := audit.Verify(t.Context(), store)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range r.Problems {
				got = append(got, fmt.Sprintf("%d:%s", p.Seq, p.Kind))
			}
			if !slices.Equal(got, tt.want) || r.OK() != (len(tt.want) == 0) {
				t.Errorf("Verify problems = %v (OK %v), want %v", r.Problems, r.OK(), tt.want)
			}
		})
	}
}

// forge returns the statement that rewrites event seq of writer with
// another username and the hash that content has, as a forger who knows
// the algorithm would.
func forge(t *testing.T, store hfgate.AuditStore, writer string, seq int64, quoted string) string {
	t.Helper()
	got, err := store.AuditChain(t.Context(), writer, seq-1, 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("AuditChain: %v, %v", got, err)
	}
	e := got[0]
	e.Username = "mallory"
	return fmt.Sprintf(`UPDATE audit_events SET username = 'mallory', hash = '%s' WHERE writer = %s AND seq = %d`,
		audit.Hash(e), quoted, seq)
}
