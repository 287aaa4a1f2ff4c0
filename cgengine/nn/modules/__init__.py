"""The layers of ``cgengine.nn``, one module per kind, as torch.nn.modules lays them out."""

from cgengine.nn.modules.activation import (
    ELU,
    GELU,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Tanh,
)
from cgengine.nn.modules.container import ModuleDict, ModuleList, Sequential
from cgengine.nn.modules.dropout import Dropout
from cgengine.nn.modules.flatten import Flatten
from cgengine.nn.modules.linear import Identity, Linear
from cgengine.nn.modules.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from cgengine.nn.modules.module import Module

__all__ = ["BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "Dropout", "ELU", "Flatten",
           "GELU", "Identity", "L1Loss", "LeakyReLU", "Linear", "LogSoftmax", "MSELoss",
           "Module", "ModuleDict", "ModuleList", "NLLLoss", "ReLU", "Sequential", "Sigmoid",
           "SmoothL1Loss", "Softmax", "Softplus", "Tanh"]
