"""One layout for code import, Paste Code and Tidy Up (app/model/layout.py over layered.py): cards
measured as the canvas draws them, no card over another or over a port, pills clear of the cards;
a headless import estimates the cards never smaller than they are drawn."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from app.canvas import GraphScene, style
from app.codeio import import_code
from app.codeio.layout import estimated_card_size, estimated_pill_width
from app.controller import DocumentController
from app.evaluate import evaluate_document
from app.fileio import load_document
from app.model import GraphDocument, Node, Note
from app.model.layout import NOTE_GAP, layered_layout
from app.paths import EXAMPLES_DIR
from app.ui.mainwindow import MainWindow

#: Seven lines a teacher might paste: a neuron with a squared error (Paste Code overlapped four
#: pairs of cards on it, Tidy Up six).
SNIPPET = """import torch
x = torch.tensor([1., 2., 3.], requires_grad=True)
w = torch.tensor([0.5, -1., 2.], requires_grad=True)
b = torch.tensor(0.1, requires_grad=True)
p = torch.sigmoid((x * w).sum() + b)
loss = (p - 1.) ** 2
loss.backward()
"""
#: Cards that need more room: matrices, numbers in scientific notation, an error, a summary.
WIDE = """import torch
m = torch.tensor([[12345.678, 2., -0.00001], [1., 2., 3.], [4., 5., 6.]], requires_grad=True)
v = torch.tensor([1e-9, 2., 3.], requires_grad=True)
big = torch.ones(40, 30, requires_grad=True)
s = (m @ v).sum() + big.sum()
bad = torch.log(m).sum() + torch.mm(v, v)
s.backward()
"""
CODE_EXAMPLES = sorted(EXAMPLES_DIR.glob("*.py"))
GRAPH_EXAMPLES = sorted(EXAMPLES_DIR.glob("*.cgraph"))


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    win = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    win._ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(win)
    win.resize(1440, 900)
    win.show()
    qtbot.waitExposed(win)
    return win


def clashes(scene: GraphScene) -> list[str]:
    """Cards over cards, ports under another card, pills over a card: what a class cannot read."""
    cards = {node_id: item.mapRectToScene(item.card_rect()) for node_id, item in
             scene.nodes.items()}
    found = [f"{a} over {b}" for a, b in itertools.combinations(cards, 2)
             if cards[a].intersects(cards[b])]
    for node_id, item in scene.nodes.items():
        ports = [item.output_port_pos()] + [item.input_port_pos(port) for port in
                                            range(len(item.node.spec.inputs))]
        for port, (other, rect) in itertools.product(ports, cards.items()):
            reach = rect.adjusted(-style.PORT_RADIUS, -style.PORT_RADIUS, style.PORT_RADIUS,
                                  style.PORT_RADIUS)
            if other != node_id and reach.contains(port):
                found.append(f"a port of {node_id} under {other}")
    for wire in scene.edges.values():
        pill = wire.pill()
        if pill is not None and any(pill[1].intersects(rect) for rect in cards.values()):
            found.append(f"the pill of {wire} over a card")
    return found


# ----------------------------------------------------------------------- in the window
def test_the_lessons_first_listing_opens_without_overlaps(window) -> None:
    listing = next(e for e in window.gallery.examples if e.path.name == "lesson_listing1.py")
    assert window.gallery.open_example(listing)
    assert clashes(window.scene) == []


@pytest.mark.parametrize("code", [SNIPPET, WIDE], ids=["neuron", "wide"])
def test_paste_code_lays_the_graph_out_at_the_cards_real_size(window, code: str) -> None:
    QGuiApplication.clipboard().setText(code)
    assert window.code_actions.paste_code()
    assert clashes(window.scene) == []
    # arrives laid out, added to the (empty) document as one step
    assert window.controller.undo_stack.count() == 1


@pytest.mark.parametrize("code", [SNIPPET, WIDE], ids=["neuron", "wide"])
def test_tidy_up_leaves_no_card_over_another_or_a_port(window, code: str) -> None:
    QGuiApplication.clipboard().setText(code)
    window.code_actions.paste_code()
    controller = window.controller
    # pile the cards up, as a class does when it drops nodes anywhere
    controller.move({node.id: (node.pos, (40.0 * i, 25.0 * i))
                     for i, node in enumerate(controller.document.nodes)})
    assert clashes(window.scene)
    window.menu_actions["tidy"].trigger()
    assert clashes(window.scene) == []
    assert controller.undo_stack.undoText() == "Tidy up"


# --------------------------------------------------------------------- headless import
@pytest.mark.parametrize("code", [SNIPPET, WIDE, *(p.read_text("utf-8") for p in CODE_EXAMPLES)],
                         ids=["neuron", "wide", *(p.stem for p in CODE_EXAMPLES)])
def test_the_headless_estimate_is_never_smaller_than_the_card_drawn(qapp, code: str) -> None:
    doc = import_code(code)
    result = evaluate_document(doc)
    card_size, pill_width = estimated_card_size(doc, result), estimated_pill_width(result)
    controller = DocumentController(doc)
    scene = GraphScene(controller)
    controller.evaluate_now()
    scene.settle_all()
    for node in doc.nodes:
        (width, height), (drawn_width, drawn_height) = card_size(node.id), scene.card_size(node.id)
        assert width >= drawn_width and height >= drawn_height, node.id
    for edge in doc.edges:
        key = (edge.src, edge.dst, edge.port)
        assert pill_width(key) >= scene.pill_width(key), edge
    assert clashes(scene) == []  # as --import-code saves it, opened in the window


@pytest.mark.parametrize("path", GRAPH_EXAMPLES, ids=[p.stem for p in GRAPH_EXAMPLES])
def test_the_estimate_holds_for_every_example(qapp, path: Path) -> None:
    doc = load_document(path)
    card_size = estimated_card_size(doc, evaluate_document(doc))
    controller = DocumentController(doc)
    scene = GraphScene(controller)
    controller.evaluate_now()
    scene.settle_all()
    for node in doc.nodes:
        (width, height), (drawn_width, drawn_height) = card_size(node.id), scene.card_size(node.id)
        assert width >= drawn_width and height >= drawn_height, node.id


# ------------------------------------------------------------------------- the function
def chain() -> GraphDocument:
    """w, x -> a = w + x -> e = exp(a); a note where the cards will go, one far below."""
    doc = GraphDocument()
    doc.add_node(Node("w", "tensor", pos=(500.0, 300.0), value=[1.0]))
    doc.add_node(Node("x", "tensor", pos=(100.0, 100.0), value=[2.0]))
    doc.add_node(Node("a", "add", pos=(0.0, 900.0)))
    doc.add_node(Node("e", "exp", pos=(50.0, 50.0)))
    doc.connect_many([("w", "a", 0), ("x", "a", 1), ("a", "e", 0)])
    doc.add_note(Note("covered", "over the cards", pos=(0.0, 50.0), size=(300.0, 60.0)))
    doc.add_note(Note("below", "far below", pos=(0.0, 5000.0), size=(300.0, 60.0)))
    return doc


def test_the_layout_starts_at_the_old_corner_and_moves_covered_notes_below() -> None:
    doc = chain()
    positions = layered_layout(doc, lambda _node: (200.0, 100.0))
    assert positions["w"][0] == positions["x"][0] == 0.0  # the old top-left corner: (0, 50)
    assert min(positions[n][1] for n in ("w", "x", "a", "e")) == 50.0
    assert positions["w"][0] < positions["a"][0] < positions["e"][0]
    bottom = max(positions[n][1] for n in ("w", "x", "a", "e")) + 100.0
    assert positions["covered"] == (0.0, max(bottom, 5060.0) + NOTE_GAP)
    assert "below" not in positions  # no card covers it: it stays
    assert doc.node("w").pos == (500.0, 300.0)  # positions are returned, nothing is moved


def test_an_empty_document_has_no_positions() -> None:
    assert layered_layout(GraphDocument(), lambda _node: (1.0, 1.0)) == {}
