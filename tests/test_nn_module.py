"""nn.Module, Parameter and the containers: registration, walking the tree, state dicts, modes,
hooks and copies behave as torch's (printed forms and error texts are in tests/golden/nn.json)."""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest

import cgengine as torch
from cgengine import nn
from tests.oracle import import_torch


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(2, 3)
        self.act = nn.ReLU()
        self.scale = nn.Parameter(torch.ones(1))
        self.register_buffer("count", torch.zeros(1))
        self.register_buffer("cache", torch.zeros(2), persistent=False)


def test_assignment_files_parameters_modules_and_plain_values() -> None:
    net = Net()
    assert list(net._parameters) == ["scale"] and list(net._modules) == ["fc", "act"]
    assert list(net._buffers) == ["count", "cache"]
    net.note = "plain"
    assert net.__dict__["note"] == "plain"
    net.fc = nn.Identity()  # replacing a child keeps its place
    assert list(net._modules) == ["fc", "act"]
    net.scale = None
    assert [n for n, _ in net.named_parameters()] == []
    del net.act
    assert list(net._modules) == ["fc"]
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'act'"):
        net.act  # noqa: B018 - the attribute access is the test


def test_assigning_before_init_and_bad_names_are_refused() -> None:
    class Early(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(torch.ones(1))

    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
        Early()
    net = Net()
    with pytest.raises(KeyError) as caught:
        net.register_parameter("a.b", None)
    assert caught.value.args == ('parameter name can\'t contain "."',)
    with pytest.raises(KeyError, match="attribute 'fc' already exists"):
        net.register_buffer("fc", torch.ones(1))
    with pytest.raises(TypeError, match="cannot assign 'int' as buffer 'count'"):
        net.count = 3
    with pytest.raises(TypeError, match="cannot assign 'torch.FloatTensor' object to parameter "
                                        "'w' \\(torch.nn.Parameter or None required\\)"):
        net.register_parameter("w", nn.Parameter(torch.ones(1)) * 2)
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'fc'"):
        net.fc = 1


def test_shared_modules_and_parameters_are_listed_once() -> None:
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(seq.parameters())) == 2
    assert [n for n, _ in seq.named_modules()] == ["", "0", "1"]
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert [n for n, _ in seq.named_parameters(prefix="model")] == ["model.0.weight",
                                                                    "model.0.bias"]
    assert list(seq.parameters(recurse=False)) == []


def test_state_dict_shares_memory_and_skips_non_persistent_buffers() -> None:
    net = Net()
    state = net.state_dict()
    assert list(state) == ["scale", "count", "fc.weight", "fc.bias"]
    assert isinstance(state, OrderedDict)
    assert not state["fc.weight"].requires_grad
    with torch.no_grad():
        net.fc.weight.fill_(7.0)
    assert state["fc.weight"].tolist() == [[7.0, 7.0]] * 3
    assert net.state_dict(keep_vars=True)["fc.weight"] is net.fc.weight


def test_load_state_dict_copies_in_place_or_assigns() -> None:
    source, target = Net(), Net()
    weight = target.fc.weight
    result = target.load_state_dict(source.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert target.fc.weight is weight and torch.equal(weight, source.fc.weight)
    target.load_state_dict(source.state_dict(), assign=True)
    assert target.fc.weight is not weight and isinstance(target.fc.weight, nn.Parameter)
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        target.load_state_dict([1, 2])
    with pytest.raises(RuntimeError, match='expected torch.Tensor or Tensor-like object from '
                                           "checkpoint but received <class 'int'>"):
        target.load_state_dict({**source.state_dict(), "scale": 3})


def test_train_eval_zero_grad_requires_grad_and_apply() -> None:
    net = Net()
    assert net.eval() is net and not net.fc.training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("yes")
    net.train()
    visited = []
    assert net.apply(lambda m: visited.append(type(m).__name__)) is net
    assert visited == ["Linear", "ReLU", "Net"]
    assert net.requires_grad_(False) is net and not net.fc.bias.requires_grad


def test_forward_hooks_see_and_replace_values() -> None:
    layer = nn.Linear(2, 1)
    calls = []
    handle = layer.register_forward_hook(lambda m, args, out: calls.append(args[0].shape))
    with layer.register_forward_hook(lambda m, args, out: out * 0):
        assert layer(torch.ones(4, 2)).tolist() == [[0.0]] * 4
    layer(torch.ones(1, 2))
    handle.remove()
    layer(torch.ones(3, 2))
    assert calls == [torch.Size([4, 2]), torch.Size([1, 2])]


def test_deepcopy_gives_independent_parameters() -> None:
    net = Net()
    twin = copy.deepcopy(net)
    assert twin.fc.weight is not net.fc.weight and torch.equal(twin.fc.weight, net.fc.weight)
    twin.fc(torch.ones(1, 2)).sum().backward()
    assert net.fc.weight.grad is None and twin.fc.weight.grad is not None


def test_to_converts_floating_tensors_and_keeps_the_parameter_objects() -> None:
    net = Net()
    weight = net.fc.weight
    assert net.double() is net and weight.dtype == torch.float64 and net.fc.weight is weight
    assert net.count.dtype == torch.float64
    assert net.to("cpu") is net and net.cpu() is net
    with pytest.raises(RuntimeError, match="cgengine has only the CPU"):
        net.to("cuda")
    with pytest.raises(TypeError, match="only accepts floating point or complex dtypes"):
        net.to(torch.int64)


def test_containers_grow_and_shrink_like_lists_and_dicts() -> None:
    seq = nn.Sequential(nn.ReLU())
    seq.append(nn.Tanh()).extend([nn.Sigmoid()]).insert(0, nn.Identity())
    assert [type(m).__name__ for m in seq] == ["Identity", "ReLU", "Tanh", "Sigmoid"]
    seq[1] = nn.ELU()
    del seq[0]
    assert list(seq._modules) == ["0", "1", "2"] and type(seq[0]).__name__ == "ELU"
    modules = nn.ModuleList([nn.ReLU()])
    modules += [nn.Tanh()]
    assert type(modules.pop()).__name__ == "Tanh" and len(modules) == 1
    table = nn.ModuleDict()
    table["relu"] = nn.ReLU()
    table.update([("tanh", nn.Tanh())])
    assert list(table.keys()) == ["relu", "tanh"] and type(table.pop("relu")).__name__ == "ReLU"
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        nn.ModuleList([1])


def test_get_submodule_and_parameter_follow_dotted_paths() -> None:
    model = nn.Sequential(OrderedDict(body=nn.Sequential(nn.Linear(2, 2)), act=nn.ReLU()))
    assert model.get_submodule("body.0") is model.body[0]
    assert model.get_parameter("body.0.bias") is model.body[0].bias
    with pytest.raises(AttributeError, match="Sequential has no attribute `head`"):
        model.get_submodule("head")


@pytest.mark.parametrize("seed", [0, 1, 10, 123])
@pytest.mark.parametrize("shape", [(2, 1), (1, 1), (3, 5), (100, 30), (784, 10)])
def test_linear_starts_from_torch_weights(seed: int, shape: tuple[int, int]) -> None:
    real = import_torch()
    real.manual_seed(seed)
    theirs = real.nn.Linear(*shape)
    torch.manual_seed(seed)
    ours = nn.Linear(*shape)
    np.testing.assert_array_equal(ours.weight.numpy(force=True), theirs.weight.detach().numpy())
    np.testing.assert_array_equal(ours.bias.numpy(force=True), theirs.bias.detach().numpy())
    assert torch.rand(1).item() == real.rand(1).item()  # the streams stay in step
