package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
)

var _ hfgate.AuditStore = (*Store)(nil)

const auditColumns = `writer, seq, at, kind, request_id, principal_kind, subject, username, session_id, token_id,
	client_ip, user_agent, method, path, action, repo_type, repo, revision, commit_id, file, sha256, bytes, status,
	decision, rule, duration, source, outcome, detail, prev_hash, hash`

// auditColumnCount is the number of auditColumns.
const auditColumnCount = 31

// auditRowsPerInsert is how many rows AppendAudit hands insertAudit at
// a time, to bound the arguments it holds.
const auditRowsPerInsert = 256

func auditArgs(e *hfgate.AuditEvent) ([]any, error) {
	detail := ""
	if len(e.Detail) > 0 {
		d, err := jsonText(e.Detail)
		if err != nil {
			return nil, hfgate.WrapError(hfgate.EINVALID, err, "the audit event cannot be stored")
		}
		detail = d.(string)
	}
	return []any{e.Writer, e.Seq, micros(e.Time), string(e.Kind), e.RequestID, string(e.PrincipalKind), e.Subject,
		e.Username, e.SessionID, e.TokenID, e.ClientIP, e.UserAgent, e.Method, e.Path, e.Action, string(e.RepoType),
		string(e.Repo), e.Revision, e.Commit, e.File, e.SHA256, e.Bytes, e.Status, string(e.Decision), e.Rule,
		int64(e.Duration), string(e.Source), string(e.Outcome), detail, e.PrevHash, e.Hash}, nil
}

func scanAudit(row interface{ Scan(...any) error }) (*hfgate.AuditEvent, error) {
	var e hfgate.AuditEvent
	var duration int64
	err := row.Scan(&e.Writer, &e.Seq, timeCol{&e.Time}, &e.Kind, &e.RequestID, &e.PrincipalKind, &e.Subject,
		&e.Username, &e.SessionID, &e.TokenID, &e.ClientIP, &e.UserAgent, &e.Method, &e.Path, &e.Action, &e.RepoType,
		&e.Repo, &e.Revision, &e.Commit, &e.File, &e.SHA256, &e.Bytes, &e.Status, &e.Decision, &e.Rule,
		&duration, &e.Source, &e.Outcome, jsonCol{&e.Detail}, &e.PrevHash, &e.Hash)
	if err != nil {
		return nil, err
	}
	e.Duration = time.Duration(duration)
	return &e, nil
}

// AppendAudit implements hfgate.AuditStore. The head of each writer the
// batch continues is read with a row lock, so that appends to one chain
// from two processes take turns; the first events of a new writer race
// only on the primary key, which lets one of them in.
func (s *Store) AppendAudit(ctx context.Context, events []*hfgate.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	return s.tx(ctx, "appending audit events", func(tx *sql.Tx) error {
		type head struct {
			w      hfgate.AuditWriter
			stored bool // audit_writers has a row for it
		}
		heads := map[string]*head{}
		args := make([]any, 0, min(len(events), auditRowsPerInsert)*auditColumnCount)
		rows := 0
		for _, e := range events {
			if e == nil {
				return hfgate.Errorf(hfgate.EINVALID, "a nil audit event")
			}
			h := heads[e.Writer]
			if h == nil {
				h = &head{w: hfgate.AuditWriter{ID: e.Writer}}
				st, err := s.prepared(ctx, tx, `SELECT seq, hash FROM audit_writers WHERE writer = ?`+s.d.ForUpdate)
				if err != nil {
					return err
				}
				switch err := st.QueryRowContext(ctx, e.Writer).Scan(&h.w.Seq, &h.w.Hash); {
				case err == nil:
					h.stored = true
				case !errors.Is(err, sql.ErrNoRows):
					return err
				}
				heads[e.Writer] = h
			}
			if err := h.w.Append(e); err != nil {
				return err
			}
			a, err := auditArgs(e)
			if err != nil {
				return err
			}
			args, rows = append(args, a...), rows+1
			if rows == auditRowsPerInsert {
				if err := s.insertAudit(ctx, tx, rows, args); err != nil {
					return err
				}
				args, rows = args[:0], 0
			}
		}
		if err := s.insertAudit(ctx, tx, rows, args); err != nil {
			return err
		}
		for id, h := range heads {
			q := `INSERT INTO audit_writers (seq, hash, last, writer) VALUES (?, ?, ?, ?)`
			if h.stored {
				q = `UPDATE audit_writers SET seq = ?, hash = ?, last = ? WHERE writer = ?`
			}
			st, err := s.prepared(ctx, tx, q)
			if err != nil {
				return err
			}
			if _, err := st.ExecContext(ctx, h.w.Seq, h.w.Hash, micros(h.w.Last), id); err != nil {
				return err
			}
		}
		return nil
	})
}

// prepared returns the statement of query (written with "?") in tx,
// prepared once per Store and connection: a statement run for every event
// of a busy gateway should not be parsed again each time.
func (s *Store) prepared(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return tx.StmtContext(ctx, st.(*sql.Stmt)), nil
	}
	st, err := s.db.PrepareContext(ctx, s.q(query))
	if err != nil {
		return nil, err
	}
	if old, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		st = old.(*sql.Stmt)
	}
	return tx.StmtContext(ctx, st), nil
}

// insertRows are the row counts of the INSERT statements insertAudit
// prepares: few shapes, each parsed once, that add up to any batch.
var insertRows = []int{64, 16, 4, 1}

// insertAudit inserts rows events, whose values are args (in
// auditColumns order), with as few statements as insertRows allow.
func (s *Store) insertAudit(ctx context.Context, tx *sql.Tx, rows int, args []any) error {
	row := "(" + strings.Repeat("?, ", auditColumnCount-1) + "?)"
	for rows > 0 {
		n := 1
		for _, size := range insertRows {
			if rows >= size {
				n = size
				break
			}
		}
		st, err := s.prepared(ctx, tx, `INSERT INTO audit_events (`+auditColumns+`) VALUES `+row+strings.Repeat(", "+row, n-1))
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, args[:n*auditColumnCount]...); err != nil {
			return err
		}
		args, rows = args[n*auditColumnCount:], rows-n
	}
	return nil
}

// AuditChain implements hfgate.AuditStore.
func (s *Store) AuditChain(ctx context.Context, writer string, after int64, limit int) ([]*hfgate.AuditEvent, error) {
	limit, err := hfgate.AuditChainLimit(limit)
	if err != nil {
		return nil, err
	}
	return s.queryAudit(ctx, "reading an audit chain", s.q(`SELECT `+auditColumns+` FROM audit_events
		WHERE writer = ? AND seq > ? ORDER BY seq LIMIT ?`), writer, after, limit)
}

// OpenAuditIntents implements hfgate.AuditStore.
func (s *Store) OpenAuditIntents(ctx context.Context, writer string) ([]*hfgate.AuditEvent, error) {
	return s.queryAudit(ctx, "finding open audit intents", s.q(`SELECT `+auditColumns+` FROM audit_events i
		WHERE writer = ? AND kind = ? AND NOT EXISTS (
			SELECT 1 FROM audit_events e WHERE e.request_id = i.request_id AND e.kind = ?)
		ORDER BY seq`), writer, string(hfgate.AuditKindIntent), string(hfgate.AuditKindEnd))
}

// AuditWriters implements hfgate.AuditStore.
func (s *Store) AuditWriters(ctx context.Context) ([]*hfgate.AuditWriter, error) {
	const what = "listing audit writers"
	rows, err := s.db.QueryContext(ctx, `SELECT writer, seq, hash, last, sealed_by FROM audit_writers ORDER BY writer`)
	if err != nil {
		return nil, s.fail(ctx, err, what)
	}
	defer rows.Close()
	out := []*hfgate.AuditWriter{}
	for rows.Next() {
		var w hfgate.AuditWriter
		if err := rows.Scan(&w.ID, &w.Seq, &w.Hash, timeCol{&w.Last}, &w.SealedBy); err != nil {
			return nil, s.fail(ctx, err, what)
		}
		out = append(out, &w)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, err, what)
	}
	return out, nil
}

// SealAuditWriter implements hfgate.AuditStore.
func (s *Store) SealAuditWriter(ctx context.Context, writer, by string) error {
	if by == "" {
		return hfgate.Errorf(hfgate.EINVALID, "a seal needs the writer that sets it")
	}
	n, err := s.exec(ctx, "sealing an audit writer", `UPDATE audit_writers SET sealed_by = ? WHERE writer = ? AND sealed_by = ''`, by, writer)
	if err != nil || n > 0 {
		return err
	}
	var one int
	err = s.db.QueryRowContext(ctx, s.q(`SELECT 1 FROM audit_writers WHERE writer = ?`), writer).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("no audit writer %q", writer)
	}
	if err != nil {
		return s.fail(ctx, err, "sealing an audit writer")
	}
	return nil // sealed already: the first seal stays
}

// queryAudit runs query, in the dialect's placeholders, and returns the
// events it selects.
func (s *Store) queryAudit(ctx context.Context, what, query string, args ...any) ([]*hfgate.AuditEvent, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.fail(ctx, err, what)
	}
	defer rows.Close()
	out := []*hfgate.AuditEvent{}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, s.fail(ctx, err, what)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, err, what)
	}
	return out, nil
}
