"""Drive the real window on a real X display with real mouse input (xdotool), and report.

Run by tests/test_real_display.py under Xvfb as ``python tests/display_driver.py SCENARIO OUT``
with ``QT_QPA_PLATFORM=xcb``. The window opens on the lesson; each step moves the real X pointer
with xdotool (started asynchronously, so that Qt's event loop runs the drag as it would for a
user), waits until the document changes or a timeout passes, then the next step starts. The
outcome is written as JSON to OUT; a screenshot of the screen goes beside it.

Scenarios:
- ``palette_drag``: drag "mul" from the palette onto empty canvas (QDrag, drag-and-drop MIME);
- ``port_drop``: then drag from w's output port onto the new node's first input port;
- ``card_drop``: then drag from x's output port onto the middle of the new node's card.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QPoint, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.paths import LESSON  # noqa: E402
from app.ui.mainwindow import MainWindow  # noqa: E402

STEP_TIMEOUT_MS = 8000


def drag(start: QPoint, end: QPoint) -> subprocess.Popen:
    """Press at ``start``, move in steps, release at ``end``: real X events, asynchronously."""
    moves: list[str] = []
    for i in range(1, 11):
        x = start.x() + (end.x() - start.x()) * i // 10
        y = start.y() + (end.y() - start.y()) * i // 10
        moves += ["mousemove", str(x), str(y), "sleep", "0.05"]
    command = ["xdotool", "mousemove", str(start.x()), str(start.y()), "sleep", "0.2",
               "mousedown", "1", "sleep", "0.2", *moves, "sleep", "0.2", "mouseup", "1"]
    return subprocess.Popen(command)


class Driver:
    """The steps of a scenario, run one after another from the event loop."""

    def __init__(self, window: MainWindow, scenario: str, out: Path) -> None:
        self.window = window
        self.out = out
        self.report: dict[str, object] = {"scenario": scenario, "steps": []}
        self.steps: list[tuple[str, Callable[[], None], Callable[[], bool]]] = []
        doc = window.controller.document
        self.steps.append(("palette_drag", self.palette_drag, lambda: len(doc.nodes) == 7))
        if scenario in ("port_drop", "card_drop"):
            self.steps.append(("port_drop", lambda: self.wire_to("w", port_only=True),
                               lambda: self.wired_from("w")))
        if scenario == "card_drop":
            self.steps.append(("card_drop", lambda: self.wire_to("x", port_only=False),
                               lambda: self.wired_from("x")))
        self.waited = 0

    # ------------------------------------------------------------------ geometry
    def global_of_scene(self, scene_point) -> QPoint:
        view = self.window.view
        return view.viewport().mapToGlobal(view.mapFromScene(scene_point))

    def new_node(self) -> str | None:
        old = {"w", "x", "one", "a", "b", "y"}
        ids = [n.id for n in self.window.controller.document.nodes if n.id not in old]
        return ids[0] if ids else None

    def wired_from(self, src: str) -> bool:
        new = self.new_node()
        return any(e.src == src and e.dst == new for e in self.window.controller.document.edges)

    # ------------------------------------------------------------------ steps
    def palette_drag(self) -> None:
        tree = self.window.palette_dock.tree
        item = tree.findItems("mul", _match_recursive())[0]
        tree.scrollToItem(item)
        rect = tree.visualItemRect(item)
        start = tree.viewport().mapToGlobal(rect.center())
        view = self.window.view
        end = view.viewport().mapToGlobal(QPoint(view.viewport().width() // 2,
                                                 view.viewport().height() - 120))
        drag(start, end)

    def wire_to(self, src: str, *, port_only: bool) -> None:
        scene = self.window.view.scene()
        new = self.new_node()
        target = scene.nodes[new]
        end_scene = target.input_port_pos(0) if port_only else target.sceneBoundingRect().center()
        drag(self.global_of_scene(scene.nodes[src].output_port_pos()),
             self.global_of_scene(end_scene))

    # ------------------------------------------------------------------ running
    def start(self) -> None:
        self.next_step()

    def next_step(self) -> None:
        if not self.steps:
            self.finish()
            return
        name, act, done = self.steps[0]
        self.waited = 0
        act()
        QTimer.singleShot(100, lambda: self.poll(name, done))

    def poll(self, name: str, done: Callable[[], bool]) -> None:
        if done():
            self.report["steps"].append({"step": name, "ok": True, "ms": self.waited})
            self.steps.pop(0)
            QTimer.singleShot(300, self.next_step)
            return
        self.waited += 100
        if self.waited >= STEP_TIMEOUT_MS:
            self.report["steps"].append({"step": name, "ok": False, "ms": self.waited})
            self.finish()
            return
        QTimer.singleShot(100, lambda: self.poll(name, done))

    def finish(self) -> None:
        doc = self.window.controller.document
        new = self.new_node()
        self.report["new_node_type"] = doc.node(new).type if new else None
        self.report["edges"] = sorted(f"{e.src}->{e.dst}:{e.port}" for e in doc.edges)
        if shutil.which("import"):
            subprocess.run(["import", "-window", "root", str(self.out.with_suffix(".png"))],
                           check=False, timeout=30)
        self.out.write_text(json.dumps(self.report), encoding="utf-8")
        QApplication.instance().exit(0)


def _match_recursive():
    from PySide6.QtCore import Qt

    return Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive


def main() -> int:
    scenario, out = sys.argv[1], Path(sys.argv[2])
    app = QApplication(sys.argv[:1])
    settings = QSettings(str(out.with_suffix(".ini")), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.open_example(LESSON)
    window.setGeometry(0, 0, 1400, 880)
    window.show()
    window.fit_all()
    driver = Driver(window, scenario, out)
    QTimer.singleShot(1500, driver.start)  # let the window map and settle first
    QTimer.singleShot(60_000, lambda: app.exit(3))  # a stuck drag must not hang the test run
    code = app.exec()
    window.controller.undo_stack.setClean()  # no "save changes?" on the way out
    return code


if __name__ == "__main__":
    sys.exit(main())
