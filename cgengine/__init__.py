"""cgengine: a small, readable PyTorch-style autograd engine on numpy.

``import cgengine as torch`` runs lesson code written for PyTorch: tensors record the operations
applied to them (a dynamic graph, built as the code runs) and ``backward()`` walks that graph from
the output to the leaves, applying the chain rule. Where to read:

- :mod:`cgengine.ops`: every operation once, its forward and its backward side by side;
- :mod:`cgengine.formulas`: what the backward rules compute with (numpy on a plain backward,
  recorded ops with ``create_graph=True``, which gives higher-order gradients);
- :mod:`cgengine.autograd`: graph nodes (``grad_fn``), the backward engine, grad modes, hooks,
  and ``autograd.functional`` (jacobian, hessian);
- :mod:`cgengine.tensor`: the Tensor and :func:`~cgengine.tensor.apply`, where the graph grows;
- :mod:`cgengine.functional`: the public functions, choosing the op PyTorch would record.
"""

from cgengine import autograd, functional, nn, optim, random, utils
from cgengine._alloc import tune_allocator
from cgengine._device import cuda, device
from cgengine._dtype import bool_ as bool
from cgengine._dtype import dtype, float16, float32, float64, int8, int16, int32, int64, uint8
from cgengine.autograd import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from cgengine.creation import (
    arange,
    as_tensor,
    bernoulli,
    empty,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from cgengine.functional import (
    abs,
    add,
    addcdiv,
    addcmul,
    addmm,
    all,
    allclose,
    any,
    argmax,
    argmin,
    argsort,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    bmm,
    cat,
    ceil,
    chunk,
    clamp,
    clip,
    clone,
    concat,
    cos,
    cumsum,
    div,
    divide,
    dot,
    einsum,
    eq,
    equal,
    exp,
    fix,
    flatten,
    flip,
    floor,
    floor_divide,
    gather,
    ge,
    gt,
    index_select,
    isclose,
    isnan,
    le,
    log,
    log_softmax,
    logical_and,
    logical_not,
    logical_or,
    lt,
    masked_fill,
    masked_scatter,
    masked_select,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    movedim,
    mul,
    multiply,
    mv,
    ne,
    neg,
    negative,
    nonzero,
    norm,
    outer,
    permute,
    pow,
    prod,
    reciprocal,
    relu,
    remainder,
    reshape,
    round,
    rsub,
    scatter,
    sigmoid,
    sign,
    sin,
    softmax,
    sort,
    split,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    sub,
    subtract,
    sum,
    swapaxes,
    t,
    tanh,
    topk,
    transpose,
    true_divide,
    trunc,
    unbind,
    unsqueeze,
    var,
    where,
)
from cgengine.random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from cgengine.serialization import load, save
from cgengine.tensor import Size, Tensor

float = float32
double = float64
long = int64
int = int32
short = int16
half = float16

__version__ = "0.2.0"

__all__ = [name for name in dir() if not name.startswith("_")]
