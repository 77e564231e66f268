# The PyTorch side of bench/conv.ts: GFLOP/s of one conv2d layer's forward
# pass, input gradient, filter gradient, and all three together, on one
# thread (NCHW, torch's native layout; the backward passes are aten's own
# convolution_backward kernel, asked for one gradient at a time).
# Usage: python3 torch_conv.py '{"n":..,"h":..,"w":..,"c":..,"k":..,"cout":..,"padding":"same"|"valid"}'
import json
import os
import sys
import timeit

import torch

# one thread unless PARALENS_TORCH_THREADS says how many ("default": torch's own choice)
threads = os.environ.get("PARALENS_TORCH_THREADS", "1")
if threads != "default":
    torch.set_num_threads(int(threads))
s = json.loads(sys.argv[1])
n, h, w, c, k, cout = s["n"], s["h"], s["w"], s["c"], s["k"], s["cout"]
# "same" with an odd kernel pads (k - 1) / 2 on every side
pad = (k - 1) // 2 if s["padding"] == "same" else 0
oh, ow = h + 2 * pad - k + 1, w + 2 * pad - k + 1
flops = 2.0 * n * oh * ow * k * k * c * cout
torch.manual_seed(0)
x = torch.rand(n, c, h, w)
f = torch.rand(cout, c, k, k) - 0.5
dy = torch.rand(n, cout, oh, ow) - 0.5


def backward(mask):
    return torch.ops.aten.convolution_backward(dy, x, f, None, [1, 1], [pad, pad], [1, 1], False, [0, 0], 1, mask)


def training():
    torch.nn.functional.conv2d(x, f, padding=pad)
    backward([True, True, False])


cases = {
    "forward": (lambda: torch.nn.functional.conv2d(x, f, padding=pad), flops),
    "input gradient": (lambda: backward([True, False, False]), flops),
    "filter gradient": (lambda: backward([False, True, False]), flops),
    "forward + both gradients": (training, 3 * flops),
}
out = {}
with torch.no_grad():
    for name, (run, fl) in cases.items():
        for _ in range(3):
            run()
        number = max(1, int(1e9 / fl))
        times = sorted(t / number for t in timeit.repeat(run, number=number, repeat=11))
        out[name] = fl / times[len(times) // 2] / 1e9
print(json.dumps({"version": torch.__version__, "threads": torch.get_num_threads(), "gflops": out}))
