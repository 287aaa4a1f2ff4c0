"""Tests of app.cli: --eval in a subprocess, one-line refusals, delegation to the window."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

import app
import app.ui
from app import cli
from app.evaluate import evaluate_document
from app.fileio import load_document

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.cgraph"))
LESSON = ROOT / "resources" / "examples" / "lesson.cgraph"

# Run main.py with PySide6 made unimportable: --eval must work without Qt.
_NO_QT = ("import runpy, sys; sys.modules['PySide6'] = None; sys.argv = ['main.py', *sys.argv[1:]];"
          "runpy.run_path('main.py', run_name='__main__')")


def main(*args: str, qt: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "main.py", *args] if qt else [sys.executable, "-c", _NO_QT, *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def listed(array: Any) -> Any:
    return None if array is None else array.tolist()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_eval_json_matches_evaluate_document(path: Path) -> None:
    done = main("--eval", str(path), "--json")
    assert (done.returncode, done.stderr) == (0, "")
    printed = json.loads(done.stdout)
    doc = load_document(path)
    result = evaluate_document(doc)
    assert printed["output"] == doc.output
    assert list(printed["nodes"]) == list(result.nodes)
    for node_id, res in result.nodes.items():
        expected = {
            "label": doc.node(node_id).label,
            "value": listed(res.value), "grad": listed(res.grad),
            "grad_fn": res.grad_fn, "is_leaf": res.is_leaf, "requires_grad": res.requires_grad,
            "shape": None if res.shape is None else list(res.shape), "dtype": res.dtype,
            # the examples have no errors, except torch's own in the in-place one, and say
            # where an if did not run a side
            "error": res.error, "blocked_by": res.blocked_by, "warning": res.warning,
        }
        if res.state:  # a layer's weight and bias
            expected["state"] = {
                name: {"value": listed(tensor.value), "grad": listed(tensor.grad),
                       "shape": list(tensor.shape), "dtype": tensor.dtype}
                for name, tensor in res.state.items()}
        assert printed["nodes"][node_id] == expected, node_id
        assert res.error is None or path.stem == "course_in_place"
        assert res.warning is None or res.skipped_by is not None


def test_eval_json_lesson_numbers() -> None:
    nodes = json.loads(main("--eval", str(LESSON), "--json").stdout)["nodes"]
    assert nodes["w"]["grad"] == [5.0] and nodes["x"]["grad"] == [2.0]
    assert nodes["y"] == {"label": "y", "value": [6.0], "grad": None, "grad_fn": "MulBackward0",
                          "is_leaf": False, "requires_grad": True, "shape": [1],
                          "dtype": "float32", "error": None, "blocked_by": None, "warning": None}
    assert nodes["one"]["value"] == 1 and nodes["one"]["shape"] is None


def test_eval_table_for_the_lesson() -> None:
    done = main("--eval", str(LESSON))
    assert done.returncode == 0
    assert done.stdout == (
        "node  value  grad  grad_fn       is_leaf\n"
        "w     [1.]   [5.]  None          True\n"
        "x     [2.]   [2.]  None          True\n"
        "1     1      None  None          -\n"
        "a     [3.]   None  AddBackward0  False\n"
        "b     [2.]   None  AddBackward0  False\n"
        "y     [6.]   None  MulBackward0  False\n"
        "backward from: y\n"
    )


def test_eval_reports_node_errors_and_still_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "broken.cgraph"
    path.write_text(json.dumps({
        "format": "cgstudio.graph", "version": 1,
        "nodes": [{"id": "p", "type": "tensor", "value": [-1.0, 2.0], "requires_grad": True},
                  {"id": "q", "type": "tensor", "value": [1.0, 2.0, 3.0]},
                  {"id": "bad", "type": "add"}, {"id": "after", "type": "exp"},
                  {"id": "l", "type": "log"}],
        "edges": [{"from": "p", "to": "bad", "port": 0}, {"from": "q", "to": "bad", "port": 1},
                  {"from": "bad", "to": "after", "port": 0}, {"from": "p", "to": "l", "port": 0}],
        "output": "l"}), encoding="utf-8")
    done = main("--eval", str(path), "--json")
    assert (done.returncode, done.stderr) == (0, "")
    nodes = json.loads(done.stdout)["nodes"]
    assert "must match the size of tensor b (3)" in nodes["bad"]["error"]
    assert nodes["after"]["blocked_by"] == "bad" and nodes["after"]["value"] is None
    assert nodes["l"]["value"][0] == "nan"
    assert nodes["l"]["error"] == "grad can be implicitly created only for scalar outputs"
    table = main("--eval", str(path)).stdout
    assert "not computed: bad failed" in table
    assert "warning: log of a negative number is nan" in table


@pytest.mark.parametrize(("args", "message"), [
    (["--eval", "no/such.cgraph"], "cgstudio: no/such.cgraph: no such file"),
    (["--eval", "resources"], "cgstudio: resources: not a file"),
    (["--json"], "cgstudio: --json goes with --eval FILE"),
    (["--eval"], "cgstudio: argument --eval: expected one argument (see --help)"),
    (["--bogus"], "cgstudio: unrecognized arguments: --bogus (see --help)"),
    (["--eval", "a", "--export", "b", "c"],
     "cgstudio: argument --export: not allowed with argument --eval (see --help)"),
    (["missing.cgraph"], "cgstudio: missing.cgraph: no such file"),
    (["--export", "resources/examples/lesson.cgraph", "no/dir/out.png"],
     "cgstudio: no/dir/out.png: the folder 'no/dir' does not exist"),
    (["--screenshot", "no/dir/shot.png"],
     "cgstudio: no/dir/shot.png: the folder 'no/dir' does not exist"),
])
def test_bad_command_lines_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    done = main(*args)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", message + "\n")


@pytest.mark.parametrize(("content", "message"), [
    (b"{not json", "invalid JSON at line 1, column 2: Expecting property name enclosed in "
                   "double quotes"),
    (b'{"format": "cgstudio.graph", "version": 3}',
     "this file was written by a newer CG Studio (format version 3); this version reads "
     "version 2"),
    (b"\xff\xfe{}", "not a UTF-8 text file (byte 0xff at offset 0)"),
])
def test_bad_files_are_one_line_and_exit_2(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.cgraph"
    path.write_bytes(content)
    done = main("--eval", str(path))
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"cgstudio: {path}: {message}\n")
    assert "Traceback" not in done.stderr


def test_version_prints_the_apps_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["--version"]) == 0
    assert capsys.readouterr().out == f"cgstudio {app.__version__}\n"


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["--help"]) == 0
    out = capsys.readouterr().out
    assert "--eval FILE" in out and "--screenshot OUT" in out


# ------------------------------------------------------------------------------ delegation
@pytest.fixture
def launch(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Stand-in for app.ui.launch recording how the command line called it."""
    calls: list[tuple[Any, ...]] = []
    fake = types.ModuleType("app.ui.launch")
    fake.run_window = lambda path, screenshot=None: calls.append(("window", path, screenshot)) or 0
    fake.export_image = lambda path, out: calls.append(("export", path, out)) or 3
    monkeypatch.setitem(sys.modules, "app.ui.launch", fake)
    # once the real module was imported (by other tests), the package attribute is what counts
    monkeypatch.setattr(app.ui, "launch", fake, raising=False)
    return calls


def test_window_and_image_verbs_delegate(launch: list[tuple[Any, ...]], tmp_path: Path) -> None:
    lesson = str(LESSON)
    assert cli.run([]) == 0
    assert cli.run([lesson]) == 0
    assert cli.run(["--screenshot", str(tmp_path / "s.png")]) == 0
    assert cli.run(["--screenshot", str(tmp_path / "s.png"), lesson]) == 0
    assert cli.run(["--export", lesson, str(tmp_path / "e.svg")]) == 3  # its exit code is passed on
    assert launch == [
        ("window", None, None), ("window", lesson, None),
        ("window", None, str(tmp_path / "s.png")), ("window", lesson, str(tmp_path / "s.png")),
        ("export", lesson, str(tmp_path / "e.svg")),
    ]


def test_window_without_qt_is_one_line() -> None:
    done = main(str(LESSON))  # PySide6 is made unimportable in this subprocess
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("cgstudio: cannot start the window: ")
    assert len(done.stderr.splitlines()) == 1


def test_export_needs_an_existing_input(launch: list[tuple[Any, ...]], tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["--export", str(tmp_path / "none.cgraph"), str(tmp_path / "o.png")]) == 2
    assert capsys.readouterr().err == f"cgstudio: {tmp_path / 'none.cgraph'}: no such file\n"
    assert launch == []


def test_screenshot_and_export_print_nothing(tmp_path: Path) -> None:
    """Rendering to a file on a machine without a display writes the file and says nothing: the
    offscreen platform's note about size hints is not passed on to the user."""
    env_shot = tmp_path / "shot.png"
    done = main("--screenshot", str(env_shot), qt=True)
    assert done.returncode == 0 and done.stderr == "" and env_shot.stat().st_size > 10_000
    image = tmp_path / "lesson.svg"
    done = main("--export", str(LESSON), str(image), qt=True)
    assert done.returncode == 0 and done.stderr == "" and "<svg" in image.read_text("utf-8")
