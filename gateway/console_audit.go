package gateway

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
	"github.com/hfgate/hfgate/policy"
)

// auditRow is one audit event as the console shows it (and its follow-live
// script reads it from /admin/api/audit): every string cleaned.
type auditRow struct {
	Time      string    `json:"time"`
	At        time.Time `json:"at"`
	Kind      string    `json:"kind"`
	Who       string    `json:"who"`
	Subject   string    `json:"subject"`
	WhoLink   string    `json:"who_link,omitempty"`
	Action    string    `json:"action"`
	Repo      string    `json:"repo,omitempty"`
	File      string    `json:"file,omitempty"`
	Revision  string    `json:"revision,omitempty"`
	Decision  string    `json:"decision,omitempty"`
	Rule      string    `json:"rule,omitempty"`
	Status    int       `json:"status,omitempty"`
	Bytes     int64     `json:"bytes,omitempty"`
	Source    string    `json:"source,omitempty"`
	Outcome   string    `json:"outcome,omitempty"`
	ClientIP  string    `json:"client_ip,omitempty"`
	UserAgent string    `json:"user_agent,omitempty"`
	Path      string    `json:"path,omitempty"`
	TokenID   string    `json:"token_id,omitempty"`
	Detail    []string  `json:"detail,omitempty"` // "key=value", sorted
	ID        string    `json:"id"`               // writer#seq
}

func auditRows(events []*hfgate.AuditEvent) []auditRow {
	out := []auditRow{}
	for _, e := range events {
		repo := policy.Resource{Type: e.RepoType, ID: e.Repo}.String()
		row := auditRow{Time: when(e.Time), At: e.Time, Kind: string(e.Kind), Subject: clean(e.Subject, 200),
			Who: clean(firstNonEmpty(e.Username, e.Subject, string(e.PrincipalKind)), 100), Action: clean(e.Action, 64),
			Repo: clean(repo, 200), File: clean(e.File, 300), Revision: clean(e.Revision, 100), Decision: string(e.Decision),
			Rule: clean(e.Rule, 100), Status: e.Status, Bytes: e.Bytes, Source: string(e.Source), Outcome: string(e.Outcome),
			ClientIP: clean(e.ClientIP, 64), UserAgent: clean(e.UserAgent, 300), Path: clean(e.Path, 300), TokenID: clean(e.TokenID, 64),
			ID: clean(e.Writer, 200) + "#" + strconv.FormatInt(e.Seq, 10)}
		if e.PrincipalKind == hfgate.PrincipalUser && e.Subject != "" {
			row.WhoLink = userLink(e.Subject)
		}
		for _, k := range slices.Sorted(maps.Keys(e.Detail)) {
			row.Detail = append(row.Detail, clean(k, 64)+"="+clean(e.Detail[k], 300))
		}
		out = append(out, row)
	}
	return out
}

// auditFilter reads the console's audit filters from q: user, repo,
// action, decision, kind, since and until (a date, a date and time in UTC,
// RFC 3339, or a duration ago such as 24h), after (a cursor).
func (s *Server) auditFilter(q url.Values) (hfgate.AuditFilter, error) {
	f := hfgate.AuditFilter{User: strings.TrimSpace(q.Get("user")), Action: strings.TrimSpace(q.Get("action")),
		Decision: hfgate.AuditDecision(q.Get("decision")), After: q.Get("after"), Ascending: q.Get("ascending") == "1"}
	if repo := strings.TrimSpace(q.Get("repo")); repo != "" {
		res, err := policy.ParseResource(repo)
		if err != nil {
			return f, err
		}
		f.RepoType, f.Repo = res.Type, res.ID
	}
	if k := q.Get("kind"); k != "" {
		f.Kinds = []hfgate.AuditKind{hfgate.AuditKind(k)}
	}
	var err error
	if f.Since, err = s.parseWhen(q.Get("since"), "since"); err != nil {
		return f, err
	}
	if f.Until, err = s.parseWhen(q.Get("until"), "until"); err != nil {
		return f, err
	}
	if l := q.Get("limit"); l != "" {
		if f.Limit, err = strconv.Atoi(l); err != nil {
			return f, hfgate.Errorf(hfgate.EINVALID, "limit %q is not a number", clean(l, 20))
		}
	}
	_, _, err = f.Check()
	return f, err
}

var whenLayouts = []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"}

// parseWhen reads a time of the audit filters; "" is none.
func (s *Server) parseWhen(v, name string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return s.now().Add(-d), nil
	}
	for _, l := range whenLayouts {
		if t, err := time.ParseInLocation(l, v, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, hfgate.Errorf(hfgate.EINVALID, "%s %q is not a time: use 2030-05-06, 2030-05-06T07:08 (UTC), RFC 3339 or a duration ago such as 24h", name, clean(v, 40))
}

// auditView is the audit page.
type auditView struct {
	Filter         url.Values // as given, for the form and the links
	Rows           []auditRow
	Next           string // the URL of the next (older) page
	ExportJSON     string
	ExportCSV      string
	Follow         string // the follow-live query (filters without a cursor)
	Newest         string // the cursor of the newest event shown, where following starts
	Problem        string
	Actions, Kinds []string
	Verified       *verifyResult
}

func (s *Server) consoleAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := auditView{Filter: q, Rows: []auditRow{}, Verified: s.verified.last(),
		Actions: []string{string(hfgate.RepoSearch), string(hfgate.RepoRead), string(hfgate.RepoDownload), hfgate.AuditActionTokenExchange,
			"revoke-token", "end-session", "revoke-user", "refresh-user", hfgate.AuditActionSeal},
		Kinds: []string{string(hfgate.AuditKindDecision), string(hfgate.AuditKindIntent), string(hfgate.AuditKindEnd),
			string(hfgate.AuditKindExchange), string(hfgate.AuditKindAdmin)}}
	plain := url.Values{}
	for _, k := range []string{"user", "repo", "action", "decision", "kind", "since", "until"} {
		if val := strings.TrimSpace(q.Get(k)); val != "" {
			plain.Set(k, val)
		}
	}
	v.Follow = plain.Encode()
	v.ExportJSON = "/admin/api/audit/export?format=jsonl&" + v.Follow
	v.ExportCSV = "/admin/api/audit/export?format=csv&" + v.Follow
	f, err := s.auditFilter(q)
	if err != nil {
		if hfgate.ErrorCode(err) != hfgate.EINVALID {
			return err
		}
		v.Problem = hfgate.ErrorMessage(err)
		return s.renderConsole(w, r, "admin-audit", "Audit log", v)
	}
	page, err := s.store.QueryAudit(r.Context(), &f)
	if err != nil {
		return err
	}
	v.Rows = auditRows(page.Events)
	if len(page.Events) > 0 && !f.Ascending && f.After == "" {
		v.Newest = hfgate.PositionOf(page.Events[0]).Cursor()
	}
	if page.Next != "" {
		next := url.Values{}
		maps.Copy(next, plain)
		next.Set("after", page.Next)
		v.Next = "/admin/audit?" + next.Encode()
	}
	return s.renderConsole(w, r, "admin-audit", "Audit log", v)
}

// apiAudit answers one page of events: {"events": [...], "next": cursor}.
// With ascending=1 and after=the cursor of the newest event seen, it is
// how the console follows the log live.
func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := s.auditFilter(r.URL.Query())
	if err != nil {
		return err
	}
	page, err := s.store.QueryAudit(r.Context(), &f)
	if err != nil {
		return err
	}
	last := r.URL.Query().Get("after")
	if n := len(page.Events); n > 0 {
		last = hfgate.PositionOf(page.Events[n-1]).Cursor()
	}
	return writeJSON(w, map[string]any{"events": auditRows(page.Events), "next": page.Next, "last": last})
}

// apiAuditExport streams what the filters select, as OCSF-style JSON
// lines (format=jsonl) or CSV (format=csv), as a download.
func (s *Server) apiAuditExport(w http.ResponseWriter, r *http.Request) error {
	f, err := s.auditFilter(r.URL.Query())
	if err != nil {
		return err
	}
	f.After, f.Limit = "", 0
	var enc audit.Encoder
	name := "hfgate-audit-" + s.now().UTC().Format("20060102T150405Z")
	switch r.URL.Query().Get("format") {
	case "", "jsonl":
		w.Header().Set("Content-Type", "application/x-ndjson")
		name += ".jsonl"
		enc = audit.NewJSONEncoder(w)
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		name += ".csv"
		enc = audit.NewCSVEncoder(w)
	default:
		return hfgate.Errorf(hfgate.EINVALID, "format must be jsonl or csv")
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	n, err := audit.Export(r.Context(), s.store, f, enc)
	if err != nil {
		// Headers are gone: the download ends short, and the log says why.
		s.log.ErrorContext(r.Context(), "audit export failed", "events", n, "err", err)
	}
	return nil
}

// verifyResult is the outcome of the last chain verification.
type verifyResult struct {
	At       string   `json:"at"`
	OK       bool     `json:"ok"`
	Chains   int      `json:"chains"`
	Events   int64    `json:"events"`
	Problems []string `json:"problems"`
	Omitted  int      `json:"omitted,omitempty"`
	Took     string   `json:"took"`
}

// verifications remembers the last verification, for the audit page.
type verifications struct {
	mu   sync.Mutex
	res  *verifyResult
	busy sync.Mutex // one verification at a time: it reads the whole log
}

func (v *verifications) last() *verifyResult {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.res
}

// apiAuditVerify verifies every chain of the audit log now (one run at a
// time) and answers what it found.
func (s *Server) apiAuditVerify(w http.ResponseWriter, r *http.Request) error {
	s.verified.busy.Lock()
	defer s.verified.busy.Unlock()
	start := time.Now()
	rep, err := audit.Verify(r.Context(), s.store)
	if err != nil {
		return err
	}
	res := &verifyResult{At: when(s.now()), OK: rep.OK(), Chains: len(rep.Chains), Problems: []string{}, Omitted: rep.Omitted,
		Took: time.Since(start).Round(time.Millisecond).String()}
	for _, c := range rep.Chains {
		res.Events += c.Seq
	}
	for _, p := range rep.Problems {
		res.Problems = append(res.Problems, clean(p.String(), 400))
	}
	s.verified.mu.Lock()
	s.verified.res = res
	s.verified.mu.Unlock()
	return writeJSON(w, res)
}
