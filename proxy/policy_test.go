package proxy_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/policy"
)

// TestDemoPolicy: the demo policy through the proxy. bob may read Qwen's
// metadata but not download its files, although the Hub would let him;
// alice, a member of acme, may; everyone may download hubsim's.
func TestDemoPolicy(t *testing.T) {
	e := newEnv(t)
	const qwen = "/" + hubsim.RepoQwenCoder7BGGUF + "/resolve/main/README.md"
	tests := []struct {
		name, method, path, as string
		status                 int
		rule                   string
	}{
		{"bob downloads Qwen", "GET", qwen, "bob", 403, "default-deny"},
		{"bob asks Qwen's file headers", "HEAD", qwen, "bob", 403, "default-deny"},
		{"alice downloads Qwen", "GET", qwen, "alice", 200, "acme-members"},
		{"bob reads Qwen's info", "GET", "/api/models/" + hubsim.RepoQwenCoder7BGGUF, "bob", 200, "everyone-browses"},
		{"anonymous downloads hubsim", "GET", "/" + hubsim.RepoTiny + "/resolve/main/README.md", "", 200, "everyone-downloads-hubsim"},
		{"anonymous downloads a dataset", "HEAD", "/datasets/" + hubsim.DatasetTiny + "/resolve/main/README.md", "", 403, "default-deny"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.hub.Counters().Hosts[hubsim.HostHub].Requests
			resp, _ := e.get2(tt.method, tt.path, tt.as)
			if resp.StatusCode != tt.status {
				t.Fatalf("%s %s as %q = %d, want %d", tt.method, tt.path, tt.as, resp.StatusCode, tt.status)
			}
			var ev *hfgate.AuditEvent
			for _, x := range e.events() { // the decision, or the intent of a file served
				if x.RequestID == resp.Header.Get("X-Request-Id") && x.Kind != hfgate.AuditKindEnd {
					ev = x
				}
			}
			if ev == nil || ev.Rule != tt.rule {
				t.Fatalf("audit event %+v, want one by rule %q", ev, tt.rule)
			}
			if tt.status != http.StatusForbidden {
				return
			}
			if code, msg := resp.Header.Get("X-Error-Code"), resp.Header.Get("X-Error-Message"); code != "GatedRepo" || !strings.Contains(msg, "rule "+tt.rule) {
				t.Errorf("X-Error-Code %q, X-Error-Message %q; want GatedRepo and a message naming rule %s", code, msg, tt.rule)
			}
			if ev.Decision != hfgate.AuditDeny || ev.Status != http.StatusForbidden {
				t.Errorf("audit: %s %d, want deny 403", ev.Decision, ev.Status)
			}
			if after := e.hub.Counters().Hosts[hubsim.HostHub].Requests; after != before {
				t.Errorf("a denied request reached the Hub (%d requests)", after-before)
			}
		})
	}
}

// TestPolicyAttributes: a rule about gated repos is decided with the
// repo's attributes, read from the Hub once and cached; a policy whose
// answer does not depend on them never reads them.
func TestPolicyAttributes(t *testing.T) {
	cfg := everyoneEverything()
	cfg.Rules = append(cfg.Rules, policy.Rule{Name: "no-gated-for-bob", Effect: policy.Deny,
		Actions: []hfgate.RepoAction{hfgate.RepoDownload}, Repos: []string{policy.Gated}, Subjects: []policy.Subject{{User: "bob"}}})
	e := newEnv(t, withPolicy(cfg))
	gated := "/" + hubsim.RepoGated + "/resolve/main/config.json"
	tiny := "/" + hubsim.RepoTiny + "/resolve/main/README.md"
	for range 3 {
		resp := e.do(http.MethodHead, gated, "bob", nil, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Header.Get("X-Error-Message"), "no-gated-for-bob") {
			t.Fatalf("bob's HEAD of a gated file = %d %q, want 403 by no-gated-for-bob", resp.StatusCode, resp.Header.Get("X-Error-Message"))
		}
		if resp := e.do(http.MethodHead, tiny, "bob", nil, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("bob's HEAD of a file of a repo that is not gated = %d", resp.StatusCode)
		}
		if resp := e.do(http.MethodHead, gated, "alice", nil, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("alice's HEAD of the gated file = %d", resp.StatusCode)
		}
	}
	// One read of each repo's attributes for bob; none for alice, whom
	// the rule does not name.
	if n := e.hub.Counters().Route(hubsim.RouteModelInfo).Requests; n != 2 {
		t.Errorf("%d repo info requests to read attributes, want 2", n)
	}

	demo := newEnv(t)
	for _, as := range []string{"alice", "bob", ""} {
		demo.do(http.MethodHead, tiny, as, nil, nil).Body.Close()
		demo.do(http.MethodHead, gated, as, nil, nil).Body.Close()
	}
	if n := demo.hub.Counters().Route(hubsim.RouteModelInfo).Requests; n != 0 {
		t.Errorf("the demo policy, which names no attribute, made %d repo info requests", n)
	}
}

// TestSearchFiltered: search results the caller may not see are removed,
// page by page, and pagination through the gateway still reaches every
// page.
func TestSearchFiltered(t *testing.T) {
	cfg := everyoneEverything()
	cfg.Rules = append(cfg.Rules,
		policy.Rule{Name: "bob-no-qwen", Effect: policy.Deny, Actions: []hfgate.RepoAction{hfgate.RepoSearch},
			Repos: []string{"Qwen/*"}, Subjects: []policy.Subject{{User: "bob"}}},
		policy.Rule{Name: "bob-no-gated", Effect: policy.Deny, Actions: []hfgate.RepoAction{hfgate.RepoSearch},
			Repos: []string{policy.Gated}, Subjects: []policy.Subject{{User: "bob"}}})
	e := newEnv(t, withPolicy(cfg))

	all := searchAll(t, e, "/api/models?limit=1000", "alice")
	direct := directIDs(t, e, "/api/models?limit=1000", "alice")
	if !slices.Equal(all, direct) {
		t.Fatalf("alice sees %d models through the gateway, %d directly", len(all), len(direct))
	}
	bobs := directIDs(t, e, "/api/models?limit=1000", "bob") // without alice's private repos
	var want []string
	for _, id := range bobs {
		if !strings.HasPrefix(id, "Qwen/") && id != hubsim.RepoGated {
			want = append(want, id)
		}
	}
	got := searchAll(t, e, "/api/models?limit=3", "bob")
	if !slices.Equal(got, want) {
		t.Fatalf("bob sees, in pages of 3:\n%v\nwant\n%v", got, want)
	}
	if len(want) == len(bobs) || len(want) < 5 {
		t.Fatalf("the test hides %d of %d models", len(bobs)-len(want), len(bobs))
	}
	var hidden int
	for _, ev := range e.events() {
		if ev.Action == string(hfgate.RepoSearch) && ev.Username == "bob" {
			n := 0
			json.Unmarshal([]byte(ev.Detail["hidden"]), &n)
			hidden += n
		}
	}
	if hidden != len(bobs)-len(want) {
		t.Errorf("the audit log counts %d hidden results, want %d", hidden, len(bobs)-len(want))
	}
}

// searchAll follows a search's pages through the gateway and returns the
// ids.
func searchAll(t *testing.T, e *env, path, as string) []string {
	t.Helper()
	var ids []string
	for _, page := range e.pages(path, as) {
		var items []struct{ ID string }
		if err := json.Unmarshal(page, &items); err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			ids = append(ids, it.ID)
		}
	}
	return ids
}

func directIDs(t *testing.T, e *env, path, as string) []string {
	t.Helper()
	_, body := directGet(t, e, path, as)
	var items []struct{ ID string }
	if err := json.Unmarshal(body, &items); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}
