-- 0001: who signs in (accounts, identities), their sessions and gateway
-- tokens, device authorizations, sealed upstream credentials, and the log
-- through which processes sharing this file learn of revocations.
-- Times are microseconds since 1970 (UTC); NULL is "never".

CREATE TABLE accounts (
	id              TEXT PRIMARY KEY,
	provider        TEXT NOT NULL,
	username        TEXT NOT NULL DEFAULT '',
	name            TEXT NOT NULL DEFAULT '',
	email           TEXT NOT NULL DEFAULT '',
	avatar_url      TEXT NOT NULL DEFAULT '',
	profile         TEXT NOT NULL DEFAULT '{}', -- JSON: orgs, groups, claims
	created         INTEGER NOT NULL,
	profile_updated INTEGER,
	disabled        INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX accounts_username ON accounts (username);

CREATE TABLE identities (
	provider   TEXT NOT NULL,
	sub        TEXT NOT NULL,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	created    INTEGER NOT NULL,
	PRIMARY KEY (provider, sub)
) STRICT;
CREATE INDEX identities_account ON identities (account_id);

CREATE TABLE sessions (
	id           TEXT PRIMARY KEY, -- SHA-256 of the cookie's secret
	subject      TEXT NOT NULL,
	principal    TEXT NOT NULL,    -- JSON
	created      INTEGER,
	last_seen    INTEGER,
	idle_timeout INTEGER NOT NULL, -- microseconds; 0: none
	expires      INTEGER NOT NULL,
	ends         INTEGER NOT NULL  -- when it ends unless used again
) STRICT;
CREATE INDEX sessions_subject ON sessions (subject, created);
CREATE INDEX sessions_ends ON sessions (ends);

CREATE TABLE tokens (
	id            TEXT PRIMARY KEY,
	hash          TEXT NOT NULL UNIQUE, -- SHA-256 of the secret
	kind          TEXT NOT NULL,
	subject       TEXT NOT NULL,
	family_id     TEXT NOT NULL DEFAULT '',
	client_id     TEXT NOT NULL DEFAULT '',
	name          TEXT NOT NULL DEFAULT '',
	scopes        TEXT NOT NULL DEFAULT '', -- space-separated
	resource      TEXT NOT NULL DEFAULT '',
	principal     TEXT,                     -- JSON, CI tokens only
	created       INTEGER,
	expires       INTEGER NOT NULL,
	last_used     INTEGER,
	spent         INTEGER,
	revoked       INTEGER,
	revoked_by    TEXT NOT NULL DEFAULT '',
	revoke_reason TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX tokens_subject ON tokens (subject, created);
CREATE INDEX tokens_family ON tokens (family_id) WHERE family_id <> '';
CREATE INDEX tokens_expires ON tokens (expires);

CREATE TABLE device_auths (
	hash          TEXT PRIMARY KEY, -- SHA-256 of the device code
	user_code     TEXT NOT NULL UNIQUE,
	client_id     TEXT NOT NULL DEFAULT '',
	scopes        TEXT NOT NULL DEFAULT '',
	created       INTEGER,
	expires       INTEGER NOT NULL,
	poll_interval INTEGER NOT NULL, -- microseconds
	last_poll     INTEGER,
	state         TEXT NOT NULL,
	subject       TEXT NOT NULL DEFAULT '',
	decided       INTEGER
) STRICT;
CREATE INDEX device_auths_expires ON device_auths (expires);

CREATE TABLE upstream_credentials (
	endpoint  TEXT NOT NULL,
	subject   TEXT NOT NULL,
	issuer    TEXT NOT NULL DEFAULT '',
	client_id TEXT NOT NULL DEFAULT '',
	scopes    TEXT NOT NULL DEFAULT '',
	username  TEXT NOT NULL DEFAULT '',
	expiry    INTEGER,
	key_id    TEXT NOT NULL, -- the key that sealed it
	sealed    TEXT NOT NULL, -- the tokens, sealed (keyset)
	updated   INTEGER NOT NULL,
	PRIMARY KEY (endpoint, subject)
) STRICT;
CREATE INDEX upstream_credentials_key ON upstream_credentials (key_id);

-- AUTOINCREMENT: a seq is never used twice, also after the newest row is
-- purged, so a reader that remembers the last seq it saw misses nothing.
CREATE TABLE revocations (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	at      INTEGER NOT NULL,
	payload TEXT NOT NULL -- JSON hfgate.Revocation
) STRICT;
