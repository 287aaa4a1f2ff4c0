"""The main window: the canvas in the middle, palette, inspector and history docks, and the menus.

The window owns one DocumentController and turns menu actions into controller calls; it never
edits the document itself. File actions (New, Open, Save, Export) live here too. Every dialog goes
through a small method (``_ask_save_changes``, ``show_error``, ``_get_open_path``, ...) so tests
can replace it with a canned answer.

Each other feature is a module with an ``install(window)`` function that uses only the window's
public interface: ``add_action``/``register_action`` (the shortcuts dialog lists them),
``add_to_menu(menu, section, ...)`` (the sections are ``MENU_SECTIONS``), ``menu``, ``show_error``,
``show_message``, ``dialog_folder``, ``display_name``, ``set_document_path``, ``confirm_discard``,
``adopt_document``, ``open_path``, the signal ``closing`` (a feature stops its timers), and
the parts: ``controller``, ``scene``, ``view``, ``inspector``, ``history_dock``, ``examples_menu``,
``settings``.
"""

from __future__ import annotations

import operator
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QObject, QPointF, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QPalette,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QUndoView,
    QVBoxLayout,
)

from app.canvas import GraphScene, GraphView
from app.controller import DocumentController
from app.fileio import FileFormatError, load_document, save_document
from app.model import GraphDocument
from app.paths import APP_ICON, EXAMPLES_DIR, STYLESHEET
from app.ui import (
    autograd_view,
    code_view,
    gallery,
    i18n,
    local_derivatives,
    presentation,
    program_actions,
    trace_view,
    training_dock,
    walkthrough_bar,
)
from app.ui.export import IMAGE_SUFFIXES, render_scene, scene_image
from app.ui.inspector import InspectorDock
from app.ui.palette import PaletteDock
from app.ui.recent import RecentFiles
from app.ui.themes import THEME_KEY, THEMES, apply_theme

DOCUMENT_SUFFIX = ".cgraph"
SNAP_KEY = "view/snap_to_grid"
GEOMETRY_KEY = "ui/geometry"
#: The room a node added from the palette is given (a new card is about this large).
NEW_CARD_SIZE = (220.0, 150.0)
STATE_KEY = "ui/state"

#: The menus' sections, in order: (section, whether a separator comes before it). A feature adds
#: its entries to the end of a section by name (``MainWindow.add_to_menu``).
MENU_SECTIONS: dict[str, tuple[tuple[str, bool], ...]] = {
    "file": (("open", False), ("save", True), ("export", False), ("quit", True)),
    "edit": (("history", False), ("clipboard", True), ("items", False), ("select", True)),
    "view": (("zoom", False), ("grid", True), ("docks", True), ("theme", False),
             ("teaching", True), ("walkthrough", True), ("language", True)),
    "graph": (("layout", False), ("backward", True), ("run", True)),
    "help": (("start", False), ("help", False)),
}

#: A node result's error, read in C when the status bar counts the errors of an evaluation.
_ERROR = operator.attrgetter("error")


def example_paths() -> list[Path]:
    """The example documents shipped in resources/examples, by name."""
    return sorted(EXAMPLES_DIR.glob(f"*{DOCUMENT_SUFFIX}"))


class MenuSections:
    """A menu made of named sections in a fixed order: an entry goes to the end of its section,
    whatever was added to the other sections before or after it."""

    def __init__(self, menu: QMenu, sections: Sequence[tuple[str, bool]]) -> None:
        self.menu = menu
        self._separated = dict(sections)
        self._entries: dict[str, list[QAction]] = {name: [] for name, _ in sections}

    def add(self, section: str, entries: Sequence[QAction | QMenu]) -> None:
        actions = [entry.menuAction() if isinstance(entry, QMenu) else entry
                   for entry in entries]
        if not self._entries[section] and self._separated[section]:
            separator = QAction(self.menu)
            separator.setSeparator(True)
            actions.insert(0, separator)
        names = list(self._entries)
        later = next((self._entries[name][0] for name in names[names.index(section) + 1:]
                      if self._entries[name]), None)
        if later is None:
            self.menu.addActions(actions)
        else:
            self.menu.insertActions(later, actions)
        self._entries[section].extend(actions)


class MainWindow(QMainWindow):
    """The CG Studio window around one document.

    ``closing`` is emitted when the user closes the window, before the question whether to save:
    features stop what runs on their timers (a training run, the walkthrough's Play), so that the
    document no longer changes while it is saved, and nothing of theirs runs while the window and
    its controller are taken down.
    """

    closing = Signal()

    def __init__(self, controller: DocumentController | None = None,
                 settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings if settings is not None else QSettings()
        self.controller = controller if controller is not None else DocumentController(parent=self)
        self.recent = RecentFiles(self.settings)
        self.path: str | None = None
        self._display_name = self.tr("Untitled")
        #: every action with a key, for the shortcuts dialog (and the tests)
        self.menu_actions: dict[str, QAction] = {}
        self._menus: dict[str, MenuSections] = {}
        self.setObjectName("MainWindow")
        self.resize(1440, 900)
        self.setAcceptDrops(True)
        if APP_ICON.is_file():
            self.setWindowIcon(QIcon(str(APP_ICON)))

        self.view = GraphView(self.controller)
        self.setCentralWidget(self.view)
        # the view takes drags for palette entries; files dropped on it are the window's business
        self.view.viewport().installEventFilter(self)
        self._build_docks()
        self._build_actions()
        self._build_menus()
        # the features, each by its public install(window); the order is that of their entries
        # within a menu section (View's dock toggles: Code, Training, Autograd graph)
        self.code_dock, self.code_actions = code_view.install(self)
        self.training_dock = training_dock.install(self)
        self.autograd_dock = autograd_view.install(self)
        self.comparison_dock = trace_view.install(self)
        self.program_actions = program_actions.install(self)
        self.numeric_check, self.presentation = presentation.install(self)
        self.local_derivatives = local_derivatives.install(self)
        self.gallery = gallery.install(self, EXAMPLES_DIR)
        self.walkthrough = walkthrough_bar.install(self)
        # a training step's update, with its numbers, in the walkthrough's formula panel
        self.training_dock.step_explained.connect(self.walkthrough.show_text)
        # presenting a graph too large for the screen, the canvas follows the walkthrough
        self.walkthrough.step_shown.connect(self.presentation.follow)
        self.language_menu = i18n.install(self)
        self._build_status_bar()

        self.controller.undo_stack.cleanChanged.connect(self._update_title)
        self.controller.message.connect(self.show_message)
        self.controller.evaluated.connect(self._on_evaluated)
        # "evaluated in N ms" is timed from the edit to the fresh numbers, as the class sees it
        self._edit_time: float | None = None
        self.controller.undo_stack.indexChanged.connect(self._on_undo_index_changed)
        self.controller.document_replaced.connect(self._start_clock)
        self.scene.selectionChanged.connect(self._on_selection_changed)
        self.scene.answers_hidden.connect(
            lambda: self.inspector.hide_answers(self.scene.hidden_nodes))
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_system_scheme_changed)
        self.apply_theme(str(self.settings.value(THEME_KEY, "system")))
        self._set_snap(self.settings.value(SNAP_KEY, True, type=bool))
        self._update_title()
        self._on_selection_changed()
        if self.controller.result is not None:
            self._on_evaluated(self.controller.result)

    @property
    def scene(self) -> GraphScene:
        return self.view.graph_scene

    # ------------------------------------------------------------------ building
    def _build_docks(self) -> None:
        self.palette_dock = PaletteDock(self)
        self.palette_dock.node_requested.connect(self.add_node_at_centre)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.palette_dock)

        self.inspector = InspectorDock(self.controller, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.inspector)

        self.history_dock = QDockWidget(self.tr("History"), self)
        self.history_dock.setObjectName("HistoryDock")
        self.undo_view = QUndoView(self.controller.undo_stack)
        self.undo_view.setEmptyLabel(self.tr("<opened document>"))
        self.history_dock.setWidget(self.undo_view)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.history_dock)
        self.tabifyDockWidget(self.inspector, self.history_dock)
        self.inspector.raise_()
        # the right column fits the tabs of its five docks (Inspector ... Autograd graph) unelided
        self.resizeDocks([self.palette_dock, self.inspector], [190, 396],
                         Qt.Orientation.Horizontal)

    # ------------------------------------------------------- for the features
    def add_action(self, key: str, text: str, slot: Callable[..., Any] | None = None,
                   shortcuts: Any = None, checkable: bool = False) -> QAction:
        """A new action of the window, registered under ``key`` (see ``register_action``)."""
        action = QAction(text, self)
        if shortcuts is not None:
            action.setShortcuts(shortcuts if isinstance(shortcuts, list) else [shortcuts])
        action.setCheckable(checkable)
        if slot is not None:
            action.triggered.connect(slot)
        return self.register_action(key, action)

    def register_action(self, key: str, action: QAction) -> QAction:
        """List ``action`` under ``key``: the shortcuts dialog shows its keys."""
        self.menu_actions[key] = action
        return action

    def add_to_menu(self, menu: str, section: str, *entries: QAction | QMenu) -> None:
        """Add actions or submenus to the end of ``section`` of ``menu`` (``MENU_SECTIONS``)."""
        self._menus[menu].add(section, entries)

    def menu(self, key: str) -> QMenu:
        """The menu called ``key`` in ``MENU_SECTIONS`` ("file", "edit", "view", ...)."""
        return self._menus[key].menu

    def show_error(self, text: str) -> None:
        """Tell the user something failed, in a dialog."""
        QMessageBox.critical(self, self.tr("CG Studio"), text)

    def dialog_folder(self) -> str:
        """Where file dialogs start: the document's folder, else the home folder."""
        return str(Path(self.path).parent) if self.path else str(Path.home())

    @property
    def display_name(self) -> str:
        """The document's name as the title shows it ("lesson.cgraph", "Untitled")."""
        return self._display_name

    def set_document_path(self, path: str | None, display_name: str | None = None) -> None:
        """The file the document saves to (None: none yet), and its name in the title."""
        self.path = path
        self._display_name = display_name or (Path(path).name if path else self.tr("Untitled"))
        self._update_title()

    def _build_actions(self) -> None:
        keys = QKeySequence.StandardKey
        self.add_action("new", self.tr("&New"), self.new_document, QKeySequence(keys.New))
        self.add_action("open", self.tr("&Open…"), self.open_dialog, QKeySequence(keys.Open))
        self.add_action("save", self.tr("&Save"), self.save, QKeySequence(keys.Save))
        self.add_action("save_as", self.tr("Save &As…"), self.save_as, QKeySequence(keys.SaveAs))
        self.add_action("export", self.tr("&Export Image…"), self.export_dialog,
                     QKeySequence(self.tr("Ctrl+E")))
        self.add_action("quit", self.tr("&Quit"), self.close, QKeySequence(keys.Quit))
        self.menu_actions["quit"].setMenuRole(QAction.MenuRole.QuitRole)

        stack = self.controller.undo_stack
        undo = stack.createUndoAction(self, self.tr("&Undo"))
        undo.setShortcuts(QKeySequence.keyBindings(keys.Undo))
        redo = stack.createRedoAction(self, self.tr("&Redo"))
        redo.setShortcuts([QKeySequence(self.tr("Ctrl+Shift+Z")), QKeySequence(self.tr("Ctrl+Y"))])
        # their text names the command ("Undo Rename"); the shortcuts list wants a fixed name
        undo.setIconText(self.tr("Undo"))
        redo.setIconText(self.tr("Redo"))
        self.menu_actions["undo"], self.menu_actions["redo"] = undo, redo
        self.add_action("cut", self.tr("Cu&t"), self.cut, QKeySequence(keys.Cut))
        self.add_action("copy", self.tr("&Copy"), self.copy, QKeySequence(keys.Copy))
        self.add_action("copy_image", self.tr("Copy &Image"), self.copy_image,
                        QKeySequence(self.tr("Ctrl+Shift+C")))
        self.add_action("paste", self.tr("&Paste"), self.paste, QKeySequence(keys.Paste))
        self.add_action("duplicate", self.tr("&Duplicate"), self.duplicate,
                     QKeySequence(self.tr("Ctrl+D")))
        self.add_action("delete", self.tr("&Delete"), self.delete_selection,
                     [QKeySequence(keys.Delete), QKeySequence(Qt.Key.Key_Backspace)])
        self.add_action("select_all", self.tr("Select &All"), self.select_all,
                     QKeySequence(keys.SelectAll))
        self.add_action("rename", self.tr("Re&name"), self.rename_selection,
                     QKeySequence(Qt.Key.Key_F2))

        self.add_action("fit", self.tr("&Fit All"), self.fit_all, QKeySequence(Qt.Key.Key_F))
        # Ctrl+= too: on most layouts "+" needs Shift
        self.add_action("zoom_in", self.tr("Zoom &In"), self.view.zoom_in,
                     [QKeySequence(keys.ZoomIn), QKeySequence(self.tr("Ctrl+="))])
        self.add_action("zoom_out", self.tr("Zoom &Out"), self.view.zoom_out,
                     QKeySequence(keys.ZoomOut))
        self.add_action("zoom_reset", self.tr("&Reset Zoom"), self.view.reset_zoom,
                     QKeySequence(self.tr("Ctrl+0")))
        self.add_action("snap", self.tr("&Snap to Grid"), self._set_snap, checkable=True)
        theme_group = QActionGroup(self)
        names = {"system": self.tr("Follow &System"), "light": self.tr("&Light"),
                 "dark": self.tr("&Dark")}
        for theme in THEMES:
            action = self.add_action(f"theme_{theme}", names[theme],
                                  lambda _on=False, t=theme: self.apply_theme(t), checkable=True)
            theme_group.addAction(action)

        self.add_action("tidy", self.tr("&Tidy Up"), self.tidy_up,
                     QKeySequence(self.tr("Ctrl+L")))
        self.add_action("add_note", self.tr("Add &Note"), self.add_note,
                     QKeySequence(self.tr("Ctrl+Shift+N")))
        self.add_action("set_output", self.tr("Set &Output"), self.set_output_to_selection,
                     QKeySequence(self.tr("Ctrl+B")))
        # keys that act on canvas items work while the canvas has the focus, so Backspace in
        # the palette or Ctrl+A in a list never deletes or selects nodes behind the user's back
        for key in ("cut", "copy", "paste", "duplicate", "delete", "select_all", "fit"):
            action = self.menu_actions[key]
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.view.addAction(action)
        self.add_action("about", self.tr("&About CG Studio"), self.show_about)
        self.menu_actions["about"].setMenuRole(QAction.MenuRole.AboutRole)
        self.add_action("shortcuts", self.tr("&Keyboard Shortcuts"), self.show_shortcuts,
                     QKeySequence(keys.HelpContents))

    def _build_menus(self) -> None:
        bar = self.menuBar()
        titles = {"file": self.tr("&File"), "edit": self.tr("&Edit"), "view": self.tr("&View"),
                  "graph": self.tr("&Graph"), "help": self.tr("&Help")}
        for key, sections in MENU_SECTIONS.items():
            self._menus[key] = MenuSections(bar.addMenu(titles[key]), sections)
        actions = self.menu_actions

        self.recent_menu = QMenu(self.tr("Open &Recent"), self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        self.examples_menu = QMenu(self.tr("Open E&xample"), self)
        for path in example_paths():
            action = self.examples_menu.addAction(path.stem)
            action.triggered.connect(lambda _on=False, p=path: self.open_example(p))
        self.examples_menu.setEnabled(not self.examples_menu.isEmpty())
        self.add_to_menu("file", "open", actions["new"], actions["open"], self.recent_menu,
                         self.examples_menu)
        self.add_to_menu("file", "save", actions["save"], actions["save_as"])
        self.add_to_menu("file", "export", actions["export"])
        self.add_to_menu("file", "quit", actions["quit"])

        self.add_to_menu("edit", "history", actions["undo"], actions["redo"])
        self.add_to_menu("edit", "clipboard", *(actions[k] for k in ("cut", "copy", "copy_image",
                                                                   "paste")))
        self.add_to_menu("edit", "items", actions["duplicate"], actions["delete"])
        self.add_to_menu("edit", "select", actions["select_all"], actions["rename"])

        self.add_to_menu("view", "zoom", *(actions[k] for k in ("fit", "zoom_in", "zoom_out",
                                                               "zoom_reset")))
        self.add_to_menu("view", "grid", actions["snap"])
        self.add_to_menu("view", "docks", *(dock.toggleViewAction() for dock in (
            self.palette_dock, self.inspector, self.history_dock)))
        theme_menu = QMenu(self.tr("&Theme"), self)
        theme_menu.addActions([actions[f"theme_{t}"] for t in THEMES])
        self.add_to_menu("view", "theme", theme_menu)

        self.add_to_menu("graph", "layout", *(actions[k] for k in ("tidy", "add_note",
                                                                  "set_output")))
        self.add_to_menu("help", "help", actions["shortcuts"], actions["about"])

    def _build_status_bar(self) -> None:
        self.eval_label = QLabel()
        self.statusBar().addPermanentWidget(self.eval_label)

    # ------------------------------------------------------------- title, status
    def _update_title(self, clean: bool | None = None) -> None:
        if clean is None:
            clean = not self.controller.is_modified()
        self.setWindowTitle(self.tr("%1[*] — CG Studio").replace("%1", self._display_name))
        self.setWindowModified(not clean)

    def show_message(self, text: str) -> None:
        """Show a controller or window message in the status bar for a few seconds."""
        self.statusBar().showMessage(text, 6000)

    def _start_clock(self, _document: Any = None) -> None:
        if self._edit_time is None:
            self._edit_time = time.perf_counter()

    def _on_undo_index_changed(self, _index: int) -> None:
        # edits that change no number (a move, a rename) are not evaluated: they start no clock
        if self.controller.evaluation_pending:
            self._start_clock()

    def _on_evaluated(self, result: Any) -> None:
        """Summarise the evaluation in the status bar: node count, time, errors."""
        count = len(result.nodes)
        # counted in C (map, attrgetter): a generator over 5,000 results took 1 ms of each edit
        errors = sum(1 for _ in filter(None, map(_ERROR, result.nodes.values())))
        parts = [self.tr("1 node evaluated") if count == 1
                 else self.tr("%1 nodes evaluated").replace("%1", str(count))]
        if self._edit_time is not None:
            elapsed = (time.perf_counter() - self._edit_time) * 1000.0
            parts.append(self.tr("in %1 ms").replace("%1", f"{elapsed:.0f}"))
            self._edit_time = None
        if errors:
            parts.append(self.tr("1 error") if errors == 1
                         else self.tr("%1 errors").replace("%1", str(errors)))
        self.eval_label.setText("  ·  ".join(parts))

    # ----------------------------------------------------------------- selection
    def _on_selection_changed(self) -> None:
        nodes, notes = self.scene.selected_ids()
        self.inspector.set_node(nodes[0] if len(nodes) == 1 and not notes else None)
        for key in ("cut", "copy", "duplicate", "delete"):
            self.menu_actions[key].setEnabled(bool(nodes or notes))
        for key in ("rename", "set_output"):
            self.menu_actions[key].setEnabled(len(nodes) == 1)

    def view_centre(self) -> tuple[float, float]:
        """The scene point in the middle of the visible canvas."""
        centre: QPointF = self.view.mapToScene(self.view.viewport().rect().center())
        return (centre.x(), centre.y())

    # -------------------------------------------------------------- edit actions
    def add_node_at_centre(self, type_name: str) -> str | None:
        """Add a node from the palette in free space near the view's centre, and select it."""
        spot = self.scene.free_spot_near(QPointF(*self.view_centre()), NEW_CARD_SIZE)
        node_id = self.controller.add_node(type_name, (spot.x(), spot.y()))
        if node_id is not None:
            self.scene.select_ids([node_id])
            self.view.bring_into_view([node_id])
        return node_id

    def copy(self) -> None:
        self.view.copy_selection()

    def copy_image(self) -> None:
        """Put the canvas on the clipboard as an image (twice its resolution), for slides."""
        QGuiApplication.clipboard().setImage(scene_image(self.scene))
        self.show_message(self.tr("The canvas is on the clipboard as an image"))

    def cut(self) -> None:
        if self.view.copy_selection():
            self.delete_selection()

    def paste(self) -> None:
        self.view.paste_clipboard()

    def duplicate(self) -> None:
        nodes, notes = self.scene.selected_ids()
        if nodes or notes:
            self.controller.duplicate(nodes + notes)

    def delete_selection(self) -> None:
        self.view.delete_items(*self.scene.selected_ids())

    def select_all(self) -> None:
        document = self.controller.document
        self.scene.select_ids([n.id for n in document.nodes] + [n.id for n in document.notes])

    def rename_selection(self) -> None:
        nodes, _notes = self.scene.selected_ids()
        if len(nodes) == 1:
            self.inspector.focus_label()

    def add_note(self) -> str:
        return self.controller.add_note(self.view_centre(), self.tr("Note"))

    def tidy_up(self) -> None:
        self.view.tidy_up()

    def set_output_to_selection(self) -> None:
        nodes, _notes = self.scene.selected_ids()
        if len(nodes) == 1:
            self.controller.set_output(nodes[0])
        else:
            self.show_message(self.tr("Select the one node backward should start from."))

    # -------------------------------------------------------------- view actions
    def fit_all(self) -> None:
        """Show the whole graph (while presenting: as large as reads from the back of a room)."""
        if self.presentation.active:
            self.presentation.fit()
        else:
            self.view.fit_all()

    def _set_snap(self, on: bool) -> None:
        self.menu_actions["snap"].setChecked(on)
        self.view.set_snap_to_grid(on)
        self.settings.setValue(SNAP_KEY, on)

    def apply_theme(self, theme: str) -> None:
        """Switch to ``theme`` ("system", "light" or "dark") and remember the choice."""
        if theme not in THEMES:
            theme = "system"
        self.theme = theme
        self.menu_actions[f"theme_{theme}"].setChecked(True)
        self.settings.setValue(THEME_KEY, theme)
        app = QApplication.instance()
        palette = QPalette(app.palette())
        apply_theme(app, theme)
        if STYLESHEET.is_file():
            sheet = STYLESHEET.read_text(encoding="utf-8")
            # setting the sheet (again) re-polishes every widget of every window, which is how
            # widgets under a style sheet take a new palette: only when the palette changed
            if app.styleSheet() != sheet or app.palette() != palette:
                app.setStyleSheet(sheet)
        self.view.restyle()

    def _on_system_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.theme == "system":
            self.apply_theme("system")

    # -------------------------------------------------------------- file actions
    def confirm_discard(self) -> bool:
        """True when the current document may be replaced (saved or discarded on request)."""
        if not self.controller.is_modified():
            return True
        answer = self._ask_save_changes()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_document(self) -> None:
        if self.confirm_discard():
            self.controller.replace_document(GraphDocument())
            self.set_document_path(None)

    def open_dialog(self) -> None:
        if not self.confirm_discard():
            return
        path = self._get_open_path()
        if path:
            self.open_path(path)

    def open_example(self, path: Path) -> None:
        if self.confirm_discard():
            self.open_path(str(path), as_copy=True)

    def open_path(self, path: str, *, as_copy: bool = False) -> bool:
        """Load ``path`` in place of the current document (which stays if loading fails).

        ``as_copy`` opens a file without making it the save target (examples): Save then asks
        for a new name, so the shipped examples are never overwritten by a class.
        """
        try:
            document = load_document(path)
        except FileFormatError as exc:
            self.show_error(self.tr("Cannot open %1:\n%2").replace("%1", Path(path).name)
                             .replace("%2", str(exc)))
            return False
        except OSError as exc:
            self.show_error(self.tr("Cannot open %1:\n%2").replace("%1", Path(path).name)
                             .replace("%2", exc.strerror or str(exc)))
            return False
        self.adopt_document(document, path, as_copy=as_copy)
        self.show_message(self.tr("Opened %1").replace("%1", Path(path).name))
        return True

    def adopt_document(self, document: GraphDocument, path: str, *, as_copy: bool = False,
                       lay_out: bool = False) -> None:
        """Show a document loaded from ``path`` (see ``open_path`` for ``as_copy``).

        ``lay_out`` places its nodes by the layered layout with the cards as drawn here (a
        graph imported from code, laid out on estimated card sizes until now).
        """
        self.controller.replace_document(document)
        if lay_out:
            self.view.lay_out_new_document()
        self.view.setFocus()
        if as_copy:
            self.set_document_path(None, Path(path).name)
        else:
            self.set_document_path(str(Path(path).resolve()))
            self.recent.add(path)
        self.fit_all()

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        path = self._get_save_path()
        if not path:
            return False
        if Path(path).suffix.lower() != DOCUMENT_SUFFIX:
            path += DOCUMENT_SUFFIX
        return self._write(path)

    def _write(self, path: str) -> bool:
        try:
            save_document(self.controller.document, path)
        except (OSError, FileFormatError) as exc:
            self.show_error(self.tr("Cannot save %1:\n%2").replace("%1", Path(path).name)
                             .replace("%2", str(exc)))
            return False
        self.controller.mark_saved()
        self.set_document_path(str(Path(path).resolve()))
        self.recent.add(path)
        self.show_message(self.tr("Saved %1").replace("%1", Path(path).name))
        return True

    def export_dialog(self) -> bool:
        path = self._get_export_path()
        if not path:
            return False
        if Path(path).suffix.lower() not in IMAGE_SUFFIXES:
            path += ".png"
        try:
            render_scene(self.scene, path)
        except (OSError, ValueError) as exc:
            self.show_error(self.tr("Cannot export %1:\n%2").replace("%1", Path(path).name)
                             .replace("%2", str(exc)))
            return False
        self.show_message(self.tr("Exported %1").replace("%1", Path(path).name))
        return True

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.recent.paths()
        for number, path in enumerate(paths, start=1):
            action = self.recent_menu.addAction(f"&{number}  {Path(path).name}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _on=False, p=path: self._open_recent(p))
        if paths:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction(self.tr("Clear List"), self.recent.clear)
        self.recent_menu.setEnabled(bool(paths))

    def _open_recent(self, path: str) -> None:
        if self.confirm_discard():
            self.open_path(path)

    # ------------------------------------------------------------ drag and drop
    @staticmethod
    def _dropped_document(mime: QMimeData) -> str | None:
        """The first .cgraph file among dropped URLs, if any."""
        for url in mime.urls() if mime.hasUrls() else []:
            if isinstance(url, QUrl) and url.isLocalFile() \
                    and url.toLocalFile().lower().endswith(DOCUMENT_SUFFIX):
                return url.toLocalFile()
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_document(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_document(event.mimeData())
        if path is None:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        if self.confirm_discard():
            self.open_path(path)

    def eventFilter(self, watched: QObject, event: Any) -> bool:
        kinds = (event.Type.DragEnter, event.Type.DragMove, event.Type.Drop)
        if event.type() in kinds and self._dropped_document(event.mimeData()):
            if event.type() == event.Type.Drop:
                self.dropEvent(event)
            else:
                event.acceptProposedAction()
            return True
        return super().eventFilter(watched, event)

    # ----------------------------------------------------------------- closing
    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        if not self.confirm_discard():
            event.ignore()
            return
        self.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.settings.setValue(STATE_KEY, self.saveState())
        event.accept()

    def restore_layout(self) -> None:
        """Put the window and its docks back where the user left them last time."""
        geometry = self.settings.value(GEOMETRY_KEY)
        state = self.settings.value(STATE_KEY)
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    # ---------------------------------------------------------------- dialogs
    def _ask_save_changes(self) -> QMessageBox.StandardButton:
        """Ask whether to save the modified document: Save, Discard or Cancel."""
        return QMessageBox.question(
            self, self.tr("Unsaved changes"),
            self.tr("%1 has unsaved changes. Save them?").replace("%1", self._display_name),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)

    def _get_open_path(self) -> str:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Open Graph"), self.dialog_folder(),
            self.tr("CG Studio graphs (*.cgraph);;All files (*)"))
        return path

    def _get_save_path(self) -> str:
        start = self.path or str(Path(self.dialog_folder()) / self._display_name)
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Save Graph As"), start, self.tr("CG Studio graphs (*.cgraph)"))
        return path

    def _get_export_path(self) -> str:
        start = str(Path(self.dialog_folder()) / (Path(self._display_name).stem + ".png"))
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export Image"), start,
            self.tr("PNG image (*.png);;SVG drawing (*.svg);;PDF handout (*.pdf)"))
        return path

    # ------------------------------------------------------------------- help
    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(command, keys) for every action with a shortcut, as the shortcuts dialog lists."""
        rows = []
        for action in self.menu_actions.values():
            keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText)
                             for s in action.shortcuts())
            if keys:
                rows.append((action.iconText(), keys))
        return rows

    def show_shortcuts(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("Keyboard Shortcuts"))
        rows = self.shortcut_rows()
        table = QTableWidget(len(rows), 2, dialog)
        table.setHorizontalHeaderLabels([self.tr("Command"), self.tr("Keys")])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (command, keys) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(command))
            table.setItem(row, 1, QTableWidgetItem(keys))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(QLabel(self.tr("On the canvas, drag with the middle button or Space "
                                        "to pan and use the wheel to zoom.")))
        layout.addWidget(table)
        layout.addWidget(buttons)
        dialog.resize(480, 560)
        dialog.exec()

    def show_about(self) -> None:
        QMessageBox.about(
            self, self.tr("About CG Studio"),
            self.tr("<h3>CG Studio</h3><p>See how a deep-learning framework computes "
                    "gradients: build a computational graph, and every forward value and "
                    "gradient is shown exactly as PyTorch computes it.</p>"))

