"""The command-line verbs that turn code into a graph and a graph into code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the lesson's second listing (with a.retain_grad()), as shipped with the examples
LESSON = (ROOT / "resources" / "examples" / "lesson_listing2.py").read_text(encoding="utf-8")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_import_code_then_eval_gives_the_lesson_numbers(tmp_path: Path) -> None:
    script = tmp_path / "lesson.py"
    script.write_text(LESSON, encoding="utf-8")
    out = tmp_path / "lesson.cgraph"
    done = run_cli("--import-code", str(script), str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # the snippet's print() was not run
    result = json.loads(run_cli("--eval", str(out), "--json").stdout)
    nodes = {n["label"]: n for n in result["nodes"].values()}
    assert nodes["w"]["grad"] == [5.0]
    assert nodes["x"]["grad"] == [2.0]
    assert nodes["a"]["grad"] == [2.0]  # retain_grad() was imported
    assert nodes["b"]["grad"] is None
    assert nodes["y"]["grad_fn"] == "MulBackward0"
    assert result["nodes"][result["output"]]["label"] == "y"


def test_import_code_refuses_os_system_and_writes_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    script = tmp_path / "evil.py"
    script.write_text(f"import os\nos.system('touch {marker}')\n", encoding="utf-8")
    out = tmp_path / "evil.cgraph"
    done = run_cli("--import-code", str(script), str(out))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"cgstudio: {script}: line 1: only torch and numpy may be imported"]
    assert "Traceback" not in done.stderr
    assert not out.exists() and not marker.exists()


def test_export_code_writes_a_script_that_cgengine_runs(tmp_path: Path) -> None:
    out = tmp_path / "lesson_export.py"
    done = run_cli("--export", str(ROOT / "resources/examples/lesson.cgraph"), str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert "y = torch.mul(a, b)" in text and "y.backward()" in text
    ran = subprocess.run([sys.executable, "-c", "import cgengine, sys; sys.modules['torch'] = "
                          f"cgengine; exec(open({str(out)!r}).read())"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert ran.returncode == 0, ran.stderr
    assert "w.grad = tensor([5.])" in ran.stdout
