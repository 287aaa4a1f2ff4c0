"""``torch.autograd.functional``: the Jacobian and the Hessian of a function, by reverse mode.

The Jacobian is built as torch builds it: one ``autograd.grad`` per output element (row by row),
stacked and viewed as ``output.shape + input.shape``; the Hessian is the Jacobian of the
gradient, taken with ``create_graph=True`` so it can be differentiated again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cgengine
from cgengine.autograd.grad_mode import enable_grad

__all__ = ["hessian", "jacobian"]


def _as_tuple(value: Any) -> tuple[bool, tuple[Any, ...]]:
    if isinstance(value, tuple):
        return True, value
    if isinstance(value, list):
        return True, tuple(value)
    return False, (value,)


def _check_outputs(outputs: tuple[Any, ...], strict: bool) -> None:
    for i, out in enumerate(outputs):
        if not isinstance(out, cgengine.Tensor):
            raise TypeError("The outputs of the user-provided function given to jacobian must be "
                            f"either a Tensor or a tuple of Tensors but the given outputs of the "
                            f"user-provided function has an element of invalid type {type(out)}.")
        if strict and not out.requires_grad:
            raise RuntimeError(
                f"Output {i} of the user-provided function does not require gradients. The outputs "
                "must be computed in a differentiable manner from the input when running in strict "
                "mode."
            )


def _grads(output: Any, inputs: tuple[Any, ...], create_graph: bool) -> tuple[Any, ...]:
    """d(output)/d(inputs), None for an input it does not depend on."""
    if not output.requires_grad:
        return (None,) * len(inputs)
    return cgengine.autograd.grad((output,), inputs, allow_unused=True, retain_graph=True,
                                  create_graph=create_graph)


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
             strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs``: one tensor per (output, input) pair, each of shape
    ``output.shape + input.shape``; tuples mirror tuples of inputs and outputs, as in torch."""
    with enable_grad():
        inputs_tuple, ins = _as_tuple(inputs)
        ins = tuple(x.view_as(x) if create_graph and x.requires_grad
                    else x.detach().requires_grad_(True) for x in ins)
        outputs_tuple, outs = _as_tuple(func(*ins))
        _check_outputs(outs, strict)
        result = []
        for out in outs:
            rows: tuple[list[Any], ...] = tuple([] for _ in ins)
            flat = out.reshape(-1)
            for j in range(out.numel()):
                for k, (row, g) in enumerate(zip(rows, _grads(flat[j], ins, create_graph))):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {len(result)} of the user-provided function is "
                                f"independent of input {k}. This is not allowed in strict mode."
                            )
                        g = cgengine.zeros_like(ins[k])
                    row.append(g)
            result.append(tuple(
                cgengine.stack(row, dim=0).view(tuple(out.shape) + tuple(x.shape))
                for row, x in zip(rows, ins)))
    if not create_graph:
        result = [tuple(j.detach() for j in per_output) for per_output in result]
    if not outputs_tuple:
        return result[0] if inputs_tuple else result[0][0]
    return tuple(r if inputs_tuple else r[0] for r in result)


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
            strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a function returning one element: the Jacobian of its gradient."""
    inputs_tuple, ins = _as_tuple(inputs)

    def single_output(*args: Any) -> Any:
        out = func(*args)
        if isinstance(out, (tuple, list)) or not isinstance(out, cgengine.Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to hessian should contain a single "
                "element"
            )
        return out.squeeze()

    def gradient(*args: Any) -> Any:
        return jacobian(single_output, args, create_graph=True, strict=strict)

    result = jacobian(gradient, ins, create_graph=create_graph, strict=strict)
    return result if inputs_tuple else result[0][0]
