# -*- coding: utf-8 -*-
"""
Dataset 与 DataLoader: epoch、iteration、batch_size
"""
import torch
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(1)


class RMBDataset(Dataset):
    """一个小数据集: 每个样本是 (特征, 标签)"""
    def __init__(self, n):
        self.features = torch.randn(n, 3)
        self.labels = torch.randint(0, 2, (n,))

    def __getitem__(self, index):
        return self.features[index], self.labels[index]

    def __len__(self):
        return len(self.labels)


train_data = RMBDataset(10)
print(len(train_data))
print(train_data[0])

# 样本总数 10, batch_size 4: drop_last=False 时 1 epoch = 3 iteration, True 时 2 iteration
for drop_last in (False, True):
    train_loader = DataLoader(dataset=train_data, batch_size=4, shuffle=True, drop_last=drop_last)
    print("drop_last={}: {} iterations per epoch".format(drop_last, len(train_loader)))
    for epoch in range(2):
        for i, (inputs, labels) in enumerate(train_loader):
            print("epoch {} iteration {} inputs {} labels {}".format(
                epoch, i, tuple(inputs.shape), labels.tolist()))

# 训练: 每个 epoch 把所有样本都看一遍
net = torch.nn.Linear(3, 1)
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
loss_fn = torch.nn.BCEWithLogitsLoss()
train_loader = DataLoader(dataset=train_data, batch_size=4, shuffle=True)
for epoch in range(3):
    loss_mean = 0.
    for i, (inputs, labels) in enumerate(train_loader):
        outputs = net(inputs)
        loss = loss_fn(outputs.squeeze(1), labels.float())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_mean += loss.item()
    print("Epoch[{:0>3}/{:0>3}] Loss: {:.4f}".format(epoch, 3, loss_mean / len(train_loader)))

'''
10
(tensor([-1.5256, -0.7502, -0.6540]), tensor(0))
drop_last=False: 3 iterations per epoch
epoch 0 iteration 0 inputs (4, 3) labels [0, 0, 0, 1]
epoch 0 iteration 1 inputs (4, 3) labels [1, 0, 1, 0]
epoch 0 iteration 2 inputs (2, 3) labels [1, 1]
epoch 1 iteration 0 inputs (4, 3) labels [0, 1, 0, 0]
epoch 1 iteration 1 inputs (4, 3) labels [0, 1, 1, 1]
epoch 1 iteration 2 inputs (2, 3) labels [0, 1]
drop_last=True: 2 iterations per epoch
epoch 0 iteration 0 inputs (4, 3) labels [0, 0, 0, 1]
epoch 0 iteration 1 inputs (4, 3) labels [0, 1, 1, 1]
epoch 1 iteration 0 inputs (4, 3) labels [0, 0, 0, 1]
epoch 1 iteration 1 inputs (4, 3) labels [1, 1, 1, 0]
Epoch[000/003] Loss: 0.7487
Epoch[001/003] Loss: 0.7485
Epoch[002/003] Loss: 0.6846
'''
