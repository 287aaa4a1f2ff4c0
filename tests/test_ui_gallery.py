"""The example gallery (app/ui/gallery.py), File > Open Example, and the shipped example files.

Every entry of resources/examples/index.json is listed, exists and opens through the real window
with no error on any node; the lesson's listings are the lesson's own code; dynamic_branch moves
the gradient from one branch to the other when x changes sign, on our engine as on torch.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QDialog
from windows import open_window, settle

from app.evaluate import evaluate_document
from app.fileio import load_document
from app.paths import EXAMPLES_DIR
from app.ui.gallery import Example, ExampleGallery, load_examples, read_index
from app.ui.mainwindow import MainWindow
from tests.oracle import torch

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

INDEX = json.loads((EXAMPLES_DIR / "index.json").read_text(encoding="utf-8"))
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "lesson-computational-graph.txt"


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    return open_window(qtbot, tmp_path)



def grads(window: MainWindow) -> dict[str, str]:
    """The grad line of every tensor card on the canvas."""
    return {node_id: item.grad_text() for node_id, item in window.scene.nodes.items()
            if item.node.type == "tensor"}


# ----------------------------------------------------------------- the index
def test_index_names_every_shipped_example_once() -> None:
    files = [entry["file"] for entry in INDEX]
    assert len(files) == len(set(files))
    assert all((EXAMPLES_DIR / name).is_file() for name in files)
    shipped = {p.name for p in EXAMPLES_DIR.iterdir() if p.suffix in (".cgraph", ".py")}
    assert set(files) == shipped
    assert all(entry["title"] and entry["description"] and "\n" not in entry["description"]
               for entry in INDEX)
    assert {"lesson_listing1.py", "lesson_listing2.py", "dynamic_branch.cgraph"} <= set(files)


def test_load_examples_follows_the_index_order() -> None:
    examples = load_examples(EXAMPLES_DIR)
    assert [(e.path.name, e.title, e.description) for e in examples] == [
        (entry["file"], entry["title"], entry["description"]) for entry in INDEX]


def test_a_broken_index_falls_back_to_the_graph_files(tmp_path: Path) -> None:
    (tmp_path / "b.cgraph").write_text("{}", encoding="utf-8")
    (tmp_path / "a.cgraph").write_text("{}", encoding="utf-8")
    (tmp_path / "index.json").write_text("[{\"file\": ", encoding="utf-8")
    with pytest.raises(ValueError, match=r"index.json: not valid JSON"):
        read_index(tmp_path)
    assert [(e.path.name, e.title) for e in load_examples(tmp_path)] == [
        ("a.cgraph", "a"), ("b.cgraph", "b")]


def test_an_index_may_not_point_outside_its_folder(tmp_path: Path) -> None:
    entry = {"file": "../secret.cgraph", "title": "t", "description": "d"}
    (tmp_path / "index.json").write_text(json.dumps([entry]), encoding="utf-8")
    with pytest.raises(ValueError, match=r"entry 1: '\.\./secret\.cgraph' is not an example"):
        read_index(tmp_path)
    (tmp_path / "index.json").write_text(json.dumps([{"file": "a.cgraph"}]), encoding="utf-8")
    with pytest.raises(ValueError, match="entry 1 needs the texts file, title, description"):
        read_index(tmp_path)


def test_missing_files_are_left_out_and_unlisted_graphs_added(tmp_path: Path) -> None:
    (tmp_path / "extra.cgraph").write_text("{}", encoding="utf-8")
    (tmp_path / "here.py").write_text("import torch\n", encoding="utf-8")
    entries = [{"file": "gone.cgraph", "title": "Gone", "description": "missing"},
               {"file": "here.py", "title": "Here", "description": "code"}]
    (tmp_path / "index.json").write_text(json.dumps(entries), encoding="utf-8")
    assert [(e.path.name, e.title) for e in load_examples(tmp_path)] == [
        ("here.py", "Here"), ("extra.cgraph", "extra")]


# ---------------------------------------------------------- the lesson's code
def test_listings_are_the_lessons_code_verbatim() -> None:
    if not SEED.exists():
        pytest.skip(f"the lesson text {SEED} is not on this machine")
    lesson = SEED.read_text(encoding="utf-8")
    listings = re.findall(r"^import torch\n.*?^'''\n.*?^'''\n", lesson, flags=re.S | re.M)
    assert [(EXAMPLES_DIR / f"lesson_listing{n}.py").read_text(encoding="utf-8")
            for n in (1, 2)] == listings
    assert "a.retain_grad()" in listings[1] and "a.retain_grad()" not in listings[0]


# -------------------------------------------------------------- the dialog
def test_gallery_lists_every_entry_with_its_description(qtbot, window: MainWindow) -> None:
    dialog = ExampleGallery(window.gallery.examples, window)
    qtbot.addWidget(dialog)
    assert dialog.rows() == [(entry["title"], entry["description"]) for entry in INDEX]
    assert dialog.chosen() == window.gallery.examples[0]
    dialog.select(4)
    assert dialog.chosen().path.name == INDEX[4]["file"]


def test_help_examples_opens_the_chosen_listing(qtbot, monkeypatch, window) -> None:
    shown: list[ExampleGallery] = []
    row = next(i for i, e in enumerate(INDEX) if e["file"] == "lesson_listing2.py")

    def pick(dialog: ExampleGallery) -> bool:
        shown.append(dialog)
        dialog.select(row)
        return True

    monkeypatch.setattr(window.gallery, "_run_gallery", pick)
    help_menu = window.menu("help")
    assert help_menu.actions()[0] is window.menu_actions["examples"]
    assert window.menu_actions["examples"].text() == "&Examples…"
    window.menu_actions["examples"].trigger()
    settle(qtbot, window)
    assert len(shown) == 1
    assert window.scene.nodes["a"].grad_text() == "grad [2.]"
    assert grads(window) == {"w": "grad [5.]", "x": "grad [2.]"}
    assert window.windowTitle() == "lesson_listing2.cgraph[*] — CG Studio"
    assert window.path is None and not window.isWindowModified()


def test_closing_the_gallery_opens_nothing(monkeypatch, window: MainWindow) -> None:
    before = [n.id for n in window.controller.document.nodes]
    monkeypatch.setattr(QDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected)
    assert window.gallery.show_gallery() is False
    assert [n.id for n in window.controller.document.nodes] == before


@pytest.mark.parametrize("entry", INDEX, ids=[e["file"] for e in INDEX])
def test_every_example_opens_as_a_copy_without_errors(qtbot, window, entry) -> None:
    example = next(e for e in window.gallery.examples if e.path.name == entry["file"])
    shipped = example.path.read_bytes()
    assert window.gallery.open_example(example)
    window.controller.evaluate_now()
    result = window.controller.result
    assert result.output is not None and result.nodes
    # the in-place example shows torch's error, on the node that caused it
    errors = {k: r.error for k, r in result.nodes.items() if r.error}
    if entry["file"] == "course_in_place.cgraph":
        assert errors and all("modified by an inplace operation" in e for e in errors.values())
    else:
        assert errors == {}
        assert all(item.error_text() == "" for item in window.scene.nodes.values())
    assert window.path is None  # Save asks for a new name
    assert example.path.read_bytes() == shipped


def test_a_listing_that_no_longer_imports_is_reported(tmp_path: Path, monkeypatch,
                                                      window: MainWindow) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import torch\nopen('x')\n", encoding="utf-8")
    errors: list[str] = []
    monkeypatch.setattr(window, "show_error", errors.append)
    assert not window.gallery.open_example(Example(bad, "Bad", ""))
    assert errors[0].startswith("Cannot open bad.py:\nline 2: ")
    assert "y" in {n.id for n in window.controller.document.nodes}


def test_open_example_menu_lists_the_index_titles(qtbot, window: MainWindow) -> None:
    actions = window.examples_menu.actions()
    assert [a.text() for a in actions] == [entry["title"] for entry in INDEX]
    assert actions[0].statusTip() == INDEX[0]["description"]
    dynamic = next(a for a in actions if a.text() == "A dynamic graph: maximum picks a branch")
    dynamic.trigger()
    settle(qtbot, window)
    assert {n.id for n in window.controller.document.nodes} == {"x", "w", "v", "p", "n", "y"}
    assert window.windowTitle() == "dynamic_branch.cgraph[*] — CG Studio"


# ------------------------------------------------------------ dynamic branch
def test_dynamic_branch_moves_the_gradient_with_the_sign_of_x(qtbot, window) -> None:
    example = next(e for e in window.gallery.examples if e.path.name == "dynamic_branch.cgraph")
    window.gallery.open_example(example)
    settle(qtbot, window)
    # x = 2: p = x * w = 6 beats n = x * v = 1, so the gradient runs through w
    assert grads(window) == {"x": "grad [3.]", "w": "grad [2.]", "v": "grad [0.]"}
    assert window.scene.nodes["y"].value_text() == "value [6.]"
    window.controller.set_field("x", "value", [-2.0])
    settle(qtbot, window)
    # x = -2: n = -1 beats p = -6, and the gradient moves over to v
    assert grads(window) == {"x": "grad [0.5000]", "w": "grad [-0.]", "v": "grad [-2.]"}
    assert window.scene.nodes["y"].value_text() == "value [-1.]"
    edges = window.controller.result.edges
    assert edges[("y", 0)].grad.tolist() == [0.0] and edges[("y", 1)].grad.tolist() == [1.0]


@pytest.mark.parametrize("x", [2.0, -2.0, 0.25, -7.0])
def test_dynamic_branch_matches_torch(x: float) -> None:
    doc = load_document(EXAMPLES_DIR / "dynamic_branch.cgraph")
    doc.set_field("x", "value", [x])
    ours = evaluate_document(doc).nodes
    oracle = evaluate_document(doc, torch).nodes
    for node_id in ("x", "w", "v"):
        np.testing.assert_array_equal(ours[node_id].grad, oracle[node_id].grad)
    winner, loser = ("w", "v") if x > 0 else ("v", "w")
    assert ours[winner].grad.item() == x and ours[loser].grad.item() == 0.0


def test_start_page_shows_once_then_only_when_ticked(window: MainWindow) -> None:
    shown: list[bool] = []

    def answer(dialog) -> bool:
        shown.append(dialog.at_start.isChecked())
        return False  # Close: the lesson stays

    window.gallery._run_gallery = answer
    assert not window.settings.contains("gallery/at_start")
    window.gallery.show_at_start()  # first start: the gallery is the start page
    assert shown == [False]
    window.gallery.show_at_start()  # the box was left unticked: not again
    assert shown == [False]

    def tick(dialog) -> bool:
        dialog.at_start.setChecked(True)
        return False

    window.gallery._run_gallery = tick
    window.gallery.show_gallery()  # Help > Examples, ticking the box
    window.gallery._run_gallery = answer
    window.gallery.show_at_start()
    assert shown == [False, True]
