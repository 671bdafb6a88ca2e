"""The review API over a real results file, with the real harness (mpicc + mpirun) behind Check."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from chathpc.cli import main
from chathpc.config import HarnessConfig, RunConfig
from chathpc.data import load_records
from chathpc.evaluate.refine import RATING_FIELDS

pytestmark = pytest.mark.mpi


def run_check(client, index: int, sample: int, program: str) -> dict:
    """Start a Check and poll it to its end, as the page does."""
    run = client.post(f"/api/items/{index}/check", json={"sample": sample, "program": program}).json()
    deadline = time.monotonic() + 120
    while run["state"] == "running":
        assert time.monotonic() < deadline, "the check did not finish"
        time.sleep(0.2)
        run = client.get(f"/api/checks/{run['id']}").json()
    return run


def test_requests_without_the_token_are_refused(review_server):
    base = f"http://{review_server.host}:{review_server.port}"
    assert review_server.host == "127.0.0.1"
    for method, path in (("GET", "/"), ("GET", "/api/items"), ("GET", "/api/items/0"), ("GET", "/static/review.js"),
                         ("POST", "/api/items/0/check"), ("POST", "/api/items/0/accept"), ("POST", "/api/items/0/reject")):
        assert httpx.request(method, base + path, json={"sample": 0, "program": "x"}).status_code == 403, path
        assert httpx.request(method, base + path, headers={"X-Review-Token": "wrong"}).status_code == 403, path
    assert httpx.get(base + "/api/items", cookies={"chathpc_review_token": review_server.token[:-1]}).status_code == 403
    page = httpx.get(review_server.url)
    assert page.status_code == 200 and "review.js" in page.text
    assert page.cookies.get("chathpc_review_token") == review_server.token  # later requests of the page carry the cookie
    assert httpx.get(base + "/api/items", cookies={"chathpc_review_token": review_server.token}).status_code == 200
    assert not (review_server.session.refine_out.exists() or review_server.session.state_file.exists())


def test_list_and_filters(client):
    listing = client.get("/api/items").json()
    assert [(i["item_id"], i["model"], i["verdicts"], i["status"]) for i in listing["items"]] == [
        ("asum", "sequential", ["not_mpi"], "unreviewed"), ("copy", "sequential", ["not_mpi"], "unreviewed")]
    assert listing["filters"]["verdict"] == ["not_mpi"] and listing["filters"]["model"] == ["sequential"]
    assert listing["filters"]["domain"] == ["blas"] and listing["filters"]["status"] == ["unreviewed", "accepted", "rejected", "rated"]
    assert len(client.get("/api/items", params={"verdict": "not_mpi", "domain": "blas", "model": "sequential"}).json()["items"]) == 2
    assert client.get("/api/items", params={"verdict": "pass"}).json()["items"] == []
    assert client.get("/api/items", params={"model": "reference"}).json()["items"] == []
    assert client.get("/api/items", params={"target": "openmp"}).json()["items"] == []
    assert client.post("/api/items/1/reject", json={"reason": "not worth correcting"}).json() == {"status": "rejected"}
    assert [i["item_id"] for i in client.get("/api/items", params={"status": "rejected"}).json()["items"]] == ["copy"]
    assert [i["item_id"] for i in client.get("/api/items", params={"status": "unreviewed"}).json()["items"]] == ["asum"]


def test_item_view_shows_the_sequential_program_and_the_candidate(client, sequential_results):
    from chathpc.evaluate.results import read_results
    from chathpc.tasks import load_suite

    item = client.get("/api/items/0").json()
    line = read_results(sequential_results).lines[0]
    task = next(t for t in load_suite() if t.id == "asum")
    assert item["item_id"] == "asum" and item["domain"] == "blas" and item["sequential"] == task.seq_source
    assert 'class="hl"' in item["sequential_html"] and "main" in item["sequential_html"]
    [candidate] = item["candidates"]
    assert candidate["code"] == line.code and candidate["verdict"] == "not_mpi"
    assert candidate["check"]["summary"].startswith("not_mpi") and "MPI_Init" in candidate["check"]["detail"]
    assert item["settings"]["ranks"] == [1, 2] and [f["key"] for f in item["rating_fields"]] == [k for k, _ in RATING_FIELDS]
    assert client.get("/api/items/7").status_code == 404


def test_check_then_accept_appends_a_refinement_record_train_can_load(client, review_server, expert_program, tmp_path):
    run = run_check(client, 0, 0, expert_program)
    assert run["state"] == "done" and run["result"]["verdict"] == "pass" and run["result"]["runs"] == 6  # 3 argument sets x 2 ranks
    accepted = client.post("/api/items/0/accept", json={"sample": 0, "program": expert_program})
    assert accepted.status_code == 200
    [record] = load_records(review_server.session.refine_out)
    assert record.id == "asum" and record.answer == f"```c\n{expert_program.rstrip()}\n```"
    refine = record.metadata["refine"]
    assert refine["provider"] == "sequential" and refine["verdict"] == "not_mpi" and refine["check_verdict"] == "pass"
    assert refine["reviewer"] == "expert" and refine["edited"] is True and refine["check_sha256"] == run["result"]["check_sha256"]
    assert record.metadata["task"] == "asum"
    assert client.get("/api/items", params={"status": "accepted"}).json()["items"][0]["item_id"] == "asum"
    # the loop closes: `chathpc data validate` and train's data loader take the file
    assert main(["data", "validate", str(review_server.session.refine_out)]) == 0
    from chathpc.train.plan import training_records

    config = RunConfig.model_validate({"data": {"refine_file": str(review_server.session.refine_out)}})
    train, _, fingerprints = training_records(config, with_eval=False)
    assert train[-1][1] == record and fingerprints[-1].role == "refine"


def test_a_wrong_edit_cannot_be_accepted(client, review_server, expert_program):
    assert "MPI_SUM" in expert_program
    wrong = expert_program.replace("MPI_SUM", "MPI_MAX")  # compiles and runs; wrong at 2 ranks
    refused = client.post("/api/items/0/accept", json={"sample": 0, "program": wrong})
    assert refused.status_code == 409 and "not been checked" in refused.json()["error"]
    run = run_check(client, 0, 0, wrong)
    assert run["result"]["verdict"] == "wrong_output" and run["result"]["mismatch"]["ranks"] == 2
    refused = client.post("/api/items/0/accept", json={"sample": 0, "program": wrong})
    assert refused.status_code == 409 and "did not pass (wrong_output)" in refused.json()["error"]
    # a passing program changed after its check is another program
    assert run_check(client, 0, 0, expert_program)["result"]["passed"]
    assert client.post("/api/items/0/accept", json={"sample": 0, "program": expert_program + "\n/* edited */\n"}).status_code == 409
    assert client.post("/api/items/0/accept", json={"sample": 0, "program": "int main(void) { return 0; }"}).status_code == 409
    assert not review_server.session.refine_out.exists()
    # the candidate as the results file checked it (not_mpi) cannot be accepted either
    original = client.get("/api/items/0").json()["candidates"][0]["code"]
    assert client.post("/api/items/0/accept", json={"sample": 0, "program": original}).status_code == 409


def test_a_build_error_shows_the_compiler_errors(client):
    run = run_check(client, 0, 0, "#include <mpi.h>\nint main(int argc, char **argv) { MPI_Init(&argc, &argv); undefined_call(); }\n")
    assert run["result"]["verdict"] == "build_error" and "undefined_call" in run["result"]["build_log"]


def test_rate_stores_the_rating_fields_without_editing(client, review_server):
    rated = client.post("/api/items/1/rate", json={"sample": 0, "ratings": {"correctness": 1, "performance": "0", "style": 3, "notes": "serial"}})
    assert rated.status_code == 200 and rated.json()["status"] == "rated"
    state = json.loads(review_server.session.state_file.read_text())
    assert {k: v for k, v in state["items"]["sequential|copy"]["ratings"]["0"].items() if k != "at"} == {
        "correctness": 1, "performance": 0, "style": 3, "notes": "serial", "by": "expert"}
    bad = client.post("/api/items/1/rate", json={"sample": 0, "ratings": {"correctness": 6}})
    assert bad.status_code == 409 and "0 to 5" in bad.json()["error"]
    assert client.post("/api/items/1/rate", json={"sample": 3, "ratings": {}}).status_code == 409  # no such sample
    assert json.loads(review_server.session.state_file.read_text()) == state
    assert not review_server.session.refine_out.exists()  # rating writes no training data


def test_decisions_survive_a_restart(sequential_results, expert_program, tmp_path):
    from chathpc.review import ReviewSession

    out = tmp_path / "refine.jsonl"
    session = ReviewSession([sequential_results], out, harness=HarnessConfig(ranks=[1, 2]), reviewer="expert")
    copy_program = session.items[1].first.record.answer
    session.close()
    from chathpc.extract import extract_code

    for index, program in ((0, expert_program), (1, extract_code(copy_program))):
        session = ReviewSession([sequential_results], out, harness=HarnessConfig(ranks=[1, 2]), reviewer="expert")
        run = session.start_check(index, 0, program)
        deadline = time.monotonic() + 120
        while run.state == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert run.state == "done" and run.result.passed
        session.accept(index, 0, program)
        session.close()
    session = ReviewSession([sequential_results], out, harness=HarnessConfig(ranks=[1, 2]))
    assert [session.status(item) for item in session.items] == ["accepted", "accepted"]
    assert [r.id for r in load_records(out)] == ["asum", "copy"]  # the second accept appended, the first kept
    session.reject(0)
    assert [r.id for r in load_records(out)] == ["copy"]  # rejecting withdraws the accepted answer
    session.close()


def test_checks_repeat_the_settings_the_results_record(reference_results, tmp_path):
    from chathpc.review import ReviewSession

    session = ReviewSession([reference_results], tmp_path / "r.jsonl", harness=HarnessConfig(ranks=[1, 2, 3, 4]))
    assert session.settings.harness.ranks == [1, 2] and session.settings.recorded == ["ranks"]
    assert not session.settings.harness.explore and not session.settings.perf
    session.close()


def test_the_verb_refuses_bad_input_with_one_line(tmp_path, sequential_results, capsys):
    assert main(["review", str(tmp_path / "missing.jsonl")]) == 2
    assert "results file not found" in capsys.readouterr().err
    assert main(["review", str(sequential_results), "--port", "70000"]) == 2
    assert main(["review", str(sequential_results), "--refine-out", str(sequential_results)]) == 2
    assert "must not be a results file" in capsys.readouterr().err


def test_the_verb_serves_until_interrupted(sequential_results, tmp_path):
    import os
    import re
    import signal
    import subprocess
    import sys
    from pathlib import Path

    import chathpc

    out = tmp_path / "refine.jsonl"
    env = {**os.environ, "PYTHONPATH": str(Path(chathpc.__file__).parents[1])}  # this checkout's sources
    process = subprocess.Popen([sys.executable, "-m", "chathpc", "review", str(sequential_results), "--port", "0", "--refine-out", str(out),
                                "--set", "harness.ranks=1,2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert "2 item(s)" in process.stdout.readline()
        url = re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+)", process.stdout.readline()).group(1)
        deadline = time.monotonic() + 30
        while True:
            try:
                page = httpx.get(url)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert page.status_code == 200 and httpx.get(url.split("?")[0]).status_code == 403
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "stopped" in err and not out.exists()  # nothing decided, nothing written
