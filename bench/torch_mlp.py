# The PyTorch side of bench/mlp-step.ts: one SGD step of a 784-128-10 MLP
# (relu hidden layer, softmax cross-entropy) on a resident batch of 64, one
# thread. Prints one JSON line with the median steps per second.
import json
import os
import timeit

import torch

# one thread unless PARALENS_TORCH_THREADS says how many ("default": torch's own choice)
threads = os.environ.get("PARALENS_TORCH_THREADS", "1")
if threads != "default":
    torch.set_num_threads(int(threads))
# Debian's torch multiplies through whichever libblas.so.3 is selected: the
# reference BLAS (slow) unless e.g. libopenblas0-pthread is installed
blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
loss_fn = torch.nn.CrossEntropyLoss()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.rand(64, 784)
y = torch.randint(0, 10, (64,))


def step():
    opt.zero_grad(set_to_none=True)
    loss_fn(model(x), y).backward()
    opt.step()


for _ in range(20):
    step()
number = 50
times = sorted(t / number for t in timeit.repeat(step, number=number, repeat=15))
print(json.dumps({"version": torch.__version__, "blas": blas, "threads": torch.get_num_threads(), "steps_per_second": 1 / times[len(times) // 2]}))
