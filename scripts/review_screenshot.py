"""Regenerate docs/review.png: the review page's item view with a candidate edited and checked.

    python scripts/review_screenshot.py [OUT.png]

Runs the sequential baseline on the first held-out item (asum) with --perf, serves `chathpc review` over
it on a free loopback port, and drives Debian's headless chromium (through /usr/bin/chromedriver) to
edit the not_mpi candidate into the expert solution and Check it (timed, so the timing table shows).
Needs mpicc/mpirun, chromium, chromium-driver and selenium (the dev extra).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path


def main(out: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    from chathpc.extract import extract_code
    from chathpc.config import RunConfig
    from chathpc.evaluate.runner import dataset_records, run_evaluation
    from chathpc.review import ReviewSession
    from chathpc.review.app import ReviewServer

    work = Path(tempfile.mkdtemp(prefix="chathpc-review-shot-"))
    config = RunConfig.model_validate({"harness": {"ranks": [1, 2, 3, 4], "perf_ranks": [1, 2], "perf_repeats": 3}})
    records = dataset_records(None, config, "test")[:1]
    results = work / "sequential.jsonl"
    run_evaluation(records, config, results, provider_spec="sequential", perf=True, progress=False)
    server = ReviewServer(ReviewSession([results], work / "refine.jsonl", harness=config.harness, reviewer="expert")).start()
    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1700,1250",
                 "--hide-scrollbars"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    try:
        wait = WebDriverWait(driver, 300)
        driver.get(server.url)
        wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, 'a.item-link[data-index="0"]'))).click()
        editor = wait.until(ready.presence_of_element_located((By.ID, "editor-0")))
        editor.clear()
        editor.send_keys(extract_code(records[0].answer))
        driver.find_element(By.ID, "check-0").click()
        wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, '#check-result-0 [data-state="done"]')))
        driver.execute_script("document.getElementById('check-0').scrollIntoView({block: 'start'}); window.scrollBy(0, -260);")
        driver.save_screenshot(str(out))
    finally:
        driver.quit()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "docs" / "review.png")
