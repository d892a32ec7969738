package audit

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
)

// JSONEncoder writes events as JSON lines with OCSF-style field names, one
// object per line, for a SIEM to ingest. Requests for a repository are
// OCSF HTTP Activity (class 4002, the activity from the method), token
// exchanges Authentication (3002, Logon), admin actions API Activity (6003,
// Other, named by the action). Fields follow the OCSF attribute names:
//
//	time (ms since the epoch), time_dt, activity_name, disposition (Allowed,
//	Blocked), status (Success, Failure), duration (ms),
//	metadata.uid (writer#seq), metadata.correlation_uid (request id),
//	metadata.event_code (kind), actor.user.name (username),
//	actor.user.uid (subject), actor.session.uid, actor.session.credential_uid
//	(token id), src_endpoint.ip, http_request.http_method,
//	http_request.user_agent, http_request.url.path, http_response.code,
//	resources[] (type, name, uid as type/id, version: the commit),
//	file (path, hashes: SHA-256), traffic.bytes_out,
//	authorizations[] (decision, policy.name: the rule),
//	unmapped (writer, seq, prev_hash, hash, action, principal_kind,
//	revision, commit, source, outcome, detail)
//
// The records are not validated against an OCSF schema version. Strings
// are JSON-escaped, so a peer's control characters never break a line.
type JSONEncoder struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewJSONEncoder returns an encoder writing to w. Call Flush at the end.
func NewJSONEncoder(w io.Writer) *JSONEncoder {
	bw := bufio.NewWriter(w)
	return &JSONEncoder{w: bw, enc: json.NewEncoder(bw)}
}

// Encode writes e as one line.
func (j *JSONEncoder) Encode(e *hfgate.AuditEvent) error { return j.enc.Encode(ocsf(e)) }

// Flush writes out what is buffered.
func (j *JSONEncoder) Flush() error { return j.w.Flush() }

type ocsfRecord struct {
	Time          int64             `json:"time"`
	TimeDT        string            `json:"time_dt"`
	CategoryUID   int               `json:"category_uid"`
	ClassUID      int               `json:"class_uid"`
	ClassName     string            `json:"class_name"`
	ActivityID    int               `json:"activity_id"`
	ActivityName  string            `json:"activity_name"`
	TypeUID       int               `json:"type_uid"`
	SeverityID    int               `json:"severity_id"`
	StatusID      int               `json:"status_id,omitempty"`
	Status        string            `json:"status,omitempty"`
	DispositionID int               `json:"disposition_id,omitempty"`
	Disposition   string            `json:"disposition,omitempty"`
	Duration      int64             `json:"duration,omitempty"`
	Metadata      ocsfMetadata      `json:"metadata"`
	Actor         *ocsfActor        `json:"actor,omitempty"`
	SrcEndpoint   *ocsfEndpoint     `json:"src_endpoint,omitempty"`
	HTTPRequest   *ocsfHTTPRequest  `json:"http_request,omitempty"`
	HTTPResponse  *ocsfHTTPResponse `json:"http_response,omitempty"`
	Resources     []ocsfResource    `json:"resources,omitempty"`
	File          *ocsfFile         `json:"file,omitempty"`
	Traffic       *ocsfTraffic      `json:"traffic,omitempty"`
	Authz         []ocsfAuthz       `json:"authorizations,omitempty"`
	Unmapped      ocsfUnmapped      `json:"unmapped"`
}

type ocsfMetadata struct {
	UID            string      `json:"uid"`
	CorrelationUID string      `json:"correlation_uid,omitempty"`
	EventCode      string      `json:"event_code"`
	Product        ocsfProduct `json:"product"`
}

type ocsfProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
}

type ocsfActor struct {
	User    *ocsfUser    `json:"user,omitempty"`
	Session *ocsfSession `json:"session,omitempty"`
}

type ocsfUser struct {
	Name string `json:"name,omitempty"`
	UID  string `json:"uid,omitempty"`
	Type string `json:"type,omitempty"`
}

type ocsfSession struct {
	UID           string `json:"uid,omitempty"`
	CredentialUID string `json:"credential_uid,omitempty"`
}

type ocsfEndpoint struct {
	IP string `json:"ip"`
}

type ocsfHTTPRequest struct {
	HTTPMethod string   `json:"http_method,omitempty"`
	UserAgent  string   `json:"user_agent,omitempty"`
	URL        *ocsfURL `json:"url,omitempty"`
}

type ocsfURL struct {
	Path string `json:"path"`
}

type ocsfHTTPResponse struct {
	Code int `json:"code"`
}

type ocsfResource struct {
	Type    string `json:"type"`
	Name    string `json:"name"`
	UID     string `json:"uid"`
	Version string `json:"version,omitempty"`
}

type ocsfFile struct {
	Path   string     `json:"path"`
	Name   string     `json:"name"`
	Hashes []ocsfHash `json:"hashes,omitempty"`
}

type ocsfHash struct {
	AlgorithmID int    `json:"algorithm_id"`
	Algorithm   string `json:"algorithm"`
	Value       string `json:"value"`
}

type ocsfTraffic struct {
	BytesOut int64 `json:"bytes_out"`
}

type ocsfAuthz struct {
	Decision string      `json:"decision"`
	Policy   *ocsfPolicy `json:"policy,omitempty"`
}

type ocsfPolicy struct {
	Name string `json:"name"`
}

type ocsfUnmapped struct {
	Writer        string            `json:"writer"`
	Seq           int64             `json:"seq"`
	PrevHash      string            `json:"prev_hash,omitempty"`
	Hash          string            `json:"hash"`
	Action        string            `json:"action,omitempty"`
	PrincipalKind string            `json:"principal_kind,omitempty"`
	Revision      string            `json:"revision,omitempty"`
	Commit        string            `json:"commit,omitempty"`
	Source        string            `json:"source,omitempty"`
	Outcome       string            `json:"outcome,omitempty"`
	Detail        map[string]string `json:"detail,omitempty"`
}

// ocsfClass returns the OCSF category, class and activity of e.
func ocsfClass(e *hfgate.AuditEvent) (category, class int, className string, activity int, activityName string) {
	switch e.Kind {
	case hfgate.AuditKindExchange:
		return 3, 3002, "Authentication", 1, "Logon"
	case hfgate.AuditKindAdmin:
		return 6, 6003, "API Activity", 99, e.Action
	}
	for i, m := range []string{"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "TRACE", "PATCH"} {
		if e.Method == m {
			return 4, 4002, "HTTP Activity", i + 1, m[:1] + strings.ToLower(m[1:])
		}
	}
	return 4, 4002, "HTTP Activity", 99, "Other"
}

// ocsf maps e to its OCSF-style record.
func ocsf(e *hfgate.AuditEvent) *ocsfRecord {
	cat, class, className, act, actName := ocsfClass(e)
	r := &ocsfRecord{
		Time: e.Time.UnixMilli(), TimeDT: e.Time.UTC().Format(TimeFormat),
		CategoryUID: cat, ClassUID: class, ClassName: className, ActivityID: act, ActivityName: actName,
		TypeUID: class*100 + act, SeverityID: 1, Duration: e.Duration.Milliseconds(),
		Metadata: ocsfMetadata{
			UID: e.Writer + "#" + strconv.FormatInt(e.Seq, 10), CorrelationUID: e.RequestID, EventCode: string(e.Kind),
			Product: ocsfProduct{Name: "hfgate", VendorName: "hfgate"},
		},
		Unmapped: ocsfUnmapped{
			Writer: e.Writer, Seq: e.Seq, PrevHash: e.PrevHash, Hash: e.Hash, Action: e.Action,
			PrincipalKind: string(e.PrincipalKind), Revision: e.Revision, Commit: e.Commit,
			Source: string(e.Source), Outcome: string(e.Outcome), Detail: e.Detail,
		},
	}
	switch e.Decision {
	case hfgate.AuditAllow:
		r.DispositionID, r.Disposition = 1, "Allowed"
	case hfgate.AuditDeny:
		r.DispositionID, r.Disposition = 2, "Blocked"
	}
	if e.Decision != "" {
		a := ocsfAuthz{Decision: string(e.Decision)}
		if e.Rule != "" {
			a.Policy = &ocsfPolicy{Name: e.Rule}
		}
		r.Authz = []ocsfAuthz{a}
	}
	switch {
	case e.Outcome == hfgate.AuditComplete, e.Outcome == "" && e.Status >= 100 && e.Status < 400:
		r.StatusID, r.Status = 1, "Success"
	case e.Outcome != "", e.Status >= 400:
		r.StatusID, r.Status = 2, "Failure"
	}
	if e.Subject != "" || e.Username != "" || e.SessionID != "" || e.TokenID != "" {
		r.Actor = &ocsfActor{}
		if e.Subject != "" || e.Username != "" {
			r.Actor.User = &ocsfUser{Name: e.Username, UID: e.Subject, Type: string(e.PrincipalKind)}
		}
		if e.SessionID != "" || e.TokenID != "" {
			r.Actor.Session = &ocsfSession{UID: e.SessionID, CredentialUID: e.TokenID}
		}
	}
	if e.ClientIP != "" {
		r.SrcEndpoint = &ocsfEndpoint{IP: e.ClientIP}
	}
	if e.Method != "" || e.UserAgent != "" || e.Path != "" {
		r.HTTPRequest = &ocsfHTTPRequest{HTTPMethod: e.Method, UserAgent: e.UserAgent}
		if e.Path != "" {
			r.HTTPRequest.URL = &ocsfURL{Path: e.Path}
		}
	}
	if e.Status != 0 {
		r.HTTPResponse = &ocsfHTTPResponse{Code: e.Status}
	}
	if e.Repo != "" {
		typ := e.RepoType
		if typ == "" {
			typ = hfgate.RepoTypeModel
		}
		r.Resources = []ocsfResource{{Type: string(typ), Name: string(e.Repo), UID: string(typ) + "s/" + string(e.Repo), Version: e.Commit}}
	}
	if e.File != "" {
		f := &ocsfFile{Path: e.File, Name: e.File[strings.LastIndexByte(e.File, '/')+1:]}
		if e.SHA256 != "" {
			f.Hashes = []ocsfHash{{AlgorithmID: 3, Algorithm: "SHA-256", Value: e.SHA256}}
		}
		r.File = f
	}
	if e.Kind == hfgate.AuditKindEnd || e.Bytes > 0 {
		r.Traffic = &ocsfTraffic{BytesOut: e.Bytes}
	}
	return r
}
