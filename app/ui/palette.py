"""The palette dock: every node type of the registry, grouped by category, ready to drag.

Dragging an entry onto the canvas starts a QDrag whose MIME data carries the type name (the
canvas view accepts it and adds the node where it is dropped); double-clicking an entry asks the
main window, through ``node_requested``, to add the node in the middle of the view.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QMimeData, Qt, Signal
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.canvas import NODE_TYPE_MIME
from app.registry import CATEGORIES, NodeType, types_in

_TYPE_ROLE = Qt.ItemDataRole.UserRole


class PaletteTree(QTreeWidget):
    """The category tree; only leaf entries (node types) can be dragged."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setColumnCount(1)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)

    def mime_for(self, item: QTreeWidgetItem) -> QMimeData | None:
        """The drag payload of an entry, or None for a category row."""
        type_name = item.data(0, _TYPE_ROLE)
        if not type_name:
            return None
        mime = QMimeData()
        mime.setData(NODE_TYPE_MIME, type_name.encode("utf-8"))
        mime.setText(type_name)
        return mime

    def startDrag(self, supported_actions: Qt.DropAction) -> None:
        item = self.currentItem()
        mime = self.mime_for(item) if item is not None else None
        if mime is None:
            return
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.exec(Qt.DropAction.CopyAction)


class PaletteDock(QDockWidget):
    """Dock listing the node types under their categories, with a filter box on top."""

    #: The name of a node type the user double-clicked.
    node_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Palette"), parent)
        self.setObjectName("PaletteDock")
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Filter node types…"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.apply_filter)
        self.tree = PaletteTree()
        # activation is a double-click (or Enter) with every desktop style
        self.tree.itemActivated.connect(self._on_activated)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.tree)
        self.setWidget(body)
        self._populate()

    def _populate(self) -> None:
        for category in CATEGORIES:
            group = QTreeWidgetItem(self.tree, [QCoreApplication.translate("registry", category)])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for spec in types_in(category):
                group.addChild(self._entry(spec))
        self.tree.expandAll()

    @staticmethod
    def _entry(spec: NodeType) -> QTreeWidgetItem:
        item = QTreeWidgetItem([spec.title])
        item.setData(0, _TYPE_ROLE, spec.name)
        doc = QCoreApplication.translate("registry", spec.doc) if spec.doc else ""
        item.setToolTip(0, f"{spec.title}: {doc}" if doc else spec.title)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                      | Qt.ItemFlag.ItemIsDragEnabled)
        return item

    def entries(self) -> dict[str, list[str]]:
        """Visible type names per category, in the order shown (what the user sees)."""
        shown: dict[str, list[str]] = {}
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            if group.isHidden():
                continue
            shown[group.text(0)] = [
                group.child(j).data(0, _TYPE_ROLE)
                for j in range(group.childCount()) if not group.child(j).isHidden()
            ]
        return shown

    def item_for(self, type_name: str) -> QTreeWidgetItem:
        """The entry of one node type (KeyError if the registry has no such type)."""
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                if group.child(j).data(0, _TYPE_ROLE) == type_name:
                    return group.child(j)
        raise KeyError(type_name)

    def apply_filter(self, text: str) -> None:
        """Show the types whose name, title or doc contains ``text``; hide emptied categories."""
        needle = text.strip().lower()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            visible = 0
            for j in range(group.childCount()):
                child = group.child(j)
                haystack = f"{child.data(0, _TYPE_ROLE)} {child.text(0)} {child.toolTip(0)}"
                match = not needle or needle in haystack.lower()
                child.setHidden(not match)
                visible += match
            group.setHidden(visible == 0)

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        type_name = item.data(0, _TYPE_ROLE)
        if type_name:
            self.node_requested.emit(type_name)
