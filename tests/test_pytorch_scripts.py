"""Three training scripts written for PyTorch, run on minigrad with only their imports changed.

Each script is one function whose arguments are what its import lines would bind (``torch``,
``nn``, ``F``, ``optim``): called with PyTorch's modules it is the PyTorch script, called with
``minigrad``, ``nn``, ``minigrad.functional`` and ``nn.optim`` it is the same script after
``import torch`` became ``import minigrad as torch``.  Random draws differ between the libraries,
so each script takes its starting weights and its batch order from the caller (a state dict and
a list of indices, made once with numpy), and the two runs must end at the same numbers.
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad
import nn

real_torch = pytest.importorskip("torch")
sklearn_datasets = pytest.importorskip("sklearn.datasets")


def libraries(name: str):
    if name == "torch":
        return real_torch, real_torch.nn, real_torch.nn.functional, real_torch.optim
    return minigrad, nn, minigrad.functional, nn.optim


def digits():
    X, y = sklearn_datasets.load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    return X[:600], y[:600].astype(np.int64), X[600:900], y[600:900].astype(np.int64)


def batch_order(n: int, epochs: int, seed: int) -> list:
    """Each epoch's shuffled order, drawn once here so that both libraries see the same batches."""
    rng = np.random.default_rng(seed)
    return [rng.permutation(n).tolist() for _ in range(epochs)]


def as_torch_state(state: dict) -> dict:
    return {k: real_torch.tensor(np.array(v.numpy() if hasattr(v, "numpy") else v)) for k, v in state.items()}


# ---------------------------------------------------------------------------------------------
# 1. pytorch/examples' MNIST recipe, with an MLP: Adadelta, StepLR, log_softmax + nll_loss,
#    DataLoader over a TensorDataset, model.train()/eval(), torch.no_grad(), torch.save.
# ---------------------------------------------------------------------------------------------
def mnist_style(torch, nn, F, optim, start, orders, path, dropout=0.0):
    torch.manual_seed(1)
    X, y, X_test, y_test = digits()

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(64, 128)
            self.dropout = nn.Dropout(dropout)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = self.dropout(x)
            return F.log_softmax(self.fc2(x), dim=1)

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = Net().to(device)
    if start is not None:
        model.load_state_dict(start)
    train_set = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    test_loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(X_test), torch.tensor(y_test)), batch_size=100)
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    for order in orders:
        loader = torch.utils.data.DataLoader(train_set, batch_size=64, sampler=order)
        model.train()
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            optimizer.zero_grad()
            loss = F.nll_loss(model(data), target)
            loss.backward()
            optimizer.step()
        scheduler.step()
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    torch.save(model.state_dict(), path)
    return {"loss": test_loss / len(test_loader.dataset), "correct": correct,
            "lr": scheduler.get_last_lr()[0]}


def test_the_mnist_recipe_ends_where_pytorchs_does(tmp_path):
    model = nn.ModuleDict({"fc1": nn.Linear(64, 128), "fc2": nn.Linear(128, 10)})
    start = {k: v.detach() for k, v in model.state_dict().items()}
    orders = batch_order(600, 3, seed=0)
    ours = mnist_style(*libraries("minigrad"), start, orders, str(tmp_path / "mg.safetensors"))
    theirs = mnist_style(*libraries("torch"), as_torch_state(start), orders, str(tmp_path / "pt.pt"))
    assert ours["correct"] == theirs["correct"]
    np.testing.assert_allclose(ours["loss"], theirs["loss"], rtol=1e-4)
    np.testing.assert_allclose(ours["lr"], theirs["lr"], rtol=1e-12)
    saved = minigrad.load(str(tmp_path / "mg.safetensors"))
    assert list(saved) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]


def test_the_mnist_recipe_with_dropout_learns(tmp_path):
    result = mnist_style(*libraries("minigrad"), None, batch_order(600, 6, seed=1),
                         str(tmp_path / "mg.safetensors"), dropout=0.2)
    assert result["correct"] >= 200  # of 300 held-out digits (PyTorch's own init: 245; chance: 30)


# ---------------------------------------------------------------------------------------------
# 2. A regression script: a Dataset of dicts, random_split, AdamW, a cosine schedule, and a
#    checkpoint {'model', 'optimizer', 'scheduler', 'epoch'} saved, loaded and resumed.
# ---------------------------------------------------------------------------------------------
def regression(torch, nn, F, optim, start, orders, path, stop_after=None, resume=False):
    data = torch.utils.data

    class Points(data.Dataset):
        def __init__(self, n):
            rng = np.random.default_rng(3)
            self.x = rng.uniform(-2, 2, size=(n, 3)).astype(np.float32)
            self.y = (np.sin(self.x).sum(1, keepdims=True) + 0.1 * self.x[:, :1] ** 2).astype(np.float32)

        def __len__(self):
            return len(self.x)

        def __getitem__(self, i):
            return {"x": torch.tensor(self.x[i]), "y": torch.tensor(self.y[i])}

    model = nn.Sequential(nn.Linear(3, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
    model.load_state_dict(start)
    optimizer = optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-2)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=len(orders))
    first_epoch = 0
    if resume:
        checkpoint = torch.load(path)
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        scheduler.load_state_dict(checkpoint["scheduler"])
        first_epoch = checkpoint["epoch"] + 1
    dataset = Points(200)
    for epoch in range(first_epoch, len(orders)):
        model.train()
        for batch in data.DataLoader(dataset, batch_size=20, sampler=orders[epoch]):
            optimizer.zero_grad()
            loss = F.mse_loss(model(batch["x"]), batch["y"])
            loss.backward()
            optimizer.step()
        scheduler.step()
        if stop_after is not None and epoch == stop_after:
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "scheduler": scheduler.state_dict(), "epoch": epoch}, path)
            return None
    model.eval()
    with torch.no_grad():
        everything = next(iter(data.DataLoader(dataset, batch_size=len(dataset))))
        return F.mse_loss(model(everything["x"]), everything["y"]).item()


def test_the_regression_script_resumes_and_matches_pytorch(tmp_path):
    model = nn.Sequential(nn.Linear(3, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
    start = {k: v.detach() for k, v in model.state_dict().items()}
    orders = batch_order(200, 6, seed=2)
    straight = regression(*libraries("minigrad"), start, orders, None)
    theirs = regression(*libraries("torch"), as_torch_state(start), orders, None)
    np.testing.assert_allclose(straight, theirs, rtol=1e-4)
    path = str(tmp_path / "checkpoint.safetensors")
    assert regression(*libraries("minigrad"), start, orders, path, stop_after=2) is None
    resumed = regression(*libraries("minigrad"), start, orders, path, resume=True)
    assert resumed == straight  # the same batches, the same numbers


# ---------------------------------------------------------------------------------------------
# 3. A custom Module with ModuleList, LayerNorm and BatchNorm1d, SGD with Nesterov momentum,
#    MultiStepLR, gradient clipping, and a DataLoader with two worker processes.
# ---------------------------------------------------------------------------------------------
def residual_mlp(torch, nn, F, optim, start, orders, workers):
    X, y, X_test, y_test = digits()

    class Block(nn.Module):
        def __init__(self, width):
            super().__init__()
            self.norm = nn.LayerNorm(width)
            self.linear = nn.Linear(width, width)

        def forward(self, x):
            return x + F.gelu(self.linear(self.norm(x)))

    class ResidualMLP(nn.Module):
        def __init__(self, width=48, depth=2):
            super().__init__()
            self.stem = nn.Linear(64, width)
            self.bn = nn.BatchNorm1d(width)
            self.blocks = nn.ModuleList([Block(width) for _ in range(depth)])
            self.head = nn.Linear(width, 10)

        def forward(self, x):
            x = F.relu(self.bn(self.stem(x)))
            for block in self.blocks:
                x = block(x)
            return self.head(x)

    model = ResidualMLP()
    model.load_state_dict(start)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4)
    scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=[2, 3], gamma=0.1)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    dataset = torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y))
    norms = []
    for order in orders:
        model.train()
        loader = torch.utils.data.DataLoader(dataset, batch_size=50, sampler=order, num_workers=workers)
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            norms.append(float(nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)))
            optimizer.step()
        scheduler.step()
    model.eval()
    with torch.no_grad():
        logits = model(torch.tensor(X_test))
        accuracy = (logits.argmax(1) == torch.tensor(y_test)).float().mean().item()
    return {"accuracy": accuracy, "norms": norms, "running_mean": model.bn.running_mean.numpy().copy()}


def test_the_residual_mlp_with_workers_matches_pytorch():
    width = 48
    blocks = [nn.ModuleDict({"norm": nn.LayerNorm(width), "linear": nn.Linear(width, width)})
              for _ in range(2)]
    model = nn.ModuleDict({"stem": nn.Linear(64, width), "bn": nn.BatchNorm1d(width),
                           "blocks": nn.ModuleList(blocks), "head": nn.Linear(width, 10)})
    start = {k: v.detach() for k, v in model.state_dict().items()}
    orders = batch_order(600, 4, seed=4)
    ours = residual_mlp(*libraries("minigrad"), start, orders, workers=2)
    theirs = residual_mlp(*libraries("torch"), as_torch_state(start), orders, workers=0)
    np.testing.assert_allclose(ours["norms"], theirs["norms"], rtol=1e-3)
    np.testing.assert_allclose(ours["running_mean"], theirs["running_mean"], rtol=1e-3, atol=1e-5)
    assert abs(ours["accuracy"] - theirs["accuracy"]) <= 1 / 300 + 1e-9
    assert ours["accuracy"] > 0.8  # (PyTorch from its own init: 0.887)
