"""Golden snippets for cgengine's library layer (random numbers, nn, optim, utils.data, save/load).

Each snippet is a short piece of course-style code. :func:`record` runs it under torch 2.13 and
keeps what a student would see: everything it printed, the exception it raised (type and text),
and, where a snippet sets ``values``, those numbers (tensors as nested lists with their dtype).
tests/test_library_golden.py runs the same code with ``torch = cgengine`` and compares: printed
text and errors exactly, ``values`` to the dtype's tolerance (100 optimiser steps may differ from
torch's in the last bits where torch fuses a multiply and an add).

The names in scope are ``torch``, ``nn`` (torch.nn), ``F`` (torch.nn.functional), ``optim``,
``data`` (torch.utils.data), ``np`` and ``path`` (a fresh temporary folder, for save/load).
Recorded into ``tests/golden/<group>.json`` by ``python tools/record_golden.py [GROUP ...]``.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

#: Object addresses change from run to run: ``<... object at 0x7f...>`` is compared without them.
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")

RANDOM = {
    "rand_seed0": """
torch.manual_seed(0)
print(torch.rand(3))
print(torch.rand(2, 2))
""",
    "randn_small_caches_the_sine": """
torch.manual_seed(3)
print(torch.randn(3))
print(torch.randn(1))
print(torch.randn(5))
""",
    "randn_blocks_of_16": """
torch.manual_seed(1)
x = torch.randn(40)
print(x[:5], x[-5:])
values = [x, torch.randn(16), torch.randn(100, 3)]
""",
    "randn_float64": """
torch.manual_seed(2)
values = [torch.randn(5, dtype=torch.float64), torch.randn(33, dtype=torch.float64)]
""",
    "normal_course_clouds": """
torch.manual_seed(10)
n_data = torch.ones(100, 2)
x0 = torch.normal(1.7 * n_data, 1) + 1
x1 = torch.normal(-1.7 * n_data, 1) + 1
print(x0[:3])
print(x1[-2:])
values = [x0, x1]
""",
    "normal_forms": """
torch.manual_seed(4)
print(torch.normal(2, 3, size=(2, 3)))
print(torch.normal(torch.arange(4.), 0.5))
print(torch.normal(0.5, torch.tensor([1., 2., 3.])))
print(torch.normal(torch.zeros(2), torch.ones(2)))
""",
    "randint_forms": """
torch.manual_seed(5)
print(torch.randint(10, (5,)))
print(torch.randint(-3, 3, (2, 4)))
print(torch.randint(0, 2**40, (2,)))
print(torch.randint(0, 10, (3,), dtype=torch.float32))
""",
    "randperm": """
torch.manual_seed(6)
print(torch.randperm(10))
values = [torch.randperm(1000)]
""",
    "bernoulli": """
torch.manual_seed(7)
print(torch.bernoulli(torch.full((8,), 0.3)))
print(torch.bernoulli(torch.rand(2, 3)))
""",
    "generator_objects": """
g = torch.Generator().manual_seed(42)
print(torch.rand(2, generator=g))
print(torch.Generator().initial_seed())
print(g.initial_seed())
print(torch.randperm(6, generator=g))
""",
    "uniform_large": """
torch.manual_seed(8)
values = [torch.rand(5000), torch.rand(7, dtype=torch.float64)]
""",
    "randint_errors": "torch.randint(5, 5, (2,))",
    "normal_needs_size": "torch.normal(2.0, 3.0)",
}

NN = {
    "linear_init_and_repr": """
torch.manual_seed(1)
fc = nn.Linear(2, 1)
print(fc)
print(fc.weight)
print(fc.bias)
print(nn.Linear(3, 2, bias=False).weight)
values = [nn.Linear(100, 30).weight, nn.Linear(7, 40).bias]
""",
    "linear_forward_graphs": """
torch.manual_seed(2)
fc = nn.Linear(3, 2)
x = torch.randn(4, 3)
y = fc(x)
print(y)
print(y.grad_fn.name(), [type(f).__name__ for f, _ in y.grad_fn.next_functions])
print(fc(torch.randn(3)).grad_fn.name(), fc(torch.randn(5, 2, 3)).grad_fn.name())
y.sum().backward()
print(fc.weight.grad, fc.bias.grad)
""",
    "module_tree": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 4), nn.Tanh())
        self.head = nn.ModuleDict({"out": nn.Linear(4, 1), "act": nn.Sigmoid()})
        self.extra = nn.ModuleList([nn.Dropout(0.25), nn.Identity()])
        self.scale = nn.Parameter(torch.ones(1))
        self.register_buffer("seen", torch.zeros(1))
    def forward(self, x):
        return self.head["act"](self.head["out"](self.features(x))) * self.scale

torch.manual_seed(3)
net = Net()
print(net)
print([name for name, _ in net.named_parameters()])
print([name for name, _ in net.named_children()])
print([name for name, _ in net.named_modules()])
print([name for name, _ in net.named_buffers()])
print(len(list(net.parameters())), len(list(net.modules())), len(list(net.children())))
print(list(net.state_dict().keys()))
print(net.training, net.eval().training, net.features[1].training, net.train().extra[0].training)
""",
    "state_dict_round_trip": """
torch.manual_seed(4)
a, b = nn.Linear(2, 1), nn.Linear(2, 1)
print(a.state_dict())
print(b.load_state_dict(a.state_dict()))
print(b.weight)
sd = a.state_dict()
print(type(sd).__name__, sd["weight"].requires_grad, sd["weight"].grad_fn)
""",
    "load_state_dict_missing": """
nn.Linear(2, 1).load_state_dict({"weight": torch.zeros(1, 2)})
""",
    "load_state_dict_unexpected_and_size": """
nn.Linear(2, 1).load_state_dict({"weight": torch.zeros(1, 3), "bias": torch.zeros(1),
                                 "extra": torch.zeros(1), "x.y": torch.zeros(2)})
""",
    "load_state_dict_not_strict": """
print(nn.Linear(2, 1).load_state_dict({"weight": torch.zeros(1, 2), "foo": torch.ones(1)},
                                      strict=False))
""",
    "assign_tensor_to_parameter": "fc = nn.Linear(2, 1)\nfc.weight = torch.zeros(1, 2)",
    "missing_attribute": "nn.Linear(2, 1).foo",
    "missing_forward": "nn.Module()(torch.ones(1))",
    "parameter_basics": """
p = nn.Parameter(torch.tensor([1., 2.]))
print(p)
print(p.is_leaf, p.requires_grad, type(p * 2).__name__, type(p.data).__name__)
print(p * 2)
print(nn.Parameter(torch.tensor([1., 2.]), requires_grad=False))
print(nn.Parameter())
print(nn.Parameter(torch.tensor([1, 2]), requires_grad=False))
""",
    "parameter_of_ints": "nn.Parameter(torch.tensor([1, 2]))",
    "containers": """
s = nn.Sequential(nn.ReLU(), nn.Tanh(), nn.Sigmoid())
print(s[0], s[-1], len(s))
print(s[1:])
print(list(s))
ml = nn.ModuleList([nn.Linear(1, 2) for _ in range(3)] + [nn.ReLU()])
print(ml)
print(ml[1:])
md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Tanh()})
print(list(md), md["a"], "a" in md, len(md))
print(nn.Sequential(), nn.ModuleList(), nn.Module())
del s[0]
print(s)
""",
    "sequential_out_of_range": "nn.Sequential(nn.ReLU())[3]",
    "zero_grad_and_requires_grad": """
fc = nn.Linear(2, 1)
fc(torch.ones(1, 2)).sum().backward()
print(fc.bias.grad)
fc.zero_grad()
print(fc.bias.grad)
fc(torch.ones(1, 2)).sum().backward()
fc.zero_grad(set_to_none=False)
print(fc.bias.grad)
fc.requires_grad_(False)
print(fc.weight.requires_grad)
""",
    "apply_and_init": """
torch.manual_seed(5)
net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)
net.apply(init_weights)
print(net[0].weight)
print(net[2].bias)
""",
    "init_functions": """
torch.manual_seed(6)
w = torch.empty(3, 5)
print(nn.init.uniform_(w, -1, 1))
print(nn.init.normal_(w, 0, 0.1))
print(nn.init.constant_(w, 0.3))
print(nn.init.ones_(torch.empty(2)), nn.init.zeros_(torch.empty(2)))
print(nn.init.eye_(torch.empty(2, 3)))
print(nn.init.xavier_normal_(torch.empty(4, 4)))
print(nn.init.kaiming_uniform_(torch.empty(2, 3), mode="fan_out", nonlinearity="relu"))
print(nn.init.kaiming_normal_(torch.empty(2, 3), a=0.1))
for name in ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "selu", "conv2d"]:
    print(name, nn.init.calculate_gain(name))
print(nn.init.calculate_gain("leaky_relu", 0.2))
values = [nn.init.xavier_uniform_(torch.empty(50, 30), gain=nn.init.calculate_gain("tanh")),
          nn.init.kaiming_normal_(torch.empty(64, 32, dtype=torch.float64))]
""",
    "init_bad_nonlinearity": "nn.init.calculate_gain('softmax')",
    "init_vector_fan": "nn.init.xavier_uniform_(torch.empty(3))",
    "activations": """
x = torch.tensor([[-2.0, -0.5, 0.0, 0.5, 3.0]], requires_grad=True)
for layer in [nn.ReLU(), nn.Sigmoid(), nn.Tanh(), nn.Softmax(dim=1), nn.LogSoftmax(dim=1),
              nn.LeakyReLU(), nn.LeakyReLU(0.2), nn.ELU(), nn.GELU(), nn.GELU("tanh"),
              nn.Softplus(), nn.Softplus(beta=2, threshold=1), nn.Identity(), nn.Flatten(0)]:
    y = layer(x)
    print(layer, y, y.grad_fn)
    y.sum().backward()
    print(x.grad)
    x.grad = None
""",
    "functional_forms": """
x = torch.tensor([[-2.0, -0.5, 0.0, 0.5, 3.0]], requires_grad=True)
print(F.relu(x), F.leaky_relu(x, 0.1), F.elu(x, alpha=0.5), F.gelu(x), F.softplus(x))
print(F.sigmoid(x), F.tanh(x), F.softmax(x, dim=1), F.log_softmax(x, dim=1))
print(F.linear(x, torch.ones(2, 5), torch.tensor([0.5, -0.5])))
print(F.linear(x, torch.ones(2, 5)))
""",
    "dropout": """
torch.manual_seed(7)
drop = nn.Dropout(0.3)
x = torch.ones(3, 4, requires_grad=True)
y = drop(x)
print(drop, y)
y.sum().backward()
print(x.grad)
drop.eval()
print(drop(x) is x, F.dropout(x, 0.5, training=False) is x)
print(F.dropout(x, 1.0), F.dropout(x, 0.0) is x)
""",
    "dropout_bad_p": "nn.Dropout(1.5)",
    "losses_regression": """
x = torch.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
t = torch.tensor([[1.0, -1.5], [0.0, 0.75]])
for loss in [nn.MSELoss(), nn.MSELoss(reduction="sum"), nn.MSELoss(reduction="none"),
             nn.L1Loss(), nn.L1Loss(reduction="sum"), nn.SmoothL1Loss(),
             nn.SmoothL1Loss(beta=0.5, reduction="none"), nn.SmoothL1Loss(beta=0.0)]:
    out = loss(x, t)
    out.sum().backward()
    print(loss, out, x.grad)
    x.grad = None
""",
    "losses_binary": """
p = torch.tensor([0.9, 0.2, 0.6, 0.01], requires_grad=True)
z = torch.tensor([2.0, -1.0, 0.5, -4.0], requires_grad=True)
t = torch.tensor([1.0, 0.0, 1.0, 0.0])
w = torch.tensor([1.0, 2.0, 0.5, 1.0])
for loss, inp in [(nn.BCELoss(), p), (nn.BCELoss(weight=w), p), (nn.BCELoss(reduction="sum"), p),
                  (nn.BCELoss(reduction="none"), p), (nn.BCEWithLogitsLoss(), z),
                  (nn.BCEWithLogitsLoss(pos_weight=torch.tensor([3.0])), z),
                  (nn.BCEWithLogitsLoss(weight=w, reduction="sum"), z)]:
    out = loss(inp, t)
    out.sum().backward()
    print(loss, out, inp.grad)
    inp.grad = None
print(F.binary_cross_entropy(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 0.0])))
""",
    "losses_classes": """
x = torch.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 2.0], [0.3, -0.2, 0.9], [2.0, 1.0, 0.0]],
                 requires_grad=True)
y = torch.tensor([1, 2, 0, -100])
w = torch.tensor([1.0, 2.0, 0.5])
probs = torch.softmax(torch.tensor([[1.0, 0.0, 0.0], [0.0, 2.0, 1.0], [1.0, 1.0, 1.0],
                                    [0.5, 0.0, 3.0]]), dim=1)
cases = [(nn.CrossEntropyLoss(), y), (nn.CrossEntropyLoss(weight=w), y),
         (nn.CrossEntropyLoss(reduction="sum"), y), (nn.CrossEntropyLoss(reduction="none"), y),
         (nn.CrossEntropyLoss(ignore_index=0), torch.tensor([1, 2, 0, 0])),
         (nn.CrossEntropyLoss(label_smoothing=0.1), y),
         (nn.CrossEntropyLoss(weight=w, label_smoothing=0.2), y),
         (nn.CrossEntropyLoss(label_smoothing=0.1, reduction="none"), y),
         (nn.CrossEntropyLoss(), probs), (nn.CrossEntropyLoss(label_smoothing=0.3), probs),
         (nn.CrossEntropyLoss(weight=w, reduction="sum"), probs),
         (nn.CrossEntropyLoss(reduction="none"), probs)]
for loss, target in cases:
    out = loss(x, target)
    out.sum().backward()
    print(loss, out, x.grad)
    x.grad = None
logp = F.log_softmax(x, dim=1)
for loss in [nn.NLLLoss(), nn.NLLLoss(weight=w), nn.NLLLoss(reduction="none")]:
    print(loss(logp, y))
print(F.cross_entropy(x[0], torch.tensor(1)), F.nll_loss(logp[:3], y[:3], reduction="sum"))
""",
    "loss_target_size_warning": """
import warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    nn.MSELoss()(torch.ones(3, 1), torch.ones(3))
    nn.L1Loss()(torch.ones(3, 1), torch.ones(3))
print([str(w.message) for w in caught])
""",
    "bce_size_mismatch": "nn.BCEWithLogitsLoss()(torch.ones(3), torch.ones(3, 1))",
    "cross_entropy_target_out_of_bounds":
        "nn.CrossEntropyLoss()(torch.ones(2, 3), torch.tensor([0, 3]))",
    "deepcopy_and_to": """
import copy
torch.manual_seed(8)
fc = nn.Linear(2, 1)
twin = copy.deepcopy(fc)
twin(torch.ones(1, 2)).sum().backward()
print(fc.weight.grad, twin.weight.grad, twin.weight is fc.weight)
print(fc.double().weight.dtype, fc(torch.ones(1, 2, dtype=torch.float64)).dtype)
print(fc.to(torch.float32).bias.dtype, fc.to("cpu") is fc)
""",
    "forward_hooks": """
fc = nn.Linear(2, 1)
seen = []
handle = fc.register_forward_hook(lambda m, args, out: seen.append(tuple(out.shape)))
pre = fc.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
print(fc(torch.ones(3, 2)).detach() == fc.bias.detach())
handle.remove()
pre.remove()
fc(torch.ones(5, 2))
print(seen)
""",
}

OPTIM = {
    "sgd_repr_and_groups": """
p = [nn.Parameter(torch.ones(2))]
opt = optim.SGD(p, lr=0.1, momentum=0.9)
print(opt)
print(opt.defaults)
print(opt.param_groups)
""",
    "sgd_steps_and_state": """
w = nn.Parameter(torch.tensor([1.0, -2.0]))
opt = optim.SGD([w], lr=0.1, momentum=0.9)
for _ in range(3):
    opt.zero_grad()
    loss = (w ** 2).sum()
    loss.backward()
    opt.step()
    print(w, w.grad)
print(opt.state_dict())
opt.zero_grad()
print(w.grad)
""",
    "adam_state": """
w = nn.Parameter(torch.tensor([1.0, -2.0]))
opt = optim.Adam([w], lr=0.01)
print(opt)
(w ** 2).sum().backward()
opt.step()
print(w)
print(opt.state_dict())
print(optim.AdamW([w]))
""",
    "param_groups_and_add": """
a, b = nn.Parameter(torch.ones(1)), nn.Parameter(torch.ones(1))
opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.5)
(a * 3 + b * 3).sum().backward()
opt.step()
print(a, b)
c = nn.Parameter(torch.zeros(2))
opt.add_param_group({"params": c, "lr": 1.0})
print(len(opt.param_groups), [g["lr"] for g in opt.param_groups])
print(opt.state_dict()["param_groups"])
""",
    "load_state_dict_continues": """
torch.manual_seed(9)
model = nn.Linear(3, 1)
opt = optim.Adam(model.parameters(), lr=0.1)
x, y = torch.randn(8, 3), torch.randn(8, 1)
def step(m, o):
    o.zero_grad()
    loss = F.mse_loss(m(x), y)
    loss.backward()
    o.step()
    return loss.item()
for _ in range(3):
    step(model, opt)
clone = nn.Linear(3, 1)
clone.load_state_dict(model.state_dict())
clone_opt = optim.Adam(clone.parameters(), lr=0.5)
clone_opt.load_state_dict(opt.state_dict())
print(clone_opt.param_groups[0]["lr"])
print(round(step(model, opt), 6) == round(step(clone, clone_opt), 6))
print(torch.equal(model.weight, clone.weight))
""",
    "step_then_backward_again": """
torch.manual_seed(13)
model = nn.Linear(2, 1)
opt = optim.SGD(model.parameters(), lr=0.1)
loss = model(torch.ones(3, 2)).sum()
loss.backward(retain_graph=True)
opt.step()
print(model.weight._version, model.bias._version)
loss.backward()
""",
    "empty_parameter_list": "optim.SGD([], lr=0.1)",
    "bad_learning_rate": "optim.SGD([nn.Parameter(torch.ones(1))], lr=-1)",
    "nesterov_needs_momentum": "optim.SGD([nn.Parameter(torch.ones(1))], lr=0.1, nesterov=True)",
    "non_leaf_parameter": "optim.SGD([torch.ones(1, requires_grad=True) * 2], lr=0.1)",
    "duplicate_group": """
p = nn.Parameter(torch.ones(1))
optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
""",
    "lr_schedulers": """
p = [nn.Parameter(torch.ones(1))]
opt = optim.SGD(p, lr=0.1)
step_lr = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
print(step_lr.state_dict())
for epoch in range(5):
    opt.step()
    step_lr.step()
    print(epoch, step_lr.get_last_lr(), opt.param_groups[0]["lr"])
opt2 = optim.SGD(p, lr=1.0)
exp_lr = optim.lr_scheduler.ExponentialLR(opt2, gamma=0.9)
multi = optim.lr_scheduler.MultiStepLR(optim.SGD(p, lr=1.0), milestones=[1, 3], gamma=0.1)
for _ in range(4):
    opt2.step()
    exp_lr.step()
    multi.optimizer.step()
    multi.step()
    print(exp_lr.get_last_lr(), multi.get_last_lr())
print(exp_lr.state_dict())
""",
    "scheduler_order_warning": """
import warnings
p = [nn.Parameter(torch.ones(1))]
opt = optim.SGD(p, lr=0.1)
sched = optim.lr_scheduler.StepLR(opt, 1)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    sched.step()
print([str(w.message) for w in caught])
""",
    "hundred_steps": """
torch.manual_seed(11)
x = torch.randn(64, 5)
y = (x @ torch.randn(5, 1) + 0.1 * torch.randn(64, 1))
results = []
for make in [lambda p: optim.SGD(p, lr=0.05), lambda p: optim.SGD(p, lr=0.01, momentum=0.9),
             lambda p: optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-2),
             lambda p: optim.SGD(p, lr=0.01, momentum=0.5, dampening=0.2, maximize=False),
             lambda p: optim.Adam(p, lr=0.01), lambda p: optim.Adam(p, lr=0.01, amsgrad=True,
                                                                     weight_decay=0.1),
             lambda p: optim.AdamW(p, lr=0.01, betas=(0.8, 0.99))]:
    torch.manual_seed(12)
    model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = make(model.parameters())
    for _ in range(100):
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
    results.append([loss.detach()] + [p.detach() for p in model.parameters()])
values = results
""",
}

DATA = {
    "tensor_dataset_and_loader": """
torch.manual_seed(0)
x = torch.arange(10.).reshape(5, 2)
y = torch.arange(5)
ds = data.TensorDataset(x, y)
print(ds[0], len(ds))
loader = data.DataLoader(ds, batch_size=2, shuffle=True)
print(len(loader))
for epoch in range(2):
    for i, (bx, by) in enumerate(loader):
        print(epoch, i, bx, by)
print(torch.rand(1))
""",
    "custom_dataset": """
class Squares(data.Dataset):
    def __init__(self, n):
        self.n = n
    def __len__(self):
        return self.n
    def __getitem__(self, i):
        return float(i), i * i, {"name": str(i)}
torch.manual_seed(1)
loader = data.DataLoader(Squares(7), batch_size=3, shuffle=True, drop_last=True)
print(len(loader))
for batch in loader:
    print(batch)
print(list(data.DataLoader(Squares(3), batch_size=None)))
""",
    "collate_forms": """
print(next(iter(data.DataLoader([(1, 2.5, "a"), (3, 4.5, "b")], batch_size=2))))
print(next(iter(data.DataLoader([{"a": 1, "b": torch.ones(2)}] * 3, batch_size=2))))
print(next(iter(data.DataLoader([[1, 2], [3, 4]], batch_size=2))))
print(next(iter(data.DataLoader([np.array([1.0, 2.0]), np.array([3.0, 4.0])], batch_size=2))))
print(list(data.DataLoader(range(7), batch_size=3, drop_last=True)))
print(list(data.DataLoader(range(5), batch_size=2, sampler=[4, 3, 2, 1, 0])))
""",
    "generator_and_split": """
g = torch.Generator().manual_seed(3)
print(list(data.DataLoader(range(6), batch_size=4, shuffle=True, generator=g)))
a, b = data.random_split(range(10), [7, 3], generator=torch.Generator().manual_seed(4))
print(list(a), list(b))
torch.manual_seed(5)
c, d, e = data.random_split(data.TensorDataset(torch.arange(11)), [0.5, 0.3, 0.2])
print(len(c), len(d), len(e), c.indices)
print(torch.randint(100, (3,)))
""",
    "collate_error": "next(iter(data.DataLoader([object()], batch_size=1)))",
    "size_mismatch": "data.TensorDataset(torch.ones(3), torch.ones(2))",
    "shuffle_and_sampler": "data.DataLoader(range(5), shuffle=True, sampler=[1])",
    "dataset_without_getitem": "data.Dataset()[0]",
    "epochs_of_training": """
torch.manual_seed(6)
x = torch.randn(20, 3)
y = x.sum(1, keepdim=True)
loader = data.DataLoader(data.TensorDataset(x, y), batch_size=8, shuffle=True)
model = nn.Linear(3, 1)
opt = optim.SGD(model.parameters(), lr=0.1)
for epoch in range(3):
    total = 0.0
    for bx, by in loader:
        opt.zero_grad()
        loss = F.mse_loss(model(bx), by)
        loss.backward()
        opt.step()
        total += loss.item()
    print(f"epoch {epoch}: {total:.4f}")
values = [model.weight.detach(), model.bias.detach()]
""",
}

SAVE = {
    "state_dict_round_trip": """
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
torch.save(model.state_dict(), path / "model.pt")
loaded = torch.load(path / "model.pt")
print(type(loaded).__name__, list(loaded))
print(loaded["0.weight"])
fresh = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
print(fresh.load_state_dict(loaded))
print(torch.equal(fresh[2].bias, model[2].bias))
""",
    "tensors_and_parameters": """
torch.save({"t": torch.tensor([1, 2, 3]), "p": nn.Parameter(torch.ones(2)),
            "g": torch.tensor([0.5], requires_grad=True), "b": torch.tensor([True, False]),
            "d": torch.zeros(2, dtype=torch.float64), "s": "text", "n": None,
            "nested": [1, (2.5, "x"), {"k": torch.arange(3)}]}, path / "all.pt")
loaded = torch.load(path / "all.pt", weights_only=True)
for key, value in loaded.items():
    print(key, type(value).__name__, value)
""",
    "optimizer_checkpoint": """
torch.manual_seed(1)
model = nn.Linear(2, 1)
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
model(torch.ones(4, 2)).sum().backward()
opt.step()
torch.save({"epoch": 5, "model": model.state_dict(), "optimizer": opt.state_dict()},
           path / "checkpoint.pt")
ckpt = torch.load(path / "checkpoint.pt", map_location="cpu")
print(ckpt["epoch"], ckpt["optimizer"])
opt2 = optim.SGD(model.parameters(), lr=0.5)
opt2.load_state_dict(ckpt["optimizer"])
print(opt2.param_groups[0]["lr"], opt2.state_dict()["state"])
""",
    "one_tensor_to_a_file_object": """
import io
buffer = io.BytesIO()
torch.save(torch.tensor([[1.5, 2.0]]), buffer)
buffer.seek(0)
print(torch.load(buffer))
""",
    "missing_file": "torch.load('no-such-checkpoint.pt')",
}

#: The snippet groups, each recorded to tests/golden/<name>.json.
GROUPS: dict[str, dict[str, str]] = {"random": RANDOM, "nn": NN, "optim": OPTIM, "data": DATA,
                                      "save": SAVE}


def _plain(value: Any, torch: ModuleType) -> Any:
    """A recorded value: tensors as {"dtype", "data"}, containers element by element."""
    if isinstance(value, torch.Tensor):
        return {"dtype": str(value.dtype).removeprefix("torch."),
                "data": value.detach().tolist()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, torch) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v, torch) for k, v in value.items()}
    return value


def namespace(torch: ModuleType, folder: Path) -> dict[str, Any]:
    """The names a snippet runs with, for ``torch`` or for cgengine."""
    import importlib

    return {"torch": torch, "nn": importlib.import_module(f"{torch.__name__}.nn"),
            "F": importlib.import_module(f"{torch.__name__}.nn.functional"),
            "optim": importlib.import_module(f"{torch.__name__}.optim"),
            "data": importlib.import_module(f"{torch.__name__}.utils.data"),
            "np": np, "path": folder}


def run(code: str, torch: ModuleType) -> dict[str, Any]:
    """Run one snippet; return what it printed, raised and left in ``values``."""
    out = io.StringIO()
    result: dict[str, Any] = {"stdout": "", "error": None, "values": None}
    with tempfile.TemporaryDirectory() as folder:
        scope = namespace(torch, Path(folder))
        try:
            with contextlib.redirect_stdout(out):
                exec(code, scope)
        except Exception as exc:
            result["error"] = {"type": type(exc).__name__, "message": str(exc)}
        result["values"] = _plain(scope.get("values"), torch)
    result["stdout"] = out.getvalue()
    return result


def record(torch: ModuleType, group: str) -> list[dict[str, Any]]:
    """One group's snippets run under ``torch``: [{name, code, stdout, error, values}]."""
    return [{"name": name, "code": code, **run(code, torch)}
            for name, code in GROUPS[group].items()]


def record_lines(torch: ModuleType, group: str) -> str:
    """tests/golden/<group>.json: one snippet per line, so a re-recording diffs snippet by
    snippet."""
    return (f'{{"torch_version": {json.dumps(torch.__version__)}, "snippets": [\n'
            + ",\n".join(json.dumps(r, ensure_ascii=False) for r in record(torch, group))
            + "\n]}\n")
