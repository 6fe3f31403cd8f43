"""The CLI end to end: bundled defaults, the ESCO export, idempotent re-ingest, refusal of bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from assistant.cli import main
from assistant.store.db import make_engine
from tests.conftest import shared_path
from tests.helpers import snapshot


def _env(tmp_path: Path, url: str) -> dict[str, str]:
    return {"SKILLPATH_HOME": str(tmp_path / "home"), "SKILLPATH_DATABASE_URL": url}


def _status(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> dict:
    capsys.readouterr()
    assert main(["status", "--json"], env) == 0
    return json.loads(capsys.readouterr().out)


def _rows(url: str) -> dict:
    engine: Engine = make_engine(url)
    try:
        snap = snapshot(engine)
    finally:
        engine.dispose()
    return snap


@pytest.mark.slow
def test_esco_export_on_top_of_defaults_is_idempotent(
    tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    env = _env(tmp_path, store_url)
    esco = shared_path("data", "esco-v1.1.1")
    assert main(["ingest", str(esco)], env) == 0
    status = _status(env, capsys)
    assert status["occupations"]["csco2022"] >= 1632
    assert status["occupations"]["esco"] >= 3000 and status["skills"]["esco"] >= 13000
    assert status["relations"] >= 100_000
    assert status["passages"] > 50 and status["languages"]["passages"].keys() == {"zh", "en"}
    assert status["offers"]["apprenticeship"] > 0 and status["offers"]["training"] > 0
    assert status["sample_offers"] == status["offers"]["apprenticeship"] + status["offers"]["training"]
    names = {s["name"] for s in status["sources"]}
    assert {"csco2022", "esco", "isco08", "skillpath:policy", "skillpath:sample-offers"} <= names
    assert "esco-lite" not in names  # the full export replaced the light set (never even loaded here)
    before = _rows(store_url)
    capsys.readouterr()
    assert main(["ingest", str(esco)], env) == 0
    out = capsys.readouterr().out
    assert "esco: unchanged (v1.1.1)" in out and "isco08: unchanged" in out
    assert _rows(store_url) == before
    assert _status(env, capsys) == status


@pytest.mark.slow
def test_defaults_then_broken_csv_is_refused_and_store_unchanged(
    tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    env = _env(tmp_path, store_url)
    assert main(["ingest"], env) == 0
    status = _status(env, capsys)
    assert status["skills"]["esco"] > 13000 and "esco-lite" in {s["name"] for s in status["sources"]}
    before = _rows(store_url)
    bad = tmp_path / "offers.csv"
    bad.write_text(
        "id,kind,title,provider,city\n"
        "t1,training,电工培训,示例学校,湖州\n"
        "t2,apprenticeship,焊工学徒,示例企业,宁波\n"
        "t3,internship,数控学徒,示例企业,日照\n",
        encoding="utf-8",
    )
    assert main(["ingest", str(bad)], env) == 2
    err = capsys.readouterr().err  # progress bars share stderr; the error is the last line
    assert err.strip().splitlines()[-1] == f"error: {bad}:4: field 'kind': 'internship' is not one of: apprenticeship, training"
    assert _rows(store_url) == before
    # Fixed, it goes in; running it again changes nothing.
    bad.write_text(bad.read_text(encoding="utf-8").replace("internship", "apprenticeship"), encoding="utf-8")
    assert main(["ingest", str(bad)], env) == 0
    after = _status(env, capsys)
    assert after["offers"]["apprenticeship"] == status["offers"]["apprenticeship"] + 2
    assert main(["ingest", str(bad)], env) == 0
    assert "offers: unchanged" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest", "/nonexistent/x.csv"], "error: /nonexistent/x.csv: no such file or folder"),
        (["ingest", "--name", "skillpath:mine", "pyproject.toml"], "error: pyproject.toml: source names starting with 'skillpath:' are reserved for the bundled knowledge"),
    ],
)
def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    env = _env(tmp_path, f"sqlite:///{tmp_path / 's.db'}")
    assert main([*args, "--no-defaults"], env) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == message


def test_unknown_file_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = _env(tmp_path, f"sqlite:///{tmp_path / 's.db'}")
    odd = tmp_path / "data.xyz"
    odd.write_text("?", encoding="utf-8")
    assert main(["ingest", "--no-defaults", str(odd)], env) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"error: {odd}: cannot tell what this is; give --kind (csco, esco, esco-lite, offers, documents)"
    )


def test_status_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = _env(tmp_path, f"sqlite:///{tmp_path / 's.db'}")
    assert main(["status"], env) == 0
    out = capsys.readouterr().out
    assert "relations: 0" in out and "offers: apprenticeship 0, training 0 (0 sample)" in out
