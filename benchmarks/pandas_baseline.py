"""The side-by-side baseline: compound and firm coverage (domain.md §4.1–4.2) and the
street roll-up, computed by a plain pandas script straight from a ledger's CSV files.

It is what an analyst with pandas would write: no validation, no store, no graph. The
benchmark (`benchmarks/run.py`) times it and checks that it finds the same statuses
and the same street counts as govgraph.

    python benchmarks/pandas_baseline.py LEDGER_DIR [--as-of 2026-06-30]

Needs pandas (`pip install -e .[bench]`); govgraph itself does not.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ORGANISATION_TYPES = ["党委", "党总支", "党支部", "临时党支部"]
WORK_GROUP_TYPES = ["党的工作小组", "党小组"]
INSTRUCTOR_ROLES = ["党建指导员", "领航员"]
SCOPES = {"Compound": ["小区", "网格", "业委会", "项目"], "Firm": ["企业", "项目"]}
FORMAL = {"正式党员", "中共党员", "党员", "member", "party member", "full member"}
STATUSES = ["单独建", "联合建", "挂靠建", "工作覆盖", "空白"]
FILES = {"District": "districts", "Street": "streets", "Community": "communities", "Compound": "compounds",
         "PartyOrg": "party_orgs", "Committee": "committees", "Firm": "firms", "Person": "people"}
PARENTS = {"streets": "district_id", "communities": "street_id", "compounds": "community_id",
           "party_orgs": "parent_id", "committees": "unit_id"}
_DATE = r"^\s*(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月)?)?\s*年?\s*$"


def _read(folder: Path, stem: str) -> pd.DataFrame:
    path = folder / f"{stem}.csv"
    if not path.exists():
        return pd.DataFrame()
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _dates(text: pd.Series, end: bool) -> pd.Series:
    """Ledger dates (2024-05-01, 2024/5/1, 2024年5月1日, 2024-05, 2024; 至今) as datetime64.
    Each distinct text is parsed once (a ledger repeats the same few thousand dates)."""
    codes, uniques = pd.factorize(text)
    parsed = _parse_dates(pd.Series(uniques), end)
    return pd.Series(parsed.to_numpy()[codes], index=text.index)


def _parse_dates(text: pd.Series, end: bool) -> pd.Series:
    parts = text.str.extract(_DATE)
    year = pd.to_numeric(parts[0], errors="coerce")
    month = pd.to_numeric(parts[1], errors="coerce")
    day = pd.to_numeric(parts[2], errors="coerce")
    month = month.fillna(12 if end else 1)
    first = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}), errors="coerce")
    if end:
        last = first + pd.offsets.MonthEnd(0)
        return first.where(day.isna(), first + pd.to_timedelta(day - 1, unit="D")).where(day.notna(), last)
    return first + pd.to_timedelta(day.fillna(1) - 1, unit="D")


def coverage(folder: str | Path, as_of: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(units, streets): one row per compound and firm with its status and eligibility;
    per street the count of compounds and of firms in each status."""
    folder = Path(folder)
    tables = {stem: _read(folder, stem) for stem in (*FILES.values(), "relations")}
    kind = pd.concat([pd.Series(kind, index=tables[stem]["id"]) for kind, stem in FILES.items()
                      if len(tables[stem])])
    rel = tables["relations"][["type", "from_id", "to_id", "role", "since", "until"]]
    parents = [pd.DataFrame({"type": "隶属", "from_id": tables[stem]["id"], "to_id": tables[stem][col],
                             "role": "", "since": "", "until": ""})
               for stem, col in PARENTS.items() if len(tables[stem])]
    rel = pd.concat([rel, *parents], ignore_index=True)
    rel = rel[rel["to_id"] != ""]
    d = pd.Timestamp(as_of)
    since = _dates(rel["since"], end=False)
    until = _dates(rel["until"], end=True)
    rel = rel[(since.isna() | (since <= d)) & (until.isna() | (until >= d))]  # in force on D
    rel = rel.assign(from_kind=rel["from_id"].map(kind), to_kind=rel["to_id"].map(kind))

    orgs = tables["party_orgs"].set_index("id")
    units = []
    for unit_kind, stem in (("Compound", "compounds"), ("Firm", "firms")):
        ids = tables[stem]["id"]
        cover = rel[(rel["type"] == "覆盖") & (rel["from_kind"] == "PartyOrg") & (rel["to_kind"] == unit_kind)]
        cover = cover.assign(org_type=cover["from_id"].map(orgs["org_type"]), scope=cover["from_id"].map(orgs["scope"]))
        organisation = cover[cover["org_type"].isin(ORGANISATION_TYPES) & cover["scope"].isin(SCOPES[unit_kind])]
        pairs = organisation[["from_id", "to_id"]].drop_duplicates()
        sizes = pairs.groupby("from_id")["to_id"].transform("size")
        single = set(pairs.loc[sizes == 1, "to_id"])
        covered = set(pairs["to_id"])
        affiliated = set(rel.loc[(rel["type"] == "挂靠建") & (rel["to_kind"] == "PartyOrg"), "from_id"])
        work = set(cover.loc[cover["org_type"].isin(WORK_GROUP_TYPES), "to_id"]) | set(
            rel.loc[(rel["type"] == "派驻") & (rel["from_kind"] == "Person") & rel["role"].isin(INSTRUCTOR_ROLES),
                    "to_id"])
        status = np.select(
            [ids.isin(single), ids.isin(covered), ids.isin(affiliated), ids.isin(work)], STATUSES[:4], STATUSES[4])
        # §4.2: the party_members field, else formal members living there (firms: holding a post).
        people = tables["people"].set_index("id")["party_status"].str.strip()
        link = rel[(rel["type"] == ("居住" if unit_kind == "Compound" else "任职")) & (rel["from_kind"] == "Person")]
        link = link[["from_id", "to_id"]].drop_duplicates()
        link = link[link["from_id"].map(people).isin(FORMAL)]
        counted = link.groupby("to_id").size()
        given = pd.to_numeric(tables[stem]["party_members"], errors="coerce")
        members = given.fillna(ids.map(counted)).fillna(0).astype(int)
        units.append(pd.DataFrame({"id": ids, "kind": unit_kind, "status": status, "formal_members": members,
                                   "eligible": members >= 3}))
    units = pd.concat(units, ignore_index=True)

    # Roll-up per street: a compound where its 隶属 puts it, a firm in every street where it serves.
    up = rel[rel["type"] == "隶属"]
    community = up[(up["from_kind"] == "Compound") & (up["to_kind"] == "Community")].set_index("from_id")["to_id"]
    street = up[(up["from_kind"] == "Community") & (up["to_kind"] == "Street")].set_index("from_id")["to_id"]
    compounds = units[units["kind"] == "Compound"]
    compound_street = compounds.assign(street=compounds["id"].map(community).map(street))
    serve = rel[(rel["type"] == "服务") & (rel["to_kind"] == "Compound")]
    firm_street = serve.assign(street=serve["to_id"].map(community).map(street))[["from_id", "street"]]
    firm_street = firm_street.dropna().drop_duplicates().merge(units[["id", "status"]], left_on="from_id",
                                                               right_on="id")
    streets = pd.DataFrame(index=pd.Index(tables["streets"]["id"], name="street"))
    for prefix, frame in (("", compound_street), ("firm_", firm_street)):
        counts = frame.dropna(subset=["street"]).groupby(["street", "status"]).size().unstack(fill_value=0)
        for s in STATUSES:
            streets[prefix + s] = counts.get(s, pd.Series(dtype=int)).reindex(streets.index).fillna(0).astype(int)
    return units, streets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ledger")
    parser.add_argument("--as-of", default="2026-06-30")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    units, streets = coverage(args.ledger, date.fromisoformat(args.as_of))
    elapsed = time.perf_counter() - start
    print(units.groupby(["kind", "status"]).size().to_string())
    print(f"{len(units)} units, {len(streets)} streets in {elapsed:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
