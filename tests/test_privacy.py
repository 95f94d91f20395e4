"""Privacy: no phone number or 身份证号 is ever shown in full (domain.md §1), wherever it
hides: in a name, a tag, a source, an id, a file name. Every line of every command, in
every format, and the web pages are searched for the numbers planted in the ledger.
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import write_ledger_files

PHONE = "13812345678"  # in a person's name
TAG_PHONE = "13712345678"  # in a tag
ORG_PHONE = "13612345678"  # in a community's and a party org's name
SOURCE_PHONE = "13512345678"  # in a relation's source
STORED_PHONE = "13900001111"  # the phone column
ID_NUMBER = "11010519491231002X"  # in a tag, stored with --allow-id-numbers
SECRETS = [PHONE, TAG_PHONE, ORG_PHONE, SOURCE_PHONE, STORED_PHONE, ID_NUMBER]

LEDGER = {
    "streets.csv": "id,name\nS1,城阳街道",
    "communities.csv": f"id,name,street_id\nM1,青特社区{ORG_PHONE},S1",
    "compounds.csv": f"id,name,community_id,households,party_members\nC1,青特城,M1,1200,4\nC2,老院落{PHONE},M1,80,",
    "party_orgs.csv": f"id,name,org_type,scope\nP0,社区党委{ORG_PHONE},党委,社区\nP1,青特城党支部,党支部,小区",
    "committees.csv": "id,name,kind,unit_id\nK1,青特城业委会,业委会,C1\nK0,青特居委会,居委会,M1",
    "firms.csv": "id,name\nF1,泾华物业",
    "people.csv": "id,name,party_status,phone,tags\n"
                  f"U000003,王五{PHONE},正式党员,{STORED_PHONE},退役军人；{TAG_PHONE}；{ID_NUMBER}\n"
                  "U2,李四,群众,,",
    "relations.csv": "type,from_id,to_id,role,since,until,source\n"
                     f"覆盖,P0,M1,,,,组织部台账（联系人{SOURCE_PHONE}）\n"
                     "覆盖,P1,C1,,2021,,\n"
                     f"任职,U000003,P1,书记,2021,,街道备案{SOURCE_PHONE}\n"
                     "任职,U000003,K1,主任,2021,,\n"
                     "任职,U2,K1,委员,2021,,\n"
                     "任职,U2,P1,委员,2015,2018,\n"
                     f"派驻,U000003,C2,党建指导员,2024,,{ID_NUMBER}\n"
                     "服务,F1,C1,专业物业,2020,,\n"
                     "居住,U000003,C1,,,,\n"
                     "一肩挑,U000003,C1,,,,",
}

AS_OF = "2026-06-30"
REPORT_COMMANDS = [
    ["coverage"], ["coverage", "--level", "compound"], ["coverage", "--level", "community"], ["orphans"],
    ["show", "U000003"], ["show", "U000003", "--all"], ["show", "M1"], ["show", "C2"], ["show", "P0"],
    ["person", "U000003"], ["audit"], ["indicators"], ["trend", "--year-ends", "2024-2026"], ["cross"],
    ["parttime"], ["path", "U000003", "M1"], ["plan"], ["history"],
]
FORMATS = ["table", "csv", "json", "markdown"]


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


@pytest.fixture
def loaded(run, tmp_path):
    ledger = write_ledger_files(tmp_path / f"联系人{PHONE}", LEDGER)
    result = run("load", "--allow-id-numbers", str(ledger))
    assert result.exit_code == 0, result.output
    assert not _leaks(result.output), result.output
    return ledger


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("args", REPORT_COMMANDS, ids=lambda a: "-".join(a))
def test_every_line_of_every_report_is_masked(run, loaded, args, fmt):
    result = run(*args, "--as-of", AS_OF, "--format", fmt) if args[0] != "history" else run(*args, "--format", fmt)
    assert result.exit_code == 0, result.output
    text = result.stdout + result.stderr
    assert text.strip()
    leaked = [line for line in text.splitlines() if _leaks(line)]
    assert leaked == []
    if fmt == "json":
        json.loads(result.stdout)  # masking keeps it JSON


def test_show_heading_and_tag_line_are_masked(run, loaded):
    lines = run("show", "U000003", "--as-of", AS_OF).stdout.splitlines()
    assert lines[0] == "人员 U000003 王五138****5678"
    assert "  标签：退役军人；137****5678；110105********002X" in lines
    assert "  电话：139****1111" in lines
    person = run("person", "U000003", "--as-of", AS_OF).stdout.splitlines()
    assert person[0] == f"人员 U000003 王五138****5678（统计时点：{AS_OF}）"
    assert "  标签：退役军人；137****5678；110105********002X" in person


@pytest.mark.parametrize("args", [["audit"], ["show", "U000003"], ["person", "U000003"], ["coverage"]],
                         ids=lambda a: a[0])
def test_files_written_are_masked(run, loaded, tmp_path, args):
    from openpyxl import load_workbook

    for suffix, fmt in ((".csv", "csv"), (".md", "markdown"), (".xlsx", "xlsx"), (".json", "json")):
        out = tmp_path / f"out{suffix}"
        assert run(*args, "--as-of", AS_OF, "--format", fmt, "-o", str(out)).exit_code == 0
        if suffix == ".xlsx":
            book = load_workbook(out)
            text = "\n".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row)
        else:
            text = out.read_text("utf-8-sig")
        assert not _leaks(text), (suffix, text)


def test_load_check_and_errors_are_masked(run, loaded, tmp_path):
    ledger = write_ledger_files(tmp_path / "again", {**LEDGER, "firms.csv": f"id,name,party_members\nF1,泾华物业{PHONE},x"})
    for args in (["check", str(loaded), "--allow-id-numbers"], ["check", str(ledger), "--allow-id-numbers"],
                 ["load", str(ledger)], ["check", str(loaded)]):
        result = run(*args)
        assert not _leaks(result.output), result.output


def test_reports_are_masked(run, loaded, tmp_path):
    html = tmp_path / "report.html"
    assert run("report", "--scope", "M1", "--as-of", AS_OF, "--full", "-o", str(html)).exit_code == 0
    text = re.sub(r"<[^>]+>", "", html.read_text("utf-8"))
    assert not _leaks(text)
    docx = tmp_path / "report.docx"
    assert run("report", "--as-of", AS_OF, "--full", "-o", str(docx)).exit_code == 0
    from docx import Document

    doc = Document(docx)
    words = [p.text for p in doc.paragraphs]
    words += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert not _leaks("\n".join(words))


def test_web_pages_are_masked(loaded, db_path):
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("web_conftest", Path(__file__).parent / "web" / "conftest.py")
    web = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(web)
    client_for, make_bench = web.client_for, web.make_bench
    client = client_for(make_bench(db_path))
    for url in ["/", "/unit/M1", "/unit/C2", "/unit/C1", "/entity/U000003", "/entity/P0", "/entity/M1",
                "/person?q=王五", "/person?id=U000003", "/findings", "/orphans", "/plan",
                "/path?source=U000003&target=M1"]:
        response = client.get(url + ("&" if "?" in url else "?") + f"as_of={AS_OF}", follow_redirects=True)
        assert response.status_code == 200, (url, response.status_code)
        assert not _leaks(response.text), (url, [s for s in SECRETS if s in response.text])
