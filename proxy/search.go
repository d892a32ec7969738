package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/policy"
)

// maxHiddenInAudit bounds the repo ids a search's audit event lists.
const maxHiddenInAudit = 20

// attrReaders bounds the attribute reads one search page makes at once.
const attrReaders = 8

// search serves GET /api/{models,datasets,spaces}: the Hub's page of
// results, with each result the caller may not see (action "search")
// removed. The page's Link to the next one stays, so pagination goes on
// over pages that may be shorter than asked, or empty, as clients allow.
func (x *exchange) search() {
	x.action = hfgate.RepoSearch
	rep, err := x.fetchMetadata(x.rt, nil)
	if err != nil {
		x.answerError(err)
		return
	}
	defer rep.release()
	ev := x.decisionEvent(rep.status)
	if rep.status == http.StatusOK && x.r.Method == http.MethodGet {
		hidden, shown, err := x.filterResults(rep)
		if err != nil {
			rep.release()
			x.answerError(err)
			return
		}
		ev.Detail = map[string]string{"results": strconv.Itoa(shown), "hidden": strconv.Itoa(len(hidden))}
		if len(hidden) > 0 {
			ev.Detail["hidden_repos"] = strings.Join(hidden[:min(len(hidden), maxHiddenInAudit)], " ")
		}
	}
	x.answer(rep, ev)
}

// result is what the policy needs of one search result.
type result struct {
	ID      hfgate.RepoID   `json:"id"`
	Private *bool           `json:"private"`
	Gated   json.RawMessage `json:"gated"`
}

// filterResults removes from rep's JSON array the results the caller may
// not see, and returns the ids removed and how many stay.
func (x *exchange) filterResults(rep *reply) (hidden []string, shown int, err error) {
	var items []json.RawMessage
	if err := json.Unmarshal(rep.body.Bytes(), &items); err != nil {
		return nil, 0, &hubError{status: http.StatusBadGateway, msg: "the Hub's search answer is not a JSON array", err: err}
	}
	type pending struct {
		res      result
		known    attrs
		gatedSet bool
		d        policy.Decision
		settled  bool
	}
	todo := make([]pending, len(items))
	var unsettled []int
	for i, raw := range items {
		t := &todo[i]
		if json.Unmarshal(raw, &t.res) != nil || t.res.ID == "" {
			continue // a result the policy cannot name is not shown
		}
		t.known.private = t.res.Private != nil && *t.res.Private
		if g := strings.TrimSpace(string(t.res.Gated)); g != "" {
			t.gatedSet, t.known.gated = true, g != "false" && g != "null"
		}
		res := policy.Resource{Type: x.rt.Type, ID: t.res.ID, Gated: t.known.gated, Private: t.known.private}
		if a, ok := x.p.attrs.get(attrKey(x.rt.Type, t.res.ID)); ok {
			res.Gated = t.known.gated || (!t.gatedSet && a.gated)
			res.Private = t.known.private || (t.res.Private == nil && a.private)
			t.d, t.settled = x.p.cfg.Policy.Decide(x.who, x.action, res), true
			continue
		}
		t.d, t.settled = decideVariants(x.p.cfg.Policy, x.who, x.action, res, t.gatedSet, t.res.Private != nil)
		if !t.settled {
			unsettled = append(unsettled, i)
		}
	}
	if len(unsettled) > 0 {
		// The policy's answer depends on attributes the page does not
		// give: read them, a few at a time.
		g, ctx := errgroup.WithContext(context.WithoutCancel(x.r.Context()))
		g.SetLimit(attrReaders)
		for _, i := range unsettled {
			t := &todo[i]
			g.Go(func() error {
				t.d = x.p.decideRepo(ctx, x, x.rt.Type, t.res.ID, x.action, t.known, t.gatedSet, t.res.Private != nil)
				return nil
			})
		}
		g.Wait()
	}
	out := getBuf()
	out.WriteByte('[')
	counts := map[policy.Decision]int{}
	for i, raw := range items {
		t := &todo[i]
		counts[policy.Decision{Allow: t.d.Allow, Rule: t.d.Rule}]++
		if !t.d.Allow {
			if t.res.ID != "" {
				hidden = append(hidden, string(t.res.ID))
			}
			continue
		}
		if shown > 0 {
			out.WriteByte(',')
		}
		out.Write(bytes.TrimSpace(raw))
		shown++
	}
	out.WriteByte(']')
	for d, n := range counts {
		x.p.m.decisions.WithLabelValues(string(x.action), allowWord(d.Allow), d.Rule).Add(float64(n))
	}
	putBuf(rep.body)
	rep.body = out
	return hidden, shown, nil
}
