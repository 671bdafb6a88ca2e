"""A real browser (Debian's chromium, headless, through Selenium and Debian's chromedriver) drives the page:
open an item whose candidate fails, edit it into the expert solution, Check it, Accept it."""

from __future__ import annotations

import os
import shutil

import pytest

from chathpc.data import load_records
from chathpc.review.session import sha256_text

pytestmark = [pytest.mark.slow, pytest.mark.mpi]

CHROMEDRIVER = "/usr/bin/chromedriver"


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def browser(monkeypatch):
    """Headless chromium through /usr/bin/chromedriver (Selenium Manager never runs: no downloads)."""
    if chromium_binary() is None or not os.path.exists(CHROMEDRIVER):
        pytest.skip("chromium and chromium-driver are not installed (scripts/setup.sh installs them as root)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium_binary()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1600,1100"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def test_edit_check_accept_in_the_browser(browser, review_server, expert_program):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 30)
    browser.get(review_server.url)
    wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, 'a.item-link[data-index="0"]'))).click()
    editor = wait.until(ready.presence_of_element_located((By.ID, "editor-0")))
    candidate = browser.find_element(By.CSS_SELECTOR, 'section.candidate[data-sample="0"]')
    assert candidate.find_element(By.CSS_SELECTOR, ".verdict").get_attribute("data-verdict") == "not_mpi"
    assert "Sequential program" in browser.find_element(By.CSS_SELECTOR, "section.sequential").text
    accept = browser.find_element(By.ID, "accept-0")
    assert not accept.is_enabled()  # a not_mpi candidate cannot be accepted as it stands

    editor.clear()
    editor.send_keys(expert_program)
    assert editor.get_attribute("value") == expert_program
    browser.find_element(By.ID, "check-0").click()
    done = WebDriverWait(browser, 180).until(ready.presence_of_element_located((By.CSS_SELECTOR, '#check-result-0 [data-state="done"]')))
    assert done.find_element(By.CSS_SELECTOR, ".verdict").get_attribute("data-verdict") == "pass"
    assert not review_server.session.refine_out.exists()  # checking writes nothing

    wait.until(ready.element_to_be_clickable((By.ID, "accept-0"))).click()
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, '#accept-result-0[data-state="accepted"]')))
    records = load_records(review_server.session.refine_out)
    assert len(records) == 1
    [record] = records
    assert record.id == "asum" and record.answer == f"```c\n{expert_program.rstrip()}\n```"
    assert record.metadata["refine"]["check_verdict"] == "pass" and record.metadata["refine"]["reviewer"] == "expert"
    assert record.metadata["refine"]["program_sha256"] == sha256_text(expert_program)
    wait.until(ready.text_to_be_present_in_element((By.ID, "item-status"), "accepted"))
