# -*- coding: utf-8 -*-
"""
autograd: retain_graph、grad_tensors、autograd.grad 求二阶导、梯度累加、叶子节点与 in-place 操作
"""
import torch

torch.manual_seed(10)

# ====================================== retain_graph ==============================================
w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)

a = torch.add(w, x)
b = torch.add(w, 1)
y = torch.mul(a, b)

y.backward(retain_graph=True)
print(w.grad)
y.backward()
print(w.grad)
try:
    y.backward()
except RuntimeError as e:
    print("RuntimeError:", e)

# ====================================== grad_tensors ==============================================
w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)

a = torch.add(w, x)     # retain_grad()
b = torch.add(w, 1)

y0 = torch.mul(a, b)    # y0 = (x+w) * (w+1)    dy0/dw = 5
y1 = torch.add(a, b)    # y1 = (x+w) + (w+1)    dy1/dw = 2

loss = torch.cat([y0, y1], dim=0)       # [y0, y1]
grad_tensors = torch.tensor([1., 2.])

loss.backward(gradient=grad_tensors)    # gradient 传入 torch.autograd.backward()中的grad_tensors

print(w.grad)   # 5 * 1 + 2 * 2 = 9

# ====================================== autograd.grad ==============================================
x = torch.tensor([3.], requires_grad=True)
y = torch.pow(x, 2)     # y = x**2

grad_1 = torch.autograd.grad(y, x, create_graph=True)   # grad_1 = dy/dx = 2x = 2 * 3 = 6
print(grad_1)

grad_2 = torch.autograd.grad(grad_1[0], x)              # grad_2 = d(dy/dx)/dx = d(2x)/dx = 2
print(grad_2)

# ====================================== tips: 1 梯度不自动清零 ========================================
w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)

for i in range(4):
    a = torch.add(w, x)
    b = torch.add(w, 1)
    y = torch.mul(a, b)

    y.backward()
    print(w.grad)   # 5, 10, 15, 20: 梯度累加

for i in range(4):
    a = torch.add(w, x)
    b = torch.add(w, 1)
    y = torch.mul(a, b)

    w.grad.zero_()
    y.backward()
    print(w.grad)   # 清零后每次都是 5

# ====================================== tips: 2 依赖于叶子结点的结点 requires_grad 默认为 True ============
w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)

a = torch.add(w, x)
b = torch.add(w, 1)
y = torch.mul(a, b)

print(a.requires_grad, b.requires_grad, y.requires_grad)

# ====================================== tips: 3 叶子结点不可执行 in-place ==============================
a = torch.ones((1, ))
id_before = id(a)
print(a)

a = a + torch.ones((1, ))
print(id(a) == id_before, a)    # a = a + b 开辟新的内存

a = torch.ones((1, ))
id_before = id(a)
a += torch.ones((1, ))
print(id(a) == id_before, a)    # a += b 原地操作

w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)

a = torch.add(w, x)
b = torch.add(w, 1)
y = torch.mul(a, b)

try:
    w.add_(1)
except RuntimeError as e:
    print("RuntimeError:", e)

y.backward()
print(w.grad)

'''
tensor([5.])
tensor([10.])
RuntimeError: Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.
tensor([9.])
(tensor([6.], grad_fn=<MulBackward0>),)
(tensor([2.]),)
tensor([5.])
tensor([10.])
tensor([15.])
tensor([20.])
tensor([5.])
tensor([5.])
tensor([5.])
tensor([5.])
True True True
tensor([1.])
False tensor([2.])
True tensor([2.])
RuntimeError: a leaf Variable that requires grad is being used in an in-place operation.
tensor([5.])
'''
