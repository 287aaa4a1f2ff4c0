"""The palette dock (app/ui/palette.py): every registry type under its category, filter, drag."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow

from app.registry import CATEGORIES, NODE_TYPES, types_in
from app.ui.palette import NODE_TYPE_MIME, PaletteDock

# Qt's offscreen platform warns that it cannot pass a shown window's size hints on; harmless.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_lists_every_registry_type_under_its_category(qtbot) -> None:
    dock = PaletteDock()
    qtbot.addWidget(dock)
    entries = dock.entries()
    assert list(entries) == list(CATEGORIES)
    for category in CATEGORIES:
        assert entries[category] == [t.name for t in types_in(category)]
    assert sorted(name for names in entries.values() for name in names) == sorted(NODE_TYPES)


def test_entries_show_title_and_doc_tooltip(qtbot) -> None:
    dock = PaletteDock()
    qtbot.addWidget(dock)
    item = dock.item_for("mse_loss")
    assert item.text(0) == "mse_loss"
    assert item.toolTip(0) == "mse_loss: mean squared error"


def test_filter_hides_other_types_and_empty_categories(qtbot) -> None:
    dock = PaletteDock()
    qtbot.addWidget(dock)
    qtbot.keyClicks(dock.filter_edit, "softmax")
    # cross_entropy's doc line says "softmax cross-entropy", so it matches too, and so do the
    # modules of torch.nn
    assert dock.entries() == {"Activations": ["softmax", "log_softmax"],
                              "Losses": ["cross_entropy"],
                              "Layers": ["Softmax", "LogSoftmax"],
                              "Loss modules": ["CrossEntropyLoss"]}
    dock.filter_edit.clear()
    assert len(dock.entries()) == len(CATEGORIES)


def test_filter_matches_the_doc_line(qtbot) -> None:
    dock = PaletteDock()
    qtbot.addWidget(dock)
    dock.filter_edit.setText("squared")
    assert dock.entries() == {"Losses": ["mse_loss"], "Loss modules": ["MSELoss", "SmoothL1Loss"]}


def test_drag_payload_is_the_type_name(qtbot) -> None:
    dock = PaletteDock()
    qtbot.addWidget(dock)
    mime = dock.tree.mime_for(dock.item_for("add"))
    assert mime.formats()[0] == NODE_TYPE_MIME
    assert bytes(mime.data(NODE_TYPE_MIME).data()).decode("utf-8") == "add"
    assert dock.tree.mime_for(dock.tree.topLevelItem(0)) is None  # a category row


def test_double_click_requests_the_type(qtbot) -> None:
    # docked in a window, as in the app (a floating dock makes the offscreen plugin warn)
    host = QMainWindow()
    qtbot.addWidget(host)
    dock = PaletteDock()
    host.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    host.setCentralWidget(QLabel("canvas"))
    host.show()
    qtbot.waitExposed(host)
    item = dock.item_for("mul")
    dock.tree.scrollToItem(item)
    rect = dock.tree.visualItemRect(item)
    with qtbot.waitSignal(dock.node_requested, timeout=1000) as signal:
        # a real double-click starts with a press; QTest's double-click event alone has none
        qtbot.mousePress(dock.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(dock.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == ["mul"]
