"""Test set-up shared by every test: Qt runs offscreen, so no display is needed."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def pytest_configure(config: object) -> None:
    """Keep tests out of the user's own settings and autosave folders."""
    from PySide6.QtCore import QStandardPaths

    QStandardPaths.setTestModeEnabled(True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the torch-oracle tests (``-m oracle``): those in files that use tests/oracle.py and
    those that ask for the ``torch_oracle`` fixture."""
    from tests import oracle

    for item in items:
        module = getattr(item, "module", None)
        uses_oracle = module is not None and any(
            value is oracle.torch or value is oracle.import_torch
            for value in vars(module).values())
        if uses_oracle or "torch_oracle" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.oracle)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    """A torch-oracle skip is reported where tests/oracle.py skips, whichever test or fixture
    asked for torch: pytest's summary then gives them one line, not one per test function."""
    outcome = yield
    report = outcome.get_result()
    longrepr = report.longrepr
    if report.skipped and isinstance(longrepr, tuple) and len(longrepr) == 3:
        from tests.oracle import REASON, SKIP_PLACE

        if REASON in str(longrepr[2]):
            report.longrepr = (*SKIP_PLACE, longrepr[2])


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One plain line on the torch-oracle tests skipped because torch is not installed."""
    from tests.oracle import REASON

    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if isinstance(r.longrepr, tuple) and REASON in str(r.longrepr[2])]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} torch-oracle tests skipped: torch is not installed, so cgengine was "
            "checked against the golden data only (pip install torch==2.13.0 runs them).")


@pytest.fixture(autouse=True)
def _process_tuning_stays_with_its_test(monkeypatch) -> Iterator[None]:
    """A test that starts the window (app.runtime.configure) leaves the process as it found it:
    the garbage-collector policy, the background threads' gate and the switch interval go back
    to Python's own after the test, and what the window froze out of the collector's sight
    (``collector.settle``) is given back to it. What its evaluations left is freed first (in the
    clean-up thread, the event loop looking for the end): a hold of the collector still running
    would change what the next test sees."""
    from app import runtime

    monkeypatch.setattr(runtime.collector, "defer", runtime.collector.defer)
    monkeypatch.setattr(runtime.gui_first, "enabled", runtime.gui_first.enabled)
    switch_interval = sys.getswitchinterval()
    yield
    sys.setswitchinterval(switch_interval)
    if runtime.collector.held and "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QCoreApplication, QEventLoop

        end = time.monotonic() + 10.0
        while (runtime.collector.held and QCoreApplication.instance() is not None
               and time.monotonic() < end):
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
    runtime.collector.unsettle()


@pytest.fixture(scope="session")
def torch_oracle() -> ModuleType:
    """PyTorch itself, the oracle; the test is skipped where it is not installed (fails in CI)."""
    from tests.oracle import import_torch

    return import_torch()


@pytest.fixture
def lesson_view(qtbot):
    """A shown 1200 x 800 canvas on the lesson graph, built through the controller and evaluated:
    (controller, view, ids of w, x, one, a, b, y)."""
    from app.canvas import GraphView
    from app.controller import DocumentController
    from tests.test_controller import build_lesson

    controller = DocumentController()
    view = GraphView(controller)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    ids = build_lesson(controller)
    controller.evaluate_now()
    view.reset_zoom()
    view.centerOn(400, 200)
    return controller, view, ids
