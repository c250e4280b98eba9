"""Shared helpers: the repository's paths and a runner for the CLI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEED000_FRAME = DATA / "frames" / "molde-2017-ressurstjenesten.yaml"


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """The check's cache goes to a folder of the test session, never to the user's own."""
    os.environ["RAMMECALC_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def cli():
    """Run ``rammecalc ARGS`` in-process in a folder; returns the click Result (stdout, stderr, exit_code)."""
    from rammecalc.cli import app

    runner = CliRunner()

    def run(*args: str, cwd: Path | None = None):
        old = os.getcwd()
        os.chdir(cwd or ROOT)
        try:
            return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "100", "NO_COLOR": "1"})
        finally:
            os.chdir(old)

    return run


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ under tmp_path (same layout, so relative 'endringer' paths hold)."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target
