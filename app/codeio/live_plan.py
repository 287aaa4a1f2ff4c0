"""From an edit of the code to an edit of the graph: which nodes stay, change, come and go.

:func:`plan_code_edit` compares the new parse of the text with the state before (its parse and
the binding of that parse's nodes to the document's) and the document itself:

1. **Same lines, same nodes.** The statements of the two texts are compared line by line
   (``difflib``, statements sharing a line taken together); a statement whose lines did not
   change makes the same nodes, which keep their document nodes: their identity, position and
   selection.
2. **An edited line keeps its node** when it still assigns the same name with the same kind of
   node (``b = torch.add(w, 1)`` -> ``b = torch.add(w, 2)``); the fields that differ are set.
3. **Python numbers** follow the operation they are wired into.
4. Everything else is new (added, placed by :func:`place_new_nodes`) or gone (removed). A node
   the code never described (one built on the canvas that the exporter could not write yet)
   is left alone.

The result is a :class:`GraphEdit`, plain data that one undo command applies and reverts.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from typing import Any

from app.codeio.compare import _plain
from app.codeio.importer import check_loadable
from app.codeio.layout import estimated_card_size
from app.codeio.live import CodeState, LiveParse, bind_numbers
from app.evaluate import EvalResult
from app.model import GraphDocument, Node
from app.model.backward_plan import BackwardPlan
from app.model.layout import CardSize, PillWidth, layered_layout

Point = tuple[float, float]
#: Room kept between a new card and the cards already on the canvas.
_GAP = 36.0
_FIELDS = ("label", "value", "dtype", "requires_grad", "retain_grad")


@dataclass
class GraphEdit:
    """The changes that bring a document to what the code says, in the order they apply."""

    removed: list[str] = field(default_factory=list)
    added: list[Node] = field(default_factory=list)
    #: (node id, field, new value), fields of ``GraphDocument.set_field``
    fields: list[tuple[str, str, Any]] = field(default_factory=list)
    #: (node id, parameter, new value or None to unset)
    params: list[tuple[str, str, Any]] = field(default_factory=list)
    unwired: list[tuple[str, int]] = field(default_factory=list)
    wired: list[tuple[str, str, int]] = field(default_factory=list)
    output: str | None = None
    sets_output: bool = False
    #: added nodes that already have their place (the node their line made before)
    placed: set[str] = field(default_factory=set)
    #: how the code calls backward (``y.backward(gradient=...)`` twice, ``w.grad.zero_()``),
    #: when that changes
    backward: BackwardPlan | None = None

    @property
    def empty(self) -> bool:
        return not (self.removed or self.added or self.fields or self.params or self.unwired
                    or self.wired or self.sets_output or self.backward is not None)


def plan_code_edit(doc: GraphDocument, before: CodeState | None,
                   parse: LiveParse) -> tuple[GraphEdit, dict[str, str]]:
    """The edit that makes ``doc`` show ``parse``, and the binding after it (parse id ->
    document id). ``before`` is the state the text was edited from (None: nothing bound yet).

    Raises :class:`CodeImportError` (with the line) for a new or changed node that the .cgraph
    loader would refuse, as an import does.
    """
    old_parse = before.parse if before is not None else None
    old_binding = {key: value for key, value in (before.binding if before else {}).items()
                   if doc.has_node(value)}
    bound = set(old_binding.values())
    new = parse.doc
    mapping: dict[str, str] = {}
    taken: set[str] = set()

    def claim(parse_id: str, doc_id: str) -> None:
        mapping[parse_id] = doc_id
        taken.add(doc_id)

    # 1. statements whose lines did not change keep their nodes
    if old_parse is not None:
        for old_unit, new_unit in _same_units(old_parse, parse):
            old_nodes = _named(old_parse, old_unit)
            new_nodes = _named(parse, new_unit)
            if len(old_nodes) != len(new_nodes):
                continue
            for old_id, new_id in zip(old_nodes, new_nodes):
                doc_id = old_binding.get(old_id)
                if (doc_id is not None and doc_id not in taken
                        and doc.node(doc_id).type == new.node(new_id).type):
                    claim(new_id, doc_id)
    # 2. an edited line keeps the node of its name when the kind of node is the same
    by_label: dict[tuple[str, str], list[str]] = {}
    for doc_id in bound:
        node = doc.node(doc_id)
        if node.type != "scalar" and doc_id not in taken:
            by_label.setdefault((node.label, node.type), []).append(doc_id)
    for node in new.nodes:
        if node.type == "scalar" or node.id in mapping or not node.label:
            continue
        candidates = by_label.get((node.label, node.type))
        while candidates:
            doc_id = candidates.pop(0)
            if doc_id not in taken:
                claim(node.id, doc_id)
                break
    # 3. python numbers follow the port they are wired into
    numbers = dict(mapping)
    bind_numbers(parse, doc, numbers)
    shared: dict[str, Any] = {}  # document number node -> the value the code gives it
    for parse_id, doc_id in numbers.items():
        if parse_id in mapping or doc_id not in bound:
            continue
        value = new.node(parse_id).value
        if doc_id in shared and _plain(shared[doc_id]) != _plain(value):
            continue  # one number node wired into two ports the code now gives two values
        shared[doc_id] = value
        claim(parse_id, doc_id)

    edit = GraphEdit()
    edit.removed = [doc_id for doc_id in _in_order(doc, bound) if doc_id not in taken]
    removed = set(edit.removed)
    gone = {doc.node(doc_id).label: doc.node(doc_id).pos for doc_id in edit.removed}
    new_ids: set[str] = set()
    for node in new.nodes:
        if node.id in mapping:
            continue
        fresh = node.copy()
        fresh.id = doc.new_id(node.id, also_taken=new_ids)
        if node.type != "scalar" and node.label in gone:
            # the line now makes another kind of node: it takes the old one's place
            fresh.pos = gone.pop(node.label)
            edit.placed.add(fresh.id)
        new_ids.add(fresh.id)
        mapping[node.id] = fresh.id
        edit.added.append(fresh)
    changed = []
    for node in new.nodes:
        doc_id = mapping[node.id]
        if doc_id in new_ids or _set_fields(edit, doc.node(doc_id), node):
            changed.append(node.id)
    _check_changed(parse, changed)

    for node in new.nodes:
        doc_id = mapping[node.id]
        inputs = new.inputs_of(node.id)
        current = doc.inputs_of(doc_id) if doc_id not in new_ids else [None] * len(inputs)
        # removing a node takes its wires with it
        current = [None if src in removed else src for src in current]
        for port, (src, now) in enumerate(zip(inputs, current)):
            wanted = mapping[src] if src is not None else None
            if wanted == now:
                continue
            if now is not None:
                edit.unwired.append((doc_id, port))
            if wanted is not None:
                edit.wired.append((wanted, doc_id, port))

    output = mapping.get(new.output) if new.output is not None else None
    if output is None and doc.output is not None and doc.output not in bound:
        output = doc.output  # backward starts at a node the code does not describe: keep it
    if output != doc.output:
        edit.output, edit.sets_output = output, True
    # the backward calls, when the code changed them (a plan set on the canvas stays till then)
    plan = _mapped_plan(new.backward, mapping)
    if (old_parse is None or plan != _mapped_plan(old_parse.doc.backward, old_binding)) \
            and plan != doc.backward.without_nodes(removed):
        edit.backward = plan
    return edit, mapping


def _mapped_plan(plan: BackwardPlan, binding: dict[str, str]) -> BackwardPlan:
    """``plan`` with the nodes it zeroes named by ``binding`` (parse id -> document id)."""
    return replace(plan, steps=tuple(
        replace(step, nodes=tuple(binding.get(node, "") for node in step.nodes))
        for step in plan.steps))


def place_new_nodes(doc: GraphDocument, edit: GraphEdit, card_size: CardSize,
                    pill_width: PillWidth | None = None) -> None:
    """Give the added nodes their places: the layered layout of the new nodes with the nodes
    they are wired to, moved so those keep where they are, and every new card pushed down
    until it covers none already on the canvas. ``card_size`` measures the cards on the canvas;
    the new ones are estimated, as for an import."""
    added = {node.id: node for node in edit.added}
    if not added:
        return
    part = GraphDocument()
    estimate = estimated_card_size(part, EvalResult())

    def size_of(node_id: str) -> tuple[float, float]:  # new cards are estimated
        return estimate(node_id) if node_id in added else card_size(node_id)

    # the cards already on the canvas that new cards are wired to (inputs or consumers)
    anchors = list(dict.fromkeys(
        end for src, dst, _port in edit.wired if (src in added) != (dst in added)
        for end in (src, dst) if end not in added))
    for node_id in anchors:
        part.add_node(doc.node(node_id).copy())
    for node in edit.added:
        part.add_node(node.copy())
    part.connect_many(wire for wire in edit.wired if wire[0] in added or wire[1] in added)
    laid = layered_layout(part, size_of, pill_width, origin=(0.0, 0.0))
    if anchors:
        shifts = [(doc.node(a).pos[0] - laid[a][0], doc.node(a).pos[1] - laid[a][1])
                  for a in anchors]
        dx = sum(s[0] for s in shifts) / len(shifts)
        dy = sum(s[1] for s in shifts) / len(shifts)
    elif len(doc):
        # a new leaf: below the graph, at its left edge
        dx = min(node.pos[0] for node in doc.nodes)
        dy = max(node.pos[1] + size_of(node.id)[1] for node in doc.nodes) + _GAP
    else:
        dx = dy = 0.0
    taken = [_box(node.pos, size_of(node.id)) for node in doc.nodes
             if node.id not in edit.removed]
    kept = {node.id: node.pos for node in edit.added if node.id in edit.placed}
    for node_id in sorted(added, key=lambda n: (laid[n][0], laid[n][1])):
        x, y = kept.get(node_id, (laid[node_id][0] + dx, laid[node_id][1] + dy))
        size = size_of(node_id)
        box = _box((x, y), size)
        while (hit := next((other for other in taken if _overlap(box, other)), None)):
            y = hit[3] + _GAP
            box = _box((x, y), size)
        taken.append(box)
        added[node_id].pos = (float(x), float(y))


def _same_units(old: LiveParse, new: LiveParse) -> list[tuple[list[Any], list[Any]]]:
    """Pairs of statement units (see ``LiveParse.units``) whose lines are the same."""
    old_units, new_units = old.units(), new.units()
    old_keys = [_unit_text(old.text, unit) for unit in old_units]
    new_keys = [_unit_text(new.text, unit) for unit in new_units]
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    pairs = []
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            pairs.append((old_units[block.a + offset][2], new_units[block.b + offset][2]))
    return pairs


def _unit_text(text: str, unit: tuple[int, int, list[Any]]) -> tuple[str, ...]:
    lines = text.splitlines()
    return tuple(line.rstrip() for line in lines[unit[0] - 1:unit[1]])


def _named(parse: LiveParse, statements: list[Any]) -> list[str]:
    """The nodes (python numbers left out) the statements make, in order."""
    return [node_id for statement in statements for node_id in statement.nodes
            if parse.doc.node(node_id).type != "scalar"]


def _in_order(doc: GraphDocument, ids: set[str]) -> list[str]:
    return [node.id for node in doc.nodes if node.id in ids]


def _set_fields(edit: GraphEdit, current: Node, wanted: Node) -> bool:
    """Note the fields and parameters of ``current`` that differ from ``wanted``."""
    before = len(edit.fields) + len(edit.params)
    for name in _FIELDS:
        value = getattr(wanted, name)
        if name == "label" and (not value or wanted.type == "scalar"):
            continue  # an operation written inline has no name of its own to give
        if name in ("value", "dtype", "requires_grad") and wanted.type not in ("tensor",
                                                                               "scalar"):
            continue
        if _plain(getattr(current, name)) != _plain(value):
            edit.fields.append((current.id, name, value))
            if name == "value" and current.type == "scalar" \
                    and current.label == repr(current.value):
                edit.fields.append((current.id, "label", repr(value)))  # its label is its value
    if wanted.type not in ("tensor", "scalar") and _effective(current) != _effective(wanted):
        for name in sorted(set(current.params) | set(wanted.params)):
            value = wanted.params.get(name)
            if _plain(current.params.get(name)) != _plain(value):
                edit.params.append((current.id, name, value))
    return len(edit.fields) + len(edit.params) > before


def _effective(node: Node) -> Any:
    """An operation's parameters as its call passes them, and the numbers of its ports that
    take one (pow's exponent), for comparing."""
    spec = node.spec
    ports = {port.name: node.params.get(port.name) for port in spec.inputs
             if port.default is not None}
    return _plain(sorted(spec.call_params(node.params).items())), _plain(sorted(ports.items()))


def _check_changed(parse: LiveParse, node_ids: list[str]) -> None:
    """Refuse a new or changed node the file loader would refuse (only those: the others were
    checked when they came)."""
    if not node_ids:
        return
    part = GraphDocument()
    for node_id in node_ids:
        part.add_node(parse.doc.node(node_id).copy())
    check_loadable(part, dict(parse.lines))


def _box(pos: Point, size: tuple[float, float]) -> tuple[float, float, float, float]:
    return (pos[0], pos[1], pos[0] + size[0], pos[1] + size[1])


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] + _GAP / 2 and b[0] < a[2] + _GAP / 2 \
        and a[1] < b[3] + _GAP / 2 and b[1] < a[3] + _GAP / 2

