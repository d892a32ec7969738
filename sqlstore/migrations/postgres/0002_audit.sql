-- 0002: the audit log (package audit): append-only hash chains of events,
-- one chain per writer (gateway process), and the head of each chain.
-- Times are microseconds since 1970 (UTC); duration is in nanoseconds.
-- Rows are never updated or deleted by hfgate; audit.Verify notices when
-- someone else does.

CREATE TABLE audit_events (
	writer         TEXT COLLATE "C" NOT NULL,
	seq            BIGINT NOT NULL,
	at             BIGINT NOT NULL,
	kind           TEXT NOT NULL,
	request_id     TEXT NOT NULL DEFAULT '',
	principal_kind TEXT NOT NULL DEFAULT '',
	subject        TEXT NOT NULL DEFAULT '',
	username       TEXT NOT NULL DEFAULT '',
	session_id     TEXT NOT NULL DEFAULT '',
	token_id       TEXT NOT NULL DEFAULT '',
	client_ip      TEXT NOT NULL DEFAULT '',
	user_agent     TEXT NOT NULL DEFAULT '',
	method         TEXT NOT NULL DEFAULT '',
	path           TEXT NOT NULL DEFAULT '',
	action         TEXT NOT NULL DEFAULT '',
	repo_type      TEXT NOT NULL DEFAULT '',
	repo           TEXT NOT NULL DEFAULT '',
	revision       TEXT NOT NULL DEFAULT '',
	commit_id      TEXT NOT NULL DEFAULT '',
	file           TEXT NOT NULL DEFAULT '',
	sha256         TEXT NOT NULL DEFAULT '',
	bytes          BIGINT NOT NULL DEFAULT 0,
	status         INTEGER NOT NULL DEFAULT 0,
	decision       TEXT NOT NULL DEFAULT '',
	rule           TEXT NOT NULL DEFAULT '',
	duration       BIGINT NOT NULL DEFAULT 0,
	source         TEXT NOT NULL DEFAULT '',
	outcome        TEXT NOT NULL DEFAULT '',
	detail         TEXT NOT NULL DEFAULT '', -- JSON object, or '' for none
	prev_hash      TEXT NOT NULL,
	hash           TEXT NOT NULL,
	PRIMARY KEY (writer, seq)
);
-- Queries walk by (at, writer, seq); filters by user, repo and action
-- keep their matches in time order; request_id joins an intent and its end.
CREATE INDEX audit_events_at ON audit_events (at, writer, seq);
CREATE INDEX audit_events_subject ON audit_events (subject, at);
CREATE INDEX audit_events_username ON audit_events (lower(username), at);
CREATE INDEX audit_events_repo ON audit_events (lower(repo), at);
CREATE INDEX audit_events_action ON audit_events (action, at);
CREATE INDEX audit_events_request ON audit_events (request_id);

CREATE TABLE audit_writers (
	writer    TEXT COLLATE "C" PRIMARY KEY,
	seq       BIGINT NOT NULL, -- of its last event
	hash      TEXT NOT NULL,    -- of its last event
	last      BIGINT NOT NULL, -- at of its last event
	sealed_by TEXT NOT NULL DEFAULT ''
);
