"""Concurrent sessions against a running app, driven through Streamlit's websocket protocol.

Each simulated manager connects to /_stcore/stream like a browser, signs in through the form,
then opens every page in turn; a page's time is from the rerun request to `script_finished`.
Sessions run concurrently (asyncio), on a copy of the store with extra accounts that share
labels, so the run compares the query cache shared by label set (the product) with a cache
keyed by user (LABELRADAR_CACHE_BY_USER=1, how it was keyed before), in the same run.

    .venv/bin/python bench/load_sessions.py --db data/labelradar.duckdb --sessions 10 20

Only 127.0.0.1 is contacted; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from data import users
from data.backup import copy_store
from data.store import open_store

PAGES = ("catalog", "fans", "similar", "alerts", "budget")
PASSWORD = "bench-session-pass-91"
LABEL_SETS = (["Harbor Sound"], ["Harbor Sound", "Northern Lights Records"])
RUN_TIMEOUT = 120.0  # seconds for one rerun before the session gives up


@dataclass
class Session:
    ws: websockets.ClientConnection
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page script hash
    widgets: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> (kind, id)


async def _rerun(s: Session, *, page: str = "", states: list[WidgetState] | None = None) -> float:
    """Send one rerun and read until the script finishes; returns its seconds."""
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_script_hash = s.pages.get(page, "")
    msg.rerun_script.widget_states.widgets.extend(states or [])
    started = time.perf_counter()
    await s.ws.send(msg.SerializeToString())
    s.widgets.clear()
    while True:
        raw = await asyncio.wait_for(s.ws.recv(), RUN_TIMEOUT)
        fwd = ForwardMsg()
        fwd.ParseFromString(raw)
        kind = fwd.WhichOneof("type")
        if kind == "navigation":
            s.pages = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
        elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            element = fwd.delta.new_element
            etype = element.WhichOneof("type")
            if etype in ("text_input", "button"):
                widget = getattr(element, etype)
                s.widgets[widget.label] = (etype, widget.id)
        elif kind == "script_finished":
            return time.perf_counter() - started


async def _session(port: int, username: str, times: dict[str, list[float]]) -> None:
    uri = f"ws://127.0.0.1:{port}/_stcore/stream"
    async with websockets.connect(
        uri, subprotocols=["streamlit"], origin=f"http://127.0.0.1:{port}", max_size=2**26
    ) as ws:
        s = Session(ws)
        await _rerun(s)  # the sign-in form
        states = []
        for label, value in (("Username", username), ("Password", PASSWORD)):
            w = WidgetState(id=s.widgets[label][1], string_value=value)
            states.append(w)
        states.append(WidgetState(id=s.widgets["Sign in"][1], trigger_value=True))
        times["sign in"].append(await _rerun(s, states=states))
        await _rerun(s)  # the rerun st.rerun() asks for after signing in
        for page in PAGES:
            times[page].append(await _rerun(s, page=page))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _prepare(source: Path, root: Path, n: int) -> Path:
    db = root / "load.duckdb"
    copy_store(source, db)
    with open_store(db) as store:
        for i in range(n):
            users.add_user(
                store, f"load{i:02d}", PASSWORD, "manager", LABEL_SETS[i % 2], actor="bench"
            )
    return db


def _serve(db: Path, port: int, by_user: bool) -> subprocess.Popen:
    env = dict(os.environ, LABELRADAR_CACHE_BY_USER="1" if by_user else "0")
    cmd = [sys.executable, "-m", "app", "serve", "--db", str(db), "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the app did not start within 60 s")


def run(db: Path, n: int, by_user: bool) -> tuple[dict[str, list[float]], float, float]:
    port = _free_port()
    proc = _serve(db, port, by_user)
    times: dict[str, list[float]] = {p: [] for p in ("sign in", *PAGES)}
    try:
        cpu0, wall0 = _cpu_seconds(proc.pid), time.perf_counter()

        async def everyone() -> None:
            await asyncio.gather(*(_session(port, f"load{i:02d}", times) for i in range(n)))

        asyncio.run(asyncio.wait_for(everyone(), timeout=20 * 60))
        return times, _cpu_seconds(proc.pid) - cpu0, time.perf_counter() - wall0
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _p(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=Path("data/labelradar.duckdb"))
    ap.add_argument("--sessions", type=int, nargs="+", default=[10, 20])
    args = ap.parse_args()
    if not args.db.exists():
        sys.exit(f"no store at {args.db}: build it with `labelradar demo` and `labelradar refresh`")
    print(f"# Concurrent sessions over the websocket protocol, store {args.db}")
    print(f"machine: {os.cpu_count()} cores; every session signs in, then opens {', '.join(PAGES)}")
    print("| sessions | cache | page | p50 s | p95 s |")
    print("|---:|---|---|---:|---:|")
    summary = []
    for n in args.sessions:
        with tempfile.TemporaryDirectory() as tmp:
            db = _prepare(args.db, Path(tmp), n)
            for by_user in (True, False):
                times, cpu, wall = run(db, n, by_user)
                mode = "per user (before)" if by_user else "shared by labels"
                pages = [t for p in PAGES for t in times[p]]
                for page, values in times.items():
                    print(
                        f"| {n} | {mode} | {page} | {_p(values, 50):.2f} | {_p(values, 95):.2f} |"
                    )
                summary.append((n, mode, _p(pages, 50), _p(pages, 95), cpu, wall))
    print("\n| sessions | cache | all pages p50 s | p95 s | server CPU s | wall s |")
    print("|---:|---|---:|---:|---:|---:|")
    for n, mode, p50, p95, cpu, wall in summary:
        print(f"| {n} | {mode} | {p50:.2f} | {p95:.2f} | {cpu:.1f} | {wall:.1f} |")
    for n in args.sessions:
        before, after = [row for row in summary if row[0] == n]
        print(
            f"{n} sessions: shared caches cut page p95 {before[3] / after[3]:.1f}x and server "
            f"CPU {before[4] / after[4]:.1f}x"
        )


if __name__ == "__main__":
    main()
