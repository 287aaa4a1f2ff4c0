# -*- coding: utf-8 -*-
"""
逻辑回归: 数据、模型、损失函数、优化器、迭代训练 五大步骤
(the course's logistic regression, its plot replaced by printing what the plot shows)
"""
import torch
import torch.nn as nn

torch.manual_seed(10)

# ============================ step 1/5 生成数据 ============================
sample_nums = 100
mean_value = 1.7
bias = 1
n_data = torch.ones(sample_nums, 2)
x0 = torch.normal(mean_value * n_data, 1) + bias      # 类别0 数据 shape=(100, 2)
y0 = torch.zeros(sample_nums)                         # 类别0 标签 shape=(100)
x1 = torch.normal(-mean_value * n_data, 1) + bias     # 类别1 数据 shape=(100, 2)
y1 = torch.ones(sample_nums)                          # 类别1 标签 shape=(100)
train_x = torch.cat((x0, x1), 0)
train_y = torch.cat((y0, y1), 0)


# ============================ step 2/5 选择模型 ============================
class LR(nn.Module):
    def __init__(self):
        super(LR, self).__init__()
        self.features = nn.Linear(2, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        x = self.features(x)
        x = self.sigmoid(x)
        return x


lr_net = LR()   # 实例化逻辑回归模型
print(lr_net)

# ============================ step 3/5 选择损失函数 ============================
loss_fn = nn.BCELoss()

# ============================ step 4/5 选择优化器   ============================
lr = 0.01  # 学习率
optimizer = torch.optim.SGD(lr_net.parameters(), lr=lr, momentum=0.9)

# ============================ step 5/5 模型训练 ============================
for iteration in range(1000):

    # 前向传播
    y_pred = lr_net(train_x)

    # 计算 loss
    loss = loss_fn(y_pred.squeeze(), train_y)

    # 反向传播
    loss.backward()

    # 更新参数
    optimizer.step()

    # 清空梯度
    optimizer.zero_grad()

    # 绘图 (打印图中的数字)
    if iteration % 20 == 0:

        mask = y_pred.ge(0.5).float().squeeze()  # 以0.5为阈值进行分类
        correct = (mask == train_y).sum()  # 计算正确预测的样本个数
        acc = correct.item() / train_y.size(0)  # 计算分类准确率

        w0, w1 = lr_net.features.weight[0]
        w0, w1 = float(w0.item()), float(w1.item())
        plot_b = float(lr_net.features.bias[0].item())

        print("Iteration: {}  Loss={:.4f}  Accuracy={:.2%}".format(iteration, loss.data.numpy(), acc))
        print("w0:{:.2f} w1:{:.2f} b:{:.2f}".format(w0, w1, plot_b))

        if acc > 0.99:
            break

'''
LR(
  (features): Linear(in_features=2, out_features=1, bias=True)
  (sigmoid): Sigmoid()
)
Iteration: 0  Loss=0.3947  Accuracy=92.00%
w0:-0.05 w1:-0.46 b:0.13
Iteration: 20  Loss=0.2071  Accuracy=94.00%
w0:-0.49 w1:-0.78 b:0.24
Iteration: 40  Loss=0.1486  Accuracy=94.00%
w0:-0.77 w1:-0.97 b:0.43
Iteration: 60  Loss=0.1247  Accuracy=95.00%
w0:-0.91 w1:-1.05 b:0.60
Iteration: 80  Loss=0.1098  Accuracy=97.00%
w0:-0.99 w1:-1.10 b:0.75
Iteration: 100  Loss=0.0990  Accuracy=97.50%
w0:-1.05 w1:-1.14 b:0.88
Iteration: 120  Loss=0.0907  Accuracy=98.00%
w0:-1.10 w1:-1.18 b:1.00
Iteration: 140  Loss=0.0840  Accuracy=98.00%
w0:-1.14 w1:-1.21 b:1.11
Iteration: 160  Loss=0.0784  Accuracy=98.50%
w0:-1.17 w1:-1.24 b:1.21
Iteration: 180  Loss=0.0737  Accuracy=98.50%
w0:-1.20 w1:-1.26 b:1.30
Iteration: 200  Loss=0.0697  Accuracy=98.50%
w0:-1.23 w1:-1.29 b:1.38
Iteration: 220  Loss=0.0663  Accuracy=98.50%
w0:-1.26 w1:-1.31 b:1.46
Iteration: 240  Loss=0.0633  Accuracy=98.50%
w0:-1.28 w1:-1.34 b:1.53
Iteration: 260  Loss=0.0606  Accuracy=99.00%
w0:-1.30 w1:-1.36 b:1.59
Iteration: 280  Loss=0.0582  Accuracy=99.00%
w0:-1.32 w1:-1.38 b:1.66
Iteration: 300  Loss=0.0560  Accuracy=99.00%
w0:-1.34 w1:-1.40 b:1.72
Iteration: 320  Loss=0.0541  Accuracy=99.00%
w0:-1.36 w1:-1.42 b:1.77
Iteration: 340  Loss=0.0524  Accuracy=99.00%
w0:-1.38 w1:-1.44 b:1.83
Iteration: 360  Loss=0.0507  Accuracy=99.00%
w0:-1.40 w1:-1.46 b:1.88
Iteration: 380  Loss=0.0493  Accuracy=99.50%
w0:-1.41 w1:-1.48 b:1.93
'''
