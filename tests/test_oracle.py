"""The torch oracle is optional on a newcomer's machine and required in CI (tests/oracle.py)."""

from __future__ import annotations

import sys

import pytest

from tests import oracle


@pytest.fixture
def no_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine without torch: ``import torch`` raises ImportError."""
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("CGSTUDIO_REQUIRE_ORACLE", raising=False)


def test_a_missing_oracle_skips_with_the_one_reason(no_torch: None) -> None:
    with pytest.raises(pytest.skip.Exception, match="torch is not installed"):
        oracle.import_torch()
    with pytest.raises(pytest.skip.Exception, match="pip install torch==2.13.0"):
        _ = oracle.torch.tensor


@pytest.mark.parametrize(("name", "value"), [("CI", "true"), ("CGSTUDIO_REQUIRE_ORACLE", "1")])
def test_a_missing_oracle_fails_in_ci(no_torch: None, monkeypatch: pytest.MonkeyPatch,
                                      name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(pytest.fail.Exception, match="CI requires the torch oracle"):
        oracle.import_torch()


def test_collection_never_imports_torch(no_torch: None) -> None:
    # pytest looks at parameter values' private attributes while collecting; that must not skip
    assert not hasattr(oracle.torch, "_pytestfixturefunction")
    assert oracle.torch.__name__ == "torch"
