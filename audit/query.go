package audit

import (
	"context"
	"fmt"

	"github.com/hfgate/hfgate"
)

// Download is one file transfer as the log shows it: the intent written
// before its first byte, and the end that closed it.
type Download struct {
	Intent *hfgate.AuditEvent
	// End is nil while the transfer is open: in flight, or cut off by a
	// process that died and whose replica has not restarted yet.
	End *hfgate.AuditEvent
}

// Outcome returns how the transfer ended, or "" while it is open.
func (d *Download) Outcome() hfgate.AuditOutcome {
	if d.End == nil {
		return ""
	}
	return d.End.Outcome
}

// Downloads returns one page of the transfers whose intents f selects (f's
// Kinds are ignored), each joined with its end, and the cursor of the next
// page ("" after the last). When a transfer has several ends (a rolling
// restart marked it interrupted while its process went on to finish it),
// the end its own process wrote wins over the interrupted one.
func Downloads(ctx context.Context, store hfgate.AuditStore, f hfgate.AuditFilter) ([]*Download, string, error) {
	f.Kinds = []hfgate.AuditKind{hfgate.AuditKindIntent}
	page, err := store.QueryAudit(ctx, &f)
	if err != nil {
		return nil, "", fmt.Errorf("query audit downloads: %w", err)
	}
	if len(page.Events) == 0 {
		return []*Download{}, page.Next, nil
	}
	ids := make([]string, len(page.Events))
	for i, e := range page.Events {
		ids[i] = e.RequestID
	}
	ends := map[string]*hfgate.AuditEvent{}
	q := hfgate.AuditFilter{Kinds: []hfgate.AuditKind{hfgate.AuditKindEnd}, RequestIDs: ids, Ascending: true, Limit: hfgate.MaxAuditLimit}
	for {
		p, err := store.QueryAudit(ctx, &q)
		if err != nil {
			return nil, "", fmt.Errorf("query audit downloads: %w", err)
		}
		for _, e := range p.Events {
			if old := ends[e.RequestID]; old == nil || old.Outcome == hfgate.AuditInterrupted {
				ends[e.RequestID] = e
			}
		}
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	out := make([]*Download, len(page.Events))
	for i, e := range page.Events {
		out[i] = &Download{Intent: e, End: ends[e.RequestID]}
	}
	return out, page.Next, nil
}

// Encoder writes audit events to a stream, one at a time: NewJSONEncoder
// and NewCSVEncoder. Flush writes out what is buffered.
type Encoder interface {
	Encode(e *hfgate.AuditEvent) error
	Flush() error
}

// Export writes the events f selects to enc, page by page (f.Limit is the
// page size, MaxAuditLimit when zero), so that an export of any size holds
// one page in memory. It returns how many events it wrote.
func Export(ctx context.Context, store hfgate.AuditStore, f hfgate.AuditFilter, enc Encoder) (int, error) {
	if f.Limit == 0 {
		f.Limit = hfgate.MaxAuditLimit
	}
	n := 0
	for {
		page, err := store.QueryAudit(ctx, &f)
		if err != nil {
			return n, fmt.Errorf("export audit events: %w", err)
		}
		for _, e := range page.Events {
			if err := enc.Encode(e); err != nil {
				return n, fmt.Errorf("export audit events: %w", err)
			}
			n++
		}
		if page.Next == "" {
			break
		}
		f.After = page.Next
	}
	if err := enc.Flush(); err != nil {
		return n, fmt.Errorf("export audit events: %w", err)
	}
	return n, nil
}
