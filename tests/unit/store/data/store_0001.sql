-- A local store as doorcheck 0.1 wrote it (schema revision 0001, before Alembic):
-- two guests, one check-in uploaded, one waiting, sync state. Used by
-- tests/unit/store/test_local.py to prove an old store is upgraded in place without loss.
CREATE TABLE guests (
	id VARCHAR NOT NULL, 
	access_code VARCHAR, 
	parent_id VARCHAR, 
	deleted BOOLEAN NOT NULL, 
	doc VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_guests_access_code ON guests (access_code);
CREATE INDEX ix_guests_parent_id ON guests (parent_id);
CREATE TABLE outbox (
	nonce VARCHAR NOT NULL, 
	seq INTEGER NOT NULL, 
	guest_id VARCHAR NOT NULL, 
	action VARCHAR NOT NULL, 
	door_time VARCHAR NOT NULL, 
	station VARCHAR NOT NULL, 
	target_nonce VARCHAR, 
	parent_id VARCHAR, 
	fields VARCHAR, 
	state VARCHAR NOT NULL, 
	attempts INTEGER NOT NULL, 
	last_error VARCHAR, 
	message VARCHAR, 
	PRIMARY KEY (nonce)
);
CREATE INDEX ix_outbox_state ON outbox (state);
CREATE INDEX ix_outbox_seq ON outbox (seq);
CREATE INDEX ix_outbox_guest_id ON outbox (guest_id);
CREATE TABLE sync_state (
	"key" VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE TABLE scans (
	id INTEGER NOT NULL, 
	time DATETIME NOT NULL, 
	code VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	verdict VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO guests VALUES ('g-1', 'ABC123', NULL, 0, '{"id":"g-1","parentId":null,"accessCode":"ABC123","clientUpdateDateTime":null,"serverUpdateDateTime":"2026-11-21T17:00:00+00:00","checkInDateTime":"2026-11-21T17:31:00+00:00","checkOutDateTime":null,"deleteDateTime":null,"registrationState":"registered","fields":{"firstName":"Jürgen","lastName":"Gößmann","company":"Müller & Söhne GmbH","customField47":["vegan"]},"companions":[{"id":"g-2"}],"checkInStationName":"Main Entrance","seatNumber":"A12"}');
INSERT INTO guests VALUES ('g-2', 'ABC124', 'g-1', 0, '{"id":"g-2","parentId":"g-1","accessCode":"ABC124","clientUpdateDateTime":null,"serverUpdateDateTime":"2026-11-21T17:00:00+00:00","checkInDateTime":null,"checkOutDateTime":null,"deleteDateTime":null,"registrationState":"registered","fields":{"firstName":"Companion 1","lastName":"of Jürgen Gößmann"},"companions":[]}');
INSERT INTO outbox VALUES ('n-1', 1, 'g-1', 'checkIn', '2026-11-21T18:31:00+01:00', 'Main Entrance', NULL, NULL, NULL, 'applied', 1, NULL, NULL);
INSERT INTO outbox VALUES ('n-2', 2, 'g-2', 'checkIn', '2026-11-21T18:32:00+01:00', 'Main Entrance', NULL, NULL, NULL, 'pending', 3, 'Cannot reach the station server.', NULL);
INSERT INTO sync_state VALUES ('schema_version', '1');
INSERT INTO sync_state VALUES ('cursor', '2026-11-21T17:00:00.123456+00:00');
INSERT INTO sync_state VALUES ('mode', 'checkIn');
INSERT INTO scans VALUES (1, '2026-11-21 17:31:00.000000', 'ABC123', 'manual', 'admit');
