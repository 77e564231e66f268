"""Writes the ONNX fixtures of test/fixtures/onnx/: small seeded PyTorch
models exported with torch.onnx.export, each beside a safetensors file of
one input batch, the model's parameters (torch's names: the file may hold a
weight transposed under a name of its own), its output and the gradients of a fixed loss,
sum(output * R) for a fixed random R, with respect to every parameter and
the input (a float input: token ids have none). Outputs and gradients are computed in float64 from the float32
weights and input, so they are the exact values a float32 file denotes.

  /usr/bin/python3 examples/torch/export_onnx_models.py test/fixtures/onnx
  /usr/bin/python3 examples/torch/export_onnx_models.py test/fixtures/onnx bn_training   (that one alone)

Every model is exported twice over the batch axis: named "batch" (dynamic)
in the file, and evaluated here at batch 3.
"""
import base64
import copy
import os
import sys

import torch
from torch import nn
import torch.nn.functional as F

# the safetensors writer of the PyTorch bridge example, beside this script
from train import write_safetensors


class Mlp(nn.Module):
    """Flatten, Gemm, Relu, Dropout, Gemm, Tanh, Gemm, Sigmoid, Gemm (no bias), LogSoftmax."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 16)
        self.drop = nn.Dropout(0.3)
        self.fc2 = nn.Linear(16, 12)
        self.fc3 = nn.Linear(12, 10)
        self.fc4 = nn.Linear(10, 5, bias=False)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = self.drop(torch.relu(self.fc1(x)))
        x = torch.sigmoid(self.fc3(torch.tanh(self.fc2(x))))
        return F.log_softmax(self.fc4(x), dim=1) + F.softmax(x, dim=-1).sum(dim=1, keepdim=True)


class Cnn(nn.Module):
    """Conv, Relu, BatchNormalization, MaxPool, Conv, GlobalAveragePool, AveragePool, Concat, view (Shape/Gather/Reshape), Gemm."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 6, 3, stride=1, padding=(1, 0))
        self.fc = nn.Linear(6 + 6 * 2 * 1, 5)

    def forward(self, x):
        x = F.max_pool2d(self.bn(torch.relu(self.conv1(x))), 2)
        x = torch.relu(self.conv2(x))
        g = F.adaptive_avg_pool2d(x, 1).squeeze(3).squeeze(2)
        a = F.avg_pool2d(x, 2)
        a = a.view(a.size(0), -1)
        return self.fc(torch.cat([g, a], dim=1))


class Block(nn.Module):
    """A transformer encoder layer written out: MatMul+Add, Reshape, Transpose, batched MatMul, Div, Softmax, LayerNormalization, Erf (GELU), Slice, Split, Where, Pow, Sqrt, ReduceMean."""

    def __init__(self, d=8, heads=2, t=5):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.norm1 = nn.LayerNorm(d)
        self.ff1 = nn.Linear(d, 16)
        self.ff2 = nn.Linear(16, d)
        self.gain = nn.Parameter(torch.randn(d))
        self.register_buffer("mask", torch.tril(torch.ones(t, t)) == 0)

    def forward(self, x):
        n, t, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=-1)
        heads = lambda z: z.reshape(n, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = heads(q), heads(k), heads(v)
        s = q @ k.transpose(-1, -2) / (d // self.heads) ** 0.5
        s = s.masked_fill(self.mask, -1e4)
        y = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(n, t, d)
        x = x + self.out(y)
        h = self.norm1(x)
        x = x + self.ff2(F.gelu(self.ff1(h)))
        # a hand-written RMS norm: Pow, ReduceMean, Add, Sqrt, Div
        x = x / torch.sqrt(x.pow(2).mean(dim=-1, keepdim=True) + 1e-5) * self.gain
        return x[:, 1:, :]


class TinyGpt(nn.Module):
    """A GPT-style causal decoder with tied embeddings: token ids (int64) Gather
    rows of the token table, plus a learned position table's rows, one pre-norm
    causal attention block written batch-first, LayerNorm, and logits by the
    token table's transpose. Exported without constant folding, the table is
    one initializer read by the Gather and by a Transpose into the MatMul, so
    its gradient is the sum of both uses."""

    def __init__(self, vocab=11, d=8, heads=2, t=6):
        super().__init__()
        self.heads = heads
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(t, d)
        self.norm1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.norm2 = nn.LayerNorm(d)
        self.ff1 = nn.Linear(d, 4 * d)
        self.ff2 = nn.Linear(4 * d, d)
        self.norm = nn.LayerNorm(d)
        self.register_buffer("causal", torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1))

    def forward(self, ids):
        n, t = ids.shape
        x = self.tok(ids) + self.pos(torch.arange(t))
        d = x.shape[-1]
        q, k, v = self.qkv(self.norm1(x)).split(d, dim=-1)
        heads = lambda z: z.reshape(n, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = heads(q), heads(k), heads(v)
        s = q @ k.transpose(-1, -2) / (d // self.heads) ** 0.5
        s = s.masked_fill(self.causal, float("-inf"))
        y = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(n, t, d)
        x = x + self.proj(y)
        x = x + self.ff2(F.gelu(self.ff1(self.norm2(x))))
        return self.norm(x) @ self.tok.weight.T


def encoder_layer():
    """nn.TransformerEncoderLayer as torch 1.13 exports it: nn.MultiheadAttention
    computes sequence-first, so the graph transposes the input to [T, batch, d],
    folds the heads into the batch axis ([T, batch*heads, d/heads], a Reshape
    to a shape computed by Shape/Gather/Mul/Concat) and back ([T*batch, d] into
    a Gemm), then LayerNormalization and a Relu feed-forward."""
    layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, batch_first=True, dropout=0.0)
    # biases and norms that are not zeros and ones: the exporter writes
    # equal initializers once (an Identity for the others), which would tie them
    with torch.no_grad():
        for pname, p in layer.named_parameters():
            if pname.endswith("bias"):
                p.uniform_(-0.3, 0.3)
        layer.norm1.weight.uniform_(0.5, 1.5)
        layer.norm2.weight.uniform_(0.5, 1.5)
    return layer


class Lstm(nn.Module):
    """nn.LSTM batch-first, as torch 1.13 exports it: Transposes around an ONNX
    LSTM node (gates i, o, f, c; W, R, B initializers of their own names), a
    zero initial state of ConstantOfShape([1, batch, H]), Squeeze of Y; then a
    Linear on the last step's output plus the last cell state c_n."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(input_size=3, hidden_size=5, batch_first=True)
        self.fc = nn.Linear(5, 2)

    def forward(self, x):
        y, (_, c) = self.rnn(x)
        return self.fc(y[:, -1, :] + c.squeeze(0))


class Gru(nn.Module):
    """nn.GRU batch-first (an ONNX GRU with linear_before_reset = 1), a Linear
    on every step's output plus the last state h_n broadcast over the steps."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(3, 5, batch_first=True)
        self.fc = nn.Linear(5, 2)

    def forward(self, x):
        y, h = self.rnn(x)
        return self.fc(y + h.transpose(0, 1))


class StackedRnn(nn.Module):
    """A two-layer nn.LSTM (two LSTM nodes, their zero initial states Slices of
    one ConstantOfShape([2, batch, H])) into an nn.GRU, and a Linear on the
    last step's output."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 5, num_layers=2, batch_first=True)
        self.gru = nn.GRU(5, 4, batch_first=True)
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        y, _ = self.gru(self.lstm(x)[0])
        return self.fc(y[:, -1, :])


class BnNet(nn.Module):
    """Batch normalization in training mode: Conv, BatchNormalization
    (nn.BatchNorm2d), Relu, MaxPool, Flatten, Gemm, BatchNormalization
    (nn.BatchNorm1d after a Linear, momentum 0.2), Relu, Gemm."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.bn2d = nn.BatchNorm2d(4)
        self.fc1 = nn.Linear(4 * 4 * 5, 6)
        self.bn1d = nn.BatchNorm1d(6, momentum=0.2)
        self.fc2 = nn.Linear(6, 3)

    def forward(self, x):
        x = F.max_pool2d(torch.relu(self.bn2d(self.conv(x))), 2)
        x = torch.relu(self.bn1d(self.fc1(torch.flatten(x, 1))))
        return self.fc2(x)


def export_training(name, model, x, out_dir, opset):
    """As export, in training mode (training=TrainingMode.TRAINING): the
    outputs and gradients are those of the batch's statistics, and the file
    also holds each float buffer (the running statistics) before, as
    "buffer.<name>", and after one forward pass in training mode, as
    "running.<name>". A TypeScript module beside it holds both files in base64,
    for the tests that run where no file can be read (Deno, the browser)."""
    torch.manual_seed(1234)
    model.train()
    path = os.path.join(out_dir, f"{name}.onnx")
    # exporting traces a forward pass in training mode, which moves the running
    # statistics before they are written: the file holds the model as it is after
    # that pass, and the values below start from there
    torch.onnx.export(
        model, x, path, opset_version=opset, input_names=["input"], output_names=["output"],
        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, training=torch.onnx.TrainingMode.TRAINING,
        do_constant_folding=False,
    )
    tensors = {}
    for bname, b in model.named_buffers():
        if b.is_floating_point():
            tensors[f"buffer.{bname}"] = b.clone()
    m64 = copy.deepcopy(model).double()
    x64 = x.double().clone().requires_grad_(True)
    y = m64(x64)
    r = torch.randn(y.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(7))
    (y * r).sum().backward()
    tensors.update({"input": x, "output": y, "loss_weights": r, "grad.input": x64.grad})
    for pname, p in m64.named_parameters():
        tensors[f"param.{pname}"] = p
        tensors[f"grad.{pname}"] = p.grad
    for bname, b in m64.named_buffers():
        if b.is_floating_point():
            tensors[f"running.{bname}"] = b
    tensors_path = os.path.join(out_dir, f"{name}.safetensors")
    write_safetensors(tensors_path, tensors)
    with open(os.path.join(out_dir, f"{name}.ts"), "w") as f:
        f.write(f"// {name}.onnx and {name}.safetensors in base64 (examples/torch/export_onnx_models.py writes all three)\n")
        for const, file in (("onnx", path), ("tensors", tensors_path)):
            with open(file, "rb") as g:
                f.write(f'export const {const} = "{base64.b64encode(g.read()).decode("ascii")}";\n')
    print(name, os.path.getsize(path), "bytes of ONNX")


def export(name, model, x, out_dir, opset, fold=True):
    torch.manual_seed(1234)
    model.eval()
    path = os.path.join(out_dir, f"{name}.onnx")
    torch.onnx.export(
        model, x, path, opset_version=opset, input_names=["input"], output_names=["output"],
        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, do_constant_folding=fold,
    )
    m64 = model.double()
    # token ids take no gradient: the file holds none for them
    x64 = x.double().clone().requires_grad_(True) if x.is_floating_point() else x
    y = m64(x64)
    r = torch.randn(y.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(7))
    (y * r).sum().backward()
    tensors = {"input": x, "output": y, "loss_weights": r}
    if x.is_floating_point():
        tensors["grad.input"] = x64.grad
    for pname, p in m64.named_parameters():
        tensors[f"param.{pname}"] = p
        tensors[f"grad.{pname}"] = p.grad
    write_safetensors(os.path.join(out_dir, f"{name}.safetensors"), tensors)
    print(name, os.path.getsize(path), "bytes of ONNX")


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    export("mlp", Mlp(), torch.randn(3, 2, 3), out_dir, 13)
    torch.manual_seed(1)
    cnn = Cnn()
    # running statistics that are not the identity, as after training
    cnn.bn.running_mean.uniform_(-0.5, 0.5)
    cnn.bn.running_var.uniform_(0.5, 2.0)
    cnn.bn.weight.data.uniform_(0.5, 1.5)
    cnn.bn.bias.data.uniform_(-0.2, 0.2)
    export("cnn", cnn, torch.randn(3, 2, 8, 10), out_dir, 13)
    torch.manual_seed(2)
    block = Block()
    block.norm1.weight.data.uniform_(0.5, 1.5)
    block.norm1.bias.data.uniform_(-0.2, 0.2)
    export("block", block, torch.randn(3, 5, 8), out_dir, 17)
    torch.manual_seed(3)
    export("encoder_layer", encoder_layer(), torch.randn(3, 5, 8), out_dir, 17)
    torch.manual_seed(4)
    gpt = TinyGpt()
    with torch.no_grad():
        for norm in (gpt.norm1, gpt.norm2, gpt.norm):
            norm.weight.uniform_(0.5, 1.5)
            norm.bias.uniform_(-0.2, 0.2)
    export("gpt", gpt, torch.randint(0, 11, (3, 6)), out_dir, 17, fold=False)
    torch.manual_seed(5)
    export("lstm", Lstm(), torch.randn(3, 4, 3), out_dir, 13)
    torch.manual_seed(6)
    export("gru", Gru(), torch.randn(3, 4, 3), out_dir, 17)
    torch.manual_seed(7)
    export("rnn_stacked", StackedRnn(), torch.randn(3, 4, 3), out_dir, 17)
    bn_training(out_dir)


def bn_training(out_dir):
    torch.manual_seed(8)
    net = BnNet()
    # running statistics and affine parameters that are not the initial ones, as after some training
    with torch.no_grad():
        for bn in (net.bn2d, net.bn1d):
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 2.0)
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.2, 0.2)
    export_training("bn_train", net, torch.randn(3, 2, 8, 10), out_dir, 15)

if __name__ == "__main__":
    # `... export_onnx_models.py DIR bn_training` writes only the training-mode fixture
    if len(sys.argv) > 2:
        globals()[sys.argv[2]](sys.argv[1])
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/onnx")
