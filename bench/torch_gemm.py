# The PyTorch side of bench/gemm.ts: GFLOP/s of C = op(A) op(B) on one thread.
# Usage: python3 torch_gemm.py '[["gemmNN", m, n, k], ...]'; prints one JSON line.
import json
import os
import sys
import timeit

import torch

# one thread unless PARALENS_TORCH_THREADS says how many ("default": torch's own choice)
threads = os.environ.get("PARALENS_TORCH_THREADS", "1")
if threads != "default":
    torch.set_num_threads(int(threads))
# Debian's torch multiplies through whichever libblas.so.3 is selected: the
# reference BLAS (slow) unless e.g. libopenblas0-pthread is installed
blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
cases = json.loads(sys.argv[1])
results = []
for variant, m, n, k in cases:
    a = torch.rand(k, m) if variant == "gemmTN" else torch.rand(m, k)
    b = torch.rand(n, k) if variant == "gemmNT" else torch.rand(k, n)
    c = torch.empty(m, n)
    if variant == "gemmNN":
        run = lambda: torch.mm(a, b, out=c)
    elif variant == "gemmNT":
        run = lambda: torch.mm(a, b.t(), out=c)
    else:
        run = lambda: torch.mm(a.t(), b, out=c)
    flops = 2.0 * m * n * k
    number = max(1, int(2e8 / flops))
    run()
    times = sorted(t / number for t in timeit.repeat(run, number=number, repeat=15))
    results.append(flops / times[len(times) // 2] / 1e9)
print(json.dumps({"version": torch.__version__, "blas": blas, "threads": torch.get_num_threads(), "gflops": results}))
