"""Every `labelradar ... --json` answer on the tiny demo store (seed 0), against a recording.

The recording (`golden/cli_tiny_seed0.json`) was made before the codebase was reorganised into
one place per feature; a refactor must not change any answer. Values that differ between runs
by nature (timestamps, durations, paths of the temporary store) are masked, floats compare to
a relative 1e-9. To re-record after a deliberate change of behaviour:

    LABELRADAR_RECORD_GOLDEN=1 .venv/bin/python -m pytest tests/app/test_cli_golden.py
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

from app.cli import main

GOLDEN = Path(__file__).with_name("golden") / "cli_tiny_seed0.json"
# schema_version moves with every migration; it is not an answer of the analytics.
VOLATILE = {
    "schema_version",
    "seconds",
    "db",
    "db_path",
    "files_dir",
    "ground_truth_dir",
    "file",
    "path",
}
MASK = "<volatile>"
# The batch jobs the recording knows; a job of a feature registered after it (recommend,
# forecast) is left out of the refresh answer here and checked by its feature's own tests.
RECORDED_JOBS = ("fans", "similar", "alerts", "budget")

ARTIST, ISRC = "ART0000", "BRLR22100043"
# Run in this order on one store; each answer is recorded under its command line.
COMMANDS: list[list[str]] = [
    ["demo", "--size", "tiny", "--seed", "0"],
    ["refresh"],
    ["info"],
    ["users", "list"],
    ["fans", "--artist", ARTIST],
    ["similar", "--artist", ARTIST, "--top", "5"],
    ["potential", "--artist", ARTIST],
    ["detect"],
    ["detect", "--since", "2026-09-01"],
    ["budget", "--isrc", ISRC, "--goal", "expand"],
    ["budget", "--isrc", ISRC, "--goal", "sustain"],
    ["approvers", "list"],
    ["refresh", "--only", "fans", "--fans-window", "60"],
    ["fans", "--artist", "ART0004"],
]


def _mask(value: Any, key: str = "") -> Any:
    if key in VOLATILE or key.endswith(("_at", "_seconds", "seconds_total")):
        return MASK
    if isinstance(value, dict):
        return {k: _mask(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def _same(a: Any, b: Any, where: str) -> None:
    if isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, int | float) and isinstance(b, int | float), where
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), f"{where}: {a} != {b}"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), f"{where}: keys {list(a)} != {list(b)}"
        for k in a:
            _same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{where}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def _answers(db: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    out = {}
    for command in COMMANDS:
        capsys.readouterr()
        code = main([*command, "--db", str(db), "--json"])
        text = capsys.readouterr().out
        assert code == 0, f"{' '.join(command)} exited {code}"
        answer = json.loads(text)
        if command[0] == "refresh":
            answer["jobs"] = [j for j in answer["jobs"] if j["job"] in RECORDED_JOBS]
        out[" ".join(command)] = _mask(answer)
    return out


def test_cli_json_answers_match_the_recording(tmp_path: Path, capsys) -> None:
    answers = _answers(tmp_path / "golden.duckdb", capsys)
    if os.environ.get("LABELRADAR_RECORD_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(answers, indent=1, ensure_ascii=False) + "\n")
    recorded = json.loads(GOLDEN.read_text())
    assert list(answers) == list(recorded)
    for command, answer in answers.items():
        _same(answer, recorded[command], command)
