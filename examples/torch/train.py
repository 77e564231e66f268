"""The PyTorch side of examples/torch-bridge.ts, and the writer of the golden
files in test/fixtures/torch/. Reads and writes safetensors with the small
reader and writer below (no `safetensors` package).

  python3 train.py train DATA OUT [--epochs-mlp N] [--epochs-cnn N]
      trains the MNIST MLP and the demo CNN on DATA (written by the example),
      writes OUT/mlp.safetensors and OUT/cnn.safetensors: the state_dict in
      its own order, plus "logits" on the test digits
  python3 train.py check MODEL DATA OUT
      loads an MLP state_dict written by paralens (toTorch), writes its test
      logits to OUT
  python3 train.py golden DIR
      writes small fixed models, one input batch and their logits
"""
import json
import struct
import sys
import time

import torch
from torch import nn

DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16}


def write_safetensors(path, tensors, metadata=None):
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def read_safetensors(path):
    """Tensors in the order of their bytes (the writer's order)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    out = {}
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, end = e["data_offsets"]
        buf = bytearray(raw[8 + n + begin : 8 + n + end])
        t = torch.frombuffer(buf, dtype=DTYPES[e["dtype"]]) if end > begin else torch.zeros(0, dtype=DTYPES[e["dtype"]])
        out[name] = t.reshape(e["shape"]).to(torch.float32)
    return out


class ChannelsLast(nn.Module):
    """paralens images are NHWC and its flatten reads them in that order."""

    def forward(self, x):
        return x.permute(0, 2, 3, 1).flatten(1)


def mlp(hidden=128):
    return nn.Sequential(nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def demo_cnn():
    """examples/models/mnist.ts demoCnn: conv 3x3 8 same, relu, pool, conv 3x3 16 same, relu, pool, dense 64 relu, dense 10."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        ChannelsLast(), nn.Linear(7 * 7 * 16, 64), nn.ReLU(), nn.Linear(64, 10),
    )


def images(x):
    return x.reshape(-1, 1, 28, 28)


def fit(model, x, y, epochs, batch, lr, seed):
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        order = torch.randperm(len(x))
        for i in range(0, len(x), batch):
            idx = order[i : i + batch]
            opt.zero_grad()
            loss(model(x[idx]), y[idx]).backward()
            opt.step()


def accuracy(logits, y):
    return (logits.argmax(1) == y).float().mean().item()


def train(data, out, epochs_mlp, epochs_cnn):
    d = read_safetensors(data)
    tx, ty, vx, vy = d["train_x"], d["train_y"].long(), d["test_x"], d["test_y"].long()
    report = {}
    for name, make, prep, epochs, batch in [("mlp", mlp, lambda x: x, epochs_mlp, 64), ("cnn", demo_cnn, images, epochs_cnn, 32)]:
        torch.manual_seed(0)
        model = make()
        started = time.time()
        fit(model, prep(tx), ty, epochs, batch, 1e-3, 1)
        with torch.no_grad():
            logits = model(prep(vx))
        report[name] = {"testAccuracy": accuracy(logits, vy), "seconds": time.time() - started, "epochs": epochs}
        write_safetensors(f"{out}/{name}.safetensors", {**model.state_dict(), "logits": logits}, {"format": "pt"})
    print(json.dumps(report))


def check(model_path, data, out):
    model = mlp()
    # paralens wrote them under PyTorch's names (toTorch's name table)
    model.load_state_dict(read_safetensors(model_path))
    with torch.no_grad():
        logits = model(read_safetensors(data)["test_x"])
    write_safetensors(out, {"logits": logits})


def golden(out):
    torch.manual_seed(2024)
    x = torch.rand(4, 784)
    small = mlp(16)
    cnn = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3), nn.ReLU(), nn.MaxPool2d(2), ChannelsLast(), nn.Linear(6 * 6 * 6, 10))
    lstm = nn.LSTM(3, 5, batch_first=True)
    readout = nn.Linear(5, 2)
    seq = torch.randn(4, 6, 3)
    with torch.no_grad():
        for m in (small, cnn, lstm, readout):
            for p in m.parameters():
                p.add_(0.1 * torch.randn_like(p))  # biases away from zero, so a bias mapped wrong shows
        write_safetensors(f"{out}/mlp.safetensors", {**{f"model.{k}": v for k, v in small.state_dict().items()}, "input": x, "logits": small(x)})
        write_safetensors(f"{out}/cnn.safetensors", {**{f"model.{k}": v for k, v in cnn.state_dict().items()}, "input": x, "logits": cnn(images(x))})
        h = lstm(seq)[0][:, -1]
        lstm_model = {**{f"model.lstm.{k}": v for k, v in lstm.state_dict().items()}, **{f"model.readout.{k}": v for k, v in readout.state_dict().items()}}
        write_safetensors(f"{out}/lstm.safetensors", {**lstm_model, "input": seq, "logits": readout(h)})


if __name__ == "__main__":
    torch.set_num_threads(1)
    args = sys.argv[1:]
    opt = lambda name, default: int(args[args.index(name) + 1]) if name in args else default
    if args[0] == "train":
        train(args[1], args[2], opt("--epochs-mlp", 10), opt("--epochs-cnn", 3))
    elif args[0] == "check":
        check(args[1], args[2], args[3])
    elif args[0] == "golden":
        golden(args[1])
    else:
        sys.exit(__doc__)
