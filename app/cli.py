"""The command line: open the window, or evaluate / export / screenshot a graph without one.

    main.py [FILE]                    the window (no FILE: the lesson example)
    main.py --eval FILE [--json]      print every node's value and gradient; no Qt at all
    main.py --eval FILE --train N     train N steps with the file's optimizer first (as the
                                      Training dock does), then print the values and the losses
    main.py --export FILE OUT         draw the canvas to OUT.png, .svg or .pdf, or write OUT.py,
                                      a PyTorch script computing the same numbers
    main.py --import-code PY OUT      build a graph from a PyTorch snippet (never run) to OUT
    main.py --print PY                what the print() calls of a PyTorch snippet would print
                                      under torch, worked out from its graph (never run)
    main.py --screenshot OUT [FILE]   render the whole window to OUT.png

Every refusal (bad arguments, a missing or invalid file) is one line on stderr and exit code 2,
never a traceback. Qt is imported only inside the verbs that need it, so ``--eval`` runs where
no display (or no Qt) is available.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

PROG = "cgstudio"
EXIT_REFUSED = 2


class _Refused(Exception):
    """A refusal to report as one stderr line and exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing the usage and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Refused(f"{message} (see --help)")


def _parser() -> _Parser:
    from app import __version__

    parser = _Parser(prog=PROG, description="CG Studio: see how autograd computes gradients.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("file", nargs="?", metavar="FILE",
                        help="a .cgraph file to open (default: the lesson example)")
    verbs = parser.add_mutually_exclusive_group()
    verbs.add_argument("--eval", metavar="FILE", dest="eval_file",
                       help="evaluate FILE and print every node's value and gradient")
    verbs.add_argument("--export", nargs=2, metavar=("FILE", "OUT"),
                       help="draw the canvas of FILE to OUT (.png, .svg or .pdf), or write it "
                            "as a PyTorch script (.py)")
    verbs.add_argument("--import-code", nargs=2, metavar=("SCRIPT", "OUT"),
                       help="read a PyTorch snippet (it is parsed, never run) and save its graph "
                            "to OUT (.cgraph)")
    verbs.add_argument("--print", metavar="SCRIPT", dest="print_script",
                       help="print what the print() calls of SCRIPT would print under PyTorch, "
                            "worked out from the graph it builds (the script is parsed, never "
                            "run); torch's warnings go to stderr")
    verbs.add_argument("--screenshot", metavar="OUT",
                       help="render the window (on FILE, or the lesson) to OUT.png and quit")
    parser.add_argument("--train", metavar="N", type=int,
                        help="with --eval: first train N steps with the file's optimizer, as "
                             "the Training dock does (every leaf and layer the output depends "
                             "on learns)")
    parser.add_argument("--json", action="store_true",
                        help="with --eval: print one JSON object instead of a table "
                             "(nan and inf appear as the strings \"nan\", \"inf\", \"-inf\")")
    return parser


def main() -> int:
    """The ``cgstudio`` command (and ``python main.py``): the command line of this process."""
    return run(sys.argv[1:])


def run(argv: list[str]) -> int:
    """Run the command line ``argv`` (without the program name); returns the exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help printed its text
        return int(exc.code or 0)
    except _Refused as exc:
        return _refuse(str(exc))
    try:
        if args.json and args.eval_file is None:
            raise _Refused("--json goes with --eval FILE")
        if args.train is not None and (args.eval_file is None or args.train < 1):
            raise _Refused("--train N goes with --eval FILE, N at least 1")
        if args.eval_file is not None:
            if args.file is not None:
                raise _Refused(f"give one file to --eval, not also {args.file!r}")
            return _evaluate(args.eval_file, as_json=args.json, steps=args.train)
        if args.export is not None:
            if args.file is not None:
                raise _Refused(f"--export takes FILE OUT; unexpected {args.file!r}")
            source, out = args.export
            _check_readable(source)
            _check_writable(out)
            if Path(out).suffix.lower() == ".py":
                return _export_code(source, out)
            return _launch().export_image(source, out)
        if args.print_script is not None:
            if args.file is not None:
                raise _Refused(f"--print takes one SCRIPT; unexpected {args.file!r}")
            return _print_script(args.print_script)
        if args.import_code is not None:
            if args.file is not None:
                raise _Refused(f"--import-code takes SCRIPT OUT; unexpected {args.file!r}")
            return _import_code(*args.import_code)
        if args.file is not None:
            _check_readable(args.file)
        if args.screenshot is not None:
            _check_writable(args.screenshot)
        return _launch().run_window(args.file, screenshot=args.screenshot)
    except _Refused as exc:
        return _refuse(str(exc))


def _launch() -> Any:
    """app.ui.launch, imported only now: it pulls in Qt, which --eval never needs."""
    try:
        from app.ui import launch
    except ImportError as exc:  # no PySide6, or a broken installation
        raise _Refused(f"cannot start the window: {exc}") from None
    return launch


def _refuse(message: str) -> int:
    sys.stderr.write(f"{PROG}: {' '.join(message.split())}\n")
    return EXIT_REFUSED


def _check_readable(path: str) -> None:
    if not Path(path).is_file():
        raise _Refused(f"{path}: no such file" if not Path(path).exists()
                       else f"{path}: not a file")


def _check_writable(path: str) -> None:
    folder = Path(path).parent
    if not folder.is_dir():
        raise _Refused(f"{path}: the folder {str(folder)!r} does not exist")


# --------------------------------------------------------------------------- code
def _load(path: str) -> Any:
    """The document in ``path``, or a one-line refusal."""
    from app.fileio import FileFormatError, load_document

    _check_readable(path)
    try:
        return load_document(path)
    except FileFormatError as exc:
        raise _Refused(f"{path}: {exc}") from None
    except OSError as exc:
        raise _Refused(f"{path}: {exc.strerror or exc}") from None


def _export_code(path: str, out: str) -> int:
    from app.codeio import export_code

    text = export_code(_load(path))
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _Refused(f"{out}: {exc.strerror or exc}") from None
    return 0


def _read_script(script: str) -> str:
    _check_readable(script)
    try:
        return Path(script).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _Refused(f"{script}: cannot read it as UTF-8 text ({exc})") from None


def _import_code(script: str, out: str) -> int:
    from app.codeio import CodeImportError, import_code
    from app.fileio import save_document

    text = _read_script(script)
    _check_writable(out)
    try:
        doc = import_code(text)
    except CodeImportError as exc:
        raise _Refused(f"{script}: {exc.message}") from None
    try:
        save_document(doc, out)
    except OSError as exc:
        raise _Refused(f"{out}: {exc.strerror or exc}") from None
    return 0


def _print_script(script: str) -> int:
    """--print: the console's text (app/codeio/console.py) for a script, on stdout; what torch
    writes to stderr (its warnings, an error that stops the script) on stderr, as
    ``SCRIPT:LINE: text``. Exit 1 where the script would stop with an error, as Python does."""
    from app import runtime
    from app.codeio import CodeImportError
    from app.codeio.console import autograd_grads, console_entries
    from app.codeio.live import parse_live
    from app.evaluate import evaluate_document

    text = _read_script(script)
    try:
        parse = parse_live(text)
    except CodeImportError as exc:
        raise _Refused(f"{script}: {exc.message}") from None
    runtime.configure(interactive=False)
    entries = console_entries(parse, evaluate_document(parse.doc).nodes.get,
                              grads_of=lambda output, inputs: autograd_grads(parse.doc, output,
                                                                             inputs))
    unsupported = next((e for e in entries if e.kind == "unsupported"), None)
    if unsupported is not None:
        raise _Refused(f"{script}: line {unsupported.line}: this print cannot be worked out "
                       f"without running the code: {unsupported.text}")
    for entry in entries:
        if entry.kind == "out":
            sys.stdout.write(entry.text)
        else:
            sys.stdout.flush()
            sys.stderr.write(f"{script}:{entry.line}: {entry.text}\n")
    sys.stdout.flush()
    return 1 if entries and entries[-1].kind == "error" else 0


# --------------------------------------------------------------------------- --eval
def _evaluate(path: str, *, as_json: bool, steps: int | None = None) -> int:
    from app import runtime
    from app.evaluate import evaluate_document

    runtime.configure(interactive=False)
    doc = _load(path)
    trainer = None if steps is None else _train(doc, steps)
    if trainer is not None:
        doc = trainer.model  # the trained copy
    result = evaluate_document(doc)
    text = eval_json(doc, result, trainer) if as_json else eval_table(doc, result)
    if trainer is not None and not as_json:
        text += "\n" + _training_text(trainer)
    sys.stdout.write(text + "\n")
    return 0


def _train(doc: Any, steps: int) -> Any:
    """``steps`` steps of the document's optimizer on what the output depends on."""
    from app.teach.training import Trainer, TrainingError, trainable_leaves

    output = doc.output
    feeding = set() if output is None else doc.ancestors(output)
    leaves = [leaf for leaf in trainable_leaves(doc) if leaf in feeding]
    try:
        trainer = Trainer(doc, leaves, settings=doc.optimizer)
        trainer.run(steps)
    except TrainingError as exc:
        raise _Refused(f"cannot train: {exc}") from None
    return trainer


def _training_text(trainer: Any) -> str:
    """ "trained 40 steps (SGD, lr=0.01, momentum=0.9): loss 0.8572 -> 0.0884, ..." """
    from app.teach.optimizer_steps import settings_text

    losses, shares = trainer.losses, trainer.accuracies
    text = (f"trained {len(losses)} steps ({settings_text(trainer.settings)}): "
            f"loss {losses[0]:.4g} -> {losses[-1]:.4g}")
    if shares and shares[0] is not None and shares[-1] is not None:
        text += f", accuracy {shares[0]:.2%} -> {shares[-1]:.2%}"
    return text + " (each read before its step)"


def _plain(value: Any) -> Any:
    """Nested lists of JSON-safe numbers: non-finite floats become "nan", "inf", "-inf"."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def _array(array: np.ndarray | None) -> Any:
    return None if array is None else _plain(array.tolist())


def eval_json(doc: Any, result: Any, trainer: Any = None) -> str:
    """The --eval --json text: {"output": id, "nodes": {id: {...}}} in topological order.

    A graph with branch nodes adds "decisions" (branch id -> the side it took); a traced one
    adds "traced", the run with each branch held to its traced side ({"decisions", "nodes"});
    more than one backward pass adds "backward_passes"; --train adds the run:
    {"training": {"optimizer", "steps", "losses", "accuracies"}}.
    """
    data: dict[str, Any] = {"output": result.output, "nodes": _json_nodes(doc, result)}
    if result.backward_passes > 1:
        data["backward_passes"] = result.backward_passes
    if result.decisions:
        data["decisions"] = dict(result.decisions)
    if result.traced is not None:
        data["traced"] = {"decisions": dict(result.traced.decisions),
                          "nodes": _json_nodes(doc, result.traced)}
    if trainer is not None:
        data["training"] = {"optimizer": trainer.settings, "steps": len(trainer.losses),
                            "losses": trainer.losses, "accuracies": trainer.accuracies}
    return json.dumps(data, indent=2, allow_nan=False)


def _json_nodes(doc: Any, result: Any) -> dict[str, Any]:
    nodes = {}
    for node_id, res in result.nodes.items():
        nodes[node_id] = {
            "label": doc.node(node_id).label,
            "value": _array(res.value),
            "grad": _array(res.grad),
            "grad_fn": res.grad_fn,
            "is_leaf": res.is_leaf,
            "requires_grad": res.requires_grad,
            "shape": None if res.shape is None else list(res.shape),
            "dtype": res.dtype,
            "error": res.error,
            "blocked_by": res.blocked_by,
            "warning": res.warning,
        }
        if res.state is not None:  # a layer's parameter tensors (nn.Linear's weight, bias)
            nodes[node_id]["state"] = {
                name: {"value": _array(tensor.value), "grad": _array(tensor.grad),
                       "shape": list(tensor.shape), "dtype": tensor.dtype}
                for name, tensor in res.state.items()}
    return nodes


_TABLE_ELEMENTS = 24  # larger tensors are summarised in the table by their shape


def _number_text(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e16:
        return f"{value:.0f}."  # torch prints 2.0 as "2."
    return f"{value:.4g}"


def _nested_text(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_nested_text(item) for item in value) + "]"
    return _number_text(value)


def _text(array: np.ndarray | None) -> str:
    """A value on one line: "[1., 0.5]", "3", or "<shape [40, 3]>" for large tensors."""
    if array is None:
        return "None"
    if array.size > _TABLE_ELEMENTS:
        return f"<shape {list(array.shape)}>"
    return _nested_text(array.tolist())


def eval_table(doc: Any, result: Any) -> str:
    """The --eval text: one row per node (label, value, grad, grad_fn, is_leaf, remark)."""
    header = ("node", "value", "grad", "grad_fn", "is_leaf", "")
    rows = [header]
    for node_id, res in result.nodes.items():
        remarks = []
        if res.error:
            remarks.append(f"error: {res.error}")
        if res.blocked_by:
            remarks.append(f"not computed: {doc.node(res.blocked_by).display_name} failed")
        if res.warning:
            remarks.append(f"warning: {res.warning}")
        remark = "; ".join(remarks)
        node = doc.node(node_id)
        rows.append((node.display_name, _text(res.value), _text(res.grad),
                     res.grad_fn or "None", "-" if res.is_number else str(res.is_leaf), remark))
        for name, tensor in (res.state or {}).items():  # a layer's weight and bias: leaves
            rows.append((f"{node.module_name or node.display_name}.{name}", _text(tensor.value),
                         _text(tensor.grad), "None", "True", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
             + ("  " + row[-1] if row[-1] else "") for row in rows]
    lines = [line.rstrip() for line in lines]
    output = doc.node(result.output).display_name if result.output else "none"
    lines.append(f"backward from: {output}")
    if result.backward_passes > 1:
        lines.append(f"backward passes: {result.backward_passes} (gradients add up)")
    lines += [f"if {doc.node(branch).display_name}: took {side}"
              for branch, side in result.decisions.items()]
    if result.traced is not None:
        grads = [f"{doc.node(node_id).display_name}.grad = {_text(res.grad)}"
                 for node_id, res in result.traced.nodes.items() if res.grad is not None]
        lines.append("traced run (branches held to their traced side): " + ", ".join(grads))
    return "\n".join(lines)
