"""The `labelradar` command line: exit codes, one-line errors, --json, progress-free pipes."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from app.cli import main
from data.state import STATE_URL_ENV


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    db = tmp_path_factory.mktemp("cli") / "store.duckdb"
    assert main(["demo", "--size", "tiny", "--seed", "2", "--db", str(db), "--json"]) == 0
    return db


def test_demo_builds_and_reports_json(built, capsys):
    assert main(["info", "--db", str(built), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["synthetic"] is True
    assert info["rows"]["trend_facts"] > 10_000
    assert len(info["labels"]) == 2


def test_demo_refuses_to_overwrite_without_force(built, capsys):
    assert main(["demo", "--size", "tiny", "--db", str(built)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("labelradar: error:") and "--force" in err[0]
    assert main(["demo", "--size", "tiny", "--db", str(built), "--if-missing"]) == 0


@pytest.mark.parametrize("command", [["demo", "--force"], ["demo", "--real"], ["init"]])
def test_a_folder_given_as_the_store_is_refused_before_anything_is_built(tmp_path, capsys, command):
    folder = tmp_path / "stores"
    folder.mkdir()
    assert main([*command, "--db", str(folder)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"labelradar: error: {folder} is a folder: --db takes the store's file path, e.g. "
        f"{folder / 'labelradar.duckdb'}"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stores"]  # no .building, no state
    assert list(folder.iterdir()) == []


def test_a_failed_demo_build_leaves_no_partial_store(tmp_path, capsys, monkeypatch):
    from data import ingest

    def broken(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(ingest, "load_campaigns", broken)
    db = tmp_path / "demo.duckdb"
    assert main(["demo", "--size", "tiny", "--db", str(db)]) == 1
    assert "disk full (simulated)" in capsys.readouterr().err
    assert not db.exists()
    assert not [p.name for p in tmp_path.iterdir() if ".building" in p.name]


def test_users_add_list_and_errors(built, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-password\n"))
    assert (
        main(
            [
                "users",
                "add",
                "zed",
                "--role",
                "viewer",
                "--labels",
                "Harbor Sound",
                "--password-stdin",
                "--db",
                str(built),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["users", "list", "--json", "--db", str(built)]) == 0
    listed = {u["username"]: u for u in json.loads(capsys.readouterr().out)["users"]}
    assert listed["zed"]["role"] == "viewer" and listed["zed"]["labels"] == "Harbor Sound"
    with pytest.raises(SystemExit) as bad_role:  # argparse refuses a role outside the list
        main(["users", "set-role", "zed", "--role", "boss", "--db", str(built)])
    assert bad_role.value.code == 2
    capsys.readouterr()
    assert main(["users", "set-role", "nobody", "--role", "viewer", "--db", str(built)]) == 1
    assert capsys.readouterr().err.startswith("labelradar: error: no user 'nobody'")
    assert main(["users", "add", "--db", str(built)]) == 1
    assert "needs a USERNAME" in capsys.readouterr().err


def test_users_labels_must_be_the_catalogs(built, capsys, monkeypatch):
    """A mistyped label would give the account access to nothing, silently."""

    def add(name: str, labels: str, *extra: str) -> int:
        monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-password\n"))
        return main(
            ["users", "add", name, "--role", "viewer", "--labels", labels, "--password-stdin"]
            + ["--db", str(built), "--json", *extra]
        )

    assert add("typo", "Harbr Sound") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("labelradar: error: no label 'Harbr Sound' in ")
    assert "Harbor Sound" in err[0] and "--new-label" in err[0]
    assert add("case", "harbor sound") == 1
    assert "did you mean 'Harbor Sound'?" in capsys.readouterr().err
    assert add("soon", "Label To Come", "--new-label") == 0
    assert json.loads(capsys.readouterr().out)["labels"] == ["Label To Come"]
    assert add("nfd", "Harbor Sound") == 0
    capsys.readouterr()
    assert main(["users", "set-labels", "nfd", "--labels", "Nope", "--db", str(built)]) == 1
    assert "no label 'Nope'" in capsys.readouterr().err
    assert main(["users", "list", "--json", "--db", str(built)]) == 0
    listed = {u["username"] for u in json.loads(capsys.readouterr().out)["users"]}
    assert {"typo", "case"}.isdisjoint(listed) and {"soon", "nfd"} <= listed


def test_a_label_typed_with_its_accents_encoded_apart_is_the_catalogs(
    mini_db_copy, tmp_path, capsys, monkeypatch
):
    import unicodedata

    label = "Sol Mayor M\u00fasica"  # composed, as the catalog file spells it
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(
        "isrc,track_title,artist_id,artist_name,label,genre,release_date\n"
        f"QZS000000001,Uno,sol-1,Sol,{label},latin,2026-01-01\n",
        encoding="utf-8",
    )
    assert main(["catalog", str(catalog), "--db", str(mini_db_copy)]) == 0
    typed = unicodedata.normalize("NFD", label)  # u + combining accent, as some keyboards send
    assert typed != label
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-password\n"))
    capsys.readouterr()
    argv = ["users", "add", "sol", "--role", "viewer", "--labels", typed, "--password-stdin"]
    assert main([*argv, "--db", str(mini_db_copy), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["labels"] == [label]


def test_bad_file_exits_nonzero_with_reason(built, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "date,dsp,isrc,country,age_band,gender,subscription,device,os,source,streams\n"
        "2026-01-01,spotify,NOTANISRC,US,18-24,female,premium,mobile,ios,search,3\n"
    )
    assert main(["ingest", str(bad), "--db", str(built)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("labelradar: error:") and "bad.csv" in err[0]
    assert any("isrc" in line for line in err[1:])
    assert main(["ingest", str(tmp_path / "missing.csv"), "--db", str(built)]) == 1
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command", ["demo", "catalog", "ingest", "campaigns", "users", "refresh", "info", "serve"]
)
def test_every_subcommand_has_help(command):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0


def test_python_dash_m_app_is_the_cli():
    out = subprocess.run(
        [sys.executable, "-m", "app", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "labelradar" in out and "ingest" in out


def test_multi_file_ingest_refreshes_aggregates_once_and_correctly(tmp_path, capsys):
    from data import aggregates
    from data.store import open_store
    from data.synth import SynthConfig, build_world, write_files

    files = write_files(
        build_world(SynthConfig.preset("tiny", listeners=300), 5), tmp_path / "files"
    )
    db = str(tmp_path / "s.duckdb")
    assert main(["init", "--db", db]) == 0
    assert main(["catalog", str(files.catalog), "--db", db]) == 0
    assert main(["ingest", *map(str, files.trend_reports), "--db", db]) == 0
    capsys.readouterr()
    with open_store(db) as s:
        cur = s.cursor()
        assert cur.execute("SELECT count(*) FROM aggregate_backlog").fetchone()[0] == 0
        got = sorted(cur.execute("SELECT * FROM agg_daily").fetchall())
        aggregates.refresh_all(cur)
        assert got == sorted(cur.execute("SELECT * FROM agg_daily").fetchall())
        assert len(got) > 1000


def test_refresh_runs_every_job_and_records_runs(built, capsys):
    from app.jobs import load_jobs
    from data.results import runs as model_runs
    from data.store import open_store

    assert main(["refresh", "--db", str(built), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["aggregates"] is True
    assert [r["job"] for r in out["jobs"]] == list(load_jobs())
    with open_store(built, read_only=True) as store:
        for name in load_jobs():
            run = model_runs.latest(store, name)
            assert run is not None and run.data_through is not None
    # Nothing is missing any more, so --if-missing does no work.
    assert main(["refresh", "--db", str(built), "--json", "--if-missing"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again == {"aggregates": False, "jobs": []}


def test_refresh_unknown_job_is_a_one_line_error(built, capsys):
    assert main(["refresh", "--db", str(built), "--only", "no-such-job"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown job" in err[0]


def test_refresh_fans_window_is_recorded_and_narrows_the_data(built, capsys):
    from data.results import runs as model_runs
    from data.store import open_store

    assert main(["refresh", "--db", str(built), "--json", "--only", "fans"]) == 0
    whole = json.loads(capsys.readouterr().out)["jobs"][0]
    assert (
        main(["refresh", "--db", str(built), "--json", "--only", "fans", "--fans-window", "30"])
        == 0
    )
    recent = json.loads(capsys.readouterr().out)["jobs"][0]
    assert recent["pairs"] < whole["pairs"]  # fewer listener-artist pairs in 30 days
    with open_store(built, read_only=True) as store:
        assert model_runs.latest(store, "fans").params["window_days"] == 30


def test_out_of_range_options_are_one_line_errors(built, tmp_path, capsys, monkeypatch):
    db = str(built)
    # `--state` sets the state URL for the process (main): restored after this test
    monkeypatch.setenv(STATE_URL_ENV, "")
    monkeypatch.delenv(STATE_URL_ENV)
    # argparse: usage error (exit 2) naming the option and its range
    for argv, words in (
        (["serve", "--db", db, "--port", "99999"], "--port must be between 1 and 65535"),
        (["refresh", "--db", db, "--fans-window", "-5"], "--fans-window must be between 7"),
        (["refresh", "--db", db, "--fans-window", "0"], "--fans-window must be between 7"),
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2 and words in capsys.readouterr().err
    # a host name that does not resolve: said before Streamlit starts (it was a traceback)
    assert main(["serve", "--db", db, "--address", "999.1.1.1"]) == 1
    assert "--address '999.1.1.1' is not a host name" in capsys.readouterr().err
    # a state "database" that is some other file: one line, not 47 traceback frames
    other = tmp_path / "notes.csv"
    other.write_text("a,b\n")
    assert main(["users", "list", "--db", db, "--state", f"sqlite:///{other}"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot open the state database" in err[0]
    assert "file is not a database" in err[0]
