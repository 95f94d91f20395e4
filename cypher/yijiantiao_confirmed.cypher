// yijiantiao_confirmed.cypher — 经核实的“一肩挑”：按单位（小区、社区）列出同时担任
// 党组织书记和自治组织主任的人（domain.md §4.5）
//
// Parameters — set before running:
//   :param seq => 1
//       the submission read (docs/design.md, "Submissions"): only nodes and relationships with
//       added <= seq and (removed null or > seq) count; the latest is
//       MATCH (h:SubmissionHead) RETURN h.seq (govgraph passes it, or the --load asked for).
//   :param as_of => '2024-06-30'
//       统计时点: a Neo4j date or the text 'YYYY-MM-DD' (read with date($as_of));
//       null = today in Asia/Shanghai.
//
// Columns: unit_id, unit_kind (Compound | Community), unit_name, person_id, person_name,
//   party_org_ids (the covering party orgs where the person is 书记),
//   committee_ids (the unit's committees where the person is 主任),
//   asserted (true when the ledger also has 一肩挑 person→unit in force).
// One row per (unit, person): compounds first, then communities, each ordered by unit_id,
// then person_id.
//
// Confirmed on d, all relationships in force on d
// ((r.since IS NULL OR r.since <= d) AND (r.until IS NULL OR r.until >= d)):
//   compound C:  the person holds 任职 书记 in an organisation covering C (PartyOrg of type
//                党委/党总支/党支部/临时党支部 and scope 小区/网格/业委会/项目, 覆盖→C) and 任职 主任
//                in a 业委会 that is 隶属 C;
//   community M: the person holds 任职 书记 in a party org covering M (any PartyOrg with 覆盖→M)
//                and 任职 主任 in a 居委会 that is 隶属 M.
WITH coalesce(date($as_of), date({timezone: 'Asia/Shanghai'})) AS d
CALL (d) {
  MATCH (p:Person)-[s:任职 WHERE s.added <= $seq AND (s.removed IS NULL OR s.removed > $seq)]->(o:PartyOrg)-[k:覆盖 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(u:Compound)
  WHERE s.role = '书记'
    AND (s.since IS NULL OR s.since <= d) AND (s.until IS NULL OR s.until >= d)
    AND (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
    AND o.org_type IN ['党委', '党总支', '党支部', '临时党支部']
    AND o.scope IN ['小区', '网格', '业委会', '项目']
  MATCH (p)-[z:任职 WHERE z.added <= $seq AND (z.removed IS NULL OR z.removed > $seq)]->(w:Committee)-[b:隶属 WHERE b.added <= $seq AND (b.removed IS NULL OR b.removed > $seq)]->(u)
  WHERE z.role = '主任' AND w.kind = '业委会'
    AND (z.since IS NULL OR z.since <= d) AND (z.until IS NULL OR z.until >= d)
    AND (b.since IS NULL OR b.since <= d) AND (b.until IS NULL OR b.until >= d)
  RETURN u, 'Compound' AS unit_kind, p, o, w
  UNION
  MATCH (p:Person)-[s:任职 WHERE s.added <= $seq AND (s.removed IS NULL OR s.removed > $seq)]->(o:PartyOrg)-[k:覆盖 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(u:Community)
  WHERE s.role = '书记'
    AND (s.since IS NULL OR s.since <= d) AND (s.until IS NULL OR s.until >= d)
    AND (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
  MATCH (p)-[z:任职 WHERE z.added <= $seq AND (z.removed IS NULL OR z.removed > $seq)]->(w:Committee)-[b:隶属 WHERE b.added <= $seq AND (b.removed IS NULL OR b.removed > $seq)]->(u)
  WHERE z.role = '主任' AND w.kind = '居委会'
    AND (z.since IS NULL OR z.since <= d) AND (z.until IS NULL OR z.until >= d)
    AND (b.since IS NULL OR b.since <= d) AND (b.until IS NULL OR b.until >= d)
  RETURN u, 'Community' AS unit_kind, p, o, w
}
WITH d, u, unit_kind, p, o, w
ORDER BY o.id, w.id
WITH d, u, unit_kind, p, collect(DISTINCT o.id) AS party_org_ids, collect(DISTINCT w.id) AS committee_ids
RETURN u.id AS unit_id,
       unit_kind,
       u.name AS unit_name,
       p.id AS person_id,
       p.name AS person_name,
       party_org_ids,
       committee_ids,
       EXISTS {
         MATCH (p)-[y:一肩挑 WHERE y.added <= $seq AND (y.removed IS NULL OR y.removed > $seq)]->(u)
         WHERE (y.since IS NULL OR y.since <= d) AND (y.until IS NULL OR y.until >= d)
       } AS asserted
ORDER BY unit_kind DESC, unit_id, person_id
