// orphans.cypher — 空白小区：状态为“空白”的小区（domain.md §4.1 第 5 条、§4.3 ORPHAN_COMPOUND）
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
//       应建尽建 threshold, for the eligible column and the suggestion; null = 3.
//   :param scope => null
//       a Street or Community id: only compounds whose community in force on as_of is that
//       community or belongs (in force) to that street; null = every compound.
//
// Columns: id, name, kind ('Compound'), district_id, street_id, community_id (parents in force;
// null where none), status ('空白'), eligible, formal_members, suggestion. Ordered by id.
//
// A compound is 空白 on d when, among relationships in force on d
//   ((r.since IS NULL OR r.since <= d) AND (r.until IS NULL OR r.until >= d)),
// no organisation (PartyOrg of type 党委/党总支/党支部/临时党支部 and scope 小区/网格/业委会/项目)
// covers it, it is not 挂靠建 to any PartyOrg, no 党的工作小组 or 党小组 covers it, and nobody
// is 派驻 there as 党建指导员 or 领航员.
WITH coalesce(date($as_of), date({timezone: 'Asia/Shanghai'})) AS d,
     coalesce($min_formal_members, 3) AS minimum
MATCH (c:Compound WHERE c.added <= $seq AND (c.removed IS NULL OR c.removed > $seq))
WHERE NOT EXISTS {
        MATCH (o:PartyOrg)-[k:覆盖 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(c)
        WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
          AND ((o.org_type IN ['党委', '党总支', '党支部', '临时党支部']
                AND o.scope IN ['小区', '网格', '业委会', '项目'])
               OR o.org_type IN ['党的工作小组', '党小组'])
      }
  AND NOT EXISTS {
        MATCH (c)-[k:挂靠建 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(:PartyOrg)
        WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
      }
  AND NOT EXISTS {
        MATCH (:Person)-[k:派驻 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(c)
        WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
          AND k.role IN ['党建指导员', '领航员']
      }
WITH d, minimum, c,
     head(COLLECT {
       MATCH (c)-[p:隶属 WHERE p.added <= $seq AND (p.removed IS NULL OR p.removed > $seq)]->(m:Community)
       WHERE (p.since IS NULL OR p.since <= d) AND (p.until IS NULL OR p.until >= d)
       RETURN m ORDER BY m.id
     }) AS community
WITH d, minimum, c, community,
     head(COLLECT {
       MATCH (community)-[p:隶属 WHERE p.added <= $seq AND (p.removed IS NULL OR p.removed > $seq)]->(s:Street)
       WHERE (p.since IS NULL OR p.since <= d) AND (p.until IS NULL OR p.until >= d)
       RETURN s ORDER BY s.id
     }) AS street
WITH d, minimum, c, community, street,
     head(COLLECT {
       MATCH (street)-[p:隶属 WHERE p.added <= $seq AND (p.removed IS NULL OR p.removed > $seq)]->(x:District)
       WHERE (p.since IS NULL OR p.since <= d) AND (p.until IS NULL OR p.until >= d)
       RETURN x ORDER BY x.id
     }) AS district
WHERE $scope IS NULL OR community.id = $scope OR street.id = $scope
WITH c, community, street, district, minimum,
     CASE
       WHEN c.party_members IS NOT NULL THEN c.party_members
       ELSE size(COLLECT {
         MATCH (p:Person)-[k:居住 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(c)
         WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
           AND p.party_status = '正式党员'
         RETURN DISTINCT p.id
       })
     END AS members
RETURN c.id AS id,
       c.name AS name,
       'Compound' AS kind,
       district.id AS district_id,
       street.id AS street_id,
       community.id AS community_id,
       '空白' AS status,
       members >= minimum AS eligible,
       members AS formal_members,
       CASE
         WHEN members >= minimum THEN '有正式党员' + toString(members) + '名，应单独组建党组织（应建尽建）'
         ELSE '选派党建指导员或组建党的工作小组'
       END AS suggestion
ORDER BY id
