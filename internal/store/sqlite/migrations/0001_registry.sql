-- Domains, their activity and workflow types, and the service's secrets.
-- Times are UTC milliseconds since the Unix epoch: SQLite has no time type,
-- and integers sort and compare without parsing. Text columns use SQLite's
-- default BINARY collation, which compares UTF-8 bytewise, as SWF orders
-- names.

CREATE TABLE domains (
	name        TEXT    NOT NULL PRIMARY KEY,
	description TEXT    NOT NULL,
	retention   TEXT    NOT NULL,
	status      TEXT    NOT NULL,
	-- A JSON array of {"key","value"} objects, in the order the keys were
	-- first set; tags are only ever read and written with their domain.
	tags        TEXT    NOT NULL DEFAULT '[]',
	created_at  INTEGER NOT NULL
) STRICT;

-- ListDomains filters by status and walks names in order.
CREATE INDEX domains_by_status ON domains (status, name);

CREATE TABLE types (
	domain        TEXT    NOT NULL REFERENCES domains (name),
	kind          TEXT    NOT NULL CHECK (kind IN ('activity', 'workflow')),
	name          TEXT    NOT NULL,
	version       TEXT    NOT NULL,
	description   TEXT    NOT NULL,
	status        TEXT    NOT NULL,
	created_at    INTEGER NOT NULL,
	-- NULL while the type is registered.
	deprecated_at INTEGER,
	-- The type's defaults, encoded by the service and opaque here.
	config        BLOB    NOT NULL DEFAULT x'',
	PRIMARY KEY (domain, kind, name, version)
) STRICT;

-- ListTypes filters by status and walks (name, version) in order; the
-- primary key serves the unfiltered walk and the name filter.
CREATE INDEX types_by_status ON types (domain, kind, status, name, version);

CREATE TABLE secrets (
	name  TEXT NOT NULL PRIMARY KEY,
	value BLOB NOT NULL
) STRICT;
