package hubsim

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func mustSetFaults(tb testing.TB, s *Server, rules ...FaultRule) {
	tb.Helper()
	if err := s.SetFaults(rules...); err != nil {
		tb.Fatal(err)
	}
}

func TestFaultStatusAndTimes(t *testing.T) {
	s := startTest(t, Options{})
	readme := s.ResolveURL(RepoTiny, "main", "README.md")
	mustSetFaults(t, s, FaultRule{Host: HostHub, PathPrefix: "/" + RepoTiny + "/resolve/", Times: 2, Status: 429, RetryAfter: 1500 * time.Millisecond})
	for i := range 2 {
		resp, body := do(t, "GET", readme, "")
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" || !strings.Contains(string(body), `"error"`) {
			t.Fatalf("request %d: %d Retry-After %q %s", i, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	if resp, _ := do(t, "GET", readme, ""); resp.StatusCode != 200 {
		t.Errorf("after Times ran out: %d", resp.StatusCode)
	}
	// Other paths and hosts are not affected by a rule for this prefix.
	mustSetFaults(t, s, FaultRule{Host: HostCDN, Status: 503})
	if resp, _ := do(t, "GET", readme, ""); resp.StatusCode != 200 {
		t.Errorf("a CDN rule changed a Hub answer: %d", resp.StatusCode)
	}
	u, _ := s.CDNFileURL(RepoBenchmark, "", "small/file-00.bin")
	resp, body := do(t, "GET", u, "")
	if resp.StatusCode != 503 || !strings.Contains(string(body), "<Code>ServiceUnavailable</Code>") {
		t.Errorf("CDN 503: %d %s", resp.StatusCode, body)
	}
	if err := s.SetFaults(FaultRule{Host: "edge"}); err == nil {
		t.Error("SetFaults accepted host edge")
	}
	if len(s.Faults()) != 1 {
		t.Error("an invalid SetFaults changed the rules")
	}
	s.ClearFaults()
	if resp, _ := do(t, "GET", u, ""); resp.StatusCode != 200 {
		t.Errorf("after ClearFaults: %d", resp.StatusCode)
	}
}

func TestFaultCutCorruptIgnoreRange(t *testing.T) {
	s := startTest(t, Options{})
	u, _ := s.CDNFileURL(RepoBenchmark, "", "small/file-09.bin")
	clean := readAllFile(t, s, RepoBenchmark, "", "small/file-09.bin")

	mustSetFaults(t, s, FaultRule{Host: HostCDN, Times: 1, CutAfterBytes: 1000})
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(got) != 1000 || !errors.Is(err, io.ErrUnexpectedEOF) || string(got) != string(clean[:1000]) {
		t.Errorf("cut: read %d bytes, err %v; want the first 1000 and an unexpected EOF", len(got), err)
	}
	if c := s.Counters().Route(RouteCDN); c.Bytes != 1000 || c.Faulted != 1 {
		t.Errorf("cdn counters after the cut: %+v", c)
	}

	const at = 12345
	mustSetFaults(t, s, FaultRule{Host: HostCDN, Corrupt: true, CorruptAt: at})
	_, body := do(t, "GET", u, "")
	for i := range body {
		if (body[i] != clean[i]) != (i == at) {
			t.Fatalf("byte %d: corrupted=%v", i, body[i] != clean[i])
		}
	}
	_, body = do(t, "GET", u, "", "Range", "bytes=12340-12349")
	if body[5] != clean[at]^0xFF || string(body[:5]) != string(clean[12340:12345]) {
		t.Errorf("ranged body over the corrupt byte: % x", body)
	}
	if _, body = do(t, "GET", u, "", "Range", "bytes=0-99"); string(body) != string(clean[:100]) {
		t.Error("a range not covering the offset was corrupted")
	}
	mustSetFaults(t, s, FaultRule{Host: HostHub, Corrupt: true, CorruptAt: 0})
	readme := readAllFile(t, s, RepoTiny, "", "README.md")
	if _, body = do(t, "GET", s.ResolveURL(RepoTiny, "", "README.md"), ""); body[0] != readme[0]^0xFF || string(body[1:]) != string(readme[1:]) {
		t.Error("offset 0 of a regular file not corrupted")
	}

	mustSetFaults(t, s, FaultRule{IgnoreRange: true})
	resp, body = do(t, "GET", u, "", "Range", "bytes=0-9")
	if resp.StatusCode != 200 || len(body) != len(clean) {
		t.Errorf("IgnoreRange: %d with %d bytes, want 200 with the whole %d", resp.StatusCode, len(body), len(clean))
	}
}

func TestFaultLatencyAndBandwidth(t *testing.T) {
	s := startTest(t, Options{})
	get := func(url string, timeout time.Duration) (int, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		n, err := io.Copy(io.Discard, resp.Body)
		return int(n), err
	}
	// Margins are wide (20x) so that a slow machine cannot flip the result.
	mustSetFaults(t, s, FaultRule{PathPrefix: "/api/models", Latency: 5 * time.Second})
	if _, err := get(s.URL()+"/api/models/"+RepoTiny, 250*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("with 5s latency, a 250ms request ended with %v", err)
	}
	u, _ := s.CDNFileURL(RepoBenchmark, "", "small/file-01.bin")
	mustSetFaults(t, s, FaultRule{Host: HostCDN, BandwidthPerConn: 100_000})
	n, err := get(u, 500*time.Millisecond)
	if err == nil || n >= 1<<20 || n == 0 {
		t.Errorf("at 100 kB/s, got %d bytes of 1 MiB in 500ms (err %v)", n, err)
	}
	s.ClearFaults()
	if n, err := get(u, 30*time.Second); err != nil || n != 1<<20 {
		t.Errorf("without faults: %d bytes, %v", n, err)
	}
}

func TestFaultPercentIsReproducible(t *testing.T) {
	s := startTest(t, Options{})
	run := func() []bool {
		mustSetFaults(t, s, FaultRule{PathPrefix: "/api/models/", Percent: 30, Status: 500})
		var out []bool
		for range 100 {
			resp, _ := do(t, "HEAD", s.URL()+"/api/models/"+RepoTiny, "")
			out = append(out, resp.StatusCode == 500)
		}
		return out
	}
	a, b := run(), run()
	n := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("request %d: faulted in one run, not in the other", i)
		}
		if a[i] {
			n++
		}
	}
	if n < 15 || n > 45 {
		t.Errorf("%d of 100 requests faulted at 30%%", n)
	}
}

func TestCounters(t *testing.T) {
	s := startTest(t, Options{})
	do(t, "GET", s.URL()+"/_hubsim/counters", "")
	_, search := do(t, "GET", s.URL()+"/api/models?search=tiny", "")
	_, info := do(t, "GET", s.URL()+"/api/models/"+RepoTiny, "")
	do(t, "GET", s.URL()+"/api/models/"+RepoTiny+"/tree/main", "")
	do(t, "HEAD", s.ResolveURL(RepoTiny, "", "tiny-llama-Q2_K.gguf"), "")
	resp, _ := do(t, "GET", s.ResolveURL(RepoTiny, "", "tiny-llama-Q2_K.gguf"), "")
	_, blob := do(t, "GET", resp.Header.Get("Location"), "")
	do(t, "GET", s.URL()+"/"+RepoTiny+"/raw/main/README.md", "")
	do(t, "GET", s.URL()+"/oauth/token", "")
	do(t, "GET", s.URL()+"/api/whoami-v2", "")

	c := s.Counters()
	for route, want := range map[string]RouteCounts{
		RouteSearch:    {Requests: 1, Bytes: int64(len(search))},
		RouteModelInfo: {Requests: 1, Bytes: int64(len(info))},
		RouteTree:      {Requests: 1},
		RouteResolve:   {Requests: 2},
		RouteRaw:       {Requests: 1},
		RouteCDN:       {Requests: 1, Bytes: int64(len(blob))},
		RouteToken:     {Requests: 1},
		RouteWhoami:    {Requests: 1},
	} {
		got := c.Route(route)
		if got.Requests != want.Requests || want.Bytes != 0 && got.Bytes != want.Bytes {
			t.Errorf("%s: %+v, want %+v", route, got, want)
		}
	}
	if len(blob) < 1<<20 {
		t.Fatalf("blob of %d bytes", len(blob))
	}
	if h := c.Hosts[HostCDN]; h.Requests != 1 || h.Bytes != int64(len(blob)) {
		t.Errorf("cdn host: %+v", h)
	}
	if h := c.Hosts[HostHub]; h.Requests != 8 {
		t.Errorf("hub host: %+v, want 8 requests (admin routes not counted)", h)
	}
	s.ResetCounters()
	if c := s.Counters(); len(c.Routes) != 0 || len(c.Hosts) != 0 {
		t.Errorf("after ResetCounters: %+v", c)
	}
}

func TestFaultAdminRoutes(t *testing.T) {
	s := startTest(t, Options{})
	send := func(method, path, body string) (*http.Response, string) {
		req, _ := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if resp, body := send("PUT", "/_hubsim/faults", `[{"host":"hub","pathPrefix":"/api/models/","times":1,"status":503,"retryAfter":"3s","latency":"1ms"}]`); resp.StatusCode != 200 {
		t.Fatalf("PUT faults: %d %s", resp.StatusCode, body)
	}
	if rules := s.Faults(); len(rules) != 1 || rules[0].RetryAfter != 3*time.Second || rules[0].Latency != time.Millisecond {
		t.Errorf("rules %+v", rules)
	}
	if resp, _ := do(t, "GET", s.URL()+"/api/models/"+RepoTiny, ""); resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "3" {
		t.Errorf("faulted request: %d %s", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Admin routes are never faulted.
	send("PUT", "/_hubsim/faults", `[{"status":500}]`)
	resp, body := send("GET", "/_hubsim/counters", "")
	var c Counters
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &c) != nil || c.Route(RouteModelInfo).Requests != 1 || c.Route(RouteModelInfo).Faulted != 1 {
		t.Errorf("counters: %d %s", resp.StatusCode, body)
	}
	if resp, _ := send("POST", "/_hubsim/reset", ""); resp.StatusCode != 200 || len(s.Faults()) != 0 || len(s.Counters().Routes) != 0 {
		t.Error("reset did not clear faults and counters")
	}
	for _, bad := range []string{`{`, `[{"status":42}]`, `[{"latency":"soon"}]`, `[{"unknown":1}]`} {
		if resp, _ := send("PUT", "/_hubsim/faults", bad); resp.StatusCode != 400 {
			t.Errorf("PUT %s: %d, want 400", bad, resp.StatusCode)
		}
	}
	send("PUT", "/_hubsim/faults", `[{"status":500}]`)
	if resp, _ := send("DELETE", "/_hubsim/faults", ""); resp.StatusCode != 200 || len(s.Faults()) != 0 {
		t.Error("DELETE did not clear the faults")
	}
}

// The faults of a hostile server: lying headers, a crafted (or huge) body,
// a body that stops.
func TestFaultHostileServer(t *testing.T) {
	s := startTest(t, Options{})
	gguf := s.ResolveURL(RepoTiny, "main", "tiny-llama-Q2_K.gguf")
	mustSetFaults(t, s, FaultRule{Host: HostHub, PathPrefix: "/" + RepoTiny + "/resolve/",
		Headers: map[string]string{"X-Linked-Size": "9000000000000000000", "X-Linked-Etag": `"not-a-hash"`, "X-Repo-Commit": ""}})
	resp, _ := do(t, "HEAD", gguf, "")
	h := resp.Header
	if h.Get("X-Linked-Size") != "9000000000000000000" || h.Get("X-Linked-Etag") != `"not-a-hash"` || h.Get("X-Repo-Commit") != "" || h.Get("Location") == "" {
		t.Errorf("headers %v: want the overrides, the rest as the handler set them", h)
	}

	fb := &FaultBody{Head: `[{"id":"a/b","cardData":{"x":[`, Repeat: "{},", Count: 100_000, Tail: "{}]}}]"}
	mustSetFaults(t, s, FaultRule{Host: HostHub, PathPrefix: "/api/models", Times: 1, Body: fb})
	resp, body := do(t, "GET", s.URL()+"/api/models", "")
	var v []map[string]any
	if err := json.Unmarshal(body, &v); err != nil || resp.StatusCode != 200 || len(body) != len(fb.Head)+3*100_000+len(fb.Tail) {
		t.Errorf("crafted body: %d, %d bytes, %v", resp.StatusCode, len(body), err)
	}

	u, _ := s.CDNFileURL(RepoBenchmark, "", "small/file-00.bin")
	mustSetFaults(t, s, FaultRule{Host: HostCDN, Stall: true, StallAfterBytes: 1000})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(got) != 1000 || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("stall: read %d bytes, err %v; want 1000, then nothing until the deadline", len(got), err)
	}
	if err := s.SetFaults(FaultRule{Stall: true, StallAfterBytes: -1}); err == nil {
		t.Error("a negative stallAfterBytes was accepted")
	}
}
