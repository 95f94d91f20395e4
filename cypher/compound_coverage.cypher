// compound_coverage.cypher — 小区党的组织和工作覆盖状态，一行一个小区（domain.md §4.1、§4.2）
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
//       应建尽建: a compound with at least this many formal party members is eligible; null = 3.
//   :param scope => null
//       a Street or Community id: only compounds whose community in force on as_of is that
//       community or belongs (in force) to that street; null = every compound.
//
// Columns: id, name, kind ('Compound'), district_id, street_id, community_id (parents in force
// on as_of; null where none), status (单独建 | 联合建 | 挂靠建 | 工作覆盖 | 空白), eligible,
// formal_members. One row per compound, ordered by id.
//
// Rules, all on relationships in force on as_of — r is in force on d when
//   (r.since IS NULL OR r.since <= d) AND (r.until IS NULL OR r.until >= d)
// (written out at every use; a missing since/until is null, and a bare `r.since <= d` on a
// null is null, which WHERE treats as false — hence the IS NULL arms):
//   an *organisation* is a PartyOrg with org_type 党委/党总支/党支部/临时党支部 and scope
//   小区/网格/业委会/项目. First match wins:
//   单独建    an organisation covers the compound and no other compound;
//   联合建    an organisation covers it (and every such organisation covers another compound too);
//   挂靠建    the compound 挂靠建 some PartyOrg;
//   工作覆盖  a 党的工作小组 or 党小组 covers it, or a Person is 派驻 there as 党建指导员 or 领航员;
//   空白      none of these.
//   formal_members = the compound's party_members when given, else the number of distinct
//   正式党员 with 居住 there.
WITH coalesce(date($as_of), date({timezone: 'Asia/Shanghai'})) AS d,
     coalesce($min_formal_members, 3) AS minimum
MATCH (c:Compound WHERE c.added <= $seq AND (c.removed IS NULL OR c.removed > $seq))
// Parents in force (validation allows at most one parent in force at a time).
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
WITH d, minimum, c, community, street, district,
     EXISTS {
       MATCH (o:PartyOrg)-[k:覆盖 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(c)
       WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
         AND o.org_type IN ['党委', '党总支', '党支部', '临时党支部']
         AND o.scope IN ['小区', '网格', '业委会', '项目']
         AND NOT EXISTS {
           MATCH (o)-[k2:覆盖 WHERE k2.added <= $seq AND (k2.removed IS NULL OR k2.removed > $seq)]->(other:Compound)
           WHERE other <> c
             AND (k2.since IS NULL OR k2.since <= d) AND (k2.until IS NULL OR k2.until >= d)
         }
     } AS single,
     EXISTS {
       MATCH (o:PartyOrg)-[k:覆盖 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(c)
       WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
         AND o.org_type IN ['党委', '党总支', '党支部', '临时党支部']
         AND o.scope IN ['小区', '网格', '业委会', '项目']
     } AS organised,
     EXISTS {
       MATCH (c)-[k:挂靠建 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(:PartyOrg)
       WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
     } AS affiliated,
     EXISTS {
       MATCH (g:PartyOrg)-[k:覆盖 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(c)
       WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
         AND g.org_type IN ['党的工作小组', '党小组']
     } OR EXISTS {
       MATCH (:Person)-[k:派驻 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(c)
       WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
         AND k.role IN ['党建指导员', '领航员']
     } AS work,
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
