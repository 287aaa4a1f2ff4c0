"""CG Studio installs as an app: the wheel holds the packages and their data, and the installed
``cgstudio`` finds its examples in the package, from any folder (pyproject.toml, app/paths.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import app
import cgengine

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [re.sub(r"\s+", "", line.replace('"', "'")) for line in lines if line]


def test_pyproject_depends_on_exactly_requirements_txt() -> None:
    declared = [re.sub(r"\s+", "", d) for d in PYPROJECT["project"]["dependencies"]]
    assert declared == _requirement_lines(ROOT / "requirements.txt")


def test_every_package_is_listed() -> None:
    found = sorted(
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("app", "cgengine") for init in (ROOT / top).rglob("__init__.py"))
    listed = sorted(p for p in PYPROJECT["tool"]["setuptools"]["packages"]
                    if not p.startswith("app.resources"))
    assert listed == found


def test_app_and_engine_versions_agree() -> None:
    assert app.__version__ == cgengine.__version__


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel ``pip install .`` would install, built from a copy of the checkout."""
    pytest.importorskip("setuptools", minversion="70.1")
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".ci-venv", ".venv", "__pycache__", "*.egg-info", "build", "dist", ".*_cache",
        ".hypothesis"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "--wheel-dir", str(work / "dist"), str(source)],
        capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    (path,) = (work / "dist").glob("cgstudio-*.whl")
    return path


def test_every_data_folder_is_packaged() -> None:
    folders = {f.name for f in (ROOT / "resources").iterdir() if f.is_dir()}
    data = PYPROJECT["tool"]["setuptools"]["package-data"]
    assert {name.removeprefix("app.resources.") for name in data} == folders


def test_the_wheel_holds_every_data_file_and_the_command(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names
                            if n.endswith(".dist-info/entry_points.txt"))
    for folder in (f for f in (ROOT / "resources").iterdir() if f.is_dir()):
        for file in folder.iterdir():
            if file.suffix != ".ts":  # translation sources stay in the checkout; .qm ships
                assert f"app/resources/{folder.name}/{file.name}" in names
    assert "cgengine/ops.py" in names and "app/cli.py" in names
    assert "cgstudio = app.cli:main" in entry_points
    assert wheel.name.startswith(f"cgstudio-{app.__version__}-")


def test_the_installed_app_evaluates_its_own_example_from_another_folder(
        wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = ("import sys, app.paths, app.cli; "
            "sys.exit(app.cli.run(['--eval', str(app.paths.LESSON), '--json']))")
    ran = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env,
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["nodes"]["w"]["grad"] == [5.0]
    where = subprocess.run([sys.executable, "-c", "import app.paths; print(app.paths.LESSON)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    assert Path(where.stdout.strip()).is_relative_to(site / "app" / "resources")
