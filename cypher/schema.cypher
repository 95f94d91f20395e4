// govgraph schema for Neo4j 5.x — constraints and indexes (docs/design.md, "Neo4j representation").
//
// Idempotent (IF NOT EXISTS): govgraph applies it before its first write on each
// connection; it is also safe to paste into Neo4j Browser or cypher-shell.
// No parameters. Statements end with ';' (govgraph splits on ';' after removing
// '//' comments, so keep ';' and '//' out of names and strings here).

// Every submission is kept as versioned rows (docs/design.md, "Submissions"): one node per
// version of an entity, so an id is unique among the current nodes only (govgraph checks
// that when writing). The index serves relationship loading and look-ups by id.
DROP CONSTRAINT entity_id_unique IF EXISTS;
CREATE INDEX entity_id IF NOT EXISTS
FOR (n:Entity) ON (n.id);

// The one head node: the current committed submission (h.seq), and the token of the
// load writing the next one (h.writer).
CREATE CONSTRAINT submission_head_key IF NOT EXISTS
FOR (h:SubmissionHead) REQUIRE h.key IS UNIQUE;

// The one lock node: a load holds a transaction open on it (the writer lock).
CREATE CONSTRAINT submission_lock_key IF NOT EXISTS
FOR (l:SubmissionLock) REQUIRE l.key IS UNIQUE;

// Finding the rows a killed load left (added or removed after the head).
CREATE INDEX entity_added IF NOT EXISTS
FOR (n:Entity) ON (n.added);
CREATE INDEX entity_removed IF NOT EXISTS
FOR (n:Entity) ON (n.removed);

// Finding a unit by its Chinese name in Neo4j Browser.
CREATE INDEX entity_name IF NOT EXISTS
FOR (n:Entity) ON (n.name);

// The submissions are read in order.
CREATE INDEX submission_seq IF NOT EXISTS
FOR (n:Submission) ON (n.seq);

// The rectification register (整改台账): one node per finding key.
CREATE CONSTRAINT register_entry_key IF NOT EXISTS
FOR (r:RegisterEntry) REQUIRE r.key IS UNIQUE;
