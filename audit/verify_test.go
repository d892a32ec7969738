package audit_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
	"github.com/hfgate/hfgate/memstore"
)

// tampered is a store whose chain of one writer reads back as tamper
// makes it, as if someone had changed the rows in the database. (The
// database packages test the same with SQL on real rows.)
type tampered struct {
	hfgate.AuditStore
	writer string
	tamper func([]*hfgate.AuditEvent) []*hfgate.AuditEvent
	// rewind makes the store's head of the chain its tampered last event,
	// as a forger with write access to the whole database would.
	rewind bool
}

func (s *tampered) AuditChain(ctx context.Context, writer string, after int64, limit int) ([]*hfgate.AuditEvent, error) {
	if writer != s.writer {
		return s.AuditStore.AuditChain(ctx, writer, after, limit)
	}
	var all []*hfgate.AuditEvent
	for {
		page, err := s.AuditStore.AuditChain(ctx, writer, int64(len(all)), hfgate.MaxAuditLimit)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
	}
	all = s.tamper(all)
	slices.SortFunc(all, func(a, b *hfgate.AuditEvent) int { return cmp.Compare(a.Seq, b.Seq) })
	out := []*hfgate.AuditEvent{}
	for _, e := range all {
		if e.Seq > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (s *tampered) AuditWriters(ctx context.Context) ([]*hfgate.AuditWriter, error) {
	ws, err := s.AuditStore.AuditWriters(ctx)
	for _, w := range ws {
		if w.ID == s.writer && s.rewind {
			c, err := s.AuditChain(ctx, w.ID, 0, hfgate.MaxAuditLimit)
			if err != nil {
				return nil, err
			}
			w.Seq, w.Hash = c[len(c)-1].Seq, c[len(c)-1].Hash
		}
	}
	return ws, err
}

// at returns the event of seq in chain.
func at(chain []*hfgate.AuditEvent, seq int64) *hfgate.AuditEvent {
	for _, e := range chain {
		if e.Seq == seq {
			return e
		}
	}
	panic(fmt.Sprintf("no seq %d", seq))
}

func without(chain []*hfgate.AuditEvent, seqs ...int64) []*hfgate.AuditEvent {
	return slices.DeleteFunc(chain, func(e *hfgate.AuditEvent) bool { return slices.Contains(seqs, e.Seq) })
}

// rehash recomputes the hashes from seq on, linking each to the one before,
// as a forger who knows the algorithm would.
func rehash(chain []*hfgate.AuditEvent, from int64) []*hfgate.AuditEvent {
	for _, e := range chain {
		if e.Seq > from {
			e.PrevHash = at(chain, e.Seq-1).Hash
		}
		if e.Seq >= from {
			e.Hash = audit.Hash(e)
		}
	}
	return chain
}

// problems returns "seq:kind" of each problem.
func problems(r *audit.Report) []string {
	out := []string{}
	for _, p := range r.Problems {
		out = append(out, fmt.Sprintf("%d:%s", p.Seq, p.Kind))
	}
	return out
}

func TestVerifyFinds(t *testing.T) {
	type chain = []*hfgate.AuditEvent
	for _, tt := range []struct {
		name   string
		tamper func(chain) chain
		want   []string
	}{
		{"untouched", func(c chain) chain { return c }, []string{}},
		{"content edited", func(c chain) chain { at(c, 5).Username = "mallory"; return c }, []string{"5:edited"}},
		{"bytes edited", func(c chain) chain { at(c, 5).Bytes = 1; return c }, []string{"5:edited"}},
		{"hash edited", func(c chain) chain { at(c, 5).Hash = strings.Repeat("0", 64); return c }, []string{"5:edited"}},
		{"link edited", func(c chain) chain { at(c, 5).PrevHash = at(c, 3).Hash; return c }, []string{"5:edited"}},
		{"one deleted", func(c chain) chain { return without(c, 5) }, []string{"5:missing"}},
		{"three deleted", func(c chain) chain { return without(c, 5, 6, 7) }, []string{"5:missing"}},
		{"first deleted", func(c chain) chain { return without(c, 1) }, []string{"1:missing"}},
		{"two swapped", func(c chain) chain { a, b := at(c, 5), at(c, 6); a.Seq, b.Seq = 6, 5; return c },
			[]string{"5:reordered", "6:reordered"}},
		{"moved far", func(c chain) chain { a, b := at(c, 2), at(c, 9); a.Seq, b.Seq = 9, 2; return c },
			[]string{"2:reordered", "9:reordered"}},
		{"rewritten with its hash", func(c chain) chain { e := at(c, 5); e.Username = "mallory"; e.Hash = audit.Hash(e); return c },
			[]string{"5:forged"}},
		{"last rewritten with its hash", func(c chain) chain { at(c, 10).Username = "mallory"; return rehash(c, 10) },
			[]string{"10:forged"}},
		{"tail rewritten with hashes", func(c chain) chain { at(c, 4).Username = "mallory"; return rehash(c, 4) },
			[]string{"10:forged"}},
		{"tail deleted", func(c chain) chain { return without(c, 9, 10) }, []string{"9:truncated"}},
		{"all deleted", func(c chain) chain { return nil }, []string{"1:truncated"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := &memstore.Store{}
			w := mustOpen(t, s, audit.Config{})
			for i := range 10 {
				mustRecord(t, w, decision(fmt.Sprint(i)))
			}
			r, err := audit.Verify(t.Context(), &tampered{AuditStore: s, writer: w.ID(), tamper: tt.tamper})
			if err != nil {
				t.Fatal(err)
			}
			if got := problems(r); !slices.Equal(got, tt.want) {
				t.Errorf("problems = %v, want %v", got, tt.want)
			}
			if r.OK() != (len(tt.want) == 0) || len(r.Chains) != 1 || r.Chains[0].OK != r.OK() {
				t.Errorf("OK = %v, chains %+v; want OK %v", r.OK(), r.Chains, len(tt.want) == 0)
			}
			for _, p := range r.Problems {
				if !strings.HasPrefix(p.String(), w.ID()+"#") {
					t.Errorf("problem %q does not name the writer", p)
				}
			}
		})
	}
}

// TestVerifySeals: a later process's seal vouches for the chain it sealed,
// so a chain cut (or rewritten) together with the store's record of its
// head is still caught.
func TestVerifySeals(t *testing.T) {
	type chain = []*hfgate.AuditEvent
	for _, tt := range []struct {
		name   string
		tamper func(chain) chain
		want   []string
	}{
		{"untouched", func(c chain) chain { return c }, []string{}},
		{"tail cut", func(c chain) chain { return without(c, 4, 5) }, []string{"5:truncated"}},
		{"rewritten", func(c chain) chain { at(c, 3).Username = "mallory"; return rehash(c, 3) }, []string{"5:forged"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := &memstore.Store{}
			old := mustOpen(t, s, audit.Config{})
			for i := range 5 {
				mustRecord(t, old, decision(fmt.Sprint(i)))
			}
			old.Close()
			mustOpen(t, s, audit.Config{}) // seals old at seq 5
			r, err := audit.Verify(t.Context(), &tampered{AuditStore: s, writer: old.ID(), tamper: tt.tamper, rewind: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := problems(r); !slices.Equal(got, tt.want) {
				t.Errorf("problems = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestVerifyWriter(t *testing.T) {
	s := &memstore.Store{}
	a, b := mustOpen(t, s, audit.Config{Replica: "a"}), mustOpen(t, s, audit.Config{Replica: "b"})
	mustRecord(t, a, decision("1"))
	mustRecord(t, b, decision("2"))
	r, err := audit.VerifyWriter(t.Context(), &tampered{AuditStore: s, writer: a.ID(), tamper: func(c []*hfgate.AuditEvent) []*hfgate.AuditEvent {
		c[0].Repo = "x/y"
		return c
	}}, b.ID())
	if err != nil || !r.OK() || len(r.Chains) != 1 || r.Chains[0].Writer != b.ID() {
		t.Errorf("VerifyWriter(b) = %+v, %v; want b's chain only, OK", r, err)
	}
	if _, err := audit.VerifyWriter(t.Context(), s, "nobody/1"); hfgate.ErrorCode(err) != hfgate.ENOTFOUND {
		t.Errorf("VerifyWriter(unknown) = %v, want an ENOTFOUND error", err)
	}
}
