"""The real app as a subprocess for browser tests: `streamlit run app/main.py` on a free
loopback port against a given store, waited on until healthy, always stopped afterwards."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(
    db: Path, log_path: Path, *, port: int | None = None, extra_args: Sequence[str] = ()
) -> Iterator[str]:
    """Serve the app on `db`; yields its base URL (http://127.0.0.1:PORT)."""
    port = port or free_port()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app/main.py",
             "--server.port", str(port), "--server.headless", "true",
             "--server.fileWatcherType", "none", "--client.showErrorDetails", "full",
             *extra_args],
            cwd=ROOT,
            env={**os.environ, "LABELRADAR_DB": str(db)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not become healthy: see {log_path}")
                time.sleep(0.25)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
