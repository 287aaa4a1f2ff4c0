"""The inspector's value parser and torch-like printing (app/display/values.py), against torch."""

from __future__ import annotations

import numpy as np
import pytest

from app.display.values import (
    format_tensor,
    initial_value,
    parse_shape_text,
    parse_value_text,
    value_to_text,
)
from tests.oracle import torch


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        ("-2.", -2.0),
        (".5", 0.5),
        ("1e-3", 0.001),
        ("[2.]", [2.0]),
        ("[1, 2]", [1, 2]),
        (" [[1, 2], [3, 4.5],] ", [[1, 2], [3, 4.5]]),
        ("[]", []),
        ("[" * 8 + "1" + "]" * 8, [[[[[[[[1]]]]]]]]),
    ],
)
def test_parse_accepts_python_number_syntax(text: str, expected: object) -> None:
    value = parse_value_text(text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "type a number"),
        ("[1, 2", "expected ',' or ']' at character 6"),
        ("[[1], [2, 3]]", "rectangular"),
        ("1+2", "unexpected text after the value at character 2"),
        ("__import__('os').system('true')", "expected a number or '[' at character 1"),
        ("[1 2]", "expected ',' or ']' at character 4"),
        ("[" * 9 + "1" + "]" * 9, "at most 8 dimensions"),
    ],
)
def test_parse_refuses_with_a_message(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("+", r"\+")):
        parse_value_text(text)


def test_parse_shape() -> None:
    assert parse_shape_text("2, 3") == (2, 3)
    assert parse_shape_text("(3,)") == (3,)
    assert parse_shape_text("") == ()
    assert parse_shape_text("-1, 2", allow_infer=True) == (-1, 2)
    with pytest.raises(ValueError, match="'-1'"):
        parse_shape_text("-1")
    with pytest.raises(ValueError, match="only one size"):
        parse_shape_text("-1, -1", allow_infer=True)


def test_initial_values() -> None:
    assert initial_value("zeros", (2,)) == [0.0, 0.0]
    assert initial_value("ones", ()) == 1.0
    assert initial_value("arange", (2, 3)) == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    first = initial_value("randn", (3,), seed=7)
    assert first == initial_value("randn", (3,), seed=7)
    assert first != initial_value("randn", (3,), seed=8)
    assert all(round(x, 4) == x for x in first)
    with pytest.raises(ValueError, match="zeros, ones, arange, randn"):
        initial_value("eye", (2,))


def test_value_to_text_reads_back() -> None:
    assert value_to_text([1.0, 2.5, 3]) == "[1., 2.5, 3]"
    assert value_to_text([[1.0], [2.0]]) == "[[1.], [2.]]"
    assert parse_value_text(value_to_text([[0.1, -2.0]])) == [[0.1, -2.0]]


_ARRAYS = [
    np.array([2.0, 7.0]),
    np.array(5.0),
    np.array([[1.0, 2.5], [3.0, -4.0]]),
    np.array([1e-5, 3.0]),
    np.arange(6).reshape(2, 3),
    np.arange(30.0),
    np.array([np.nan, 1.0, np.inf]),
    np.linspace(-3, 3, 1200),
    np.linspace(-1, 1, 2000).reshape(40, 50),
    np.zeros((2, 0)),
    np.arange(2000),
    # zeros are left out of torch's column width: "[-0., 1.]" but "[ 0., -1.]"
    np.array([-0.0, 1.0]),
    np.array([0.0, -1.0]),
    np.array([[0.0, 10.0], [1.0, -0.0]]),
    np.array([-0.0, 1.5, np.nan]),
    np.array([0.0, 0.0]),
    np.array([0.0, 1e-5]),
]


@pytest.mark.parametrize("array", _ARRAYS, ids=lambda a: f"shape{a.shape}-{a.dtype}")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_format_matches_torch_repr(array: np.ndarray, dtype: str) -> None:
    tensor = torch.tensor(array, dtype=getattr(torch, dtype)) if array.dtype.kind == "f" \
        else torch.tensor(array)
    torch_dtype = str(tensor.dtype).removeprefix("torch.")
    assert format_tensor(tensor.numpy(), dtype=torch_dtype) == repr(tensor)


def test_format_suffixes_match_torch() -> None:
    w = torch.tensor([1.0], requires_grad=True)
    y = (w + 2) * (w + 1)
    assert format_tensor(w.detach().numpy(), dtype="float32", requires_grad=True) == repr(w)
    assert format_tensor(y.detach().numpy(), dtype="float32", grad_fn="MulBackward0") == repr(y)
    assert format_tensor(None) == "None"
