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
