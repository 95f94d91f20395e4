// govgraph schema for Neo4j 5.x — constraints and indexes (docs/design.md, "Neo4j representation").
//
// Idempotent (IF NOT EXISTS): govgraph applies it before its first write on each
// connection; it is also safe to paste into Neo4j Browser or cypher-shell.
// No parameters. Statements end with ';' (govgraph splits on ';' after removing
// '//' comments, so keep ';' and '//' out of names and strings here).

// Every entity id is unique across all kinds (one namespace); this also gives the
// index that relationship loading (MATCH (:Entity {id: …})) and look-ups use.
CREATE CONSTRAINT entity_id_unique IF NOT EXISTS
FOR (n:Entity) REQUIRE n.id IS UNIQUE;

// Finding a unit by its Chinese name in Neo4j Browser.
CREATE INDEX entity_name IF NOT EXISTS
FOR (n:Entity) ON (n.name);

// The load log is read in order.
CREATE INDEX load_record_seq IF NOT EXISTS
FOR (n:LoadRecord) ON (n.seq);
