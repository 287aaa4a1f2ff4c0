# -*- coding: utf-8 -*-
"""
模型保存与加载: torch.save / torch.load 与 state_dict
"""
import torch
import torch.nn as nn

torch.manual_seed(2)


class LeNetLinear(nn.Module):
    def __init__(self, classes):
        super(LeNetLinear, self).__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, classes)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        return self.fc2(x)

    def initialize(self):
        for p in self.parameters():
            p.data.fill_(20191104)


net = LeNetLinear(classes=3)
print("训练前: ", net.fc1.weight[0, :3])
net.initialize()
print("训练后: ", net.fc1.weight[0, :3])

# 保存 state_dict
path_state_dict = "./model_state_dict.pkl"
net_state_dict = net.state_dict()
torch.save(net_state_dict, path_state_dict)

# 加载 state_dict
net_new = LeNetLinear(classes=3)
print("加载前: ", net_new.fc1.weight[0, :3])
state_dict_load = torch.load(path_state_dict)
print(state_dict_load.keys())
net_new.load_state_dict(state_dict_load)
print("加载后: ", net_new.fc1.weight[0, :3])

# 断点续训练: 保存模型、优化器与 epoch
optimizer = torch.optim.SGD(net_new.parameters(), lr=0.01, momentum=0.9)
loss = net_new(torch.ones(2, 4)).sum() * 1e-9
loss.backward()
optimizer.step()
checkpoint = {"model_state_dict": net_new.state_dict(),
              "optimizer_state_dict": optimizer.state_dict(),
              "epoch": 5}
torch.save(checkpoint, "./checkpoint_5_epoch.pkl")
checkpoint = torch.load("./checkpoint_5_epoch.pkl")
print(checkpoint["epoch"], list(checkpoint["optimizer_state_dict"]["state"]))
print(checkpoint["optimizer_state_dict"]["param_groups"][0]["lr"])

'''
训练前:  tensor([ 0.1147, -0.1190,  0.1371], grad_fn=<SliceBackward0>)
训练后:  tensor([20191104., 20191104., 20191104.], grad_fn=<SliceBackward0>)
加载前:  tensor([-0.4690, -0.1594,  0.2438], grad_fn=<SliceBackward0>)
odict_keys(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'])
加载后:  tensor([20191104., 20191104., 20191104.], grad_fn=<SliceBackward0>)
5 [0, 1, 2, 3]
0.01
'''
