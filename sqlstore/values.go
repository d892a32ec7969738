package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// ts returns t as stored: microseconds since 1970, or NULL for a zero t.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// micros returns t in microseconds since 1970, for comparisons.
func micros(t time.Time) int64 { return t.UnixMicro() }

// timeCol scans a stored time into *t: NULL is the zero time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(v any) error {
	var n sql.NullInt64
	if err := n.Scan(v); err != nil {
		return fmt.Errorf("time column: %w", err)
	}
	*c.t = time.Time{}
	if n.Valid {
		*c.t = time.UnixMicro(n.Int64).UTC()
	}
	return nil
}

// durCol scans a duration stored in microseconds into *d.
type durCol struct{ d *time.Duration }

func (c durCol) Scan(v any) error {
	var n sql.NullInt64
	if err := n.Scan(v); err != nil {
		return fmt.Errorf("duration column: %w", err)
	}
	*c.d = time.Duration(n.Int64) * time.Microsecond
	return nil
}

// jsonCol scans a JSON text column into *v (NULL leaves it alone).
type jsonCol struct{ v any }

func (c jsonCol) Scan(src any) error {
	var s sql.NullString
	if err := s.Scan(src); err != nil || !s.Valid || s.String == "" {
		return err
	}
	if err := json.Unmarshal([]byte(s.String), c.v); err != nil {
		return fmt.Errorf("json column: %w", err)
	}
	return nil
}

// jsonText returns v as JSON text, or NULL for a nil pointer.
func jsonText(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if string(b) == "null" {
		return nil, nil
	}
	return string(b), nil
}

// words joins scopes for a space-separated column; fields splits them.
func words(scopes []string) string { return strings.Join(scopes, " ") }

func fields(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Fields(s)
}
