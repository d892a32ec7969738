package proxy

import (
	"bytes"
	"context"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubroute"
)

// reply is an answer of the Hub made ready for the client: its status,
// the headers that pass, and its body, read whole (bounded) so that it can
// be checked and rewritten before anything is sent.
type reply struct {
	status int
	header http.Header
	body   *bytes.Buffer // pooled; release returns it
	commit string        // the commit the answer is about, when it says
}

func (r *reply) release() {
	if r.body != nil {
		putBuf(r.body)
		r.body = nil
	}
}

// metadata serves info, tree, paths-info, refs, commits and auth-check:
// the policy decides "read" on the repo, the Hub answers, the answer is
// recorded and passed on rewritten.
func (x *exchange) metadata() {
	x.action = hfgate.RepoRead
	if !x.authorize() {
		return
	}
	rep, err := x.metaReply()
	if err != nil {
		x.answerError(err)
		return
	}
	defer rep.release()
	x.answer(rep, x.decisionEvent(rep.status))
}

// authorize decides the exchange's action on its repo. A denial is
// recorded and answered 403 (GatedRepo, with the policy's reason), and
// authorize returns false.
func (x *exchange) authorize() bool {
	x.decision = x.decideRepo(x.r.Context(), x.action)
	x.decided = true
	x.p.m.decision(x.action, x.decision.Allow, x.decision.Rule)
	if !x.decision.Allow {
		x.answerError(&hubError{status: http.StatusForbidden, code: codeGatedRepo, msg: x.decision.Reason,
			header: http.Header{RuleHeader: {x.decision.Rule}}})
	}
	return x.decision.Allow
}

// answerError records the exchange's decision with err's status and
// answers with err, or with 503 when the record fails.
func (x *exchange) answerError(err error) {
	he := asHubError(err)
	ev := x.decisionEvent(he.status)
	if he.msg != "" {
		ev.Detail = map[string]string{"error": he.msg}
	}
	if x.record(ev) != nil {
		x.writeError(errAuditDown)
		return
	}
	x.writeError(he)
}

// answer records ev and sends rep, or answers 503 when the record fails.
func (x *exchange) answer(rep *reply, ev *hfgate.AuditEvent) {
	ev.Commit = rep.commit
	if x.record(ev) != nil {
		x.writeError(errAuditDown)
		return
	}
	h := x.w.Header()
	for k, vs := range rep.header {
		h[k] = vs
	}
	if x.r.Method != http.MethodHead {
		h.Set("Content-Length", strconv.Itoa(rep.body.Len()))
	}
	x.status = rep.status
	x.w.WriteHeader(rep.status)
	if x.r.Method != http.MethodHead {
		x.w.Write(rep.body.Bytes())
	}
}

// requestBody reads the body of a paths-info request (nil for a GET), at
// most MaxRequestBody bytes.
func (x *exchange) requestBody() ([]byte, error) {
	if x.r.Method != http.MethodPost {
		return nil, nil
	}
	b, err := io.ReadAll(http.MaxBytesReader(x.w, x.r.Body, x.p.cfg.MaxRequestBody))
	if err != nil {
		return nil, &hubError{status: http.StatusRequestEntityTooLarge, err: err,
			msg: "the request body is larger than the gateway accepts (" + strconv.FormatInt(x.p.cfg.MaxRequestBody>>10, 10) + " KiB)"}
	}
	return b, nil
}

// fetchMetadata asks the Hub the exchange's request, for the route rt (the
// exchange's own, or the same at a commit) with body, and makes its answer
// ready for the client (see reply).
func (x *exchange) fetchMetadata(rt hubroute.Route, body []byte) (*reply, error) {
	ctx, cancel := context.WithTimeout(x.r.Context(), x.p.cfg.MetadataTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	resp, err := x.send(ctx, x.r.Method, rt.EscapedPath(), x.r.URL.RawQuery, rd, func(h http.Header) {
		if a := acceptWithoutXet(x.r.Header.Get("Accept")); a != "" {
			h.Set("Accept", a)
		}
		if ct := x.r.Header.Get("Content-Type"); ct != "" && x.r.Method == http.MethodPost {
			h.Set("Content-Type", ct)
		}
	})
	if err != nil {
		return nil, err
	}
	return x.makeReply(resp)
}

// makeReply reads resp (closing it) into a reply: headers filtered, a
// redirect made relative, Xet stripped from JSON, the upstream credential
// nowhere in it.
func (x *exchange) makeReply(resp *http.Response) (*reply, error) {
	if resp.StatusCode == http.StatusUnauthorized && resp.Header.Get("X-Error-Message") == msgBadCredentials &&
		resp.Request.Header.Get("Authorization") != "" {
		// The credential the gateway holds for the caller is the problem,
		// not the caller's: a 401 would make the client report a missing
		// repo or a bad gateway token.
		resp.Body.Close()
		x.p.m.upstreamFails.WithLabelValues(string(x.rt.Action), "refused").Inc()
		return nil, &hubError{status: http.StatusBadGateway,
			msg: "the Hub refused the credential the gateway holds for this caller (expired or revoked)"}
	}
	rep := &reply{status: resp.StatusCode, header: http.Header{}, body: getBuf()}
	if err := x.readBodyInto(rep.body, resp); err != nil {
		rep.release()
		return nil, err
	}
	x.p.passHeaders(rep.header, resp.Header)
	rep.commit = resp.Header.Get("X-Repo-Commit")
	if x.r.Method == http.MethodHead {
		if cl := resp.Header.Get("Content-Length"); cl != "" {
			rep.header.Set("Content-Length", cl)
		}
	}
	if isRedirect(resp.StatusCode) {
		loc, ok := x.p.relativeLocation(resp)
		if !ok {
			rep.release()
			return nil, &hubError{status: http.StatusBadGateway, msg: "the Hub redirected the gateway somewhere it does not follow"}
		}
		rep.header.Set("Location", loc)
	}
	if resp.StatusCode == http.StatusOK && isJSON(resp.Header.Get("Content-Type")) && mayHoldXet(rep.body.Bytes()) {
		out := getBuf()
		if err := stripXet(out, rep.body.Bytes()); err != nil {
			putBuf(out)
			rep.release()
			return nil, &hubError{status: http.StatusBadGateway, msg: "the Hub's answer is not valid JSON", err: err}
		}
		putBuf(rep.body)
		rep.body = out
	}
	if x.rt.Action == hubroute.RepoInfo && rep.commit == "" {
		rep.commit = topLevelSHA(rep.body.Bytes())
	}
	if tok, _ := x.upstreamToken(x.r.Context()); leaks(tok, rep.header, rep.body.Bytes()) {
		rep.release()
		return nil, &hubError{status: http.StatusBadGateway, msg: "the Hub's answer carried the gateway's upstream credential; the gateway withheld it"}
	}
	return rep, nil
}

// msgBadCredentials is the Hub's X-Error-Message for a token it does not
// accept.
const msgBadCredentials = "Invalid credentials in Authorization header"

// acceptWithoutXet returns an Accept value without the Xet file-info type
// (reference §3: a client asking for it gets the plain answer).
func acceptWithoutXet(accept string) string {
	if !strings.Contains(accept, "xet") {
		return accept
	}
	var keep []string
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(mt), xetFileInfoType) {
			keep = append(keep, strings.TrimSpace(part))
		}
	}
	return strings.Join(keep, ", ")
}

// xetFileInfoType is the Accept value with which huggingface.js asks
// resolve for a Xet file's info instead of its bytes.
const xetFileInfoType = "application/vnd.xet-fileinfo+json"

func isJSON(contentType string) bool {
	if contentType == "application/json" || strings.HasPrefix(contentType, "application/json;") { // the Hub's
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// topLevelSHA finds the "sha" of a repo info answer, the commit its
// revision resolved to, without decoding the whole answer: its first
// `"sha":"<40 hex>"`, which the Hub writes before the file list.
func topLevelSHA(body []byte) string {
	const key = `"sha":"`
	i := bytes.Index(body, []byte(key))
	if i < 0 || len(body) < i+len(key)+41 {
		return ""
	}
	sha := string(body[i+len(key) : i+len(key)+40])
	if body[i+len(key)+40] != '"' || !hfgate.IsCommitHash(sha) {
		return ""
	}
	return sha
}

// checkCallerSecrets refuses to pass on a request that carries its own
// credential where the proxy would forward it (the query, the User-Agent):
// the caller's gateway token and session never go upstream.
func (x *exchange) checkCallerSecrets() error {
	var secrets []string
	if v, ok := strings.CutPrefix(x.r.Header.Get("Authorization"), "Bearer "); ok {
		secrets = append(secrets, strings.TrimSpace(v))
	}
	for _, c := range x.r.Cookies() {
		secrets = append(secrets, c.Value)
	}
	fwd := x.r.URL.RawQuery + "\x00" + x.r.Header.Get("User-Agent")
	for _, s := range secrets {
		if len(s) >= 8 && (strings.Contains(fwd, s) || strings.Contains(fwd, url.QueryEscape(s))) {
			return &hubError{status: http.StatusBadRequest, msg: "the request carries its credential in its query or User-Agent; the gateway does not pass it on"}
		}
	}
	return nil
}
