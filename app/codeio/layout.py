"""Place the nodes of an imported graph: the layered layout, with the cards' sizes estimated.

The drawing is Tidy Up's (:func:`app.model.layout.layered_layout`: inputs left, outputs right,
layers by longest path). An import may run without a window (``--import-code``), so how large
each card will be drawn is estimated here from the texts it will show (the graph is evaluated
for its numbers, never the code run) with the canvas's geometry and font measures a little
larger than the canvas's own (11 pt numbers at 96 dpi: 9.0 px a character, 17.5 px a line). The
estimate is never smaller than the card, so an imported graph opens without overlaps
(tests/test_layout.py compares it with the canvas); in the window, the import is laid out again
with the cards as drawn (``MainWindow.adopt_document(..., lay_out=True)``).
"""

from __future__ import annotations

from app.display import card_text
from app.evaluate import EvalResult, NodeResult, evaluate_document
from app.model import GraphDocument
from app.model.layout import CardSize, PillWidth, layered_layout

# The canvas's geometry (app/canvas/style.py and node_item.py), at 100% zoom.
_MIN_WIDTH, _MAX_WIDTH, _PADDING = 190.0, 320.0, 10.0
_HEADER, _PORT_ROW, _BADGE_ROW = 32.0, 20.0, 22.0
_PILL_PADDING, _PILL_MAX = 14.0, 420.0
# Font measures rounded up: a character of the numbers, a line, a character of the badges.
_CHAR, _LINE, _BADGE_CHAR = 9.5, 19.0, 9.0


def layout(doc: GraphDocument) -> None:
    """Move every node of ``doc`` to its place in the layered drawing, from (0, 0), and the
    notes the cards would cover below it."""
    result = evaluate_document(doc)
    positions = layered_layout(doc, estimated_card_size(doc, result),
                               estimated_pill_width(result), origin=(0.0, 0.0))
    for item_id, pos in positions.items():
        if doc.has_node(item_id):
            doc.move_node(item_id, pos)
        else:  # a note the cards would cover (the importer's note on training lines)
            doc.set_note_field(item_id, "pos", pos)


def estimated_card_size(doc: GraphDocument, result: EvalResult) -> CardSize:
    """``card_size`` for the layout: at least as large as the canvas will draw each card."""

    def size(node_id: str) -> tuple[float, float]:
        node, outcome = doc.node(node_id), result.nodes.get(node_id)
        chars = card_text.widest_line_chars(outcome)
        width = min(_MAX_WIDTH, max(_MIN_WIDTH, 2 * _PADDING + chars * _CHAR))
        inner = width - 2 * _PADDING
        columns = max(8, int(inner // _CHAR))
        texts = [card_text.value_text(outcome), card_text.grad_fn_text(outcome, node.spec.is_op)]
        if node.spec.kind != "scalar":
            texts.append(card_text.grad_text(outcome))
        texts += [content for content, _kind in card_text.state_texts(outcome)]
        lines = sum(len(card_text.wrap_number_line(line, columns))
                    for content in texts if content for line in content.split("\n"))
        notes = [outcome.error or "", outcome.warning or "",
                 f"no value: {outcome.blocked_by} has an error" if outcome.blocked_by else ""] \
            if outcome is not None else []
        lines += sum(_wrapped_lines(note, inner) for note in notes if note)
        height = _HEADER + len(node.spec.inputs) * _PORT_ROW + 4 + lines * _LINE + 6
        badges = _badges(node.spec.kind, node.requires_grad, node.retain_grad, outcome)
        if badges:
            height += _badge_rows(badges, inner) * _BADGE_ROW + 4
        return width, height + _PADDING * 0.6

    return size


def estimated_pill_width(result: EvalResult) -> PillWidth:
    """``pill_width`` for the layout: at least as wide as the canvas draws each wire's pill."""

    def width(edge: tuple[str, str, int]) -> float:
        outcome = result.edges.get((edge[1], edge[2]))
        label = card_text.gradient_label(None if outcome is None else outcome.grad)
        return min(_PILL_MAX, len(label) * _CHAR + _PILL_PADDING) if label else 0.0

    return width


def _wrapped_lines(text: str, room: float) -> int:
    """Lines a note takes when wrapped at words in ``room`` pixels (wide characters count
    double: a CJK character is as wide as two Latin ones)."""
    per_line = max(1, int(room // _CHAR))
    lines = 0
    for paragraph in text.split("\n"):
        lines, used = lines + 1, 0
        for word in paragraph.split(" "):
            length = sum(1 if ord(c) < 0x2E80 else 2 for c in word) + 1
            if used + length > per_line and used:
                lines, used = lines + 1, 0
            while length > per_line:  # a word longer than a line breaks anywhere
                lines, length = lines + 1, length - per_line
            used += length
    return lines


def _badges(kind: str, requires_grad: bool, retain_grad: bool,
            outcome: NodeResult | None) -> list[str]:
    """The markers under a card's numbers, as NodeItem.badge_texts gives them."""
    if kind == "scalar":
        return []
    if outcome is None or outcome.value is None:
        is_leaf = kind == "tensor"
        requires = requires_grad and is_leaf
    else:
        is_leaf, requires = outcome.is_leaf, outcome.requires_grad
    badges = ["is_leaf"] if is_leaf else []
    if requires:
        badges.append("requires_grad")
    if retain_grad:
        badges.append("retain_grad")
    return badges


def _badge_rows(badges: list[str], room: float) -> int:
    """Rows the badges take, placed left to right as the card places them."""
    rows, x = 1, 0.0
    for badge in badges:
        width = len(badge) * _BADGE_CHAR + 8
        if x > 0 and x + width > room:
            rows, x = rows + 1, 0.0
        x += width + 4
    return rows
