package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
)

// auditFlags are the filters of "hfgate admin audit".
type auditFlags struct {
	since, until, user, repo, action, decision, kind string
	limit                                            int
	asJSON, asCSV                                    bool
}

func (a *app) adminAuditCmd() *cobra.Command {
	var f auditFlags
	cmd := &cobra.Command{
		Use:   "audit [--since T] [--until T] [--user U] [--repo R] [--action A] [--decision D] [--json|--csv]",
		Short: "Query the gateway's audit log: who loaded which model, when, from where",
		Long: `List the events of the gateway's audit log, newest first: every request of an HF
client the policy decided (search, read, download), allowed or denied, and every
file served, as an intent before its first byte and an end after its last (bytes
sent, SHA-256, commit, outcome), plus admins' actions.

Filters: --since and --until take a time (2026-01-02, 2026-01-02T15:04:05Z) or a
duration back from now (24h); --user a username or subject; --repo owner/name,
datasets/owner/name or spaces/owner/name; --action search, read, download (or an
admin action such as refresh-user); --decision allow or deny; --kind decision,
intent, end, exchange or admin.

The table shows at most --limit events (default 50). --json writes every event
the filters select as JSON lines with OCSF-style field names (actor.user.name,
src_endpoint.ip, http_request.url.path, resources[].name...), oldest first, for a
SIEM; --csv the same as CSV that spreadsheets open without running formulas.
"hfgate admin audit verify" checks that no event was changed, removed or moved.`,
		Example: `  hfgate admin audit --since 24h
  hfgate admin audit --user bob --decision deny
  hfgate admin audit --repo Qwen/Qwen2.5-Coder-7B-Instruct-GGUF --action download --json > downloads.jsonl
  hfgate admin audit --since 2026-01-01 --until 2026-02-01 --csv > january.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.adminAudit(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.since, "since", "", "only events at or after this time, or this long ago (24h)")
	fl.StringVar(&f.until, "until", "", "only events before this time, or this long ago")
	fl.StringVar(&f.user, "user", "", "only this user's events (username or subject)")
	fl.StringVar(&f.repo, "repo", "", "only this repository's events (owner/name, datasets/owner/name, spaces/owner/name)")
	fl.StringVar(&f.action, "action", "", "only this action: search, read, download, or an admin action")
	fl.StringVar(&f.decision, "decision", "", "only allow or deny")
	fl.StringVar(&f.kind, "kind", "", "only decision, intent, end, exchange or admin events")
	fl.IntVar(&f.limit, "limit", 50, "the table's most events (not --json or --csv, which write them all)")
	fl.BoolVar(&f.asJSON, "json", false, "write JSON lines with OCSF-style field names")
	fl.BoolVar(&f.asCSV, "csv", false, "write CSV")
	cmd.AddCommand(a.adminAuditVerifyCmd())
	return cmd
}

func (a *app) adminAudit(cmd *cobra.Command, f auditFlags) error {
	if f.asJSON && f.asCSV {
		return hfgate.Errorf(hfgate.EINVALID, "--json and --csv do not go together")
	}
	filter, err := f.filter(time.Now())
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	s, err := a.adminState(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	switch {
	case f.asJSON:
		filter.Ascending = true
		_, err = audit.Export(ctx, s, filter, audit.NewJSONEncoder(a.io.Out))
		return err
	case f.asCSV:
		filter.Ascending = true
		_, err = audit.Export(ctx, s, filter, audit.NewCSVEncoder(a.io.Out))
		return err
	}
	if f.limit < 1 {
		return hfgate.Errorf(hfgate.EINVALID, "--limit must be at least 1")
	}
	filter.Limit = min(f.limit, hfgate.MaxAuditLimit)
	page, err := s.QueryAudit(ctx, &filter)
	if err != nil {
		return err
	}
	t := newTable(a.io.Out, "TIME", "USER", "ACTION", "REPO", "FILE", "DECISION", "STATUS", "BYTES", "OUTCOME")
	for _, e := range page.Events {
		t.Row(e.Time.Local().Format("2006-01-02 15:04:05"), auditWho(e), auditAction(e), auditRepo(e), e.File,
			auditDecision(e), auditStatus(e), auditBytes(e), string(e.Outcome))
	}
	if err := t.Flush(); err != nil {
		return err
	}
	if page.Next != "" {
		fmt.Fprintf(a.io.Err, "hfgate: %d newest events shown; --limit shows more, --json or --csv all\n", len(page.Events))
	}
	return nil
}

// filter turns the flags into an audit filter, with durations counted
// back from now.
func (f auditFlags) filter(now time.Time) (hfgate.AuditFilter, error) {
	var out hfgate.AuditFilter
	var err error
	if out.Since, err = when(f.since, now, "--since"); err != nil {
		return out, err
	}
	if out.Until, err = when(f.until, now, "--until"); err != nil {
		return out, err
	}
	out.User, out.Action = f.user, f.action
	if f.repo != "" {
		out.RepoType, out.Repo = hfgate.RepoTypeModel, hfgate.RepoID(f.repo)
		for _, t := range []hfgate.RepoType{hfgate.RepoTypeDataset, hfgate.RepoTypeSpace} {
			if rest, ok := strings.CutPrefix(f.repo, string(t)+"s/"); ok {
				out.RepoType, out.Repo = t, hfgate.RepoID(rest)
			}
		}
		if _, err := hfgate.ParseRepoID(string(out.Repo)); err != nil {
			return out, hfgate.WrapError(hfgate.EINVALID, err, "--repo %s is not owner/name, datasets/owner/name or spaces/owner/name", f.repo)
		}
	}
	switch d := hfgate.AuditDecision(f.decision); d {
	case "", hfgate.AuditAllow, hfgate.AuditDeny:
		out.Decision = d
	default:
		return out, hfgate.Errorf(hfgate.EINVALID, "--decision is allow or deny, not %q", f.decision)
	}
	if f.kind != "" {
		k := hfgate.AuditKind(f.kind)
		if !k.Valid() {
			return out, hfgate.Errorf(hfgate.EINVALID, "--kind is decision, intent, end, exchange or admin, not %q", f.kind)
		}
		out.Kinds = []hfgate.AuditKind{k}
	}
	return out, nil
}

// when reads a time flag: RFC 3339, a date, or a duration back from now.
func when(v string, now time.Time, flag string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, hfgate.Errorf(hfgate.EINVALID, "%s %q is not a time (2026-01-02, 2026-01-02T15:04:05Z) or a duration (24h)", flag, v)
}

func auditWho(e *hfgate.AuditEvent) string {
	switch {
	case e.Username != "":
		return e.Username
	case e.Subject != "":
		return e.Subject
	}
	return string(hfgate.PrincipalAnonymous)
}

func auditAction(e *hfgate.AuditEvent) string {
	if e.Kind == hfgate.AuditKindIntent || e.Kind == hfgate.AuditKindEnd {
		return e.Action + " (" + string(e.Kind) + ")"
	}
	return e.Action
}

func auditRepo(e *hfgate.AuditEvent) string {
	switch e.RepoType {
	case hfgate.RepoTypeDataset, hfgate.RepoTypeSpace:
		return string(e.RepoType) + "s/" + string(e.Repo)
	}
	return string(e.Repo)
}

func auditDecision(e *hfgate.AuditEvent) string {
	if e.Decision == "" {
		return ""
	}
	return string(e.Decision) + " (" + e.Rule + ")"
}

func auditStatus(e *hfgate.AuditEvent) string {
	if e.Status == 0 {
		return ""
	}
	return strconv.Itoa(e.Status)
}

func auditBytes(e *hfgate.AuditEvent) string {
	if e.Kind != hfgate.AuditKindEnd {
		return ""
	}
	return humanBytes(e.Bytes)
}

func (a *app) adminAuditVerifyCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify [--json]",
		Short: "Check that no audit event was changed, removed or moved",
		Long: `Read every chain of the audit log (one per gateway process) and check each event's
hash against its content and the one before it: an event edited, deleted or moved in
the database, or a chain cut short, is reported by writer and sequence number. Exit
status 0 when every chain verifies, 7 when one does not.

Keep the chain heads it prints somewhere else too: a whole chain deleted together
with its head record is what no check inside one database can see.`,
		Example: `  hfgate admin audit verify
  hfgate admin audit verify --json --database postgres://hfgate@db/hfgate`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.adminState(ctx, false)
			if err != nil {
				return err
			}
			defer s.Close()
			report, err := audit.Verify(ctx, s)
			if err != nil {
				return err
			}
			if asJSON {
				if err := writeJSON(a.io.Out, verifyJSON(report)); err != nil {
					return err
				}
			} else if err := a.printVerify(report); err != nil {
				return err
			}
			if !report.OK() {
				return hfgate.Errorf(hfgate.EINTEGRITY, "the audit log does not verify: %d problem(s)", len(report.Problems)+report.Omitted)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

func (a *app) printVerify(r *audit.Report) error {
	t := newTable(a.io.Out, "CHAIN", "EVENTS", "HEAD", "SEALED BY", "OK")
	for _, c := range r.Chains {
		t.Row(c.Writer, strconv.FormatInt(c.Seq, 10), c.Hash, c.SealedBy, map[bool]string{true: "yes", false: "NO"}[c.OK])
	}
	if err := t.Flush(); err != nil {
		return err
	}
	for _, p := range r.Problems {
		fmt.Fprintf(a.io.Out, "problem: %s\n", printable(p.String()))
	}
	if r.Omitted > 0 {
		fmt.Fprintf(a.io.Out, "and %d more problems\n", r.Omitted)
	}
	if r.OK() {
		_, err := fmt.Fprintf(a.io.Out, "%d chain(s) verified\n", len(r.Chains))
		return err
	}
	return nil
}

// verifyJSON is the --json form of a report.
func verifyJSON(r *audit.Report) map[string]any {
	chains := []map[string]any{}
	for _, c := range r.Chains {
		chains = append(chains, map[string]any{"writer": c.Writer, "seq": c.Seq, "hash": c.Hash, "sealed_by": c.SealedBy, "ok": c.OK})
	}
	problems := []string{}
	for _, p := range r.Problems {
		problems = append(problems, p.String())
	}
	return map[string]any{"ok": r.OK(), "chains": chains, "problems": problems, "omitted": r.Omitted}
}
