# The PyTorch side of bench/cnn-step.ts: training steps of the MNIST CNNs on
# one thread, on a resident batch (NCHW, torch's native layout). Prints one
# JSON line with the median examples per second of:
#   "demo b<N>":      the demo CNN, softmax cross-entropy, Adam 0.002
#   "reference b<N>": the reference CNN, 1/2 sum-of-squares loss, SGD 0.01 with
#                     momentum 0.1 (torch refuses the reference's -0.1; the work is the same)
#   "reference b1":   the same, one example per step
# Usage: python3 torch_cnn.py <N>
import json
import os
import sys
import timeit

import torch
from torch import nn

# one thread unless PARALENS_TORCH_THREADS says how many ("default": torch's own choice)
threads = os.environ.get("PARALENS_TORCH_THREADS", "1")
if threads != "default":
    torch.set_num_threads(int(threads))
batch = int(sys.argv[1])
torch.manual_seed(0)


def demo():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10),
    )


def reference():
    return nn.Sequential(
        nn.Conv2d(1, 3, 3, bias=False), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(3, 5, 4, bias=False), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(125, 10), nn.Sigmoid(),
    )


def examples_per_second(kind, n):
    model = demo() if kind == "demo" else reference()
    x = torch.rand(n, 1, 28, 28)
    labels = torch.randint(0, 10, (n,))
    if kind == "demo":
        opt = torch.optim.Adam(model.parameters(), lr=0.002)
        loss_fn = nn.CrossEntropyLoss()
        target = labels
    else:
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.1)
        loss_fn = lambda out, t: 0.5 * ((out - t) ** 2).sum(1).mean()
        target = nn.functional.one_hot(labels, 10).float()

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), target).backward()
        opt.step()

    for _ in range(20):
        step()
    number = max(1, 2000 // n)
    times = sorted(t / number for t in timeit.repeat(step, number=number, repeat=15))
    return n / times[len(times) // 2]


out = {
    f"demo b{batch}": examples_per_second("demo", batch),
    f"reference b{batch}": examples_per_second("reference", batch),
    "reference b1": examples_per_second("reference", 1),
}
print(json.dumps({"version": torch.__version__, "threads": torch.get_num_threads(), "examples_per_second": out}))
