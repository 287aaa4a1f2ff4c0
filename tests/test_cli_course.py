"""The autograd class from the command line: --eval and --export of the class's examples.

``--eval --json`` gives the numbers torch gives (9; 6 then 2; 15; the branch and the traced
run), and the script ``--export`` writes prints the same gradients when torch runs it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli_code import ROOT, run_cli
from test_codeio_export import printed_grads, run_script

from tests.oracle import import_torch

EXAMPLES = ROOT / "resources" / "examples"


def evaluated(name: str) -> dict:
    done = run_cli("--eval", str(EXAMPLES / f"{name}.cgraph"), "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def by_label(nodes: dict) -> dict:
    return {node["label"]: node for node in nodes.values()}


def test_eval_gives_the_class_numbers() -> None:
    assert by_label(evaluated("course_weighted_backward")["nodes"])["w"]["grad"] == [9.0]
    second = evaluated("course_second_derivative")["nodes"]
    assert (second["grad_1"]["value"], second["grad_2"]["value"]) == ([6.0], [2.0])
    accumulated = evaluated("course_accumulation")
    assert accumulated["backward_passes"] == 3
    assert by_label(accumulated["nodes"])["w"]["grad"] == [15.0]
    branch = evaluated("course_dynamic_static")
    assert list(branch["decisions"].values()) == ["else"]
    assert branch["nodes"]["x"]["grad"] == [-2.0, -4.0]
    assert list(branch["traced"]["decisions"].values()) == ["then"]
    assert branch["traced"]["nodes"]["x"]["grad"] == [3.0, 3.0]


def test_eval_table_names_the_branch_and_the_traced_run() -> None:
    done = run_cli("--eval", str(EXAMPLES / "course_dynamic_static.cgraph"))
    lines = done.stdout.splitlines()
    assert "if y: took else" in lines
    assert lines[-1] == ("traced run (branches held to their traced side): "
                         "x.grad = [3., 3.], w.grad = [-3.]")


@pytest.mark.parametrize("name", ["course_weighted_backward", "course_accumulation",
                                  "course_dynamic_static"])
def test_the_exported_script_prints_the_same_gradients_on_torch(tmp_path: Path,
                                                                 name: str) -> None:
    import_torch()
    out = tmp_path / f"{name}.py"
    done = run_cli("--export", str(EXAMPLES / f"{name}.cgraph"), str(out))
    assert done.returncode == 0, done.stderr
    printed = printed_grads(run_script(out.read_text(encoding="utf-8"), tmp_path, "torch"))
    nodes = by_label(evaluated(name)["nodes"])
    for label, grad in printed.items():
        expected = nodes[label]["grad"]
        assert (None if grad is None else grad.tolist()) == pytest.approx(expected), label
    assert printed["w" if name != "course_dynamic_static" else "x"] is not None
