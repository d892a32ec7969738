-- 0003: the ID tokens CI jobs have exchanged (RFC 8693 token exchange), by
-- issuer and jti, so that each is exchanged once by any replica. A row is
-- kept until the token it names has expired (plus the allowed clock skew);
-- Purge removes it after. Times are microseconds since 1970 (UTC).

CREATE TABLE ci_jti (
	issuer  TEXT NOT NULL,
	jti     TEXT NOT NULL,
	used    BIGINT NOT NULL,
	expires BIGINT NOT NULL,
	PRIMARY KEY (issuer, jti)
);
CREATE INDEX ci_jti_expires ON ci_jti (expires);
