"""The example gallery: Help > Examples... and the titles of File > Open Example.

resources/examples/index.json lists the examples in teaching order, each as
``{"file": "lesson.cgraph", "title": "...", "description": "..."}``; a ``.py`` entry is a code
listing (the lesson's own), opened by importing its code. ``load_examples(directory)`` reads that
list (an example file the index forgets is still offered, by its name; a broken index falls back
to the file names, so the menu never disappears). ``ExampleGallery`` is the dialog;
``GalleryActions`` opens an example as a copy, so Save asks for a new name and a class never
overwrites a shipped file. ``install(window, directory)`` adds it all to a main window.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.codeio import CodeImportError, import_code

if TYPE_CHECKING:
    from app.ui.mainwindow import MainWindow

INDEX_NAME = "index.json"
DOCUMENT_SUFFIX = ".cgraph"
CODE_SUFFIX = ".py"
EXAMPLE_SUFFIXES = (DOCUMENT_SUFFIX, CODE_SUFFIX)


@dataclass(frozen=True)
class Example:
    """One shipped example: its file, the title the menus show and a one-line description."""

    path: Path
    title: str
    description: str

    @property
    def shown_title(self) -> str:
        """The title in the interface's language (index texts are translated as "examples")."""
        return QCoreApplication.translate("examples", self.title)

    @property
    def shown_description(self) -> str:
        return QCoreApplication.translate("examples", self.description)

    @property
    def is_code(self) -> bool:
        return self.path.suffix.lower() == CODE_SUFFIX


def read_index(directory: Path) -> list[Example]:
    """The entries of ``directory``/index.json in order; ValueError names what is wrong."""
    index = directory / INDEX_NAME
    try:
        entries = json.loads(index.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{INDEX_NAME}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{INDEX_NAME}: not valid JSON ({exc})") from exc
    if not isinstance(entries, list):
        raise ValueError(f"{INDEX_NAME}: expected a list of examples")
    examples = []
    for number, entry in enumerate(entries, start=1):
        fields = ("file", "title", "description")
        if not isinstance(entry, dict) or not all(isinstance(entry.get(f), str) for f in fields):
            raise ValueError(f"{INDEX_NAME}: entry {number} needs the texts {', '.join(fields)}")
        name = entry["file"]
        # only plain names of this folder: an index must not point the app anywhere else
        if Path(name).name != name or Path(name).suffix.lower() not in EXAMPLE_SUFFIXES:
            raise ValueError(f"{INDEX_NAME}: entry {number}: {name!r} is not an example file")
        examples.append(Example(directory / name, entry["title"], entry["description"]))
    return examples


def load_examples(directory: Path) -> list[Example]:
    """Every example of ``directory``: the index's that exist, then any graph it leaves out."""
    try:
        listed = [example for example in read_index(directory) if example.path.is_file()]
    except ValueError:
        listed = []
    known = {example.path.name for example in listed}
    unlisted = [Example(path, path.stem, "")
                for path in sorted(directory.glob(f"*{DOCUMENT_SUFFIX}")) if path.name not in known]
    return listed + unlisted


#: QSettings key: show the gallery as the start page
AT_START_KEY = "gallery/at_start"


class ExampleGallery(QDialog):
    """A list of the examples with their descriptions; Open (or a double click) picks one."""

    def __init__(self, examples: list[Example], parent: QWidget | None = None,
                 at_start: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Examples"))
        self.at_start = QCheckBox(self.tr("Show the examples when CG Studio starts"))
        self.at_start.setChecked(at_start)
        self.examples = examples
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([self.tr("Example"), self.tr("What it shows")])
        self.tree.setRootIsDecorated(False)
        self.tree.setWordWrap(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for example in examples:
            item = QTreeWidgetItem([example.shown_title, example.shown_description])
            item.setToolTip(1, example.shown_description)
            item.setToolTip(0, example.path.name)
            self.tree.addTopLevelItem(item)
        self.tree.resizeColumnToContents(0)
        if examples:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self.tree.itemActivated.connect(self.accept)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                   | QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
        self.open_button.setEnabled(bool(examples))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Each example opens as a copy: your changes never "
                                        "overwrite it.")))
        layout.addWidget(self.tree)
        layout.addWidget(self.at_start)
        layout.addWidget(buttons)
        self.resize(900, 420)

    def rows(self) -> list[tuple[str, str]]:
        """(title, description) as the list shows them."""
        return [(self.tree.topLevelItem(i).text(0), self.tree.topLevelItem(i).text(1))
                for i in range(self.tree.topLevelItemCount())]

    def select(self, row: int) -> None:
        self.tree.setCurrentItem(self.tree.topLevelItem(row))

    def chosen(self) -> Example | None:
        """The example of the current row, if any."""
        row = self.tree.indexOfTopLevelItem(self.tree.currentItem())
        return self.examples[row] if row >= 0 else None


class GalleryActions(QObject):
    """Help > Examples... and File > Open Example of one window, from the same list."""

    def __init__(self, window: MainWindow, directory: Path) -> None:
        super().__init__(window)
        self.window = window
        self.examples = load_examples(directory)
        self.gallery_action = window.add_action("examples", self.tr("&Examples…"),
                                                self.show_gallery)

    def fill_menu(self) -> None:
        """List the examples by title in the window's File > Open Example menu."""
        menu = self.window.examples_menu
        menu.clear()
        for example in self.examples:
            action = menu.addAction(example.shown_title)
            action.setStatusTip(example.shown_description)
            action.setToolTip(example.shown_description)
            action.triggered.connect(lambda _on=False, e=example: self.open_example(e))
        menu.setEnabled(bool(self.examples))

    def show_gallery(self) -> bool:
        """Show the gallery and open the example the user picks; True when one was opened."""
        settings = self.window.settings
        dialog = ExampleGallery(self.examples, self.window,
                                at_start=settings.value(AT_START_KEY, False, type=bool))
        accepted = self._run_gallery(dialog)
        settings.setValue(AT_START_KEY, dialog.at_start.isChecked())
        example = dialog.chosen() if accepted else None
        return example is not None and self.open_example(example)

    def show_at_start(self) -> bool:
        """The start page: the gallery, on the first start and whenever its "show when CG Studio
        starts" box is ticked (the lesson stays open behind it: Close goes straight to it)."""
        settings = self.window.settings
        if settings.contains(AT_START_KEY) and not settings.value(AT_START_KEY, type=bool):
            return False
        return self.show_gallery()

    def open_example(self, example: Example) -> bool:
        """Open ``example`` as an unsaved copy in place of the current document."""
        if not self.window.confirm_discard():
            return False
        if not example.is_code:
            return self.window.open_path(str(example.path), as_copy=True)
        try:
            document = import_code(example.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, CodeImportError) as exc:
            self.window.show_error(self.tr("Cannot open %1:\n%2")
                                    .replace("%1", example.path.name).replace("%2", str(exc)))
            return False
        # named like a graph file, so Save As proposes "lesson_listing1.cgraph"
        self.window.adopt_document(document, str(example.path.with_suffix(DOCUMENT_SUFFIX)),
                                   as_copy=True, lay_out=True)
        self.window.show_message(self.tr("Opened %1").replace("%1", example.shown_title))
        return True

    def _run_gallery(self, dialog: ExampleGallery) -> bool:
        return dialog.exec() == QDialog.DialogCode.Accepted


def install(window: MainWindow, directory: Path) -> GalleryActions:
    """Add Help > Examples... to ``window`` and title its File > Open Example entries."""
    actions = GalleryActions(window, directory)
    window.add_to_menu("help", "start", actions.gallery_action)
    actions.fill_menu()
    return actions
