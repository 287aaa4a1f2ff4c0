"""Fuzz tests of the .cgraph loader: broken, hostile and random files are refused cleanly.

The property (``tools.fuzz_cgraph.check``): loading returns a document that evaluates and saves
back to the same text, or raises ``FileFormatError`` with a non-empty one-line message; any other
exception is a bug. The generators are those of tools/fuzz_cgraph.py, driven by hypothesis, plus
hypothesis' own JSON and byte strategies. The command line gets the nastiest files for real:
``main.py --eval`` must answer with exit code 2 and one stderr line, never a traceback.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.fileio import FileFormatError, load_document, loads_document
from app.fileio.schema import MAX_FILE_BYTES, MAX_TENSOR_ELEMENTS
from app.registry import NODE_TYPES
from tools.fuzz_cgraph import (
    ACCEPTED,
    REFUSED,
    check,
    mutate,
    random_bytes,
    random_graph,
    random_json_file,
)

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "resources" / "examples" / "lesson.cgraph"

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEEDED = st.randoms(use_true_random=False)


# ------------------------------------------------------------------ the shared generators
@FUZZ
@given(SEEDED)
def test_mutated_examples_load_or_refuse_cleanly(rng: random.Random) -> None:
    assert check(mutate(rng)) in (ACCEPTED, REFUSED)


@FUZZ
@given(SEEDED)
def test_random_graphs_load_or_refuse_cleanly(rng: random.Random) -> None:
    assert check(random_graph(rng)) in (ACCEPTED, REFUSED)


@FUZZ
@given(SEEDED)
def test_random_json_files_load_or_refuse_cleanly(rng: random.Random) -> None:
    assert check(random_json_file(rng)) in (ACCEPTED, REFUSED)


@FUZZ
@given(rng=SEEDED)
def test_damaged_bytes_load_or_refuse_cleanly_from_disk(
    tmp_path_factory: pytest.TempPathFactory, rng: random.Random
) -> None:
    data = random_bytes(rng)
    outcome = check(data)
    path = tmp_path_factory.mktemp("fuzz") / "case.cgraph"
    path.write_bytes(data)
    try:  # the path reader must agree with the text reader
        load_document(path)
    except FileFormatError:
        assert outcome == REFUSED
    else:
        assert outcome == ACCEPTED


# ------------------------------------------------------------------ hypothesis' own data
JSON_LEAVES = (st.none() | st.booleans() | st.integers() | st.floats()
               | st.text(max_size=12))
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=24,
)
IDS = st.sampled_from(["a", "b", "c", "d"])
FIELD_VALUES = JSON_VALUES | IDS | st.sampled_from(["float32", "int64", [0, 0], [1.5, -2]])
NODES = st.fixed_dictionaries(
    {"id": IDS, "type": st.sampled_from(sorted(NODE_TYPES))},
    optional={name: FIELD_VALUES for name in
              ("label", "pos", "value", "dtype", "requires_grad", "retain_grad")}
    | {"params": st.dictionaries(st.sampled_from(["dim", "keepdim", "alpha", "shape", "min",
                                                  "exponent", "dim0"]), FIELD_VALUES,
                                 max_size=3)},
)
EDGES = st.fixed_dictionaries({"from": IDS, "to": IDS,
                               "port": st.integers(-1, 3) | FIELD_VALUES})
FILES = st.fixed_dictionaries(
    {"format": st.just("cgstudio.graph"), "version": st.just(1) | JSON_LEAVES},
    optional={"nodes": st.lists(NODES, max_size=5), "edges": st.lists(EDGES, max_size=6),
              "notes": st.lists(st.dictionaries(st.sampled_from(["id", "text", "pos", "size"]),
                                                FIELD_VALUES), max_size=2),
              "output": IDS | JSON_LEAVES},
)


@FUZZ
@given(JSON_VALUES)
def test_any_json_value_loads_or_refuses_cleanly(value: Any) -> None:
    assert check(json.dumps(value)) in (ACCEPTED, REFUSED)


@FUZZ
@given(FILES)
def test_files_of_random_records_load_or_refuse_cleanly(data: dict[str, Any]) -> None:
    assert check(json.dumps(data)) in (ACCEPTED, REFUSED)


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_load_or_refuse_cleanly(data: bytes) -> None:
    assert check(data) in (ACCEPTED, REFUSED)


def test_the_generators_reach_both_outcomes() -> None:
    """A fuzzer that only ever produces refusals would test nothing past the first check."""
    rng = random.Random(7)
    outcomes = {generator.__name__: {check(generator(rng)) for _ in range(300)}
                for generator in (mutate, random_graph, random_bytes)}
    assert outcomes == {name: {ACCEPTED, REFUSED} for name in outcomes}


# ------------------------------------------------------------------ regressions found by fuzzing
def lesson_with(change: Any) -> str:
    data = json.loads(LESSON.read_text("utf-8"))
    change(data)
    return json.dumps(data)


@pytest.mark.parametrize(("change", "place"), [
    (lambda d: d["nodes"][0].update(pos=[10**400, 0]), "nodes[0] (id 'w').pos"),
    (lambda d: d["nodes"][3].update(params={"alpha": 10**400}), "nodes[3] (id 'a').params.alpha"),
    (lambda d: d["nodes"].append({"id": "p", "type": "pow", "params": {"exponent": -(10**400)}}),
     "nodes[6] (id 'p').params.exponent"),
    (lambda d: d["notes"][0].update(size=[10**400, 5]), "notes[0] (id 'note1').size"),
])
def test_integers_beyond_float_range_are_refused_not_crashing(change: Any, place: str) -> None:
    """Found by tools/fuzz_cgraph.py: math.isfinite(10**400) raises OverflowError."""
    with pytest.raises(FileFormatError) as caught:
        loads_document(lesson_with(change))
    assert str(caught.value).startswith(f"{place}: expected finite numbers"
                                        if "pos" in place or "size" in place
                                        else f"{place}: expected a finite number")


@pytest.mark.parametrize(("change", "place"), [
    (lambda d: d["nodes"][0].update(label="w\ud800"), "nodes[0] (id 'w').label"),
    (lambda d: d["notes"][0].update(text="\udfff"), "notes[0] (id 'note1').text"),
    (lambda d: d["nodes"][1].update(id="x\ud83d"), "nodes[1].id"),
])
def test_unpaired_surrogates_are_refused_on_load(change: Any, place: str) -> None:
    """Found by tools/fuzz_cgraph.py: a JSON escape like "\\ud800" loaded fine, then every save
    failed with UnicodeEncodeError because UTF-8 cannot store half a surrogate pair."""
    with pytest.raises(FileFormatError) as caught:
        loads_document(lesson_with(change))
    assert str(caught.value).startswith(f"{place}: ")
    assert "surrogate" in str(caught.value)


# ------------------------------------------------------------------ the command line
def eval_file(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "main.py", "--eval", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def _elements_beyond_limit(path: Path) -> None:
    count = MAX_TENSOR_ELEMENTS + 1
    path.write_text('{"format": "cgstudio.graph", "version": 2, "nodes": [{"id": "t", '
                    '"type": "tensor", "value": [' + ",".join(["0"] * count) + "]}]}")


def _huge_sparse_file(path: Path) -> None:
    with path.open("wb") as stream:  # 100 MB of holes: no disk space used
        stream.truncate(100 * 2**20)


def _deeply_nested(path: Path) -> None:
    depth = 10**5
    path.write_text('{"format": "cgstudio.graph", "version": 2, "nodes": [{"id": "t", '
                    '"type": "tensor", "value": ' + "[" * depth + "1" + "]" * depth + "}]}")


@pytest.mark.parametrize(("make", "message"), [
    (_elements_beyond_limit, f"nodes[0] (id 't').value: at most {MAX_TENSOR_ELEMENTS} elements"),
    (_huge_sparse_file, f"the file is larger than {MAX_FILE_BYTES // 2**20} MB"),
    (_deeply_nested, "invalid file: the JSON is nested too deeply"),
    (lambda p: p.write_bytes(b'{"format": "cgstudio.graph", "label": "caf\xe9"}'),
     "not a UTF-8 text file (byte 0xe9 at offset 42)"),
    (lambda p: p.write_text('{"format": "cgstudio.graph", "version": 99}'),
     "this file was written by a newer CG Studio (format version 99); "
     "this version reads version 2"),
    (lambda p: p.write_text(lesson_with(lambda d: d["nodes"][0].update(pos=[10**400, 0]))),
     "nodes[0] (id 'w').pos: expected finite numbers"),
    (lambda p: p.write_text(lesson_with(lambda d: d["nodes"][0].update(label="\ud800"))),
     "nodes[0] (id 'w').label: "),
], ids=["1e6+1-elements", "100MB", "nested-1e5", "not-utf8", "version-99", "int-1e400",
        "surrogate"])
def test_eval_refuses_nasty_files_in_one_line(tmp_path: Path, make: Any, message: str) -> None:
    path = tmp_path / "bad.cgraph"
    make(path)
    done = eval_file(path)
    assert "Traceback" not in done.stderr
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"cgstudio: {path}: {message}")


def test_eval_of_a_billion_element_reshape_reports_the_node_error(tmp_path: Path) -> None:
    """A valid file may still ask for 10^9 elements: the node shows torch's error, exit 0."""
    path = tmp_path / "claim.cgraph"
    path.write_text(json.dumps({
        "format": "cgstudio.graph", "version": 1,
        "nodes": [{"id": "t", "type": "tensor", "value": [1.0], "requires_grad": True},
                  {"id": "r", "type": "reshape", "params": {"shape": [1000, 1000, 1000]}}],
        "edges": [{"from": "t", "to": "r", "port": 0}], "output": "r"}))
    done = eval_file(path)
    assert (done.returncode, done.stderr) == (0, "")
    row = next(line for line in done.stdout.splitlines() if line.startswith("r "))
    assert "error: shape '[1000, 1000, 1000]' is invalid for input of size 1" in row
