"""A small ledger used by the CLI and store tests (its answers are checked by hand in
those tests; the full hand-worked acceptance ledger is tests/acceptance/core)."""

SMALL = {
    "districts.csv": """
        id,name
        D1,城阳区
    """,
    "streets.csv": """
        id,name,district_id
        S1,城阳街道,D1
    """,
    "communities.csv": """
        id,name,street_id
        M1,青特社区,S1
        M2,城阳社区,S1
    """,
    "compounds.csv": """
        编号,名称,所属社区,户数,类型,情况复杂,居住正式党员数
        C1,青特城,M1,1200,商品房,否,
        C2,万科魅力之城,M1,3000,commercial,0,
        C3,老旧院落,M2,80,老旧小区,是,5
        C4,城阳新苑,M2,300,安置小区,否,
    """,
    "party_orgs.csv": """
        id,name,org_type,scope,formal_members,parent_id,founded
        P0,青特社区党委,党委,社区,120,,2010
        P1,青特城小区党支部,党支部,小区,5,P0,2021-03-01
        P2,城阳社区党委,党委,社区,110,,2010
    """,
    "firms.csv": """
        id,name,ownership,party_members
        F1,泾华物业,市场化,
    """,
    "people.csv": """
        id,name,party_status,phone,tags
        U1,张三,中共党员,13800001234,退役军人；在职党员
        U2,李四,正式党员,13800005678,
        U3,王五,群众,,
    """,
    "relations.csv": """
        type,from_id,to_id,role,since,until,source
        覆盖,P0,M1,,,,城阳区委组织部台账2024
        覆盖,P2,M2,,,,城阳区委组织部台账2024
        覆盖,P1,C1,,2021,,城阳党建〔2021〕3号
        派驻,U1,C2,党建指导员,2024-05,至今,街道选派名单
        服务,F1,C1,专业物业,2020,,
        服务,F1,C3,专业物业,2019,2023-06,
        任职,U2,P1,书记,2021-03,,
        任职,U1,F1,负责人,,,
        居住,U2,C1,,,,
        居住,U1,C1,,,,
        居住,U3,C1,,,,
    """,
}
