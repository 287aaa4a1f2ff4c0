# -*- coding: utf-8 -*-
"""
损失函数、优化器与学习率调整策略: CrossEntropy (weight)、NLL、BCE、BCEWithLogits、L1、MSE、SmoothL1;
optimizer 的 param_groups、step、zero_grad、momentum; StepLR、ExponentialLR、ReduceLROnPlateau; hook
"""
import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(1)

# ============================ 交叉熵损失 CrossEntropyLoss ============================
inputs = torch.tensor([[1, 2], [1, 3], [1, 3]], dtype=torch.float)
target = torch.tensor([0, 1, 1], dtype=torch.long)

loss_f_none = nn.CrossEntropyLoss(weight=None, reduction='none')
loss_f_sum = nn.CrossEntropyLoss(weight=None, reduction='sum')
loss_f_mean = nn.CrossEntropyLoss(weight=None, reduction='mean')
loss_none = loss_f_none(inputs, target)
loss_sum = loss_f_sum(inputs, target)
loss_mean = loss_f_mean(inputs, target)
print("Cross Entropy Loss:\n ", loss_none, loss_sum, loss_mean)

# 手算第一个样本: -x[class] + log(sum(exp(x)))
idx = 0
input_1 = inputs.detach().numpy()[idx]      # [1, 2]
target_1 = target.numpy()[idx]              # [0]
x_class = input_1[target_1]
sigma_exp_x = torch.exp(torch.tensor(input_1)).sum()
loss_1 = -x_class + torch.log(sigma_exp_x)
print("第一个样本loss为: ", loss_1)

# weight: 每个类别的权重, mean 时除以权重之和
weights = torch.tensor([1, 2], dtype=torch.float)
loss_f_none_w = nn.CrossEntropyLoss(weight=weights, reduction='none')
loss_f_sum = nn.CrossEntropyLoss(weight=weights, reduction='sum')
loss_f_mean = nn.CrossEntropyLoss(weight=weights, reduction='mean')
print("\nweights: ", weights)
print(loss_f_none_w(inputs, target), loss_f_sum(inputs, target), loss_f_mean(inputs, target))
print(nn.CrossEntropyLoss(label_smoothing=0.1)(inputs, target))

# ============================ NLL、BCE、BCEWithLogits ============================
print("NLL Loss", nn.NLLLoss(weight=weights, reduction='none')(inputs, target))

inputs = torch.tensor([[1, 2], [2, 2], [3, 4], [4, 5]], dtype=torch.float)
target = torch.tensor([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=torch.float)
inputs_sig = torch.sigmoid(inputs)
print("BCE Loss", nn.BCELoss(reduction='none')(inputs_sig, target))
print("BCEWithLogits Loss", nn.BCEWithLogitsLoss(reduction='none')(inputs, target))
pos_w = torch.tensor([3], dtype=torch.float)
print("pos_weight: ", pos_w, nn.BCEWithLogitsLoss(reduction='none', pos_weight=pos_w)(inputs, target))

# ============================ L1、MSE、SmoothL1 ============================
inputs = torch.ones((2, 2))
target = torch.ones((2, 2)) * 3
print("input:{}\ntarget:{}\nL1 loss:{}".format(inputs, target, nn.L1Loss(reduction='none')(inputs, target)))
print("MSE loss:{}".format(nn.MSELoss(reduction='none')(inputs, target)))
inputs = torch.linspace(-3, 3, steps=7)
target = torch.zeros_like(inputs)
print("SmoothL1 loss:{}".format(nn.SmoothL1Loss(reduction='none')(inputs, target)))

# ============================ 优化器 optimizer ============================
weight = torch.randn((2, 2), requires_grad=True)
weight.grad = torch.ones((2, 2))
optimizer = optim.SGD([weight], lr=0.1)

print("weight before step:{}".format(weight.data))
optimizer.step()        # 修改lr=1 0.1观察结果
print("weight after step:{}".format(weight.data))

print("weight in optimizer is weight:", optimizer.param_groups[0]['params'][0] is weight)

optimizer.zero_grad()
print("weight.grad is {}\n".format(weight.grad))

w2 = torch.randn((3, 3), requires_grad=True)
optimizer.add_param_group({"params": w2, 'lr': 0.0001})
print("optimizer.param_groups is\n{}".format([(len(g['params']), g['lr'], g['momentum']) for g in optimizer.param_groups]))
print(optimizer)

opt_state_dict = optimizer.state_dict()
print("state_dict before step:\n", opt_state_dict['param_groups'][0]['params'], opt_state_dict['state'])

# momentum: 指数加权平均, v_t = m * v_(t-1) + g_t
def func(x):
    return torch.pow(2 * x, 2)    # y = (2x)^2 = 4*x^2        dy/dx = 8x


for momentum in (0., 0.9):
    x = torch.tensor([2.], requires_grad=True)
    optimizer = optim.SGD([x], lr=0.01, momentum=momentum)
    losses = []
    for i in range(50):
        optimizer.zero_grad()
        y = func(x)
        y.backward()
        optimizer.step()
        losses.append(y.item())
    print("momentum:{}, loss[10]:{:.4f}, loss[49]:{:.6f}, x:{}".format(momentum, losses[10], losses[49], x))

# ============================ 学习率调整 lr_scheduler ============================
LR = 0.1
weights = torch.randn((1), requires_grad=True)
target = torch.zeros((1))

for name in ("StepLR", "ExponentialLR"):
    optimizer = optim.SGD([weights], lr=LR, momentum=0.9)
    if name == "StepLR":
        scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=50, gamma=0.1)  # 每 50 个 epoch 乘 0.1
    else:
        scheduler = optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.95)       # 每个 epoch 乘 0.95
    lr_list, epoch_list = list(), list()
    for epoch in range(200):
        lr_list.append(scheduler.get_last_lr()[0])
        epoch_list.append(epoch)
        for i in range(6):
            loss = torch.pow((weights - target), 2)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        scheduler.step()
    print(name, [round(lr, 6) for lr in lr_list[::40]], lr_list[-1])

loss_value = 0.5
accumulation_steps = 6
optimizer = optim.SGD([weights], lr=LR, momentum=0.9)
scheduler_lr = optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode='min', factor=0.1, patience=10,
                                                    cooldown=10, min_lr=1e-4)
for epoch in range(60):
    for i in range(accumulation_steps):
        optimizer.step()
        optimizer.zero_grad()
    scheduler_lr.step(loss_value)
    if epoch in (10, 11, 21, 22, 33, 44, 59):
        print("epoch:{}, lr:{}".format(epoch, scheduler_lr.get_last_lr()))

# ============================ hook ============================
w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
a = torch.add(w, x)
b = torch.add(w, 1)
y = torch.mul(a, b)

a_grad = list()


def grad_hook(grad):
    a_grad.append(grad)


handle = a.register_hook(grad_hook)
y.backward()
print("gradient:", w.grad, x.grad)
print("a_grad[0]: ", a_grad[0])
handle.remove()


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(2, 2)
        self.fc2 = nn.Linear(2, 1)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


def forward_hook(module, data_input, data_output):
    fmap_block.append(data_output)
    input_block.append(data_input)


fmap_block, input_block = list(), list()
net = Net()
net.fc1.register_forward_hook(forward_hook)
output = net(torch.ones((1, 2)))
print("output shape: {}\noutput value: {}\n".format(output.shape, output))
print("feature maps shape: {}\noutput value: {}\n".format(fmap_block[0].shape, fmap_block[0]))
print("input shape: {}\ninput value: {}".format(input_block[0][0].shape, input_block[0]))

'''
Cross Entropy Loss:
  tensor([1.3133, 0.1269, 0.1269]) tensor(1.5671) tensor(0.5224)
第一个样本loss为:  tensor(1.3133)

weights:  tensor([1., 2.])
tensor([1.3133, 0.2539, 0.2539]) tensor(1.8210) tensor(0.3642)
tensor(0.5724)
NLL Loss tensor([-1., -6., -6.])
BCE Loss tensor([[0.3133, 2.1269],
        [0.1269, 2.1269],
        [3.0486, 0.0181],
        [4.0181, 0.0067]])
BCEWithLogits Loss tensor([[0.3133, 2.1269],
        [0.1269, 2.1269],
        [3.0486, 0.0181],
        [4.0181, 0.0067]])
pos_weight:  tensor([3.]) tensor([[0.9398, 2.1269],
        [0.3808, 2.1269],
        [3.0486, 0.0544],
        [4.0181, 0.0201]])
input:tensor([[1., 1.],
        [1., 1.]])
target:tensor([[3., 3.],
        [3., 3.]])
L1 loss:tensor([[2., 2.],
        [2., 2.]])
MSE loss:tensor([[4., 4.],
        [4., 4.]])
SmoothL1 loss:tensor([2.5000, 1.5000, 0.5000, 0.0000, 0.5000, 1.5000, 2.5000])
weight before step:tensor([[0.6614, 0.2669],
        [0.0617, 0.6213]])
weight after step:tensor([[ 0.5614,  0.1669],
        [-0.0383,  0.5213]])
weight in optimizer is weight: True
weight.grad is None

optimizer.param_groups is
[(1, 0.1, 0), (1, 0.0001, 0)]
SGD (
Parameter Group 0
    dampening: 0
    differentiable: False
    foreach: None
    fused: None
    lr: 0.1
    maximize: False
    momentum: 0
    nesterov: False
    weight_decay: 0

Parameter Group 1
    dampening: 0
    differentiable: False
    foreach: None
    fused: None
    lr: 0.0001
    maximize: False
    momentum: 0
    nesterov: False
    weight_decay: 0
)
state_dict before step:
 [0] {}
momentum:0.0, loss[10]:3.0191, loss[49]:0.004522, x:tensor([0.0309], requires_grad=True)
momentum:0.9, loss[10]:5.0558, loss[49]:0.001623, x:tensor([-0.0219], requires_grad=True)
StepLR [0.1, 0.1, 0.01, 0.001, 0.0001] 0.00010000000000000003
ExponentialLR [0.1, 0.012851, 0.001652, 0.000212, 2.7e-05] 3.689754341981967e-06
epoch:10, lr:[0.1]
epoch:11, lr:[0.010000000000000002]
epoch:21, lr:[0.010000000000000002]
epoch:22, lr:[0.010000000000000002]
epoch:33, lr:[0.0010000000000000002]
epoch:44, lr:[0.0010000000000000002]
epoch:59, lr:[0.00010000000000000003]
gradient: tensor([5.]) tensor([2.])
a_grad[0]:  tensor([2.])
output shape: torch.Size([1, 1])
output value: tensor([[0.4007]], grad_fn=<AddmmBackward0>)

feature maps shape: torch.Size([1, 2])
output value: tensor([[0.2138, 0.2240]], grad_fn=<AddmmBackward0>)

input shape: torch.Size([1, 2])
input value: (tensor([[1., 1.]]),)
'''
