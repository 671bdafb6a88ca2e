"""A real OpenAI-compatible server for a local checkpoint, on loopback: ``transformers serve``.

Used to exercise the ``openai`` provider against a real server and a real model without any network
(tests, ``benchmarks/real_model.py``). Needs ``fastapi`` and ``uvicorn`` (the ``dev`` extra).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from chathpc.errors import ChathpcError


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served_model(model_dir: str | Path, *, start_timeout: float = 180.0) -> Iterator[str]:
    """Serve ``model_dir`` with ``transformers serve`` on 127.0.0.1 and yield its base URL (``.../v1``);
    the server is stopped on exit. Raises ``ChathpcError`` with the server's last output if it does not come up."""
    model = str(Path(model_dir))
    program = Path(sys.executable).parent / "transformers"
    binary = str(program) if program.exists() else shutil.which("transformers")
    if binary is None:
        raise ChathpcError("transformers serve: the 'transformers' command is not installed")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/v1"
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen([binary, "serve", model, "--host", "127.0.0.1", "--port", str(port)],
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
                        if model in response.read().decode():
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    tail = " ".join(log.read().split()[-40:])
                    raise ChathpcError(f"transformers serve {model} did not come up on port {port}: {tail}")
                time.sleep(1)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
