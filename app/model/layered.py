"""A layered drawing of a computational graph: inputs left, outputs right, few crossings.

The method is Sugiyama's, kept short (no Qt; the caller says how large each card is):

1. **Layers.** A node's layer is the longest path to it from a node without inputs, so every
   wire runs to the right; a node without inputs then moves right, to just before the first
   node that uses it (a weight sits beside the layer it feeds, not far off at the left edge).
2. **Channels.** A wire that spans several layers gets a thin placeholder in each layer it
   crosses, so cards are kept out of its way and its gradient pill has room.
3. **Order.** Within a layer, nodes are sorted by the mean position of their neighbours
   (barycenters, inputs by port), sweeping right and left a few times; the order with the
   fewest crossings wins.
4. **Rows.** Each card is moved as close as it can get to the mean height of the ports it is
   wired to, keeping the order and a gap between cards (a least-squares fit under order
   constraints: pool-adjacent-violators). Layers become columns as wide as their widest card
   plus a gap where the gradient pills of the wires leaving the column fit.

The result has no two cards overlapping, no port under another card and every wire running
left to right (tests/test_layered_layout.py checks this on random graphs of up to 200 nodes).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Size = tuple[float, float]
Point = tuple[float, float]

#: Horizontal room between columns: wires curve there and their gradient pills sit there.
COLUMN_GAP = 150.0
#: Room left of and right of a gradient pill in a gap made wide enough for it.
PILL_MARGIN = 16.0
#: Vertical room between two cards of a column.
ROW_GAP = 36.0
#: The height a wire passing through a layer reserves (its pill fits).
CHANNEL_HEIGHT = 28.0
#: Where a card's ports are, from its top: the output beside the header, inputs in rows below.
OUTPUT_PORT_Y = 16.0
INPUT_PORT_Y0, INPUT_PORT_PITCH = 42.0, 20.0
#: Above this many placeholders the longest wires get none (a 5,000-node chain stays fast).
MAX_CHANNELS = 20_000
_SWEEPS = 6
_ROW_PASSES = 8


@dataclass
class _Item:
    """A card or a wire's placeholder in one layer."""

    key: str | tuple[str, int, int]
    layer: int
    height: float
    width: float
    #: (other item, this item's port y, other item's port y) for each wire end here
    left: list[tuple[_Item, float, float]]
    right: list[tuple[_Item, float, float]]
    order: float = 0.0
    y: float = 0.0


def input_port_y(port: int) -> float:
    return INPUT_PORT_Y0 + port * INPUT_PORT_PITCH


def layered_positions(nodes: Sequence[str], edges: Sequence[tuple[str, str, int]],
                      size: Callable[[str], Size], origin: Point = (0.0, 0.0),
                      label_width: Callable[[tuple[str, str, int]], float] | None = None,
                      ) -> dict[str, Point]:
    """The top-left corner of every node's card in the layered drawing.

    ``nodes`` in document order (it breaks ties, so a layout is stable), ``edges`` as
    ``(src, dst, input port)`` of an acyclic graph, ``size(node) -> (width, height)``, and
    optionally ``label_width(edge)``, the width of the wire's gradient pill, so that the gap
    after a column is wide enough for the pills of the wires leaving it.
    """
    if not nodes:
        return {}
    layer = _layers(nodes, edges)
    items = _items(nodes, edges, layer, size)
    first = min(layer.values())
    gaps: dict[int, float] = {}
    if label_width is not None:
        for edge in edges:
            column = layer[edge[0]] - first
            gaps[column] = max(gaps.get(column, COLUMN_GAP), label_width(edge) + 2 * PILL_MARGIN)
    columns = _order(items)
    _rows(columns)
    return _coordinates(columns, origin, gaps)


# ----------------------------------------------------------------------------- 1. layers
def _layers(nodes: Sequence[str], edges: Sequence[tuple[str, str, int]]) -> dict[str, int]:
    inputs: dict[str, list[str]] = {n: [] for n in nodes}
    outputs: dict[str, list[str]] = {n: [] for n in nodes}
    for src, dst, _port in edges:
        inputs[dst].append(src)
        outputs[src].append(dst)
    order = _topological(nodes, inputs, outputs)
    layer: dict[str, int] = {}
    for node in order:
        layer[node] = max((layer[src] + 1 for src in inputs[node]), default=0)
    for node in reversed(order):  # sources move right, to just before their first consumer
        if not inputs[node] and outputs[node]:
            layer[node] = min(layer[dst] for dst in outputs[node]) - 1
    return layer


def _topological(nodes: Sequence[str], inputs: dict[str, list[str]],
                 outputs: dict[str, list[str]]) -> list[str]:
    waiting = {n: len(inputs[n]) for n in nodes}
    ready = [n for n in nodes if waiting[n] == 0]
    order: list[str] = []
    while ready:
        node = ready.pop(0) if len(ready) < 64 else ready.pop()
        order.append(node)
        for dst in outputs[node]:
            waiting[dst] -= 1
            if waiting[dst] == 0:
                ready.append(dst)
    if len(order) != len(nodes):
        raise ValueError("the graph has a cycle")
    return order


# ----------------------------------------------------------------------------- 2. channels
def _items(nodes: Sequence[str], edges: Sequence[tuple[str, str, int]], layer: dict[str, int],
           size: Callable[[str], Size]) -> list[_Item]:
    cards: dict[str, _Item] = {}
    for index, node in enumerate(nodes):
        width, height = size(node)
        cards[node] = _Item(node, layer[node], height, width, [], [], order=float(index))
    items = list(cards.values())
    spans = sorted(edges, key=lambda e: layer[e[1]] - layer[e[0]])
    budget = MAX_CHANNELS
    for number, (src, dst, port) in enumerate(spans):
        start, end = cards[src], cards[dst]
        dst_y, src_y = input_port_y(port), OUTPUT_PORT_Y
        gaps = end.layer - start.layer - 1
        if 0 < gaps <= budget:
            budget -= gaps
            previous, previous_y = start, src_y
            for step in range(1, gaps + 1):
                channel = _Item((src, number, step), start.layer + step, CHANNEL_HEIGHT, 0.0,
                                [], [], order=start.order)
                middle = CHANNEL_HEIGHT / 2
                previous.right.append((channel, previous_y, middle))
                channel.left.append((previous, middle, previous_y))
                items.append(channel)
                previous, previous_y = channel, middle
            previous.right.append((end, previous_y, dst_y))
            end.left.append((previous, dst_y, previous_y))
        else:  # adjacent layers, or past the budget: a direct link
            start.right.append((end, src_y, dst_y))
            end.left.append((start, dst_y, src_y))
    return items


# ----------------------------------------------------------------------------- 3. order
def _order(items: list[_Item]) -> list[list[_Item]]:
    first = min(item.layer for item in items)
    count = max(item.layer for item in items) - first + 1
    columns: list[list[_Item]] = [[] for _ in range(count)]
    for item in items:
        item.layer -= first
        columns[item.layer].append(item)
    for column in columns:
        column.sort(key=lambda item: item.order)
        _renumber(column)
    best = [list(column) for column in columns]
    best_crossings = _crossings(columns)
    for sweep in range(_SWEEPS):
        forward = sweep % 2 == 0
        sequence = columns[1:] if forward else list(reversed(columns[:-1]))
        for column in sequence:
            for item in column:
                links = item.left if forward else item.right
                if links:
                    # the row of the input port a wire enters breaks ties: what feeds input 0
                    # of one card goes above what feeds its input 1 (sweeping right to left,
                    # that port is on the card to the right)
                    rows = [own if forward else theirs for _, own, theirs in links]
                    item.order = (sum(other.order for other, _, _ in links) / len(links)
                                  + sum(rows) / len(rows) * 1e-4)
            column.sort(key=lambda item: item.order)
            _renumber(column)
        crossings = _crossings(columns)
        if crossings < best_crossings:
            best, best_crossings = [list(column) for column in columns], crossings
    for column in best:
        _renumber(column)
    return best


def _renumber(column: list[_Item]) -> None:
    for index, item in enumerate(column):
        item.order = float(index)


def _crossings(columns: list[list[_Item]]) -> int:
    """How many pairs of wires cross between neighbouring columns (counted by insertion)."""
    total = 0
    for column in columns[:-1]:
        ends = sorted(((item.order, own), (other.order, theirs))
                      for item in column for other, own, theirs in item.right)
        seen: list[tuple[float, float]] = []
        for _start, end in ends:
            position = bisect.bisect_right(seen, end)
            total += len(seen) - position
            seen.insert(position, end)
    return total


# ----------------------------------------------------------------------------- 4. rows
def _rows(columns: list[list[_Item]]) -> None:
    for column in columns:  # start stacked from the top
        y = 0.0
        for item in column:
            item.y = y
            y += item.height + ROW_GAP
    for rows_pass in range(_ROW_PASSES):
        forward = rows_pass % 2 == 0
        sequence = columns if forward else list(reversed(columns))
        for column in sequence:
            wanted = []
            for item in column:
                links = item.left + item.right if rows_pass >= _ROW_PASSES - 2 else (
                    item.left if forward else item.right) or item.left + item.right
                if links:
                    wanted.append(sum(other.y + theirs - own for other, own, theirs in links)
                                  / len(links))
                else:
                    wanted.append(item.y)
            _fit_in_order(column, wanted)


def _fit_in_order(column: list[_Item], wanted: list[float]) -> None:
    """Set each item's y as near ``wanted`` as the order and the gaps allow (least squares).

    With ``offset[i]`` the room the items above item i need, the constraint y[i+1] >= y[i] +
    height[i] + gap becomes z[i+1] >= z[i] for z = y - offset: an isotonic regression, which
    pool-adjacent-violators solves in one pass.
    """
    offsets, total = [], 0.0
    for item in column:
        offsets.append(total)
        total += item.height + (ROW_GAP if item.width else ROW_GAP / 3)
    blocks: list[list[float]] = []  # [mean, count]
    for target, offset in zip(wanted, offsets, strict=True):
        blocks.append([target - offset, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, count = blocks.pop()
            blocks[-1][0] = (blocks[-1][0] * blocks[-1][1] + mean * count) / (blocks[-1][1]
                                                                              + count)
            blocks[-1][1] += count
    index = 0
    for mean, count in blocks:
        for _ in range(int(count)):
            column[index].y = mean + offsets[index]
            index += 1


# ----------------------------------------------------------------------------- 5. columns
def _coordinates(columns: list[list[_Item]], origin: Point,
                 gaps: dict[int, float]) -> dict[str, Point]:
    top = min(item.y for column in columns for item in column)
    positions: dict[str, Point] = {}
    x = origin[0]
    for index, column in enumerate(columns):
        for item in column:
            if isinstance(item.key, str):
                positions[item.key] = (round(x), round(item.y - top + origin[1]))
        x += max((item.width for item in column), default=0.0) + gaps.get(index, COLUMN_GAP)
    return positions
