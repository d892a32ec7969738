package audit

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"

	"github.com/hfgate/hfgate"
)

// csvHeader names the CSV columns: every field of an event, Time in
// TimeFormat, Duration in milliseconds, Detail as a JSON object.
var csvHeader = []string{
	"time", "writer", "seq", "kind", "request_id", "principal_kind", "subject", "username",
	"session_id", "token_id", "client_ip", "user_agent", "method", "path", "action",
	"repo_type", "repo", "revision", "commit", "file", "sha256", "bytes", "status",
	"decision", "rule", "duration_ms", "source", "outcome", "detail", "prev_hash", "hash",
}

// CSVEncoder writes events as CSV (RFC 4180: a header row, CRLF line ends,
// quotes where needed), one row per event, safe to open in a spreadsheet: a
// cell that starts with '=', '+', '-', '@', a tab or a carriage return gets
// a leading apostrophe, so no peer-sent user agent or path runs as a
// formula.
type CSVEncoder struct {
	w      *csv.Writer
	header bool
	row    []string
}

// NewCSVEncoder returns an encoder writing to w. Call Flush at the end;
// the header row is written even when no event is.
func NewCSVEncoder(w io.Writer) *CSVEncoder {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &CSVEncoder{w: cw, row: make([]string, len(csvHeader))}
}

// Encode writes e as one row.
func (c *CSVEncoder) Encode(e *hfgate.AuditEvent) error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	detail := ""
	if len(e.Detail) > 0 {
		b, _ := json.Marshal(e.Detail) // a map of strings always marshals
		detail = string(b)
	}
	status := ""
	if e.Status != 0 {
		status = strconv.Itoa(e.Status)
	}
	for i, v := range []string{
		e.Time.UTC().Format(TimeFormat), e.Writer, strconv.FormatInt(e.Seq, 10), string(e.Kind), e.RequestID,
		string(e.PrincipalKind), e.Subject, e.Username, e.SessionID, e.TokenID, e.ClientIP, e.UserAgent,
		e.Method, e.Path, e.Action, string(e.RepoType), string(e.Repo), e.Revision, e.Commit, e.File,
		e.SHA256, strconv.FormatInt(e.Bytes, 10), status, string(e.Decision), e.Rule,
		strconv.FormatFloat(float64(e.Duration)/1e6, 'f', 3, 64), string(e.Source), string(e.Outcome),
		detail, e.PrevHash, e.Hash,
	} {
		c.row[i] = defuse(v)
	}
	return c.w.Write(c.row)
}

// Flush writes out what is buffered (the header, at least).
func (c *CSVEncoder) Flush() error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	c.w.Flush()
	return c.w.Error()
}

func (c *CSVEncoder) writeHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	return c.w.Write(csvHeader)
}

// defuse returns v with a leading apostrophe when a spreadsheet would read
// it as a formula (OWASP's advice on CSV injection).
func defuse(v string) string {
	if v != "" {
		switch v[0] {
		case '=', '+', '-', '@', '\t', '\r':
			return "'" + v
		}
	}
	return v
}
