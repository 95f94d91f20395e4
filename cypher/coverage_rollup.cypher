// coverage_rollup.cypher — 按街道或社区汇总覆盖状态和覆盖率，另加合计行（domain.md §4.1、§4.6）
//
// Parameters — set both before running:
//   :param seq => 1
//       the submission read (docs/design.md, "Submissions"): only nodes and relationships with
//       added <= seq and (removed null or > seq) count; the latest is
//       MATCH (h:SubmissionHead) RETURN h.seq (govgraph passes it, or the --load asked for).
//   :param as_of => '2024-06-30'
//       统计时点: a Neo4j date or the text 'YYYY-MM-DD' (read with date($as_of));
//       null = today in Asia/Shanghai.
//   :param level => 'street'
//       'street' (one row per Street), 'community' (one row per Community) or 'district'.
//       Any other value gives the TOTAL row only.
//
// Columns: unit_id, unit_kind (Street | Community | District | Total), unit_name,
//   compounds, single, joint, affiliated, work, blank            (compounds per status)
//   firms, firm_single, firm_joint, firm_affiliated, firm_work, firm_blank
//   org_coverage_rate           组织覆盖率 = (单独建 + 联合建 + 挂靠建) / compounds
//   org_and_work_coverage_rate  组织和工作覆盖率 = (those + 工作覆盖) / compounds
// (rates rounded half-even to 4 places; null when the unit has no compound).
// Every unit of the level is listed, with zeros where nothing counts; then the TOTAL row
// (unit_id 'TOTAL', unit_name 合计). Ordered by unit_id, TOTAL last.
//
// Where a unit counts, on relationships in force on d
// ((r.since IS NULL OR r.since <= d) AND (r.until IS NULL OR r.until >= d)):
//   a compound in its community (隶属 in force), that community's street, that street's district;
//   a firm in every community (street, district) where it serves (服务 in force) a compound
//   that belongs there, once per unit however many compounds it serves there;
//   the TOTAL counts every compound and every firm once, placed or not.
// Statuses as in compound_coverage.cypher / firm_coverage.cypher (recomputed here: this
// file stands alone).
WITH coalesce(date($as_of), date({timezone: 'Asia/Shanghai'})) AS d
CALL (d) {
  // One row per (unit where it counts, compound or firm), and one with a null unit for the total.
  MATCH (u:Compound|Firm WHERE u.added <= $seq AND (u.removed IS NULL OR u.removed > $seq))
  WITH d, u,
       CASE WHEN u:Compound THEN 'Compound' ELSE 'Firm' END AS kind,
       CASE WHEN u:Compound THEN ['小区', '网格', '业委会', '项目'] ELSE ['企业', '项目'] END AS scopes
  WITH d, u, kind,
       EXISTS {
         MATCH (o:PartyOrg)-[k:覆盖 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(u)
         WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
           AND o.org_type IN ['党委', '党总支', '党支部', '临时党支部']
           AND o.scope IN scopes
           AND NOT EXISTS {
             MATCH (o)-[k2:覆盖 WHERE k2.added <= $seq AND (k2.removed IS NULL OR k2.removed > $seq)]->(other)
             WHERE other <> u
               AND ((kind = 'Compound' AND other:Compound) OR (kind = 'Firm' AND other:Firm))
               AND (k2.since IS NULL OR k2.since <= d) AND (k2.until IS NULL OR k2.until >= d)
           }
       } AS single,
       EXISTS {
         MATCH (o:PartyOrg)-[k:覆盖 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(u)
         WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
           AND o.org_type IN ['党委', '党总支', '党支部', '临时党支部']
           AND o.scope IN scopes
       } AS organised,
       EXISTS {
         MATCH (u)-[k:挂靠建 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(:PartyOrg)
         WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
       } AS affiliated,
       EXISTS {
         MATCH (g:PartyOrg)-[k:覆盖 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(u)
         WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
           AND g.org_type IN ['党的工作小组', '党小组']
       } OR EXISTS {
         MATCH (:Person)-[k:派驻 WHERE k.added <= $seq AND (k.removed IS NULL OR k.removed > $seq)]->(u)
         WHERE (k.since IS NULL OR k.since <= d) AND (k.until IS NULL OR k.until >= d)
           AND k.role IN ['党建指导员', '领航员']
       } AS work,
       // The communities where it counts: a compound's own, a firm's served compounds'.
       COLLECT {
         MATCH (u)-[p:隶属 WHERE p.added <= $seq AND (p.removed IS NULL OR p.removed > $seq)]->(m:Community)
         WHERE (p.since IS NULL OR p.since <= d) AND (p.until IS NULL OR p.until >= d)
         RETURN m
         UNION
         MATCH (u)-[s:服务 WHERE s.added <= $seq AND (s.removed IS NULL OR s.removed > $seq)]->(:Compound)-[p:隶属 WHERE p.added <= $seq AND (p.removed IS NULL OR p.removed > $seq)]->(m:Community)
         WHERE (s.since IS NULL OR s.since <= d) AND (s.until IS NULL OR s.until >= d)
           AND (p.since IS NULL OR p.since <= d) AND (p.until IS NULL OR p.until >= d)
         RETURN m
       } AS communities
  WITH d, u, kind, communities,
       CASE
         WHEN single THEN '单独建'
         WHEN organised THEN '联合建'
         WHEN affiliated THEN '挂靠建'
         WHEN work THEN '工作覆盖'
         ELSE '空白'
       END AS status
  WITH kind, status,
       CASE $level
         WHEN 'community' THEN [m IN communities | m.id]
         WHEN 'street' THEN COLLECT {
           UNWIND communities AS m
           MATCH (m)-[q:隶属 WHERE q.added <= $seq AND (q.removed IS NULL OR q.removed > $seq)]->(s:Street)
           WHERE (q.since IS NULL OR q.since <= d) AND (q.until IS NULL OR q.until >= d)
           RETURN DISTINCT s.id
         }
         WHEN 'district' THEN COLLECT {
           UNWIND communities AS m
           MATCH (m)-[q:隶属 WHERE q.added <= $seq AND (q.removed IS NULL OR q.removed > $seq)]->(s:Street)-[r:隶属 WHERE r.added <= $seq AND (r.removed IS NULL OR r.removed > $seq)]->(x:District)
           WHERE (q.since IS NULL OR q.since <= d) AND (q.until IS NULL OR q.until >= d)
             AND (r.since IS NULL OR r.since <= d) AND (r.until IS NULL OR r.until >= d)
           RETURN DISTINCT x.id
         }
         ELSE []
       END AS units
  UNWIND units + [null] AS unit_id
  RETURN unit_id, kind, status
  UNION ALL
  // Every unit of the level, so that units where nothing counts still get a row.
  MATCH (n:Street|Community|District WHERE n.added <= $seq AND (n.removed IS NULL OR n.removed > $seq))
  WHERE ($level = 'street' AND n:Street) OR ($level = 'community' AND n:Community)
     OR ($level = 'district' AND n:District)
  RETURN n.id AS unit_id, null AS kind, null AS status
}
WITH unit_id,
     count(CASE WHEN kind = 'Compound' THEN 1 END) AS compounds,
     count(CASE WHEN kind = 'Compound' AND status = '单独建' THEN 1 END) AS single,
     count(CASE WHEN kind = 'Compound' AND status = '联合建' THEN 1 END) AS joint,
     count(CASE WHEN kind = 'Compound' AND status = '挂靠建' THEN 1 END) AS affiliated,
     count(CASE WHEN kind = 'Compound' AND status = '工作覆盖' THEN 1 END) AS work,
     count(CASE WHEN kind = 'Compound' AND status = '空白' THEN 1 END) AS blank,
     count(CASE WHEN kind = 'Firm' THEN 1 END) AS firms,
     count(CASE WHEN kind = 'Firm' AND status = '单独建' THEN 1 END) AS firm_single,
     count(CASE WHEN kind = 'Firm' AND status = '联合建' THEN 1 END) AS firm_joint,
     count(CASE WHEN kind = 'Firm' AND status = '挂靠建' THEN 1 END) AS firm_affiliated,
     count(CASE WHEN kind = 'Firm' AND status = '工作覆盖' THEN 1 END) AS firm_work,
     count(CASE WHEN kind = 'Firm' AND status = '空白' THEN 1 END) AS firm_blank
OPTIONAL MATCH (unit:Entity WHERE unit.id = unit_id AND unit.added <= $seq AND (unit.removed IS NULL OR unit.removed > $seq))
RETURN coalesce(unit_id, 'TOTAL') AS unit_id,
       CASE WHEN unit_id IS NULL THEN 'Total' ELSE [l IN labels(unit) WHERE l <> 'Entity'][0] END AS unit_kind,
       CASE WHEN unit_id IS NULL THEN '合计' ELSE unit.name END AS unit_name,
       compounds, single, joint, affiliated, work, blank,
       firms, firm_single, firm_joint, firm_affiliated, firm_work, firm_blank,
       CASE WHEN compounds = 0 THEN null
            ELSE round(toFloat(single + joint + affiliated) / compounds, 4, 'HALF_EVEN') END AS org_coverage_rate,
       CASE WHEN compounds = 0 THEN null
            ELSE round(toFloat(single + joint + affiliated + work) / compounds, 4, 'HALF_EVEN') END
         AS org_and_work_coverage_rate
ORDER BY unit_kind = 'Total', unit_id
