"""The main job's pictures: learning curves, decision regions, misclassified test images, the
confusion matrix. Each is written as a PNG by _common.save_figure."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from _common import plt, save_figure
from _data import Data

import minigrad as mg


def plot_curves(history, title: str, path: Path, best_epoch: int | None = None) -> None:
    """Loss and accuracy per epoch on the training and validation sets."""
    epochs = [row["epoch"] for row in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.4))
    for split, style, label in (("train", "-", "train"), ("val", "--", "validation")):
        ax_loss.plot(epochs, [row[f"{split}_loss"] for row in history], style, label=label)
        ax_acc.plot(epochs, [row[f"{split}_acc"] for row in history], style, label=label)
    if best_epoch is not None:  # the epoch kept: the best validation accuracy
        for ax in (ax_loss, ax_acc):
            ax.axvline(best_epoch, color="grey", linewidth=0.9, linestyle=":",
                       label=f"kept: epoch {best_epoch}")
    ax_loss.set(xlabel="epoch", ylabel="loss", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    ax_loss.set_yscale("log")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    save_figure(fig, path)


def plot_decision_boundary(model, data: Data, title: str, path: Path) -> None:
    X = np.concatenate([data.X_train, data.X_val, data.X_test])
    low, high = X.min(axis=0) - 0.3, X.max(axis=0) + 0.3
    xs, ys = np.meshgrid(np.linspace(low[0], high[0], 300), np.linspace(low[1], high[1], 300))
    grid = np.c_[xs.ravel(), ys.ravel()].astype(np.float32)
    model.eval()
    with mg.no_grad():
        regions = model(mg.tensor(grid)).data.argmax(axis=1).reshape(xs.shape)
    model.train()
    fig, ax = plt.subplots(figsize=(5, 5))
    cmap = plt.get_cmap("tab10")
    levels = np.arange(data.num_classes + 1) - 0.5
    ax.contourf(xs, ys, regions, levels=levels, colors=[cmap(c) for c in range(data.num_classes)],
                alpha=0.25)
    ax.scatter(*data.X_train.T, c=[cmap(c) for c in data.y_train], s=14, edgecolors="k",
               linewidths=0.3, label="train")
    ax.scatter(*data.X_val.T, c=[cmap(c) for c in data.y_val], s=18, marker="s", edgecolors="k",
               linewidths=0.3, label="validation")
    ax.scatter(*data.X_test.T, c=[cmap(c) for c in data.y_test], s=28, marker="^",
               edgecolors="k", linewidths=0.5, label="test")
    ax.set(title=title, xticks=[], yticks=[])
    ax.legend(loc="upper right", fontsize=8)
    save_figure(fig, path)


def plot_misclassified(data: Data, predicted: np.ndarray, path: Path, limit: int = 24) -> None:
    wrong = np.flatnonzero(predicted != data.y_test)[:limit]
    columns = 8
    rows = max(1, math.ceil(len(wrong) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.1, rows * 1.4 + 0.4),
                             squeeze=False, layout="constrained")
    for ax in axes.ravel():
        ax.axis("off")
    for ax, index in zip(axes.ravel(), wrong):
        ax.imshow(data.raw_test_image(index), cmap="gray_r")
        ax.set_title(f"{data.y_test[index]} → {predicted[index]}", fontsize=10, color="firebrick")
    if len(wrong) == 0:
        fig.text(0.5, 0.5, "no test image misclassified", ha="center", fontsize=12)
    fig.suptitle(f"misclassified test images (true → predicted), {int((predicted != data.y_test).sum())} "
                 f"of {len(data.y_test)}", fontsize=11)
    save_figure(fig, path)


def plot_confusion_matrix(data: Data, predicted: np.ndarray, path: Path) -> None:
    C = data.num_classes
    counts = np.zeros((C, C), dtype=int)
    np.add.at(counts, (data.y_test, predicted), 1)
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    image = ax.imshow(counts, cmap="Blues")
    for true in range(C):
        for guess in range(C):
            if counts[true, guess]:
                dark = counts[true, guess] > counts.max() / 2
                ax.text(guess, true, str(counts[true, guess]), ha="center", va="center",
                        fontsize=8, color="white" if dark else "black")
    ax.set(xticks=range(C), yticks=range(C), xlabel="predicted class", ylabel="true class",
           title=f"confusion matrix (test set, {len(data.y_test)} images)")
    fig.colorbar(image, ax=ax, shrink=0.8)
    save_figure(fig, path)
