// cross_appointments.cypher — 交叉任职（双向进入）：按单位（小区、社区）列出在两个以上
// 相关组织任职的人及其职务（domain.md §4.4）
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
//   posts (list of {org_id, org_name, role, type}, ordered by org_id, role, type), org_count.
// One row per (unit, cross-appointed person): compounds first, then communities, each ordered
// by unit_id, then person_id.
//
// All relationships in force on d ((r.since IS NULL OR r.since <= d) AND (r.until IS NULL OR r.until >= d)).
// A unit's compounds: C itself; for a community M, the compounds 隶属 M.
// A unit's linked set of organisations:
//   compound C:  the organisations covering C (PartyOrg of type 党委/党总支/党支部/临时党支部,
//                scope 小区/网格/业委会/项目, 覆盖→C), C's committees (any kind, 隶属→C);
//   community M: the party orgs covering M (any PartyOrg, 覆盖→M), M's 居委会 (隶属→M), the
//                committees of M's compounds;
//   and for both, the firms serving the unit's compounds (服务).
// A person's posts in an organisation X of that set (type = the relationship type):
//   任职 person→X (role = the post, may be null), 兼职委员 person→X (role as given, may be null),
//   派驻 person→X with role 义务质量总监 or 项目负责人;
//   派驻 person→K, K one of the unit's compounds, with one of those two roles, counted as a
//   post in every firm serving K (the post is held in the firm serving that compound).
// A person is cross-appointed in the unit when their posts are in at least two different
// organisations of the set.
WITH coalesce(date($as_of), date({timezone: 'Asia/Shanghai'})) AS d
CALL (d) {
  MATCH (u:Compound WHERE u.added <= $seq AND (u.removed IS NULL OR u.removed > $seq))
  RETURN u, 'Compound' AS unit_kind, [u] AS compounds, COLLECT {
    MATCH (o:PartyOrg)-[k:覆盖 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(u)
    WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
      AND o.org_type IN ['党委', '党总支', '党支部', '临时党支部']
      AND o.scope IN ['小区', '网格', '业委会', '项目']
    RETURN o AS x
    UNION
    MATCH (w:Committee)-[b:隶属 WHERE b.added <= $seq AND (b.removed IS NULL OR b.removed > $seq)]->(u)
    WHERE (b.since IS NULL OR b.since <= d) AND (b.until IS NULL OR b.until >= d)
    RETURN w AS x
    UNION
    MATCH (f:Firm)-[s:服务 WHERE s.added <= $seq AND (s.removed IS NULL OR s.removed > $seq)]->(u)
    WHERE (s.since IS NULL OR s.since <= d) AND (s.until IS NULL OR s.until >= d)
    RETURN f AS x
  } AS linked
  UNION ALL
  MATCH (u:Community WHERE u.added <= $seq AND (u.removed IS NULL OR u.removed > $seq))
  RETURN u, 'Community' AS unit_kind, COLLECT {
    MATCH (c:Compound)-[q:隶属 WHERE q.added <= $seq AND (q.removed IS NULL OR q.removed > $seq)]->(u)
    WHERE (q.since IS NULL OR q.since <= d) AND (q.until IS NULL OR q.until >= d)
    RETURN DISTINCT c
  } AS compounds, COLLECT {
    MATCH (o:PartyOrg)-[k:覆盖 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(u)
    WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
    RETURN o AS x
    UNION
    MATCH (w:Committee)-[b:隶属 WHERE b.added <= $seq AND (b.removed IS NULL OR b.removed > $seq)]->(u)
    WHERE w.kind = '居委会' AND (b.since IS NULL OR b.since <= d) AND (b.until IS NULL OR b.until >= d)
    RETURN w AS x
    UNION
    MATCH (w:Committee)-[b:隶属 WHERE b.added <= $seq AND (b.removed IS NULL OR b.removed > $seq)]->(:Compound)-[q:隶属 WHERE q.added <= $seq AND (q.removed IS NULL OR q.removed > $seq)]->(u)
    WHERE (b.since IS NULL OR b.since <= d) AND (b.until IS NULL OR b.until >= d)
      AND (q.since IS NULL OR q.since <= d) AND (q.until IS NULL OR q.until >= d)
    RETURN w AS x
    UNION
    MATCH (f:Firm)-[s:服务 WHERE s.added <= $seq AND (s.removed IS NULL OR s.removed > $seq)]->(:Compound)-[q:隶属 WHERE q.added <= $seq AND (q.removed IS NULL OR q.removed > $seq)]->(u)
    WHERE (s.since IS NULL OR s.since <= d) AND (s.until IS NULL OR s.until >= d)
      AND (q.since IS NULL OR q.since <= d) AND (q.until IS NULL OR q.until >= d)
    RETURN f AS x
  } AS linked
}
CALL (d, linked, compounds) {
  UNWIND linked AS x
  MATCH (p:Person)-[r:任职|兼职委员 WHERE r.added <= $seq AND (r.removed IS NULL OR r.removed > $seq)]->(x)
  WHERE (r.since IS NULL OR r.since <= d) AND (r.until IS NULL OR r.until >= d)
  RETURN p, x, r.role AS role, type(r) AS type
  UNION
  UNWIND linked AS x
  MATCH (p:Person)-[r:派驻 WHERE r.added <= $seq AND (r.removed IS NULL OR r.removed > $seq)]->(x)
  WHERE r.role IN ['义务质量总监', '项目负责人']
    AND (r.since IS NULL OR r.since <= d) AND (r.until IS NULL OR r.until >= d)
  RETURN p, x, r.role AS role, '派驻' AS type
  UNION
  UNWIND compounds AS k
  MATCH (p:Person)-[r:派驻 WHERE r.added <= $seq AND (r.removed IS NULL OR r.removed > $seq)]->(k)<-[s:服务 WHERE s.added <= $seq AND (s.removed IS NULL OR s.removed > $seq)]-(x:Firm)
  WHERE r.role IN ['义务质量总监', '项目负责人']
    AND (r.since IS NULL OR r.since <= d) AND (r.until IS NULL OR r.until >= d)
    AND (s.since IS NULL OR s.since <= d) AND (s.until IS NULL OR s.until >= d)
  RETURN p, x, r.role AS role, '派驻' AS type
}
WITH u, unit_kind, p, x, role, type
ORDER BY x.id, coalesce(role, ''), type
WITH u, unit_kind, p,
     collect(DISTINCT {org_id: x.id, org_name: x.name, role: role, type: type}) AS posts,
     count(DISTINCT x) AS org_count
WHERE org_count >= 2
RETURN u.id AS unit_id,
       unit_kind,
       u.name AS unit_name,
       p.id AS person_id,
       p.name AS person_name,
       posts,
       org_count
ORDER BY unit_kind DESC, unit_id, person_id
