package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// queryEvents appends the events the filter tests select from and returns
// them: two writers, interleaved in time.
//
//	a#1 alice  download Qwen/X   allow intent   t0+1s
//	a#2 alice  download Qwen/X   -     end      t0+2s
//	a#3 bob    download Qwen/X   deny  decision t0+3s
//	b#1 ci     download hubsim/y allow intent   t0+1s (same time as a#1)
//	b#2 bob    read   datasets/Qwen/X allow decision t0+2s
//	b#3 admin  revoke-token      -     admin    t0+4s
func queryEvents(t *testing.T, s hfgate.AuditStore) (a, b *chain) {
	a, b = &chain{writer: "gw-1/a"}, &chain{writer: "gw-1/b"}
	who := func(subject, username string, kind hfgate.PrincipalKind) func(*hfgate.AuditEvent) {
		return func(e *hfgate.AuditEvent) { e.Subject, e.Username, e.PrincipalKind = subject, username, kind }
	}
	what := func(kind hfgate.AuditKind, action string, typ hfgate.RepoType, repo hfgate.RepoID, d hfgate.AuditDecision) func(*hfgate.AuditEvent) {
		return func(e *hfgate.AuditEvent) {
			e.Kind, e.Action, e.RepoType, e.Repo, e.Decision = kind, action, typ, repo, d
		}
	}
	dl, model := string(hfgate.RepoDownload), hfgate.RepoTypeModel
	mustAppend(t, s,
		a.next(who(alice, "Alice", hfgate.PrincipalUser), what(hfgate.AuditKindIntent, dl, model, "Qwen/X", hfgate.AuditAllow),
			func(e *hfgate.AuditEvent) { e.RequestID = "r1" }),
		a.next(who(alice, "Alice", hfgate.PrincipalUser), what(hfgate.AuditKindEnd, dl, model, "Qwen/X", ""),
			func(e *hfgate.AuditEvent) { e.RequestID = "r1" }),
		a.next(who(bob, "bob", hfgate.PrincipalUser), what(hfgate.AuditKindDecision, dl, model, "Qwen/X", hfgate.AuditDeny)),
		b.next(who(ci, "", hfgate.PrincipalCI), what(hfgate.AuditKindIntent, dl, model, "hubsim/y", hfgate.AuditAllow),
			func(e *hfgate.AuditEvent) { e.Time = auditT0.Add(time.Second) }),
		b.next(who(bob, "bob", hfgate.PrincipalUser), what(hfgate.AuditKindDecision, string(hfgate.RepoRead), hfgate.RepoTypeDataset, "Qwen/X", hfgate.AuditAllow)),
		b.next(who(alice, "Alice", hfgate.PrincipalUser), what(hfgate.AuditKindAdmin, "revoke-token", "", "", ""),
			func(e *hfgate.AuditEvent) { e.Time = auditT0.Add(4 * time.Second) }),
	)
	return a, b
}

// queryAll walks every page of f and returns the events.
func queryAll(t *testing.T, s hfgate.AuditStore, f hfgate.AuditFilter) []*hfgate.AuditEvent {
	t.Helper()
	var all []*hfgate.AuditEvent
	for range 1000 {
		page, err := s.QueryAudit(t.Context(), &f)
		if err != nil {
			t.Fatalf("QueryAudit(%+v): %v", f, err)
		}
		all = append(all, page.Events...)
		if page.Next == "" {
			return all
		}
		if len(page.Events) == 0 {
			t.Fatalf("QueryAudit(%+v): an empty page with a next cursor", f)
		}
		f.After = page.Next
	}
	t.Fatalf("QueryAudit(%+v): no end after 1000 pages", f)
	return nil
}

func testAuditFilters(t *testing.T, s hfgate.AuditStore) {
	queryEvents(t, s)
	t1, t3 := auditT0.Add(time.Second), auditT0.Add(3*time.Second)
	for _, tt := range []struct {
		name string
		f    hfgate.AuditFilter
		want []string // newest first
	}{
		{"all", hfgate.AuditFilter{}, []string{"gw-1/b#3", "gw-1/a#3", "gw-1/b#2", "gw-1/a#2", "gw-1/b#1", "gw-1/a#1"}},
		{"since", hfgate.AuditFilter{Since: t3}, []string{"gw-1/b#3", "gw-1/a#3"}},
		{"until", hfgate.AuditFilter{Until: t3}, []string{"gw-1/b#2", "gw-1/a#2", "gw-1/b#1", "gw-1/a#1"}},
		{"since+until", hfgate.AuditFilter{Since: t1, Until: t1.Add(time.Microsecond)}, []string{"gw-1/b#1", "gw-1/a#1"}},
		{"subject", hfgate.AuditFilter{User: bob}, []string{"gw-1/a#3", "gw-1/b#2"}},
		{"username ignores case", hfgate.AuditFilter{User: "ALICE"}, []string{"gw-1/b#3", "gw-1/a#2", "gw-1/a#1"}},
		{"ci subject", hfgate.AuditFilter{User: ci}, []string{"gw-1/b#1"}},
		{"no such user", hfgate.AuditFilter{User: "carol"}, nil},
		{"repo ignores case, any type", hfgate.AuditFilter{Repo: "qwen/x"}, []string{"gw-1/a#3", "gw-1/b#2", "gw-1/a#2", "gw-1/a#1"}},
		{"repo and type", hfgate.AuditFilter{RepoType: hfgate.RepoTypeDataset, Repo: "Qwen/X"}, []string{"gw-1/b#2"}},
		{"action", hfgate.AuditFilter{Action: "revoke-token"}, []string{"gw-1/b#3"}},
		{"decision", hfgate.AuditFilter{Decision: hfgate.AuditDeny}, []string{"gw-1/a#3"}},
		{"writer", hfgate.AuditFilter{Writer: "gw-1/b"}, []string{"gw-1/b#3", "gw-1/b#2", "gw-1/b#1"}},
		{"kinds", hfgate.AuditFilter{Kinds: []hfgate.AuditKind{hfgate.AuditKindIntent, hfgate.AuditKindEnd}}, []string{"gw-1/a#2", "gw-1/b#1", "gw-1/a#1"}},
		{"request ids", hfgate.AuditFilter{RequestIDs: []string{"r1", "req-gw-1/b-2"}}, []string{"gw-1/b#2", "gw-1/a#2", "gw-1/a#1"}},
		{"all of them", hfgate.AuditFilter{User: "alice", Repo: "Qwen/X", Action: "download", Kinds: []hfgate.AuditKind{hfgate.AuditKindIntent}, Decision: hfgate.AuditAllow, Since: t1, Until: t3},
			[]string{"gw-1/a#1"}},
		{"oldest first", hfgate.AuditFilter{Ascending: true, Until: t3}, []string{"gw-1/a#1", "gw-1/b#1", "gw-1/a#2", "gw-1/b#2"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := seqs(queryAll(t, s, tt.f))
			if !slices.Equal(got, tt.want) {
				t.Errorf("QueryAudit = %v, want %v", got, tt.want)
			}
		})
	}
}

// testAuditPages: walking a query page by page, either way, visits every
// event once in order, also events that share a time.
func testAuditPages(t *testing.T, s hfgate.AuditStore) {
	cs := []*chain{{writer: "gw-2/a"}, {writer: "gw-1/b"}, {writer: "gw-1/c"}}
	for i := range 12 {
		for j, c := range cs {
			same := auditT0.Add(time.Duration(i/2) * time.Second) // pairs of rounds share a time
			mustAppend(t, s, c.next(func(e *hfgate.AuditEvent) {
				e.Time = same
				if j == 2 {
					e.Kind = hfgate.AuditKindAdmin
				}
			}))
		}
	}
	all := queryAll(t, s, hfgate.AuditFilter{Limit: hfgate.MaxAuditLimit})
	if len(all) != 36 {
		t.Fatalf("one page has %d events, want 36", len(all))
	}
	for i := 1; i < len(all); i++ {
		if hfgate.PositionOf(all[i-1]).Compare(hfgate.PositionOf(all[i])) <= 0 {
			t.Fatalf("events %d and %d are not newest first: %v", i-1, i, seqs(all[i-1:i+1]))
		}
	}
	want := seqs(all)
	for _, limit := range []int{1, 5, 7, 36, 37} {
		if got := seqs(queryAll(t, s, hfgate.AuditFilter{Limit: limit})); !slices.Equal(got, want) {
			t.Errorf("pages of %d, newest first = %v\nwant %v", limit, got, want)
		}
		asc := seqs(queryAll(t, s, hfgate.AuditFilter{Limit: limit, Ascending: true}))
		slices.Reverse(asc)
		if !slices.Equal(asc, want) {
			t.Errorf("pages of %d, oldest first, reversed = %v\nwant %v", limit, asc, want)
		}
	}
	// A filtered walk pages over the filtered events only.
	admin := queryAll(t, s, hfgate.AuditFilter{Limit: 5, Kinds: []hfgate.AuditKind{hfgate.AuditKindAdmin}})
	if len(admin) != 12 {
		t.Errorf("pages of admin events = %d events, want 12", len(admin))
	}
	// Following live: an oldest-first walk that reached the end finds what
	// is appended later from its last cursor.
	page, err := s.QueryAudit(t.Context(), &hfgate.AuditFilter{Ascending: true, Limit: hfgate.MaxAuditLimit})
	if err != nil || page.Next != "" || len(page.Events) != 36 {
		t.Fatalf("QueryAudit(oldest first) = %d events, next %q, %v", len(page.Events), page.Next, err)
	}
	cursor := hfgate.PositionOf(page.Events[35]).Cursor()
	later := cs[0].next(func(e *hfgate.AuditEvent) { e.Time = auditT0.Add(time.Hour) })
	mustAppend(t, s, later)
	got := queryAll(t, s, hfgate.AuditFilter{Ascending: true, After: cursor})
	if want := []string{"gw-2/a#13"}; !slices.Equal(seqs(got), want) {
		t.Errorf("following from the last cursor = %v, want %v", seqs(got), want)
	}
}

// testAuditPageLimits: no page is larger than MaxAuditLimit; zero means
// DefaultAuditLimit.
func testAuditPageLimits(t *testing.T, s hfgate.AuditStore) {
	c := &chain{writer: "gw-1/a"}
	mustAppend(t, s, c.events(hfgate.MaxAuditLimit+1)...)
	for _, tt := range []struct {
		limit, want int
		more        bool
	}{{0, hfgate.DefaultAuditLimit, true}, {hfgate.MaxAuditLimit + 5, hfgate.MaxAuditLimit, true}, {3, 3, true}} {
		page, err := s.QueryAudit(t.Context(), &hfgate.AuditFilter{Limit: tt.limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Events) != tt.want || (page.Next != "") != tt.more {
			t.Errorf("Limit %d: %d events, next %q; want %d, more %v", tt.limit, len(page.Events), page.Next, tt.want, tt.more)
		}
	}
	got, err := s.AuditChain(t.Context(), c.writer, 0, hfgate.MaxAuditLimit+5)
	if err != nil || len(got) != hfgate.MaxAuditLimit {
		t.Errorf("AuditChain(limit %d) = %d events, %v; want %d", hfgate.MaxAuditLimit+5, len(got), err, hfgate.MaxAuditLimit)
	}
}

func testAuditBadFilters(t *testing.T, s hfgate.AuditStore) {
	queryEvents(t, s)
	many := make([]string, hfgate.MaxAuditLimit+1)
	for _, tt := range []struct {
		name string
		f    hfgate.AuditFilter
	}{
		{"negative limit", hfgate.AuditFilter{Limit: -1}},
		{"bad kind", hfgate.AuditFilter{Kinds: []hfgate.AuditKind{"download"}}},
		{"bad decision", hfgate.AuditFilter{Decision: "maybe"}},
		{"bad cursor", hfgate.AuditFilter{After: "not-a-cursor"}},
		{"forged cursor", hfgate.AuditFilter{After: "MTIzL3gvZ3ctMQ"}}, // "123/x/gw-1"
		{"too many request ids", hfgate.AuditFilter{RequestIDs: many}},
	} {
		_, err := s.QueryAudit(t.Context(), &tt.f)
		wantCode(t, tt.name, err, hfgate.EINVALID)
	}
}
