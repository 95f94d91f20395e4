"""The workbench in a real browser: Debian's Chromium driven through Selenium and
/usr/bin/chromedriver (scripts/test.sh installs both when they are missing), against
the app served by uvicorn as `govgraph serve` does."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from govgraph.cli.data_commands import demo_ledger_path

from .conftest import make_bench

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from govgraph.web.app import create_app

    bench = make_bench(tmp_path_factory.mktemp("web") / "demo.sqlite", demo_ledger_path())
    port = _free_port()
    config = uvicorn.Config(create_app(bench), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(100):
        if running.started:
            break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}", bench
    running.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        pytest.fail(f"{' and '.join(missing)} missing: run the tests with scripts/test.sh, which installs "
                    "Debian's chromium and chromium-driver")
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--lang=zh-CN"):
        options.add_argument(arg)
    options.binary_location = CHROMIUM
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    driver.downloads = downloads
    yield driver
    driver.quit()


def _wait(condition, timeout=20.0):
    end = time.time() + timeout
    while time.time() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def _image_loaded(driver, css: str) -> bool:
    return driver.execute_script(
        "const i = document.querySelector(arguments[0]); return !!i && i.complete && i.naturalWidth > 0;", css)


def test_overview_to_a_compound_and_its_chart(server, browser):
    from selenium.webdriver.common.by import By

    base, bench = server
    browser.get(base + "/")
    assert browser.title.startswith("总览")
    assert "核心指标" in browser.find_element(By.TAG_NAME, "main").text
    _wait(lambda: _image_loaded(browser, "img.chart"))
    # the page really uses the served CJK font, not a system fallback
    _wait(lambda: browser.execute_script("return document.fonts.check('16px GovgraphCJK', '总览')"))
    browser.find_element(By.LINK_TEXT, "瑞金街道").click()
    assert "街道/乡镇：瑞金街道" in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.CSS_SELECTOR, "table.grid").find_element(By.LINK_TEXT, "秣陵路社区").click()
    assert "秣陵路社区" in browser.find_element(By.TAG_NAME, "h1").text
    # the orphan compound, why it is one, and its chart
    orphans = browser.find_elements(By.XPATH, "//h2[starts-with(., '空白小区')]/following-sibling::table[1]//a")
    orphans[0].click()
    assert "为什么是空白" in browser.find_element(By.CSS_SELECTOR, ".callout").text
    crumbs = browser.find_element(By.CSS_SELECTOR, "nav.crumbs").text
    assert "瑞金街道" in crumbs and "秣陵路社区" in crumbs
    _wait(lambda: _image_loaded(browser, "img.orgchart"))


def test_as_of_control_changes_the_url(server, browser):
    from selenium.webdriver.common.by import By

    base, _ = server
    browser.get(base + "/unit/S-RJ")
    field = browser.find_element(By.NAME, "as_of")
    browser.execute_script("arguments[0].value = '2021-12-31'", field)
    browser.find_element(By.CSS_SELECTOR, "form.asof button").click()
    _wait(lambda: "as_of=2021-12-31" in browser.current_url)
    assert "/unit/S-RJ" in browser.current_url
    assert "2021-12-31" in browser.find_element(By.TAG_NAME, "footer").text


def test_chart_pdf_download(server, browser):
    from selenium.webdriver.common.by import By

    base, _ = server
    for old in browser.downloads.iterdir():
        old.unlink()
    browser.get(base + "/unit/C-HYH")
    browser.find_element(By.LINK_TEXT, "A3 PDF").click()
    pdf = _wait(lambda: next((p for p in browser.downloads.iterdir() if p.suffix == ".pdf"), None))
    assert "海悦花园" in pdf.name and "A3" in pdf.name
    _wait(lambda: pdf.stat().st_size > 1000)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_filter_the_problem_list_and_download_it(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    import openpyxl

    base, bench = server
    browser.get(base + "/")
    browser.find_element(By.LINK_TEXT, "问题清单").click()
    Select(browser.find_element(By.NAME, "severity")).select_by_visible_text("错误")
    Select(browser.find_element(By.NAME, "unit")).select_by_value("S-RJ")
    browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
    _wait(lambda: "severity=error" in browser.current_url and "unit=S-RJ" in browser.current_url)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.findings tbody tr")
    expected = [f for f in bench.latest.scoped("S-RJ", _today()).findings if f.severity == "error"]
    assert len(rows) == len(expected) > 0
    assert all("错误" in r.find_elements(By.TAG_NAME, "td")[0].text for r in rows)
    for old in browser.downloads.iterdir():
        old.unlink()
    browser.find_element(By.PARTIAL_LINK_TEXT, "下载为 Excel").click()
    path = _wait(lambda: next((p for p in browser.downloads.iterdir() if p.suffix == ".xlsx"), None))
    _wait(lambda: path.stat().st_size > 0)
    time.sleep(0.5)
    sheet = openpyxl.load_workbook(path).active
    assert sheet["B2"].value == "严重程度"
    assert [r[1] for r in sheet.iter_rows(min_row=3, values_only=True)] == ["错误"] * len(expected)


def _today():
    from govgraph.cli.options import today

    return today()


def test_upload_with_errors_then_a_good_ledger(server, browser, tmp_path):
    import shutil
    import zipfile

    from selenium.webdriver.common.by import By

    base, bench = server
    errors = Path(__file__).parent.parent / "acceptance" / "errors" / "ledger"
    bad = tmp_path / "有错误的台账.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        for p in sorted(errors.glob("*.csv")):
            archive.write(p, p.name)
    records = len(bench.records)
    browser.get(base + "/")
    browser.find_element(By.LINK_TEXT, "导入台账").click()
    browser.find_element(By.NAME, "ledger").send_keys(str(bad))
    browser.find_element(By.CSS_SELECTOR, "form.box button").click()
    _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "table.issues"))
    assert "未导入任何数据" in browser.find_element(By.CSS_SELECTOR, ".callout.error").text
    rows = browser.find_elements(By.CSS_SELECTOR, "table.issues tbody tr")
    assert len(rows) == 19
    first = [c.text for c in rows[0].find_elements(By.TAG_NAME, "td")]
    assert first[1].endswith(".csv") and first[2].isdigit() and first[5]
    assert len(bench.records) == records
    # next month's ledger: the demo with an instructor sent to the orphan 苜卫路27号
    good = tmp_path / "next"
    shutil.copytree(demo_ledger_path(), good)
    with (good / "relations.csv").open("a", encoding="utf-8") as f:
        f.write("派驻,U-FANGL,C-MW27,党建指导员,2024-01,,瑞金街道选派计划\n")
    archive_path = tmp_path / "下月台账.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        for p in sorted(good.glob("*.csv")):
            archive.write(p, p.name)
    browser.find_element(By.NAME, "ledger").send_keys(str(archive_path))
    browser.find_element(By.CSS_SELECTOR, "form.box button").click()
    _wait(lambda: browser.find_elements(By.CSS_SELECTOR, ".callout.ok"))
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "关系新增 1" in text and "苜卫路27号" in text and "改善" in text
    assert len(bench.records) == records + 1
    browser.find_element(By.LINK_TEXT, "苜卫路27号").click()
    assert "工作覆盖" in browser.find_element(By.CSS_SELECTOR, ".statusline").text


def test_an_id_number_in_the_ledger_points_to_the_check_box(server, browser, tmp_path):
    """The refusal names the upload form's check box (not a terminal option); ticking it
    and uploading again loads the ledger."""
    import shutil
    import zipfile

    from selenium.webdriver.common.by import By

    base, bench = server
    ledger = tmp_path / "ids"
    shutil.copytree(demo_ledger_path(), ledger)
    people = (ledger / "people.csv").read_text("utf-8").splitlines()
    people[1] += "身份证110101199003071233"  # in the tags column
    (ledger / "people.csv").write_text("\n".join(people) + "\n", "utf-8")
    archive_path = tmp_path / "含身份证号的台账.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        for p in sorted(ledger.glob("*.csv")):
            archive.write(p, p.name)
    browser.get(base + "/upload")
    browser.find_element(By.NAME, "ledger").send_keys(str(archive_path))
    browser.find_element(By.CSS_SELECTOR, "form.box button").click()
    _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "table.issues"))
    reason = browser.find_elements(By.CSS_SELECTOR, "table.issues tbody tr td")[5].text
    assert "勾选下方“允许台账中出现身份证号”" in reason and "--" not in reason
    assert "110101199003071233" not in browser.page_source  # the value is shown masked
    browser.save_screenshot(str(tmp_path / "upload.png"))
    box = browser.find_element(By.NAME, "allow_id_numbers")
    assert "允许台账中出现身份证号" in box.find_element(By.XPATH, "..").text
    box.click()
    browser.find_element(By.NAME, "ledger").send_keys(str(archive_path))
    browser.find_element(By.CSS_SELECTOR, "form.box button").click()
    _wait(lambda: browser.find_elements(By.CSS_SELECTOR, ".callout.ok"))
    assert "110101199003071233" not in browser.page_source


def test_choose_an_earlier_submission_in_the_header(server, browser):
    """Runs last in this module: it adds the demo's two periods to the served store (the
    latest graph stays the demo's, so nothing else would see a difference)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from govgraph.cli.data_commands import DEMO_PERIODS
    from govgraph.loading import load_ledger

    base, bench = server
    store = bench.open_store(create=True)
    try:
        for period, folder in DEMO_PERIODS:
            load_ledger(store, demo_ledger_path(folder), period=period)
    finally:
        store.close()
    bench.reload()
    earlier = bench.records[-2].seq
    browser.get(base + "/orphans")
    Select(browser.find_element(By.NAME, "load")).select_by_value(str(earlier))
    browser.find_element(By.CSS_SELECTOR, "form.asof button").click()
    _wait(lambda: f"load={earlier}" in browser.current_url)
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "苜卫路23号" in text and "苜卫路27号" not in text  # 2026Q3 (seeds/demo/README.md)
    browser.find_element(By.LINK_TEXT, "总览").click()  # the menu keeps the submission
    _wait(lambda: f"load={earlier}" in browser.current_url)
    assert f"第 {earlier} 次报送（非最新）" in browser.find_element(By.TAG_NAME, "footer").text


def test_finding_states_and_the_trend_across_submissions(server, browser):
    """After the previous test the latest submission is the demo's 2026Q4 and the one before
    it 2026Q3 (seeds/demo/README.md): 苜卫路23号's ORPHAN_COMPOUND is 已整改, 锦城苑's 持续, and
    苜卫路27号's 回潮, not 新增: this module's first submission is the demo itself, where
    苜卫路27号 was already 空白."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, bench = server
    assert bench.records[-1].period == "2026Q4" and bench.records[-2].period == "2026Q3"
    browser.get(base + "/")
    against = browser.find_element(By.CSS_SELECTOR, ".states-against").text
    assert f"对照第 {bench.records[-2].seq} 次导入（2026Q3）" in against
    _wait(lambda: _image_loaded(browser, "img.trend"))
    width = browser.execute_script("return document.querySelector('img.trend').getBoundingClientRect().width")
    assert width > 300  # shown, not a broken icon
    assert f"历次报送（共 {len(bench.records)} 次）" in browser.find_element(By.TAG_NAME, "main").text
    browser.find_element(By.CSS_SELECTOR, ".cards.states").find_element(By.PARTIAL_LINK_TEXT, "已整改").click()
    _wait(lambda: "state=" in browser.current_url)
    assert Select(browser.find_element(By.CSS_SELECTOR, "form.filters select[name=state]")).first_selected_option.text == "已整改"
    text = browser.find_element(By.CSS_SELECTOR, "table.findings").text
    assert "苜卫路23号" in text and "苜卫路27号" not in text
    Select(browser.find_element(By.CSS_SELECTOR, "form.filters select[name=state]")).select_by_visible_text("回潮")
    Select(browser.find_element(By.CSS_SELECTOR, "form.filters select[name=code]")).select_by_value("ORPHAN_COMPOUND")
    browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
    _wait(lambda: "code=ORPHAN_COMPOUND" in browser.current_url)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.findings tbody tr")
    assert [r.find_elements(By.TAG_NAME, "td")[0].text.split()[0] for r in rows] == ["回潮"]
    assert "苜卫路27号" in rows[0].text
    Select(browser.find_element(By.CSS_SELECTOR, "form.filters select[name=state]")).select_by_visible_text("持续")
    browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
    _wait(lambda: "%E6%8C%81%E7%BB%AD" in browser.current_url)  # 持续
    assert "锦城苑" in browser.find_element(By.CSS_SELECTOR, "table.findings").text
