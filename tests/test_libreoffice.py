"""LibreOffice opens the template and the exports (issue 9): each converts to a PDF, and a
workbook LibreOffice opened and saved again still loads to the same graph (what a worker
without Excel does). scripts/test.sh installs LibreOffice (Calc, no GUI) when missing;
without it these tests fail, saying so (a skip would hide that nothing was checked)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from govgraph.ledger import read_ledger, write_ledger
from govgraph.ledger.roster_write import write_roster
from govgraph.ledger.workbook import write_template

from conftest import ACCEPTANCE

SOFFICE = shutil.which("soffice")


@pytest.fixture(autouse=True)
def _soffice():
    if SOFFICE is None:
        pytest.fail("LibreOffice (soffice) is not installed: run the tests with scripts/test.sh, which installs it")
DAY = date(2026, 6, 30)


def _convert(path, to: str, out_dir, profile):
    """`soffice --headless --convert-to` in its own profile (parallel runs do not share one)."""
    done = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", to,
                           "--outdir", str(out_dir), str(path)], capture_output=True, text=True, timeout=180)
    made = out_dir / f"{path.stem}.{to.split(':')[0]}"
    assert done.returncode == 0 and made.exists(), done.stderr
    return made


def _pdf_pages(pdf) -> int:
    return len([m for m in pdf.read_bytes().split(b"/Type") if m.lstrip().startswith(b"/Page") and
                not m.lstrip().startswith(b"/Pages")])


def test_libreoffice_opens_the_templates_and_the_exports(tmp_path):
    books = [write_template(tmp_path / "台账模板.xlsx"), write_template(tmp_path / "一表通模板.xlsx", roster=True)]
    data = read_ledger(ACCEPTANCE / "roster" / "with_sheets").data
    books.append(write_ledger(data, tmp_path / "台账导出.xlsx"))
    books.append(write_roster(data, tmp_path / "一表通导出.xlsx", DAY).path)
    out = tmp_path / "pdf"
    out.mkdir()
    for book in books:
        assert _pdf_pages(_convert(book, "pdf", out, tmp_path / "profile")) >= 1


@pytest.mark.parametrize("roster", [False, True])
def test_an_export_saved_again_by_libreoffice_loads_to_the_same_graph(tmp_path, roster):
    source = ACCEPTANCE / "roster" / ("ledger/一表通.csv" if roster else "with_sheets")
    data = read_ledger(source).data
    book = write_roster(data, tmp_path / "a.xlsx", DAY).path if roster else write_ledger(data, tmp_path / "a.xlsx")
    out = tmp_path / "saved"
    out.mkdir()
    saved = _convert(book, "xlsx:Calc MS Excel 2007 XML", out, tmp_path / "profile")
    assert read_ledger(saved).data.same_content(data)
