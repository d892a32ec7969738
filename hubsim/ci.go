package hubsim

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// A simulated CI identity provider, a second OIDC issuer at {URL}/_hubsim/ci
// that behaves like GitHub Actions' token service
// (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN), so
// that stock CI clients and the gateway's token exchange can be tested:
//
//	POST /_hubsim/ci/jobs {"repository":"acme/app","repository_id":"42",...}
//	     -> {"request_url": ".../_hubsim/ci/token?job=…", "request_token": "…"}
//	GET  request_url&audience=AUD, Authorization: Bearer request_token
//	     -> {"value": "<RS256 ID token>"}
//	GET  /_hubsim/ci/.well-known/openid-configuration, /_hubsim/ci/.well-known/jwks

// Lifetimes of the CI provider, as GitHub's.
const (
	CIIDTokenTTL = 5 * time.Minute // GitHub Actions ID tokens live 5 minutes
	ciJobTTL     = 6 * time.Hour   // a job's request token, at most a GitHub job's run time
	ciMaxClaims  = 64
)

// ciPath is the issuer's path on the Hub host.
const ciPath = "/_hubsim/ci"

// ciState is the CI provider's signing key and running jobs.
type ciState struct {
	keys func() (*signingKey, error)

	mu   sync.Mutex
	jobs map[string]*ciJob // by job id
}

type ciJob struct {
	token   string
	claims  map[string]string
	expires time.Time
}

func newCIState() *ciState {
	return &ciState{keys: sync.OnceValues(newSigningKey), jobs: map[string]*ciJob{}}
}

// CIIssuer returns the CI provider's issuer URL, {URL}/_hubsim/ci: the iss
// of its ID tokens, with its discovery document under
// /.well-known/openid-configuration.
func (s *Server) CIIssuer() string { return s.hubURL + ciPath }

// StartCIJob starts a simulated CI job whose ID tokens carry claims (the
// GitHub Actions names: repository, repository_id, repository_owner,
// repository_owner_id, ref, ref_type, environment, workflow,
// job_workflow_ref, event_name, actor, runner_environment, ...). sub is
// built as GitHub builds it unless claims give one. It returns the job's
// request URL (already with a query, so that clients append
// "&audience=AUD") and request token, the values of
// ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN.
func (s *Server) StartCIJob(claims map[string]string) (requestURL, requestToken string, err error) {
	if len(claims) > ciMaxClaims {
		return "", "", fmt.Errorf("hubsim: a CI job takes at most %d claims", ciMaxClaims)
	}
	for _, k := range []string{"iss", "aud", "exp", "iat", "nbf", "jti"} {
		if _, ok := claims[k]; ok {
			return "", "", fmt.Errorf("hubsim: claim %q is set by the provider, not the job", k)
		}
	}
	job := &ciJob{token: randomSecret(""), claims: map[string]string{}, expires: s.Now().Add(ciJobTTL)}
	for k, v := range claims {
		job.claims[k] = v
	}
	if job.claims["sub"] == "" {
		job.claims["sub"] = githubSubject(job.claims)
	}
	id := rand.Text()
	now := s.Now()
	s.ci.mu.Lock()
	for k, j := range s.ci.jobs {
		if !now.Before(j.expires) {
			delete(s.ci.jobs, k)
		}
	}
	s.ci.jobs[id] = job
	s.ci.mu.Unlock()
	return s.CIIssuer() + "/token?job=" + id, job.token, nil
}

// githubSubject builds sub as GitHub Actions does: repo:OWNER/REPO then
// :environment:NAME for a job with an environment, :pull_request for a
// pull_request event, else :ref:REF.
func githubSubject(c map[string]string) string {
	sub := "repo:" + c["repository"]
	switch {
	case c["environment"] != "":
		return sub + ":environment:" + c["environment"]
	case c["event_name"] == "pull_request" || c["event_name"] == "pull_request_target":
		return sub + ":pull_request"
	}
	return sub + ":ref:" + c["ref"]
}

func (s *Server) registerCI(mux *http.ServeMux) {
	mux.HandleFunc("POST "+ciPath+"/jobs", s.handleCIJob)
	mux.HandleFunc("GET "+ciPath+"/token", s.handleCIToken)
	mux.HandleFunc("GET "+ciPath+"/.well-known/openid-configuration", s.handleCIDiscovery)
	mux.HandleFunc("GET "+ciPath+"/.well-known/jwks", s.handleCIJWKS)
}

// handleCIJob is POST /_hubsim/ci/jobs with a JSON object of claims.
// Numbers and booleans are taken as strings, since GitHub's claims are
// all strings.
func (s *Server) handleCIJob(w http.ResponseWriter, r *http.Request) {
	var raw map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&raw); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be a JSON object of claims: " + err.Error()})
		return
	}
	claims := map[string]string{}
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			claims[k] = v
		case float64:
			claims[k] = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			claims[k] = strconv.FormatBool(v)
		default:
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "claim " + k + " must be a string, number or boolean"})
			return
		}
	}
	u, tok, err := s.StartCIJob(claims)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	noStore(w)
	writeJSON(w, http.StatusOK, map[string]string{"request_url": u, "request_token": tok})
}

// handleCIToken is GET request_url[&audience=AUD] with the job's bearer
// request token: {"value": ID token}. Without audience, aud is the
// repository owner's GitHub URL, GitHub's default.
func (s *Server) handleCIToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.ci.mu.Lock()
	job := s.ci.jobs[q.Get("job")]
	s.ci.mu.Unlock()
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if job == nil || !strings.EqualFold(scheme, "Bearer") || token != job.token || !s.Now().Before(job.expires) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable or the request token is invalid"})
		return
	}
	aud := q.Get("audience")
	if aud == "" {
		aud = "https://github.com/" + job.claims["repository_owner"]
	}
	idt, err := s.signCIToken(job.claims, aud)
	if err != nil {
		s.opts.Logger.Error("hubsim: sign CI token", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "could not sign the token"})
		return
	}
	noStore(w)
	writeJSON(w, http.StatusOK, map[string]string{"value": idt})
}

// signCIToken signs an ID token with claims for audience aud, valid for
// CIIDTokenTTL from now, with a fresh jti.
func (s *Server) signCIToken(claims map[string]string, aud string) (string, error) {
	k, err := s.ci.keys()
	if err != nil {
		return "", err
	}
	now := s.Now()
	all := map[string]any{}
	for k, v := range claims {
		all[k] = v
	}
	all["iss"], all["aud"], all["jti"] = s.CIIssuer(), aud, rand.Text()
	all["iat"], all["nbf"], all["exp"] = now.Unix(), now.Unix(), now.Add(CIIDTokenTTL).Unix()
	payload, err := json.Marshal(all)
	if err != nil {
		return "", err
	}
	jws, err := k.signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign CI token: %w", err)
	}
	return jws.CompactSerialize()
}

func (s *Server) handleCIDiscovery(w http.ResponseWriter, r *http.Request) {
	iss := s.CIIssuer()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"jwks_uri":                              iss + "/.well-known/jwks",
		"subject_types_supported":               []string{"public", "pairwise"},
		"response_types_supported":              []string{"id_token"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid"},
		"claims_supported": []string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "ref_type",
			"repository", "repository_id", "repository_owner", "repository_owner_id", "environment", "workflow",
			"job_workflow_ref", "event_name", "actor", "runner_environment"},
	})
}

func (s *Server) handleCIJWKS(w http.ResponseWriter, r *http.Request) {
	k, err := s.ci.keys()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "no signing key"})
		return
	}
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.public}})
}
