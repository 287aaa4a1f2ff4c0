"""The quick-add popup: Tab or a double-click on empty canvas, type a few letters, press Enter.

It lists the registry's node types whose name, category or description contains the typed text;
choosing one emits ``chosen(type_name)`` and the view adds that node where the popup opened.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.registry import CATEGORIES, types_in

_ROLE_TYPE = Qt.ItemDataRole.UserRole


class NodeSearchPopup(QFrame):
    """A search field over a list of node types."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        # a child of the view rather than a Qt.Popup window: it needs no window-manager support
        # (keyboard grabs), and the view closes it on a click elsewhere
        super().__init__(parent)
        self.setObjectName("NodeSearchPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.field = QLineEdit(self)
        self.field.setPlaceholderText(self.tr("Add node: type to search"))
        self.list = QListWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.field)
        layout.addWidget(self.list)
        for category in CATEGORIES:
            shown = QCoreApplication.translate("registry", category)
            for node_type in types_in(category):
                item = QListWidgetItem(f"{node_type.name}  ·  {shown}")
                item.setData(_ROLE_TYPE, node_type.name)
                item.setToolTip(QCoreApplication.translate("registry", node_type.doc))
                item.setData(Qt.ItemDataRole.UserRole + 1,
                             f"{node_type.name} {category} {shown} {node_type.doc}".lower())
                self.list.addItem(item)
        self.field.textChanged.connect(self.filter)
        self.field.installEventFilter(self)
        self.field.returnPressed.connect(self.choose_current)
        self.list.itemActivated.connect(lambda _item: self.choose_current())
        self.list.itemClicked.connect(lambda _item: self.choose_current())
        self.resize(300, 320)
        self.filter("")

    def visible_types(self) -> list[str]:
        """The type names currently listed, in order."""
        return [self.list.item(row).data(_ROLE_TYPE) for row in range(self.list.count())
                if not self.list.item(row).isHidden()]

    def filter(self, text: str) -> None:
        """Show the types matching ``text``; names starting with it come first in focus."""
        needle = text.strip().lower()
        first_prefix = first_any = None
        for row in range(self.list.count()):
            item = self.list.item(row)
            matches = needle in item.data(Qt.ItemDataRole.UserRole + 1)
            item.setHidden(not matches)
            if matches:
                first_any = first_any if first_any is not None else item
                if first_prefix is None and item.data(_ROLE_TYPE).startswith(needle):
                    first_prefix = item
        self.list.setCurrentItem(first_prefix or first_any)

    def choose_current(self) -> None:
        item = self.list.currentItem()
        if item is not None and not item.isHidden():
            self.close()
            self.chosen.emit(item.data(_ROLE_TYPE))

    def close(self) -> bool:
        closed = super().close()
        if self.parentWidget() is not None:
            self.parentWidget().setFocus()
        return closed

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.field or not isinstance(event, QKeyEvent) \
                or event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return True
        # arrow keys in the search field move through the list, as in a completer
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            visible = [self.list.item(r) for r in range(self.list.count())
                       if not self.list.item(r).isHidden()]
            if visible:
                current = self.list.currentItem()
                index = visible.index(current) if current in visible else -1
                step = 1 if event.key() == Qt.Key.Key_Down else -1
                self.list.setCurrentItem(visible[max(0, min(len(visible) - 1, index + step))])
            return True
        return super().eventFilter(watched, event)

    def open_at(self, pos: QPoint) -> None:
        """Show the popup with its corner at ``pos`` (parent coordinates), kept inside it."""
        self.field.clear()
        parent = self.parentWidget()
        if parent is not None:
            pos = QPoint(max(0, min(pos.x(), parent.width() - self.width())),
                         max(0, min(pos.y(), parent.height() - self.height())))
        self.move(pos)
        self.show()
        self.raise_()
        self.field.setFocus()
