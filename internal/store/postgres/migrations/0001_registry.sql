-- Domains, their activity and workflow types, and the service's secrets.
-- Times are UTC milliseconds since the Unix epoch, as in the SQLite
-- backend: the precision SWF timestamps carry, with no time zone to get
-- wrong. Names use the "C" collation, so that they order bytewise, as SWF
-- orders them, whatever the database's locale.

CREATE TABLE domains (
	name        text COLLATE "C" NOT NULL PRIMARY KEY,
	description text   NOT NULL,
	retention   text   NOT NULL,
	status      text   NOT NULL,
	-- A JSON array of {"key","value"} objects, in the order the keys were
	-- first set; tags are only ever read and written with their domain.
	tags        text   NOT NULL DEFAULT '[]',
	created_at  bigint NOT NULL
);

-- ListDomains filters by status and walks names in order.
CREATE INDEX domains_by_status ON domains (status, name);

CREATE TABLE types (
	domain        text COLLATE "C" NOT NULL REFERENCES domains (name),
	kind          text   NOT NULL CHECK (kind IN ('activity', 'workflow')),
	name          text COLLATE "C" NOT NULL,
	version       text COLLATE "C" NOT NULL,
	description   text   NOT NULL,
	status        text   NOT NULL,
	created_at    bigint NOT NULL,
	-- NULL while the type is registered.
	deprecated_at bigint,
	-- The type's defaults, encoded by the service and opaque here.
	config        bytea  NOT NULL DEFAULT '',
	PRIMARY KEY (domain, kind, name, version)
);

-- ListTypes filters by status and walks (name, version) in order; the
-- primary key serves the unfiltered walk and the name filter.
CREATE INDEX types_by_status ON types (domain, kind, status, name, version);

CREATE TABLE secrets (
	name  text  NOT NULL PRIMARY KEY,
	value bytea NOT NULL
);
