"""Fuzz the .cgraph loader: throw broken, hostile and random files at it and count what happens.

    python tools/fuzz_cgraph.py [CASES] [--seed N]

Every case is one file made by one of the generators below (seeded, so a run can be repeated):

- ``mutate``: a valid example from resources/examples with one to four fields deleted,
  duplicated or retyped, ids and ports changed, values replaced by ragged or deeply nested lists,
  huge numbers, NaN, strings or booleans, versions changed - or changed in ways that stay valid
  (other shapes, dtypes, extreme numbers and parameters) so the evaluator meets odd graphs;
- ``random_graph``: a structurally plausible file of random nodes of every registry type with
  random fields and random wires between them;
- ``random_json``: any JSON value, sometimes under a valid header;
- ``random_bytes``: random bytes, or a valid file with bytes flipped, cut or made non-UTF-8.

:func:`check` is the property: loading either returns a document that evaluates, saves and loads
back to the same text, or raises ``FileFormatError`` with a non-empty one-line message. Anything
else is a crash; the script prints the first one (the input and the traceback) and exits 1, or
prints the counts and exits 0. tests/test_fileio_fuzz.py runs the same generators under hypothesis.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from app.evaluate import EvalResult, evaluate_document  # noqa: E402
from app.evaluate.modules import initial_state  # noqa: E402
from app.fileio import FileFormatError, dumps_document, loads_document  # noqa: E402
from app.model.rules import OPTIMIZERS  # noqa: E402
from app.registry import NODE_TYPES, NodeType  # noqa: E402

EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.cgraph"))

#: The valid example files as parsed JSON, the seeds of ``mutate``.
SEEDS: list[dict[str, Any]] = [json.loads(path.read_text("utf-8")) for path in EXAMPLES]

ACCEPTED, REFUSED = "accepted", "refused"


# --------------------------------------------------------------------------- nasty values
def nasty_number(rng: random.Random) -> Any:
    """Numbers at the edges: huge, tiny, non-finite, integers beyond int64 and float range."""
    return rng.choice([
        0, -1, 1, 2**31, 2**63, -(2**63) - 1, 10**400, -(10**400), 1e308, -1e308, 5e-324,
        float("nan"), float("inf"), float("-inf"), 0.1, -0.0, 1e-45, 3.5,
        rng.randint(-10, 10), rng.uniform(-1e6, 1e6),
    ])


def nasty_string(rng: random.Random) -> str:
    return rng.choice([
        "", " ", "w", "x", "y", "a", "tensor", "add", "float32", "int64", "\x00", "\ud800",
        "é", "名前", "\u202e", "x" * 101, "x" * 10_001, "null", "1", "NaN", "../../etc/passwd",
    ])


def nested(depth: int, leaf: Any = 1) -> Any:
    """``depth`` levels of single-element lists around ``leaf``, built without recursion."""
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def nasty_tensor(rng: random.Random) -> Any:
    """Tensor values a loader must check: ragged, mixed, too deep, empty, of wrong kinds."""
    n = rng.randint(0, 4)
    return rng.choice([
        [nasty_number(rng) for _ in range(n)],
        [[1.0, 2.0], [3.0]],
        [1.0, [2.0]],
        [[1.0], 2.0],
        [],
        [[]],
        [[], []],
        nested(rng.choice([2, 8, 9, 50])),
        [[rng.random() for _ in range(3)] for _ in range(2)],
        [True, False],
        ["1", "2"],
        [None],
        {"0": 1},
        nasty_number(rng),
    ])


def nasty_value(rng: random.Random) -> Any:
    """Any JSON value a field should not (or might just) accept."""
    kind = rng.randrange(9)
    if kind == 0:
        return nasty_number(rng)
    if kind == 1:
        return nasty_string(rng)
    if kind == 2:
        return nasty_tensor(rng)
    if kind == 3:
        return rng.choice([True, False, None])
    if kind == 4:
        return {nasty_string(rng): nasty_number(rng)}
    if kind == 5:
        return nested(rng.choice([3, 20, 200]), rng.choice([1, "x", None, {}]))
    if kind == 6:
        return [nasty_number(rng), nasty_number(rng)]
    if kind == 7:
        return rng.choice([{}, [], [0], [-1, -1], [0, 10**9], [2, 3]])
    return random_json(rng, 2)


# --------------------------------------------------------------------------- generators
def _containers(data: Any) -> list[Any]:
    """Every dict and list inside ``data`` (iteratively: mutated values can be deep)."""
    found, stack = [], [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            found.append(item)
            stack.extend(item)
    return found


_FIELD_NAMES = ("id", "type", "label", "pos", "value", "dtype", "requires_grad", "retain_grad",
                "params", "from", "to", "port", "text", "size", "format", "version", "nodes",
                "edges", "notes", "output", "dim", "keepdim", "alpha", "shape", "exponent",
                "min", "max", "dim0", "dim1", "unknown", "state", "module_name", "optimizer",
                "weight", "bias", "in_features", "out_features", "seed", "reduction", "name",
                "lr", "momentum", "betas", "weight_decay")

#: Values a parameter of each kind may hold in a random graph (a few out of range).
_PARAM_VALUES: dict[str, list[Any]] = {
    "int": [-2, -1, 0, 1, 2, 3],
    "optional_int": [None, -1, 0, 1, 2],
    "float": [0.5, 1, 2.0, -1.0],
    "optional_float": [None, -1.0, 0.0, 1.0],
    "bool": [True, False],
    "shape": [[-1], [2, -1], [1, 1, -1], [0], [3, 2], [1]],
    "choice": ["mean", "sum", "none", "tanh", "max", "", 1],
}


def _ids(data: Any) -> list[str]:
    if not isinstance(data, dict):
        return []
    return [node["id"] for key in ("nodes", "notes") if isinstance(data.get(key), list)
            for node in data[key] if isinstance(node, dict) and isinstance(node.get("id"), str)]


def _mutate_once(data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One random change somewhere in ``data`` (in place); returns the (maybe new) root."""
    if rng.random() < 0.1:  # the header itself
        key = rng.choice(["format", "version", "nodes", "edges", "notes", "output",
                          "optimizer"])
        if rng.random() < 0.3:
            data.pop(key, None)
        else:
            data[key] = rng.choice([nasty_value(rng), 0, 2, 99, -1, "1", 1.0, True, 10**30,
                                    "cgstudio.graph", None])
        return data
    records = [item for key in ("nodes", "edges", "notes") if isinstance(data.get(key), list)
               for item in data[key] if isinstance(item, dict)]
    if records and rng.random() < 0.5:  # one field of a node, wire or note: the common case
        record = rng.choice(records)
        record[rng.choice([*record, *_FIELD_NAMES])] = (
            nasty_value(rng) if rng.random() < 0.8 else rng.choice(_ids(data) or ["w"]))
        return data
    target = rng.choice(_containers(data))
    action = rng.randrange(7)
    if isinstance(target, dict):
        keys = list(target)
        if action == 0 and keys:
            del target[rng.choice(keys)]
        elif action == 1:
            target[rng.choice(_FIELD_NAMES)] = nasty_value(rng)
        elif action == 2 and keys:  # retype a field: same key, a value of another kind
            target[rng.choice(keys)] = nasty_value(rng)
        elif action == 3 and keys:  # point an id, wire end or output at another (or no) node
            ids = _ids(data) or ["w"]
            target[rng.choice(keys)] = rng.choice(ids + [nasty_string(rng)])
        elif action == 4:
            target["port"] = rng.choice([-1, 0, 1, 2, 3, 100, 2**63, 1.0, True, "0", None])
        elif action == 5:
            target["type"] = rng.choice([*NODE_TYPES, nasty_string(rng)])
        elif rng.random() < 0.7:
            target["value"] = nasty_tensor(rng)
        else:  # a module's parameter tensors: missing, extra, ragged or of another shape
            target["state"] = rng.choice([
                {"weight": nasty_tensor(rng)}, {"weight": [[1.0, 2.0]], "bias": [0.5]},
                {"weight": [[1.0, 2.0]]}, {"bias": nasty_tensor(rng)},
                {"weight": [[1.0, 2.0]], "bias": [0.5], "extra": [1.0]}, nasty_value(rng)])
    elif target:
        index = rng.randrange(len(target))
        if action == 0:
            del target[index]
        elif action == 1:  # duplicate an entry: the same id twice, two wires into one port
            target.insert(rng.randrange(len(target) + 1), copy.deepcopy(target[index]))
        elif action == 2:
            target[index] = nasty_value(rng)
        elif action == 3:
            target.append(nasty_value(rng))
        else:
            rng.shuffle(target)
    else:
        target.append(nasty_value(rng))
    return data


def _random_tensor(rng: random.Random) -> Any:
    """A rectangular value of random shape whose numbers include the extreme ones."""
    value: Any = nasty_number(rng) if rng.random() < 0.3 else rng.uniform(-3, 3)
    for size in reversed([rng.randint(0, 3) for _ in range(rng.randint(0, 4))]):
        value = [nasty_number(rng) if not isinstance(value, list) and rng.random() < 0.2
                 else copy.deepcopy(value) for _ in range(size)]
    return value


def _plausible_change(data: dict[str, Any], rng: random.Random) -> None:
    """A change the loader may well accept, so the evaluator meets odd but valid graphs."""
    listed = data.get("nodes")
    nodes = [n for n in listed if isinstance(n, dict) and isinstance(n.get("type"), str)
             and n["type"] in NODE_TYPES] if isinstance(listed, list) else []
    if not nodes:
        return
    node = rng.choice(nodes)
    spec = NODE_TYPES[node["type"]]
    if spec.kind == "tensor":
        field = rng.choice(["value", "dtype", "requires_grad", "retain_grad"])
        node[field] = {"value": lambda: _random_tensor(rng),
                       "dtype": lambda: rng.choice(["float32", "float64", "int64"]),
                       "requires_grad": lambda: rng.random() < 0.5,
                       "retain_grad": lambda: rng.random() < 0.5}[field]()
    elif spec.kind == "scalar":
        node["value"] = nasty_number(rng)
    elif spec.state and rng.random() < 0.3:  # new weights, or sizes that no longer fit them
        params = node.get("params") if isinstance(node.get("params"), dict) else {}
        if rng.random() < 0.5:
            params = {**params, rng.choice(sorted(spec.init_params)): rng.randint(1, 3)}
        node["params"] = params
        node["state"] = _module_state(spec, params, rng)
    elif spec.params and rng.random() < 0.8:
        param = rng.choice(spec.params)
        if not isinstance(node.get("params"), dict):
            node["params"] = {}
        node["params"][param.name] = rng.choice({
            "int": [-7, -2, -1, 0, 1, 5, 2**62],
            "optional_int": [None, -7, -1, 0, 3, 2**62],
            "float": [0, -1.5, 1e308, -1e308, 5e-324, 10**300],
            "optional_float": [None, 0, 1e308, -1e308, 10**300],
            "bool": [True, False],
            "shape": [[-1], [10**9, -1], [0, -1], [2**62], [], [1] * 8, [5, 5]],
            "choice": [*param.choices, "", None, 0],
        }[param.kind])
    else:
        node["retain_grad"] = rng.random() < 0.5
    if rng.random() < 0.2:
        data["output"] = rng.choice([n["id"] for n in nodes if isinstance(n.get("id"), str)]
                                    + [None])


def mutate(rng: random.Random) -> str:
    """A valid example with one to four random changes, as text."""
    data = copy.deepcopy(rng.choice(SEEDS))
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
        if rng.random() < 0.4:
            _plausible_change(data, rng)
        else:
            data = _mutate_once(data, rng)
    return json.dumps(data)


def random_json(rng: random.Random, depth: int = 4) -> Any:
    """Any JSON value (the leaves include NaN and huge numbers, as Python's json writes them)."""
    kind = rng.randrange(7 if depth > 0 else 4)
    if kind == 0:
        return nasty_number(rng)
    if kind == 1:
        return nasty_string(rng)
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return rng.random()
    if kind == 4:
        return [random_json(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(_FIELD_NAMES + ("", "é")): random_json(rng, depth - 1)
            for _ in range(rng.randint(0, 4))}


def _random_node(rng: random.Random, node_id: str) -> dict[str, Any]:
    type_name = rng.choice(list(NODE_TYPES))
    spec = NODE_TYPES[type_name]
    node: dict[str, Any] = {"id": node_id, "type": type_name}
    if rng.random() < 0.5:
        node["pos"] = [rng.uniform(-500, 500), rng.uniform(-500, 500)]
    if spec.kind == "tensor":
        shape = [rng.randint(0, 3) for _ in range(rng.randint(0, 3))]
        value: Any = rng.choice([rng.uniform(-3, 3), rng.randint(-3, 3)])
        for size in reversed(shape):
            value = [copy.deepcopy(value) for _ in range(size)]
        node["value"] = value if rng.random() < 0.9 else nasty_tensor(rng)
        node["dtype"] = rng.choice(["float32", "float64", "int64"])
        node["requires_grad"] = rng.random() < 0.7
    elif spec.kind == "scalar":
        node["value"] = rng.choice([rng.randint(-3, 3), rng.uniform(-3, 3), nasty_number(rng)])
    else:
        params: dict[str, Any] = {}
        for param in spec.params:
            if rng.random() < 0.5:
                params[param.name] = rng.choice(_PARAM_VALUES[param.kind])
        node["params"] = params
        if spec.module and rng.random() < 0.5:
            node["module_name"] = rng.choice(["net", "loss_fn", "", nasty_string(rng)])
        if spec.state:
            node["state"] = _module_state(spec, params, rng)
    if spec.kind != "scalar" and rng.random() < 0.3:
        node["retain_grad"] = True
    return node


def _module_state(spec: NodeType, params: dict[str, Any], rng: random.Random) -> Any:
    """A module's parameter tensors: mostly the ones its sizes ask for (with odd numbers in
    them), sometimes of the wrong shape or kind."""
    try:
        with warnings.catch_warnings():  # in_features 0: torch warns of a no-op initialisation
            warnings.simplefilter("ignore")
            state = initial_state(spec, params)
    except Exception:  # sizes no layer has (in_features -1): a state the loader must refuse
        return {name: _random_tensor(rng) for name in ("weight", "bias")}
    for name in list(state):
        if rng.random() < 0.15:
            state[name] = nasty_tensor(rng)
        elif rng.random() < 0.15:
            state[name] = _random_tensor(rng)
        elif rng.random() < 0.1:
            del state[name]
    return state


def _random_optimizer(rng: random.Random) -> Any:
    """Settings of the Training dock: mostly sensible, sometimes out of range or misnamed."""
    if rng.random() < 0.2:
        return nasty_value(rng)
    name = rng.choice([*OPTIMIZERS, "RMSprop"])
    settings: dict[str, Any] = {"name": name}
    for key in rng.sample(["lr", "momentum", "weight_decay", "betas", "eps"], rng.randint(0, 3)):
        settings[key] = rng.choice([0.01, 0.9, 0, -1, [0.9, 0.999], [1.0, 0.5],
                                    nasty_number(rng)])
    return settings


def random_graph(rng: random.Random) -> str:
    """Random nodes of every type, wired at random (mostly forward, so mostly acyclic)."""
    count = rng.randint(1, 8)
    nodes = [_random_node(rng, f"n{i}") for i in range(count)]
    edges = []
    for dst_index, node in enumerate(nodes):
        for port in range(len(NODE_TYPES[node["type"]].inputs)):
            if dst_index and rng.random() < 0.9:
                src_index = rng.randrange(dst_index) if rng.random() < 0.95 else dst_index
                edges.append({"from": nodes[src_index]["id"], "to": node["id"], "port": port})
    data: dict[str, Any] = {"format": "cgstudio.graph", "version": rng.choice([1, 2, 2]),
                            "nodes": nodes, "edges": edges,
                            "output": rng.choice([n["id"] for n in nodes] + [None])}
    if rng.random() < 0.3:
        data["optimizer"] = _random_optimizer(rng)
    if rng.random() < 0.2:
        data = _mutate_once(data, rng)
    return json.dumps(data)


def random_json_file(rng: random.Random) -> str:
    """Random JSON, half the time under a valid header so the checks go past the first field."""
    if rng.random() < 0.5:
        return json.dumps(random_json(rng))
    data = {"format": "cgstudio.graph", "version": rng.choice([1, 2])}
    for key in ("nodes", "edges", "notes", "output", "optimizer"):
        if rng.random() < 0.6:
            data[key] = rng.choice([random_json(rng, 3), [random_json(rng, 3)]])
    return json.dumps(data)


def random_bytes(rng: random.Random) -> bytes:
    """Random bytes, or a valid file flipped, cut or with invalid UTF-8 spliced in."""
    if rng.random() < 0.3:
        return rng.randbytes(rng.randint(0, 200))
    data = bytearray(rng.choice(EXAMPLES).read_bytes())
    action = rng.randrange(4)
    if action == 0:
        for _ in range(rng.randint(1, 5)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif action == 1:
        del data[rng.randrange(len(data)):]
    elif action == 2:
        at = rng.randrange(len(data))
        data[at:at] = rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xef\xbb\xbf"])
    else:
        data = bytearray(b"\xef\xbb\xbf") + data  # a byte order mark is allowed
    return bytes(data)


GENERATORS: dict[str, Callable[[random.Random], str | bytes]] = {
    "mutate": mutate,
    "random_graph": random_graph,
    "random_json": random_json_file,
    "random_bytes": random_bytes,
}


# --------------------------------------------------------------------------- the property
def check(case: str | bytes) -> str:
    """Load ``case``; returns ACCEPTED or REFUSED, raises (AssertionError or any other) on a bug.

    An accepted file must evaluate to an EvalResult and survive save -> load unchanged.
    """
    try:
        doc = loads_document(case)
    except FileFormatError as exc:
        message = str(exc)
        assert message.strip(), "a FileFormatError without a message"
        assert "\n" not in message, f"a FileFormatError message of several lines: {message!r}"
        return REFUSED
    result = evaluate_document(doc)
    assert isinstance(result, EvalResult)
    text = dumps_document(doc)
    text.encode("utf-8")  # what save_document writes
    assert dumps_document(loads_document(text)) == text, "save -> load changed the document"
    return ACCEPTED


def _crash_kind(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"


def _show(case: str | bytes) -> str:
    shown = repr(case[:4000])
    return shown if len(case) <= 4000 else f"{shown} (first 4000 of {len(case)})"


def run(cases: int, seed: int, *, keep_going: bool = False) -> int:
    """Check ``cases`` generated files (the generators in turn); returns the exit code.

    Stops at the first crash unless ``keep_going``, which counts crashes by kind (exception type
    and first message line) and shows the first input of each kind.
    """
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    per_generator: Counter[tuple[str, str]] = Counter()
    crashes: Counter[str] = Counter()
    names = list(GENERATORS)
    for index in range(cases):
        name = names[index % len(names)]
        case = GENERATORS[name](rng)
        try:
            outcome = check(case)
        except Exception as exc:
            kind = _crash_kind(exc)
            if not crashes[kind]:
                print(f"CRASH at case {index} (generator {name}, seed {seed}): {kind}")
                print(f"  input: {_show(case)}")
                if not keep_going:
                    traceback.print_exc(file=sys.stdout)
                    return 1
            crashes[kind] += 1
            per_generator[(name, "crash")] += 1
            continue
        outcomes[outcome] += 1
        per_generator[(name, outcome)] += 1
    total = sum(crashes.values())
    print(f"{cases} cases (seed {seed}): {outcomes[ACCEPTED]} accepted, "
          f"{outcomes[REFUSED]} refused, {total} crashes")
    for name in names:
        print(f"  {name:13} {per_generator[(name, ACCEPTED)]:6} accepted "
              f"{per_generator[(name, REFUSED)]:6} refused "
              f"{per_generator[(name, 'crash')]:4} crashes")
    for kind, count in crashes.most_common():
        print(f"  {count:6} x {kind}")
    return 1 if total else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fuzz the .cgraph loader.")
    parser.add_argument("cases", nargs="?", type=int, default=10_000,
                        help="how many files to try (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--keep-going", action="store_true",
                        help="count crashes by kind instead of stopping at the first")
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("CASES must be at least 1")
    return run(args.cases, args.seed, keep_going=args.keep_going)


if __name__ == "__main__":
    sys.exit(main())
