// firm_coverage.cypher — 物业服务企业党的组织和工作覆盖状态，一行一个企业（domain.md §4.1、§4.2）
//
// Parameters — set all four before running (null picks the default):
//   :param seq => 1
//       the submission read (docs/design.md, "Submissions"): only nodes and relationships with
//       added <= seq and (removed null or > seq) count; the latest is
//       MATCH (h:SubmissionHead) RETURN h.seq (govgraph passes it, or the --load asked for).
//   :param as_of => '2024-06-30'
//       统计时点: a Neo4j date or the text 'YYYY-MM-DD' (read with date($as_of));
//       null = today in Asia/Shanghai.
//   :param min_formal_members => 3
//       应建尽建: a firm with at least this many formal party members is eligible; null = 3.
//   :param scope => null
//       a Street or Community id: only firms that serve (in force) a compound whose community
//       in force is that community or belongs to that street; null = every firm.
//
// Columns: id, name, kind ('Firm'), district_id, street_id, community_id (always null: a firm
// has no 隶属 parent; it counts wherever it serves, see coverage_rollup.cypher), status,
// eligible, formal_members. One row per firm, ordered by id.
//
// The same five statuses as compound_coverage.cypher, read with the Firm in place of the
// compound; here an *organisation* is a PartyOrg with org_type 党委/党总支/党支部/临时党支部
// and scope 企业 or 项目, and "covers no other" means no other Firm. In force on d:
//   (r.since IS NULL OR r.since <= d) AND (r.until IS NULL OR r.until >= d)
// formal_members = the firm's party_members when given, else the number of distinct 正式党员
// holding 任职 at the firm.
WITH coalesce(date($as_of), date({timezone: 'Asia/Shanghai'})) AS d,
     coalesce($min_formal_members, 3) AS minimum
MATCH (f:Firm WHERE f.added <= $seq AND (f.removed IS NULL OR f.removed > $seq))
WHERE $scope IS NULL OR EXISTS {
  MATCH (f)-[s:服务 WHERE s.added <= $seq AND (s.removed IS NULL OR s.removed > $seq)]->(:Compound)-[p:隶属 WHERE p.added <= $seq AND (p.removed IS NULL OR p.removed > $seq)]->(m:Community)
  WHERE (s.since IS NULL OR s.since <= d) AND (s.until IS NULL OR s.until >= d)
    AND (p.since IS NULL OR p.since <= d) AND (p.until IS NULL OR p.until >= d)
    AND (m.id = $scope OR EXISTS {
      MATCH (m)-[q:隶属 WHERE q.added <= $seq AND (q.removed IS NULL OR q.removed > $seq)]->(:Street {id: $scope})
      WHERE (q.since IS NULL OR q.since <= d) AND (q.until IS NULL OR q.until >= d)
    })
}
WITH d, minimum, f,
     EXISTS {
       MATCH (o:PartyOrg)-[k:覆盖 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(f)
       WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
         AND o.org_type IN ['党委', '党总支', '党支部', '临时党支部']
         AND o.scope IN ['企业', '项目']
         AND NOT EXISTS {
           MATCH (o)-[k2:覆盖 WHERE k2.added <= $seq AND (k2.removed IS NULL OR k2.removed > $seq)]->(other:Firm)
           WHERE other <> f
             AND (k2.since IS NULL OR k2.since <= d) AND (k2.until IS NULL OR k2.until >= d)
         }
     } AS single,
     EXISTS {
       MATCH (o:PartyOrg)-[k:覆盖 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(f)
       WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
         AND o.org_type IN ['党委', '党总支', '党支部', '临时党支部']
         AND o.scope IN ['企业', '项目']
     } AS organised,
     EXISTS {
       MATCH (f)-[k:挂靠建 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(:PartyOrg)
       WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
     } AS affiliated,
     EXISTS {
       MATCH (g:PartyOrg)-[k:覆盖 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(f)
       WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
         AND g.org_type IN ['党的工作小组', '党小组']
     } OR EXISTS {
       MATCH (:Person)-[k:派驻 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(f)
       WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
         AND k.role IN ['党建指导员', '领航员']
     } AS work,
     CASE
       WHEN f.party_members IS NOT NULL THEN f.party_members
       ELSE size(COLLECT {
         MATCH (p:Person)-[k:任职 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(f)
         WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
           AND p.party_status = '正式党员'
         RETURN DISTINCT p.id
       })
     END AS members
RETURN f.id AS id,
       f.name AS name,
       'Firm' AS kind,
       null AS district_id,
       null AS street_id,
       null AS community_id,
       CASE
         WHEN single THEN '单独建'
         WHEN organised THEN '联合建'
         WHEN affiliated THEN '挂靠建'
         WHEN work THEN '工作覆盖'
         ELSE '空白'
       END AS status,
       members >= minimum AS eligible,
       members AS formal_members
ORDER BY id
