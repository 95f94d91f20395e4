"""Three periods of a small ledger over two districts and three streets, for the
rectification counts per street and district (domain.md §7) in `audit`, its xlsx and
the report. Worked by hand from §4.1/§4.3/§7:

Every community has its 党委 (覆盖 the community, a 正式党员 书记) and its 居委会; every
compound has a 业委会 with no members and no term, and no formal members living there
(so it is never 应单独建). A compound is 工作覆盖 when the instructor U9 is 派驻 there as
党建指导员, else 空白. The only findings are then, for each 空白 compound, ORPHAN_COMPOUND
(error, 30 days to fix) and NEEDS_INSTRUCTOR (info, 90 days), both answered by the
compound's community (the 责任单位) in that community's street.

    D1 城阳区: S1 城阳街道 (M1: C11, C12, and C13 from period 3), S2 夏庄街道 (M2: C21, C22)
    D2 李沧区: S3 李村街道 (M3: C31)

    空白 in period 1: C11, C21, C31
    空白 in period 2: C12, C21, C22
    空白 in period 3: C11, C13, C22, C31

Period 3 against period 2 (two findings a compound): S1: C11 回潮, C13 新增, C12 已整改;
S2: C22 持续, C21 已整改; S3: C31 回潮. Audited 45 days after the submissions (all made
on one day), every open ORPHAN_COMPOUND is 超期 (30 days) and no NEEDS_INSTRUCTOR (90).
Period 2 against period 1: S1: C12 新增, C11 已整改; S2: C21 持续, C22 新增; S3: C31 已整改.
"""

from __future__ import annotations

COVERED = {1: ("C12", "C22"), 2: ("C11", "C31"), 3: ("C12", "C21")}
COMPOUNDS = {1: ("C11", "C12", "C21", "C22", "C31"), 2: ("C11", "C12", "C21", "C22", "C31"),
             3: ("C11", "C12", "C13", "C21", "C22", "C31")}
COMMUNITY = {"C11": "M1", "C12": "M1", "C13": "M1", "C21": "M2", "C22": "M2", "C31": "M3"}
NAMES = {"C11": "青城苑", "C12": "青特花园", "C13": "青林小区", "C21": "夏庄新村", "C22": "夏庄花园",
         "C31": "李村小区"}

BASE = {
    "districts.csv": """
        id,name
        D1,城阳区
        D2,李沧区
    """,
    "streets.csv": """
        id,name,district_id
        S1,城阳街道,D1
        S2,夏庄街道,D1
        S3,李村街道,D2
    """,
    "communities.csv": """
        id,name,street_id
        M1,青特社区,S1
        M2,夏庄社区,S2
        M3,李村社区,S3
    """,
    "party_orgs.csv": """
        id,name,org_type,scope
        P1,青特社区党委,党委,社区
        P2,夏庄社区党委,党委,社区
        P3,李村社区党委,党委,社区
    """,
    "people.csv": """
        id,name,party_status
        U1,赵一,正式党员
        U2,钱二,正式党员
        U3,孙三,正式党员
        U9,周九,正式党员
    """,
}


def period(n: int) -> dict[str, str]:
    """The ledger files of period `n` (1, 2 or 3)."""
    compounds = ["编号,名称,所属社区"] + [f"{c},{NAMES[c]},{COMMUNITY[c]}" for c in COMPOUNDS[n]]
    committees = ["id,name,kind,unit_id"] + [f"R{k},{m}居委会,居委会,{m}" for k, m in enumerate(("M1", "M2", "M3"), 1)]
    committees += [f"B{c},{NAMES[c]}业委会,业委会,{c}" for c in COMPOUNDS[n]]
    relations = ["type,from_id,to_id,role,since,until,source"]
    relations += [f"覆盖,P{k},M{k},,,," for k in (1, 2, 3)]
    relations += [f"任职,U{k},P{k},书记,,," for k in (1, 2, 3)]
    relations += [f"派驻,U9,{c},党建指导员,,,街道选派名单" for c in COVERED[n]]
    return {**BASE, "compounds.csv": "\n".join(compounds), "committees.csv": "\n".join(committees),
            "relations.csv": "\n".join(relations)}
