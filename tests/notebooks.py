"""Notebooks shaped like the ones students hand in: Colab's metadata, magics, outputs, training cells.

`split_cells` cuts a Python file into the cells a student would have (imports, constants, one
cell per function or class); `colab_notebook` saves cells as Colab does (nbformat 4.0, no cell
ids, `colab` metadata, outputs and execution counts); `student_notebook` wraps a solution in a
realistic notebook: install cell, `%matplotlib inline`, a cell that trains for a long time, a
plot, a check cell.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

Cell = tuple[str, str]  # ("code" | "markdown", source)


def split_cells(source: str) -> list[str]:
    """`source` as notebook cells: one per top-level definition, consecutive other statements together."""
    tree = ast.parse(source)
    lines = source.splitlines()
    cells: list[str] = []
    group: list[str] = []
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the module docstring becomes the markdown title instead
    for node in body:
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        while start > 1 and lines[start - 2].lstrip().startswith("#"):
            start -= 1  # comments just above belong to the statement
        text = "\n".join(lines[start - 1 : node.end_lineno])
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            if group:
                cells.append("\n".join(group))
                group = []
            cells.append(text)
        else:
            group.append(text)
    if group:
        cells.append("\n".join(group))
    return cells


def colab_notebook(cells: list[Cell], *, name: str, executed: bool = True) -> dict[str, Any]:
    """The JSON of a notebook as Colab saves it."""
    out = []
    count = 0
    for kind, text in cells:
        lines = text.splitlines(keepends=True)
        if kind == "markdown":
            out.append({"cell_type": "markdown", "metadata": {"id": f"md{len(out)}"}, "source": lines})
            continue
        count += 1
        outputs: list[dict[str, Any]] = []
        if executed and ("print(" in text or "plt." in text):
            outputs.append({"name": "stdout", "output_type": "stream", "text": ["...\n"]})
        out.append(
            {
                "cell_type": "code",
                "execution_count": count if executed else None,
                "metadata": {"colab": {"base_uri": "https://localhost:8080/"}, "id": f"c{count}", "outputId": "x"},
                "outputs": outputs,
                "source": lines,
            }
        )
    return {
        "nbformat": 4,
        "nbformat_minor": 0,
        "metadata": {
            "colab": {"provenance": [], "name": name, "gpuType": "T4"},
            "kernelspec": {"name": "python3", "display_name": "Python 3"},
            "language_info": {"name": "python"},
            "accelerator": "GPU",
        },
        "cells": out,
    }


def student_notebook(solution: str, *, name: str, work: str, check: int | None = None) -> dict[str, Any]:
    """A solution as a student writes it in Colab, with `work` (a cell that trains, say) after it."""
    cells: list[Cell] = [
        ("markdown", f"# {name}\n과제 풀이 노트북 (Colab)"),
        ("code", "!pip install -q grader\n%matplotlib inline"),
        ("code", "from google.colab import drive\ndrive.mount('/content/drive')"),
    ]
    cells += [("code", text) for text in split_cells(solution)]
    cells += [
        ("markdown", "## 학습 (training)"),
        ("code", "%%time\n" + work),
        ("code", "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [2, 4, 8])\nplt.title('loss')\nplt.show()"),
        ("code", "print('done')\nsummary = {'done': True}\nsummary"),
    ]
    if check is not None:
        cells.append(("code", f"import grader\ngrader.check({check})"))
    return colab_notebook(cells, name=name)


def write_notebook(path: Path, notebook: dict[str, Any]) -> Path:
    path.write_text(json.dumps(notebook, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# --- the committed notebooks: the example class's notebook student, the student template's ---------

# What a student runs in their notebook after the solution: the long training runs and tries that
# grading leaves out.
WORK = {
    1: "weights, bias = train_perceptron([[0, 0], [0, 1], [1, 0], [1, 1]], [-1, 1, 1, 1], epochs=100_000)\n"
    "print(weights, bias)\nfor a in (0, 1):\n    for b in (0, 1):\n        print(a, b, AND(a, b), XOR(a, b))",
    2: "a, b = fit(DATA, steps=1_000_000)\nprint(f'a = {a:.6f}, b = {b:.6f}')\nw, c = fit_torch(DATA)",
    3: "square_model, square_costs = train_square(steps=10_000)\nsave_model(square_model, 'square_model.pt')\n"
    "sin_model, sin_costs = train_sin(steps=10_000)\nsave_model(sin_model, 'sin_model.pt')",
    4: "model, costs = train(steps=10_000)\ntorch.save(model.state_dict(), 'minmax_model.pt')",
    5: "from torchvision import datasets\nfrom torchvision.transforms import ToTensor\n\n"
    "train_set = datasets.MNIST('data', train=True, download=True, transform=ToTensor())\n"
    "test_set = datasets.MNIST('data', train=False, download=True, transform=ToTensor())\n"
    "model, history = train('data', epochs=30)\ntorch.save(model.state_dict(), 'mnist_mlp.pt')",
}


def example_notebooks(repo: Path) -> dict[Path, dict[str, Any]]:
    """The example class's notebook student: every reference solution as a Colab notebook."""
    folder = repo / "examples" / "submissions" / "06-notebook"
    notebooks = {}
    for reference in sorted((repo / "reference").glob("0*_*/")):
        number = int(reference.name[:2])
        (source,) = [
            p for p in reference.glob("*.py") if p.stem not in ("calibrate",) and not p.stem.startswith("train")
        ]
        notebooks[folder / f"{source.stem}.ipynb"] = student_notebook(
            source.read_text(encoding="utf-8"), name=f"{source.stem}.ipynb", work=WORK[number], check=number
        )
    return notebooks


INSTALL = (
    "# Once per session: install the course's grader. Upload the wheel your instructor gives\n"
    "# (grader-0.1.0-py3-none-any.whl) to this notebook's files first, or put its web address here.\n"
    "%pip install -q grader-0.1.0-py3-none-any.whl"
)


def template_notebooks(repo: Path) -> dict[Path, dict[str, Any]]:
    """`student_template/notebooks/NAME.ipynb`: each skeleton as a Colab-ready notebook."""
    import tomllib

    notebooks = {}
    for folder in sorted((repo / "assignments").glob("0*_*/")):
        meta = tomllib.loads((folder / "assignment.toml").read_text(encoding="utf-8"))
        number, module = meta["id"], meta["files"][0]
        skeleton = (repo / "student_template" / module).read_text(encoding="utf-8")
        stem = module.removesuffix(".py")
        saves = ", ".join(f"`{c}`" for c in meta.get("checkpoints", []))
        cells: list[Cell] = [
            (
                "markdown",
                f"# Assignment {number} · {meta['title']}\n\n"
                f"Fill in the cells below; keep every name and signature. Hand in this notebook as "
                f"`{stem}.ipynb`{(', with ' + saves) if saves else ''}. Cells that only define things are "
                "graded; cells that train, print or plot are left out of grading, so train as long as you like.\n\n"
                f"아래 셀을 채우세요. 이름과 시그니처는 그대로 두세요. 이 노트북을 `{stem}.ipynb`로 제출합니다"
                f"{(' (' + saves + ' 포함)') if saves else ''}. 정의만 하는 셀이 채점되고, 학습·출력·그래프 셀은 "
                "채점에서 빠집니다.",
            ),
            ("code", INSTALL),
            ("markdown", "## Your solution · 풀이"),
            *(("code", text) for text in split_cells(skeleton)),
            ("markdown", "## Try it · 실행해 보기"),
            ("code", WORK[number]),
            ("markdown", "## Check · 확인\n\nThe public checks, on this notebook as saved (Colab: as on screen)."),
            ("code", f"import grader\ngrader.check({number})"),
        ]
        notebook = colab_notebook(cells, name=f"{stem}.ipynb", executed=False)
        if number != 5:
            del notebook["metadata"]["accelerator"], notebook["metadata"]["colab"]["gpuType"]
        notebooks[repo / "student_template" / "notebooks" / f"{stem}.ipynb"] = notebook
    return notebooks


def committed_text(notebook: dict[str, Any]) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
