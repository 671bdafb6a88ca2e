"""The review web app (FastAPI): a page and a JSON API over a ``ReviewSession``, behind a per-run token.

Every request needs the token: ``?token=...`` in the URL (the first page load; the response sets it as
a same-site cookie), the ``X-Review-Token`` header, or that cookie. Without it: 403. Code is highlighted
on the server with Pygments; the page is one static HTML file and one hand-written script, served
from the package (no network, no build step).
"""

from __future__ import annotations

import secrets
import socket
import threading
from pathlib import Path
from typing import Any

from chathpc.errors import ChathpcError
from chathpc.harness.results import CheckResult, RunResult, Verdict
from chathpc.evaluate.refine import RATING_FIELDS
from chathpc.review.session import CheckRun, ReviewItem, ReviewSession, check_hash

STATIC = Path(__file__).with_name("static")
TOKEN_COOKIE = "chathpc_review_token"
TOKEN_HEADER = "X-Review-Token"
LEXERS = {"c": "c", "cxx": "cpp", "fortran": "fortran"}
SHOWN_OUTPUT_LINES = 3  # candidate output lines shown around the first mismatch


def new_token() -> str:
    """A fresh random token for one server run."""
    return secrets.token_urlsafe(24)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def highlight(code: str, language: str) -> str:
    """``code`` as highlighted HTML with line numbers (Pygments, CSS class ``hl``)."""
    from pygments import highlight as render
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name

    return render(code, get_lexer_by_name(LEXERS.get(language, "c")), HtmlFormatter(cssclass="hl", linenos="inline"))


def highlight_css() -> str:
    """The Pygments style of the highlighted code."""
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(cssclass="hl").get_style_defs(".hl")


def _mismatch(run: RunResult | None) -> dict[str, Any] | None:
    """The first mismatch of a failing run and the candidate's output lines around it."""
    if run is None or run.mismatch is None:
        return None
    lines = run.stdout.splitlines()
    start = max(0, run.mismatch.line - 1 - SHOWN_OUTPUT_LINES // 2)
    return {"ranks": run.ranks, "args": run.args, "describe": run.mismatch.describe(), "line": run.mismatch.line,
            "expected": run.mismatch.expected, "actual": run.mismatch.actual,
            "output": [{"line": start + i + 1, "text": text} for i, text in enumerate(lines[start:start + SHOWN_OUTPUT_LINES])]}


def _performance(result: CheckResult) -> list[dict[str, Any]]:
    """Per timed rank count: seconds, speedup, efficiency, largest memory of a rank, bytes all ranks sent."""
    if result.perf is None:
        return []
    return [{"ranks": t.ranks, "seconds": t.seconds, "speedup": t.speedup, "efficiency": t.efficiency, "memory_mib": t.max_rss_mib,
             "bytes_sent": sum(c.p2p_bytes + c.collective_bytes for c in t.comm) if t.comm else None} for t in result.perf.timings]


def result_view(result: CheckResult) -> dict[str, Any]:
    """What the page shows of a check: verdict, one-line summary and diagnosis, mismatch, compiler errors, timing."""
    failure = result.first_failure()
    return {
        "verdict": result.verdict.value, "passed": result.passed, "summary": result.summary(), "diagnosis": result.diagnosis,
        "detail": result.detail, "feedback": result.feedback(),
        "build_log": result.build_log if result.verdict == Verdict.BUILD_ERROR else "",
        "mismatch": _mismatch(failure), "perf": _performance(result),
        "perf_error": result.perf.error if result.perf is not None else None,
        "runs": len(result.runs), "isolation": result.isolation, "check_sha256": check_hash(result),
    }


def item_view(session: ReviewSession, item: ReviewItem) -> dict[str, Any]:
    """Everything the item page shows."""
    state = session.item_state(item)
    ratings = state.get("ratings", {})
    candidates = []
    for line in item.lines:
        code = line.code or ""
        result = CheckResult.model_validate(line.check) if line.check is not None else None
        candidates.append({
            "sample": line.sample, "verdict": line.verdict, "passed": line.passed, "code": code,
            "code_html": highlight(code, item.language) if code else "", "raw_output": line.raw_output if not code else "",
            "feedback": line.feedback, "check": result_view(result) if result is not None else None,
            "speedup": line.speedup, "efficiency": line.efficiency, "memory_mib": line.memory_mib,
            "rating": ratings.get(str(line.sample)),
        })
    sequential = item.check.sequential or ""
    return {
        "index": item.index, "item_id": item.first.item_id, "model": item.first.provider, "domain": item.first.domain,
        "target": item.target, "task": item.first.task, "status": session.status(item), "language": item.language,
        "question": item.first.record.question, "sequential": sequential,
        "sequential_html": highlight(sequential, item.language) if sequential else "",
        "candidates": candidates, "state": state, "settings": session.settings.describe(),
        "rating_fields": [{"key": key, "label": label} for key, label in RATING_FIELDS],
    }


def check_view(run: CheckRun) -> dict[str, Any]:
    """A started check: running, or its result (or the error that stopped it)."""
    view: dict[str, Any] = {"id": run.id, "item": run.item, "sample": run.sample, "state": run.state,
                            "program_sha256": run.program_sha256, "error": run.error}
    if run.result is not None:
        view["result"] = result_view(run.result)
    return view


def create_app(session: ReviewSession, token: str):
    """The FastAPI app over ``session``; every request must carry ``token``."""
    from fastapi import Body, FastAPI, HTTPException, Request
    from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response

    app = FastAPI(title="chathpc review", docs_url=None, redoc_url=None, openapi_url=None)
    css = highlight_css()

    @app.middleware("http")
    async def require_token(request: Request, call_next):
        given = request.query_params.get("token") or request.headers.get(TOKEN_HEADER) or request.cookies.get(TOKEN_COOKIE) or ""
        if not secrets.compare_digest(given.encode(), token.encode()):
            return PlainTextResponse("403: this review server needs its token (the URL it printed at start)", status_code=403)
        response = await call_next(request)
        if request.query_params.get("token"):
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return response

    @app.exception_handler(ChathpcError)
    async def chathpc_error(request: Request, exc: ChathpcError):
        return JSONResponse({"error": str(exc)}, status_code=409)

    def item_or_404(index: int) -> ReviewItem:
        try:
            return session.item(index)
        except KeyError:
            raise HTTPException(404, f"no item {index}") from None

    @app.get("/")
    def page() -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    @app.get("/static/highlight.css")
    def highlight_style() -> Response:
        return Response(css, media_type="text/css")

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        path = STATIC / name
        if name not in {p.name for p in STATIC.iterdir()}:
            raise HTTPException(404, f"no file {name}")
        return FileResponse(path)

    @app.get("/api/items")
    def items(verdict: str | None = None, domain: str | None = None, target: str | None = None, model: str | None = None,
              status: str | None = None) -> dict[str, Any]:
        return {"items": session.listing(verdict=verdict, domain=domain, target=target, model=model, status=status),
                "filters": session.filters(), "results": session.results, "refine_out": str(session.refine_out),
                "state_file": str(session.state_file), "reviewer": session.reviewer, "settings": session.settings.describe()}

    @app.get("/api/items/{index}")
    def item(index: int) -> dict[str, Any]:
        return item_view(session, item_or_404(index))

    @app.post("/api/items/{index}/check")
    def check(index: int, sample: int = Body(...), program: str = Body(...)) -> dict[str, Any]:
        item_or_404(index)
        return check_view(session.start_check(index, sample, program))

    @app.get("/api/checks/{check_id}")
    def check_state(check_id: str) -> dict[str, Any]:
        run = session.checks.get(check_id)
        if run is None:
            raise HTTPException(404, f"no check {check_id}")
        return check_view(run)

    @app.post("/api/items/{index}/accept")
    def accept(index: int, sample: int = Body(...), program: str = Body(...)) -> dict[str, Any]:
        item_or_404(index)
        record = session.accept(index, sample, program)
        return {"status": "accepted", "record": record.to_dict(), "refine_out": str(session.refine_out)}

    @app.post("/api/items/{index}/rate")
    def rate(index: int, sample: int = Body(...), ratings: dict[str, Any] = Body(...)) -> dict[str, Any]:
        item_or_404(index)
        return {"rating": session.rate(index, sample, ratings), "status": session.status(session.item(index))}

    @app.post("/api/items/{index}/reject")
    def reject(index: int, reason: str = Body("", embed=True)) -> dict[str, Any]:
        item_or_404(index)
        session.reject(index, reason)
        return {"status": "rejected"}

    return app


class ReviewServer:
    """The app served by uvicorn in a background thread (``start``/``stop``), or in the foreground (``run``)."""

    def __init__(self, session: ReviewSession, *, host: str = "127.0.0.1", port: int = 0, token: str | None = None) -> None:
        import uvicorn

        self.session = session
        self.host = host
        self.port = port or free_port(host)
        self.token = token or new_token()
        config = uvicorn.Config(create_app(session, self.token), host=self.host, port=self.port, log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The page's address with the token."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/?token={self.token}"

    def run(self) -> None:
        """Serve until interrupted (Ctrl-C)."""
        try:
            self.server.run()
        finally:
            self.session.close()

    def start(self, timeout: float = 20.0) -> "ReviewServer":
        """Serve in a background thread; returns once the server accepts connections."""
        import time

        self._thread = threading.Thread(target=self.server.run, name="chathpc-review-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise ChathpcError(f"the review server did not start on {self.host}:{self.port}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.session.close()
