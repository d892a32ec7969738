-- 0001: who signs in (accounts, identities), their sessions and gateway
-- tokens, device authorizations and sealed upstream credentials.
-- Revocations reach other replicas by NOTIFY hfgate_revocations, not a table.
-- Times are microseconds since 1970 (UTC); NULL is "never".

CREATE TABLE accounts (
	id              TEXT PRIMARY KEY,
	provider        TEXT NOT NULL,
	username        TEXT NOT NULL DEFAULT '',
	name            TEXT NOT NULL DEFAULT '',
	email           TEXT NOT NULL DEFAULT '',
	avatar_url      TEXT NOT NULL DEFAULT '',
	profile         TEXT NOT NULL DEFAULT '{}', -- JSON: orgs, groups, claims
	created         BIGINT NOT NULL,
	profile_updated BIGINT,
	disabled        SMALLINT NOT NULL DEFAULT 0
);
CREATE INDEX accounts_username ON accounts (username);

CREATE TABLE identities (
	provider   TEXT NOT NULL,
	sub        TEXT NOT NULL,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	created    BIGINT NOT NULL,
	PRIMARY KEY (provider, sub)
);
CREATE INDEX identities_account ON identities (account_id);

CREATE TABLE sessions (
	id           TEXT PRIMARY KEY, -- SHA-256 of the cookie's secret
	subject      TEXT NOT NULL,
	principal    TEXT NOT NULL,    -- JSON
	created      BIGINT,
	last_seen    BIGINT,
	idle_timeout BIGINT NOT NULL, -- microseconds; 0: none
	expires      BIGINT NOT NULL,
	ends         BIGINT NOT NULL  -- when it ends unless used again
);
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
	created       BIGINT,
	expires       BIGINT NOT NULL,
	last_used     BIGINT,
	spent         BIGINT,
	revoked       BIGINT,
	revoked_by    TEXT NOT NULL DEFAULT '',
	revoke_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tokens_subject ON tokens (subject, created);
CREATE INDEX tokens_family ON tokens (family_id) WHERE family_id <> '';
CREATE INDEX tokens_expires ON tokens (expires);

CREATE TABLE device_auths (
	hash          TEXT PRIMARY KEY, -- SHA-256 of the device code
	user_code     TEXT NOT NULL UNIQUE,
	client_id     TEXT NOT NULL DEFAULT '',
	scopes        TEXT NOT NULL DEFAULT '',
	created       BIGINT,
	expires       BIGINT NOT NULL,
	poll_interval BIGINT NOT NULL, -- microseconds
	last_poll     BIGINT,
	state         TEXT NOT NULL,
	subject       TEXT NOT NULL DEFAULT '',
	decided       BIGINT
);
CREATE INDEX device_auths_expires ON device_auths (expires);

CREATE TABLE upstream_credentials (
	endpoint  TEXT NOT NULL,
	subject   TEXT NOT NULL,
	issuer    TEXT NOT NULL DEFAULT '',
	client_id TEXT NOT NULL DEFAULT '',
	scopes    TEXT NOT NULL DEFAULT '',
	username  TEXT NOT NULL DEFAULT '',
	expiry    BIGINT,
	key_id    TEXT NOT NULL, -- the key that sealed it
	sealed    TEXT NOT NULL, -- the tokens, sealed (keyset)
	updated   BIGINT NOT NULL,
	PRIMARY KEY (endpoint, subject)
);
CREATE INDEX upstream_credentials_key ON upstream_credentials (key_id);
