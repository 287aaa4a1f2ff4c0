# -*- coding: utf-8 -*-
"""
模型容器 Sequential、ModuleList、ModuleDict 与权值初始化: 方差为什么会爆炸或消失
(the course's LeNet containers, their convolutions left out: cgengine has linear layers only)
"""
from collections import OrderedDict

import torch
import torch.nn as nn

torch.manual_seed(1)


# ============================ Sequential ============================
class LeNetSequential(nn.Module):
    def __init__(self, classes):
        super(LeNetSequential, self).__init__()
        self.classifier = nn.Sequential(
            nn.Linear(16, 12),
            nn.ReLU(),
            nn.Linear(12, 8),
            nn.ReLU(),
            nn.Linear(8, classes),)

    def forward(self, x):
        x = x.view(x.size()[0], -1)
        x = self.classifier(x)
        return x


class LeNetSequentialOrderDict(nn.Module):
    def __init__(self, classes):
        super(LeNetSequentialOrderDict, self).__init__()
        self.classifier = nn.Sequential(OrderedDict({
            'fc1': nn.Linear(16, 12),
            'relu3': nn.ReLU(inplace=True),
            'fc2': nn.Linear(12, 8),
            'relu4': nn.ReLU(inplace=True),
            'fc3': nn.Linear(8, classes),
        }))

    def forward(self, x):
        x = x.view(x.size()[0], -1)
        x = self.classifier(x)
        return x


net = LeNetSequential(classes=2)
print(net)
net = LeNetSequentialOrderDict(classes=2)
print(net)
fake_img = torch.randn((4, 1, 4, 4), dtype=torch.float32)
output = net(fake_img)
print(output)
print(net.classifier.fc3, net.classifier[-1] is net.classifier.fc3, len(net.classifier))


# ============================ ModuleList ============================
class ModuleList(nn.Module):
    def __init__(self):
        super(ModuleList, self).__init__()
        self.linears = nn.ModuleList([nn.Linear(10, 10) for i in range(20)])

    def forward(self, x):
        for i, linear in enumerate(self.linears):
            x = linear(x)
        return x


net = ModuleList()
print(net)
fake_data = torch.ones((10, 10))
output = net(fake_data)
print(output.shape, output.grad_fn.name())


# ============================ ModuleDict ============================
class ModuleDict(nn.Module):
    def __init__(self):
        super(ModuleDict, self).__init__()
        self.choices = nn.ModuleDict({
            'linear': nn.Linear(4, 3),
            'identity': nn.Identity()
        })
        self.activations = nn.ModuleDict({
            'relu': nn.ReLU(),
            'prelu': nn.LeakyReLU(0.1)
        })

    def forward(self, x, choice, act):
        x = self.choices[choice](x)
        x = self.activations[act](x)
        return x


net = ModuleDict()
print(net)
fake_img = torch.randn((2, 4))
output = net(fake_img, 'linear', 'prelu')
print(output)
for name, param in net.named_parameters():
    print(name, param.shape, param.requires_grad)


# ============================ 权值初始化 ============================
class MLP(nn.Module):
    def __init__(self, neural_num, layers):
        super(MLP, self).__init__()
        self.linears = nn.ModuleList([nn.Linear(neural_num, neural_num, bias=False) for i in range(layers)])
        self.neural_num = neural_num

    def forward(self, x):
        for (i, linear) in enumerate(self.linears):
            x = linear(x)
            x = self.activation(x)
            print("layer:{}, std:{:.4}".format(i, x.std().item()))
            if torch.isnan(x.std()):
                print("output is nan in {} layers".format(i))
                break
        return x

    def initialize(self, init):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                init(m.weight.data)


layer_nums = 100
neural_nums = 256
batch_size = 16
inputs = torch.randn((batch_size, neural_nums))  # normal: mean=0, std=1

# 每层输出的方差是上一层的 n * var(w) 倍: std=1 时逐层放大直到 nan, std=1/sqrt(n) 时保持不变
for name, activation, init, layers in [
        ("normal(0, 1), 无激活函数", nn.Identity(), lambda w: nn.init.normal_(w.data, std=1), layer_nums),
        ("normal(0, 1/sqrt(n))", nn.Identity(),
         lambda w: nn.init.normal_(w.data, std=torch.tensor(1 / neural_nums).sqrt().item()), 8),
        ("xavier_uniform, tanh", nn.Tanh(),
         lambda w: nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain('tanh')), 8),
        ("kaiming_normal, relu", nn.ReLU(), nn.init.kaiming_normal_, 8)]:
    print(name)
    net = MLP(neural_nums, layers)
    net.activation = activation
    net.initialize(init)
    output = net(inputs)
print(nn.init.calculate_gain('tanh'), nn.init.calculate_gain('relu'), nn.init.calculate_gain('leaky_relu', 0.1))

'''
LeNetSequential(
  (classifier): Sequential(
    (0): Linear(in_features=16, out_features=12, bias=True)
    (1): ReLU()
    (2): Linear(in_features=12, out_features=8, bias=True)
    (3): ReLU()
    (4): Linear(in_features=8, out_features=2, bias=True)
  )
)
LeNetSequentialOrderDict(
  (classifier): Sequential(
    (fc1): Linear(in_features=16, out_features=12, bias=True)
    (relu3): ReLU(inplace=True)
    (fc2): Linear(in_features=12, out_features=8, bias=True)
    (relu4): ReLU(inplace=True)
    (fc3): Linear(in_features=8, out_features=2, bias=True)
  )
)
tensor([[-0.3990,  0.1565],
        [-0.5185,  0.0676],
        [-0.3986,  0.1700],
        [-0.3996,  0.0760]], grad_fn=<AddmmBackward0>)
Linear(in_features=8, out_features=2, bias=True) True 5
ModuleList(
  (linears): ModuleList(
    (0-19): 20 x Linear(in_features=10, out_features=10, bias=True)
  )
)
torch.Size([10, 10]) AddmmBackward0
ModuleDict(
  (choices): ModuleDict(
    (linear): Linear(in_features=4, out_features=3, bias=True)
    (identity): Identity()
  )
  (activations): ModuleDict(
    (relu): ReLU()
    (prelu): LeakyReLU(negative_slope=0.1)
  )
)
tensor([[ 0.3074,  0.6011, -0.0419],
        [-0.0140,  0.3310,  0.8018]], grad_fn=<LeakyReluBackward0>)
choices.linear.weight torch.Size([3, 4]) True
choices.linear.bias torch.Size([3]) True
normal(0, 1), 无激活函数
layer:0, std:15.83
layer:1, std:256.7
layer:2, std:4.116e+03
layer:3, std:6.462e+04
layer:4, std:1.04e+06
layer:5, std:1.638e+07
layer:6, std:2.568e+08
layer:7, std:4.121e+09
layer:8, std:6.742e+10
layer:9, std:1.058e+12
layer:10, std:1.673e+13
layer:11, std:2.734e+14
layer:12, std:4.334e+15
layer:13, std:7.003e+16
layer:14, std:1.139e+18
layer:15, std:1.83e+19
layer:16, std:2.909e+20
layer:17, std:4.671e+21
layer:18, std:7.496e+22
layer:19, std:1.227e+24
layer:20, std:1.928e+25
layer:21, std:3.105e+26
layer:22, std:4.974e+27
layer:23, std:7.954e+28
layer:24, std:1.28e+30
layer:25, std:2.054e+31
layer:26, std:3.243e+32
layer:27, std:5.224e+33
layer:28, std:8.424e+34
layer:29, std:1.31e+36
layer:30, std:nan
output is nan in 30 layers
normal(0, 1/sqrt(n))
layer:0, std:0.9884
layer:1, std:0.9917
layer:2, std:0.9956
layer:3, std:0.9991
layer:4, std:1.0
layer:5, std:1.016
layer:6, std:0.9992
layer:7, std:1.018
xavier_uniform, tanh
layer:0, std:0.756
layer:1, std:0.6982
layer:2, std:0.6684
layer:3, std:0.6634
layer:4, std:0.658
layer:5, std:0.6465
layer:6, std:0.6542
layer:7, std:0.6522
kaiming_normal, relu
layer:0, std:0.8132
layer:1, std:0.7986
layer:2, std:0.822
layer:3, std:0.7919
layer:4, std:0.8203
layer:5, std:0.7686
layer:6, std:0.758
layer:7, std:0.7625
1.6666666666666667 1.4142135623730951 1.4071950894605838
'''
