package hubsim

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startDevice asks for a device code for the public client.
func startDevice(tb testing.TB, s *Server, scope string) map[string]any {
	tb.Helper()
	resp, dc := postForm(tb, s, "/oauth/device", url.Values{"client_id": {ClientPublic}, "scope": {scope}}, "", "")
	if resp.StatusCode != 200 {
		tb.Fatalf("device authorization: %d %v", resp.StatusCode, dc)
	}
	return dc
}

func pollDevice(tb testing.TB, s *Server, dc map[string]any) (*http.Response, map[string]any) {
	tb.Helper()
	return postForm(tb, s, "/oauth/token", url.Values{"grant_type": {grantDeviceCode},
		"device_code": {dc["device_code"].(string)}, "client_id": {ClientPublic}}, "", "")
}

var userCodeRE = regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`)

// answerDevice plays the user at the verification page: enter the code (in
// lower case, without the dash), then approve or deny as user.
func answerDevice(tb testing.TB, s *Server, userCode, user, decision string) string {
	tb.Helper()
	typed := strings.ToLower(strings.ReplaceAll(userCode, "-", ""))
	resp, page := do(tb, "GET", s.URL()+"/oauth/device?user_code="+typed, "")
	if resp.StatusCode != 200 || !strings.Contains(string(page), userCode) {
		tb.Fatalf("device page: %d\n%s", resp.StatusCode, page)
	}
	form := url.Values{"consent": {consentID(tb, string(page))}, "user": {user}, "decision": {decision}, "org": {OrgAcme}}
	resp, body := postForm(tb, s, "/oauth/device/consent", form, "", "")
	if resp.StatusCode != 200 {
		tb.Fatalf("device consent: %d %v", resp.StatusCode, body)
	}
	return body["_body"].(string)
}

func TestDeviceFlowApprove(t *testing.T) {
	s := startTest(t, Options{})
	dc := startDevice(t, s, "openid profile read-repos")
	if !userCodeRE.MatchString(dc["user_code"].(string)) || dc["verification_uri"] != s.URL()+"/oauth/device" ||
		dc["expires_in"] != float64(900) || dc["interval"] != float64(5) ||
		dc["verification_uri_complete"] != s.URL()+"/oauth/device?user_code="+dc["user_code"].(string) {
		t.Fatalf("device response %v", dc)
	}
	resp, body := pollDevice(t, s, dc)
	wantTokenError(t, resp, body, 400, "authorization_pending")
	resp, body = pollDevice(t, s, dc)
	wantTokenError(t, resp, body, 400, "slow_down")
	s.Advance(9 * time.Second) // the interval grew to 10 s
	resp, body = pollDevice(t, s, dc)
	wantTokenError(t, resp, body, 400, "slow_down")
	s.Advance(15 * time.Second)
	resp, body = pollDevice(t, s, dc)
	wantTokenError(t, resp, body, 400, "authorization_pending")

	if page := answerDevice(t, s, dc["user_code"].(string), UserAlice, "approve"); !strings.Contains(page, "connected as alice") {
		t.Fatalf("approval page:\n%s", page)
	}
	s.Advance(time.Minute)
	resp, tok := pollDevice(t, s, dc)
	if resp.StatusCode != 200 || !strings.HasPrefix(tok["access_token"].(string), "hf_oauth_") || tok["refresh_token"] == nil {
		t.Fatalf("device token: %d %v", resp.StatusCode, tok)
	}
	var who struct {
		Name string
		Orgs []struct{ Name string }
	}
	getJSON(t, s.URL()+"/api/whoami-v2", tok["access_token"].(string), &who)
	if who.Name != UserAlice || len(who.Orgs) != 1 || who.Orgs[0].Name != OrgAcme {
		t.Fatalf("whoami after device sign-in: %+v", who)
	}
	resp, body = pollDevice(t, s, dc)
	wantTokenError(t, resp, body, 400, "invalid_grant")
}

func TestDeviceFlowDeniedExpiredAndErrors(t *testing.T) {
	s := startTest(t, Options{})
	dc := startDevice(t, s, "openid")
	answerDevice(t, s, dc["user_code"].(string), UserBob, "deny")
	resp, body := pollDevice(t, s, dc)
	wantTokenError(t, resp, body, 400, "access_denied")

	dc = startDevice(t, s, "openid")
	s.Advance(DefaultDeviceCodeTTL)
	resp, body = pollDevice(t, s, dc)
	wantTokenError(t, resp, body, 400, "expired_token")
	if resp, _ := do(t, "GET", s.URL()+"/oauth/device?user_code="+dc["user_code"].(string), ""); resp.StatusCode != 404 {
		t.Fatalf("page for an expired code: %d", resp.StatusCode)
	}

	resp, body = postForm(t, s, "/oauth/device", url.Values{"client_id": {"nope"}}, "", "")
	wantTokenError(t, resp, body, 401, "invalid_client")
	resp, body = postForm(t, s, "/oauth/device", url.Values{"client_id": {ClientConfidential}}, "", "")
	wantTokenError(t, resp, body, 401, "invalid_client")
	if resp, body := postForm(t, s, "/oauth/device", url.Values{}, ClientConfidential, ClientSecret); resp.StatusCode != 200 {
		t.Fatalf("confidential device authorization with Basic: %d %v", resp.StatusCode, body)
	}
	resp, body = postForm(t, s, "/oauth/device", url.Values{"client_id": {ClientPublic}, "scope": {"openid sudo"}}, "", "")
	wantTokenError(t, resp, body, 400, "invalid_scope")
}

func TestDeviceFlowAutoApprove(t *testing.T) {
	s := startTest(t, Options{AutoApprove: UserBob})
	dc := startDevice(t, s, "openid profile")
	resp, tok := pollDevice(t, s, dc)
	if resp.StatusCode != 200 {
		t.Fatalf("auto-approved device poll: %d %v", resp.StatusCode, tok)
	}
	var ui struct {
		PreferredUsername string `json:"preferred_username"`
	}
	getJSON(t, s.URL()+"/oauth/userinfo", tok["access_token"].(string), &ui)
	if ui.PreferredUsername != UserBob {
		t.Fatalf("userinfo after auto-approved device sign-in: %+v", ui)
	}
}
