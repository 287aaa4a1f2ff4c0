"""The canvas shows what PyTorch would print, and mouse/keyboard gestures edit through it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QPainter,
    QPalette,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.canvas import NODE_TYPE_MIME, GraphView, NodeItem, style
from app.canvas.menus import canvas_menu, node_menu
from app.canvas.view import MAX_ZOOM, MIN_ZOOM


@pytest.fixture
def canvas(lesson_view):
    """The lesson on a shown canvas (conftest.lesson_view): (controller, view, ids)."""
    return lesson_view


def item(view: GraphView, node_id: str) -> NodeItem:
    return view.graph_scene.nodes[node_id]


def test_lesson_canvas_shows_torch_values_and_grads(canvas):
    _controller, view, ids = canvas
    w, x, a, y = (item(view, ids[n]) for n in ("w", "x", "a", "y"))
    assert w.header_text() == "w · tensor"
    assert w.value_text() == "value [1.]"
    assert w.grad_text() == "grad [5.]"
    assert w.grad_fn_text() == ""
    assert w.badge_texts() == ["is_leaf", "requires_grad"]
    assert x.grad_text() == "grad [2.]"
    assert a.header_text() == "a · add"
    assert a.value_text() == "value [3.]"
    assert a.grad_text() == "grad None"
    assert a.grad_fn_text() == "grad_fn AddBackward0"
    assert a.badge_texts() == ["requires_grad"]
    assert y.value_text() == "value [6.]"
    assert y.grad_fn_text() == "grad_fn MulBackward0"
    assert y.is_output and not a.is_output
    one = item(view, ids["one"])
    assert (one.value_text(), one.grad_text(), one.badge_texts()) == ("value 1", "", [])
    edges = view.graph_scene.edges
    assert edges[(ids["y"], 0)].gradient_text() == "∂=[2.]"  # dy/da = b = 2
    assert edges[(ids["y"], 1)].gradient_text() == "∂=[3.]"  # dy/db = a = 3
    assert edges[(ids["a"], 0)].gradient_text() == "∂=[2.]"
    assert edges[(ids["b"], 0)].gradient_text() == "∂=[3.]"
    assert edges[(ids["b"], 1)].gradient_text() == ""  # a python number gets no gradient


def test_retain_grad_and_value_edits_update_the_numbers(canvas, qtbot):
    controller, view, ids = canvas
    with qtbot.waitSignal(controller.evaluated, timeout=2000):
        controller.set_field(ids["a"], "retain_grad", True)
    assert item(view, ids["a"]).grad_text() == "grad [2.]"  # dy/da = b = w + 1
    assert "retain_grad" in item(view, ids["a"]).badge_texts()
    with qtbot.waitSignal(controller.evaluated, timeout=2000):
        controller.set_field(ids["w"], "value", [2.0])
    assert item(view, ids["y"]).value_text() == "value [12.]"
    assert item(view, ids["w"]).grad_text() == "grad [7.]"
    assert item(view, ids["x"]).grad_text() == "grad [3.]"


LEFT = Qt.MouseButton.LeftButton


def drag(view: GraphView, start: QPointF, end: QPointF) -> None:
    """Press at ``start``, move in steps, release at ``end`` (scene coordinates)."""
    viewport = view.viewport()
    a, b = view.mapFromScene(start), view.mapFromScene(end)
    QTest.mousePress(viewport, LEFT, Qt.KeyboardModifier.NoModifier, a)
    for step in range(1, 6):
        QTest.mouseMove(viewport, a + (b - a) * step / 5)
    QTest.mouseRelease(viewport, LEFT, Qt.KeyboardModifier.NoModifier, b)


def test_dragging_from_an_output_to_an_input_connects(canvas):
    controller, view, ids = canvas
    e = controller.add_node("exp", (580, 400), label="e")
    drag(view, item(view, ids["a"]).output_port_pos(), item(view, e).input_port_pos(0))
    assert controller.document.edge_into(e, 0).src == ids["a"]
    assert controller.undo_stack.undoText() == "Connect a -> e.input"
    assert (e, 0) in view.graph_scene.edges
    assert item(view, e).wired == [True]


def test_dropping_a_wire_that_makes_a_cycle_is_refused(canvas, qtbot):
    controller, view, ids = canvas
    before = controller.document.snapshot()
    with qtbot.waitSignal(controller.message) as blocker:
        drag(view, item(view, ids["y"]).output_port_pos(), item(view, ids["a"]).input_port_pos(0))
    assert blocker.args == ["wiring y into a would make a cycle; a computational graph has none"]
    assert controller.document.snapshot() == before
    assert not any(i for i in view.graph_scene.items() if i.zValue() == 10.0)  # preview gone


def test_a_wire_picked_up_from_its_input_can_move_or_be_deleted(canvas):
    controller, view, ids = canvas
    doc = controller.document
    # move x -> a.other onto b.input (replacing w -> b.input), in one undo step
    drag(view, item(view, ids["a"]).input_port_pos(1), item(view, ids["b"]).input_port_pos(0))
    assert doc.edge_into(ids["a"], 1) is None
    assert doc.edge_into(ids["b"], 0).src == ids["x"]
    assert controller.undo_stack.undoText() == "Reconnect x"
    controller.undo_stack.undo()
    assert doc.edge_into(ids["a"], 1).src == ids["x"]
    assert view.graph_scene.edges[(ids["a"], 1)].isVisible()
    # dropped on empty canvas, the wire is deleted
    drag(view, item(view, ids["y"]).input_port_pos(1), QPointF(300, 700))
    assert doc.edge_into(ids["y"], 1) is None
    assert (ids["y"], 1) not in view.graph_scene.edges


def test_dragging_a_node_pushes_one_move_with_snapping(canvas):
    controller, view, ids = canvas
    view.set_snap_to_grid(True)
    a = item(view, ids["a"])
    start = a.mapToScene(QPointF(60, 12))  # on the header, away from the ports
    count = controller.undo_stack.count()
    drag(view, start, start + QPointF(47, 33))
    assert controller.undo_stack.count() == count + 1
    assert controller.undo_stack.undoText() == "Move a"
    assert controller.document.node(ids["a"]).pos == (340.0, 40.0)  # 337, 33 snapped to 20
    edge = view.graph_scene.edges[(ids["a"], 0)]
    assert edge.boundingRect().contains(edge.mapFromScene(a.input_port_pos(0)))


def test_delete_copy_paste_duplicate_keys(canvas, qtbot):
    controller, view, ids = canvas
    doc = controller.document
    view.graph_scene.select_ids([ids["w"], ids["a"]])
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert '"id": "w"' in QGuiApplication.clipboard().text()
    QTest.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert doc.has_node("w1") and doc.has_node("a1")
    assert doc.edge_into("a1", 0).src == "w1"
    assert sorted(view.graph_scene.selected_ids()[0]) == ["a1", "w1"]  # the paste is selected
    QTest.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert doc.has_node("w2") and doc.has_node("a2")
    assert controller.undo_stack.undoText() == "Duplicate"
    count = controller.undo_stack.count()
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert not doc.has_node("w2") and not doc.has_node("a2")
    assert controller.undo_stack.count() == count + 1
    assert controller.undo_stack.undoText() == "Delete 2 items"


def test_palette_drop_creates_the_node_at_the_drop_point(canvas):
    controller, view, _ids = canvas
    mime = QMimeData()
    mime.setData(NODE_TYPE_MIME, b"sigmoid")
    point = QPoint(200, 600)
    enter = QDragEnterEvent(point, Qt.DropAction.CopyAction, mime, LEFT,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(point), Qt.DropAction.CopyAction, mime, LEFT,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), drop)
    node = controller.document.node("sigmoid")
    scene_point = view.mapToScene(point)
    assert node.pos == (scene_point.x(), scene_point.y())
    assert "sigmoid" in view.graph_scene.nodes


def test_unknown_drop_payload_is_ignored(canvas):
    controller, view, _ids = canvas
    mime = QMimeData()
    mime.setData(NODE_TYPE_MIME, b"rm -rf")
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, LEFT,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), enter)
    assert not enter.isAccepted()
    assert len(controller.document) == 6


def test_tab_opens_the_search_popup_and_enter_adds_the_node(canvas, qtbot):
    controller, view, _ids = canvas
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Tab)
    popup = view.popup
    assert popup is not None and popup.isVisible()
    QTest.keyClicks(popup.field, "sigm")
    # the descriptions of the BCE losses mention sigmoid too, and nn.Sigmoid is a module: the
    # function's name match is first
    assert popup.visible_types() == ["sigmoid", "binary_cross_entropy_with_logits", "Sigmoid",
                                     "BCELoss", "BCEWithLogitsLoss"]
    assert popup.list.currentItem().text() == "sigmoid  ·  Activations"
    QTest.keyClick(popup.field, Qt.Key.Key_Return)
    assert controller.document.node("sigmoid").type == "sigmoid"
    assert not popup.isVisible()


def test_node_context_menu_actions(canvas):
    controller, view, ids = canvas
    menu = node_menu(view, ids["a"])
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Set as output (backward from here)", "Toggle retain_grad",
                     "Toggle in place (add_)", "Rename...", "Delete"]
    menu.actions()[1].trigger()
    assert controller.document.node(ids["a"]).retain_grad is True
    menu.actions()[2].trigger()
    assert controller.document.node(ids["a"]).inplace is True
    assert view.graph_scene.nodes[ids["a"]].header_text().endswith(" · add_")
    controller.undo_stack.undo()
    assert view.graph_scene.nodes[ids["a"]].header_text().endswith(" · add")
    menu.actions()[0].trigger()
    assert controller.document.output == ids["a"]
    w_menu = node_menu(view, ids["w"])
    assert "Toggle requires_grad" in [a.text() for a in w_menu.actions()]
    empty_menu = canvas_menu(view, QPointF(0, 0))
    canvas_texts = [a.text() for a in empty_menu.actions() if not a.isSeparator()]
    assert canvas_texts == ["Add node", "Add note", "Tidy up", "Fit all"]


def test_wheel_zoom_is_clamped_and_fit_all_shows_everything(canvas):
    _controller, view, _ids = canvas
    for _ in range(40):
        view.set_zoom(view.zoom() * 1.15)
    assert view.zoom() == MAX_ZOOM
    for _ in range(80):
        view.set_zoom(view.zoom() / 1.15)
    assert view.zoom() == MIN_ZOOM
    view.fit_all()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(view.graph_scene.itemsBoundingRect())
    assert MIN_ZOOM <= view.zoom() <= 1.5


def test_undo_and_redo_rebuild_the_items(canvas):
    controller, view, ids = canvas
    scene = view.graph_scene
    controller.remove([ids["a"]])
    assert ids["a"] not in scene.nodes
    assert (ids["y"], 0) not in scene.edges and (ids["a"], 1) not in scene.edges
    assert item(view, ids["y"]).wired == [False, True]
    controller.undo_stack.undo()
    assert ids["a"] in scene.nodes
    assert {(ids["y"], 0), (ids["a"], 0), (ids["a"], 1)} <= set(scene.edges)
    assert item(view, ids["y"]).wired == [True, True]


def test_note_text_is_edited_on_the_canvas(canvas, qtbot):
    controller, view, _ids = canvas
    note_id = controller.add_note((0, 500), "hi")
    note = view.graph_scene.notes[note_id]
    note.start_editing()
    note.text_item.setPlainText("gradients flow backwards")
    note.text_item.clearFocus()
    assert controller.document.note(note_id).text == "gradients flow backwards"
    assert controller.undo_stack.undoText() == "Edit note"
    controller.undo_stack.undo()
    assert note.text() == "hi"


def _pixels_like(image: QImage, colour: QColor) -> int:
    """How many pixels of ``image`` are close to ``colour`` (anti-aliased text included)."""
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            pixel = image.pixelColor(x, y)
            if (abs(pixel.red() - colour.red()) + abs(pixel.green() - colour.green())
                    + abs(pixel.blue() - colour.blue())) < 60:
                count += 1
    return count


def test_a_failing_node_shows_its_error_in_red_and_the_rest_keeps_numbers(canvas, qtbot):
    controller, view, _ids = canvas
    p = controller.add_node("tensor", (0, 700), label="p", value=[1.0, 2.0], requires_grad=True)
    q = controller.add_node("tensor", (0, 900), label="q", value=[1.0, 2.0, 3.0])
    m = controller.add_node("mul", (290, 700), label="m")
    e = controller.add_node("exp", (580, 700), label="e")
    controller.connect(p, m, 0)
    controller.connect(q, m, 1)
    controller.connect(m, e, 0)
    controller.evaluate_now()
    bad = item(view, m)
    assert bad.error_text() == ("The size of tensor a (2) must match the size of tensor b (3) "
                                "at non-singleton dimension 0")
    assert bad.value_text() == "value —"
    assert item(view, e).warning_text() == "no value: m has an error"
    assert item(view, p).value_text() == "value [1., 2.]"
    assert item(view, "y").value_text() == "value [6.]"
    # the error is painted in the error colour, inside the card, below the ports
    card = bad.card_rect()
    image = QImage(int(card.width()), int(card.height()), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    view.graph_scene.render(painter, QRectF(0, 0, card.width(), card.height()),
                            bad.mapRectToScene(card))
    painter.end()
    assert _pixels_like(image, style.canvas_colours().error) > 100
    assert _pixels_like(image, style.canvas_colours().error) < card.width() * card.height() / 4


def test_large_tensors_are_summarised_and_unwired_numbers_shown(canvas):
    controller, view, _ids = canvas
    rows = [[float(i - j) for j in range(100)] for i in range(100)]
    big = controller.add_node("tensor", (0, 700), label="big", value=rows)
    square = controller.add_node("pow", (290, 700), label="sq")
    controller.connect(big, square, 0)
    controller.evaluate_now()
    assert item(view, big).value_text() == "value shape (100, 100)\nmin -99 · max 99"
    assert item(view, square).value_text() == "value shape (100, 100)\nmin 0 · max 9801"
    assert item(view, square).port_texts() == ["input", "exponent = 2."]
    assert item(view, square).grad_fn_text() == "grad_fn None"  # nothing requires grad
    controller.set_param(square, "exponent", 3.0)
    assert item(view, square).port_texts() == ["input", "exponent = 3."]


def test_a_small_matrix_is_printed_row_by_row(canvas):
    controller, view, _ids = canvas
    m = controller.add_node("tensor", (0, 700), label="m", value=[[1.0, 2.5], [3.0, 4.0]])
    controller.evaluate_now()
    assert item(view, m).value_text() == "value [[1.0000, 2.5000],\n [3.0000, 4.0000]]"


def test_port_and_wire_tooltips_show_the_tensors(canvas):
    _controller, view, ids = canvas
    scene = view.graph_scene
    tip = scene.port_tooltip(ids["w"], ("out", 0))
    assert tip == ("<b>w (output of tensor)</b><br>shape (1,) · float32<br>value"
                   "<table cellspacing='0' cellpadding='2' border='1'><tr><td align='right'>1."
                   "</td></tr></table><br>grad<table cellspacing='0' cellpadding='2' border='1'>"
                   "<tr><td align='right'>5.</td></tr></table>")
    wire = scene.wire_tooltip((ids["y"], 1))
    assert wire.startswith("<b>b → y.other</b>")
    assert "∂ flowing back" in wire and ">3.</td>" in wire
    assert scene.port_tooltip(ids["b"], ("in", 1)).startswith("<b>1 → b.other</b>")


def test_colours_follow_a_dark_application_palette(canvas, qtbot):
    app = QApplication.instance()
    light = style.canvas_colours()
    old = app.palette()
    dark = QPalette(old)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    app.setPalette(dark)
    try:
        colours = style.canvas_colours()
        assert colours.dark and not light.dark
        assert colours.card.lightness() < 80 < light.card.lightness()
        assert colours.text.lightness() > 200
    finally:
        app.setPalette(old)
