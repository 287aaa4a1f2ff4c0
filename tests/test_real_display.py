"""Palette drags and port drops as a user makes them: real X input on a real (virtual) display.

The other window tests run offscreen and send Qt events; these start Xvfb (``xvfb-run``), open
the window with Qt's xcb platform, and move the X pointer with xdotool, so that QDrag, the
drag-and-drop MIME data and the port hit-testing run exactly as for a user's mouse
(tests/display_driver.py). Where Xvfb, xdotool or Qt's xcb libraries are missing the tests are
skipped with what to install; under ``CI=true`` they must run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.oracle import oracle_required

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests" / "display_driver.py"
NEEDS = ("needs a virtual X display: apt install xvfb xdotool libxcb-cursor0 libxkbcommon-x11-0 "
         "libxcb-icccm4 libxcb-keysyms1")
XVFB = ["xvfb-run", "-a", "-s", "-screen 0 1440x900x24"]

pytestmark = pytest.mark.display


def _env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "xcb"}


def _display_available() -> str | None:
    """None when a Qt window can open under Xvfb here; otherwise why not."""
    if not sys.platform.startswith("linux"):
        return "real-display tests run on Linux (Xvfb)"
    if shutil.which("xvfb-run") is None or shutil.which("xdotool") is None:
        return NEEDS
    probe = subprocess.run([*XVFB, sys.executable, "-c",
                            "from PySide6.QtWidgets import QApplication; QApplication([])"],
                           env=_env(), capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        return f"{NEEDS} (Qt's xcb platform did not start: {probe.stderr.strip()[-200:]})"
    return None


@pytest.fixture(scope="module")
def real_display() -> None:
    missing = _display_available()
    if missing is not None:
        if oracle_required():
            pytest.fail(f"CI requires the real-display tests: {missing}", pytrace=False)
        pytest.skip(missing)


def run_scenario(scenario: str, out: Path) -> dict:
    ran = subprocess.run([*XVFB, sys.executable, str(DRIVER), scenario, str(out)], env=_env(),
                         capture_output=True, text=True, timeout=120, cwd=out.parent)
    assert ran.returncode == 0, ran.stderr[-2000:]
    return json.loads(out.read_text("utf-8"))


@pytest.fixture(scope="module")
def port_drop(real_display: None, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A palette drag of "mul", a wire dragged from w's output onto mul's input port, then one
    from x's output onto the middle of mul's card."""
    return run_scenario("card_drop", tmp_path_factory.mktemp("display") / "card_drop.json")


def test_a_real_palette_drag_adds_the_node(port_drop: dict) -> None:
    assert port_drop["steps"][0] == {"step": "palette_drag", "ok": True,
                                     "ms": port_drop["steps"][0]["ms"]}
    assert port_drop["new_node_type"] == "mul"


def test_a_real_drag_onto_an_input_port_wires_it(port_drop: dict) -> None:
    assert port_drop["steps"][1]["ok"], port_drop
    assert "w->mul:0" in port_drop["edges"]


def test_a_real_drag_onto_a_card_wires_its_first_free_input(port_drop: dict) -> None:
    assert port_drop["steps"][2]["ok"], port_drop
    assert "x->mul:1" in port_drop["edges"]
