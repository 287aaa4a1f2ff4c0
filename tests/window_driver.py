"""Run the app's real window, as ``python main.py FILE`` does, and act on it like a user.

Run by tests/test_crash_recovery.py and tests/test_close_cleanly.py as
``python tests/window_driver.py SCENARIO FILE`` (offscreen, with its own XDG folders so that its
settings and swap files stay in the test's temporary folder). The window is opened by
``app.ui.launch.run_window(FILE)``, autosave and the offer to restore included; the driver only
answers the two questions a user would (``_ask_restore``: Yes; ``_ask_save_changes``: Discard)
and, once the event loop runs, starts the scenario. It prints lines on stdout, flushed, for the
test to follow: ``AUTOSAVE folder``, ``READY``, then the scenario's own.

Scenarios:
- ``edit``: set w's value to [1.], [2.], ... every 200 ms (``EDIT k time``) until killed;
- ``train``: start a long training run (at a small learning rate, so that its values keep
  changing), printing ``TRAIN time last-change`` every 200 ms until killed;
- ``restore``: print ``RESTORED <w's value>`` (the document after the offer to restore), then
  idle until killed;
- ``close-training``, ``quit-training``, ``close-walkthrough``, ``close-evaluating``: start a
  training run / the walkthrough's Play / a slow evaluation in the worker thread (with an
  autosave write), then close the window (its close button's path, or File > Quit) 0.4 s later.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from app import autosave  # noqa: E402
from app.ui import launch, recovery  # noqa: E402
from app.ui.mainwindow import MainWindow  # noqa: E402

EDIT_MS = 200
TRAIN_LR = 0.001


def say(*parts: object) -> None:
    print(*parts, flush=True)


class Scenario:
    def __init__(self, name: str) -> None:
        self.name = name
        self.window: MainWindow | None = None
        self.step = 0
        self.timer = QTimer()
        self.timer.setInterval(EDIT_MS)

    def start(self) -> None:
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible()]
        window = self.window = windows[0]
        window._ask_save_changes = (  # type: ignore[method-assign]
            lambda: QMessageBox.StandardButton.Discard)
        say("AUTOSAVE", autosave.default_directory())
        say("READY")
        controller = window.controller
        if self.name == "edit":
            self.timer.timeout.connect(self.edit)
            self.timer.start()
        elif self.name == "restore":
            say("RESTORED", json.dumps(controller.document.node("w").value))
        elif self.name == "train" or self.name.endswith("-training"):
            if self.name == "train":
                changed = [time.time()]
                controller.document.changed.connect(lambda: changed.__setitem__(0, time.time()))
                self.timer.timeout.connect(lambda: say("TRAIN", time.time(), changed[0]))
                self.timer.start()
                window.training_dock.lr_spin.setValue(TRAIN_LR)
            window.training_dock.steps_spin.setValue(1_000_000)
            window.training_dock.run_steps()
        elif self.name == "close-walkthrough":
            window.walkthrough.start("backward")
            window.walkthrough.speed_slider.setValue(window.walkthrough.speed_slider.maximum())
            window.walkthrough.play_action.setChecked(True)
        elif self.name == "close-evaluating":
            controller.scheduler.sync_budget = 0.0  # to the worker thread, however fast
            controller.set_field("w", "value", [5.0])
            QTimer.singleShot(0, window.findChild(autosave.Autosaver).write_soon)
        if self.name.startswith("close-"):
            QTimer.singleShot(400, window.close)
        elif self.name.startswith("quit-"):
            QTimer.singleShot(400, window.menu_actions["quit"].trigger)

    def edit(self) -> None:
        assert self.window is not None
        self.step += 1
        self.window.controller.set_field("w", "value", [float(self.step)])
        say("EDIT", self.step, time.time())


def main() -> int:
    name, path = sys.argv[1], sys.argv[2]
    app = QApplication(sys.argv[:1])
    recovery._ask_restore = lambda *_args: True  # "Restore unsaved work?": Yes
    scenario = Scenario(name)
    QTimer.singleShot(0, scenario.start)  # once run_window's event loop runs
    QTimer.singleShot(120_000, lambda: app.exit(3))  # never outlive a test that went wrong
    return launch.run_window(path)


if __name__ == "__main__":
    sys.exit(main())
