"""Notebooks turned into modules: the rule for what is kept, IPython syntax, line maps, bad notebooks."""

from __future__ import annotations

import json
import re

import pytest

from grader.errors import SubmissionError
from grader.notebook import MAX_NOTEBOOK_BYTES, convert, parse_notebook, read_notebook
from grader.sources import SourceMap
from tests.notebooks import colab_notebook, split_cells, student_notebook, write_notebook


def module_of(*cells: str, markdown_first: bool = False):
    """The conversion of a notebook made of these code cells."""
    spec = [("markdown", "# title")] if markdown_first else []
    spec += [("code", text) for text in cells]
    node = parse_notebook(json.dumps(colab_notebook(spec, name="demo.ipynb")), "demo.ipynb")
    return convert(node, origin="demo.ipynb", module_file="demo.py")


def kept_code(*cells: str) -> str:
    """The module's code without the coding line the grader adds."""
    return module_of(*cells).source.split("\n", 1)[1]


@pytest.mark.parametrize(
    "code",
    [
        "import torch",
        "from torch import nn",
        "import numpy as np, math",
        "def f(x):\n    return x + 1",
        "@staticmethod\ndef g():\n    pass",
        "class Net(torch.nn.Module):\n    pass",
        "DATA = [(2, 4), (4, 7), (8, 8)]",
        'device = "cuda" if torch.cuda.is_available() else "cpu"',
        "device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')",
        "loss_fn = nn.MSELoss()",
        "x_train: list[float] = []",
        "a = b = 0.5",
        "squares = [i * i for i in range(10)]",
        "if torch.cuda.is_available():\n    DEVICE = 'cuda'\nelse:\n    DEVICE = 'cpu'",
        "try:\n    import google.colab\n    IN_COLAB = True\nexcept ImportError:\n    IN_COLAB = False",
        '"""A note as a string."""',
    ],
)
def test_what_a_module_needs_is_kept(code):
    assert kept_code("import torch\nfrom torch import nn", code).endswith(code + "\n")


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("model, losses = train(steps=10_000)", "runs train(), which this notebook defines"),
        ("train(steps=10_000)", "calls train()"),
        ("print(DATA)", "calls print()"),
        ("for epoch in range(30):\n    train()", "is a loop"),
        ("while True:\n    pass", "is a loop"),
        ("with open('log.txt') as f:\n    pass", "is a with block"),
        ("plt.plot([1, 2])", "calls plt.plot()"),
        ("fig = plt.figure()", "calls plt.figure() (plots, files or data)"),
        ("torch.save(model.state_dict(), 'm.pt')", "calls torch.save()"),
        ("state = torch.load('m.pt')", "calls torch.load() (plots, files or data)"),
        ("train_set = datasets.MNIST('data', train=True, download=True)", "calls datasets.MNIST()"),
        ("loader = DataLoader(DATA, batch_size=128)", "calls DataLoader()"),
        ("text = open('notes.txt').read()", "calls open()"),
        ("model.weight = 3", "assigns to an attribute or an item"),
        ("DATA[0] = (1, 1)", "assigns to an attribute or an item"),
        ('if __name__ == "__main__":\n    train()', 'runs the notebook as a program (if __name__ == "__main__")'),
        ("if True:\n    train()", "is an if block that runs work"),
        ("ip = get_ipython()", "uses get_ipython() (IPython only)"),
        ("result = grader.check(2)", "calls grader.check()"),
        ("DATA", "only shows a value"),
        ("assert DATA", "runs code"),
        ("del DATA", "runs code"),
    ],
)
def test_what_runs_work_is_left_out_with_its_reason(code, reason):
    setup = (
        "import torch\nfrom torch.utils.data import DataLoader\nfrom torchvision import datasets\n"
        "import matplotlib.pyplot as plt\nimport grader\nDATA = [(2, 4)]\nmodel = torch.nn.Linear(1, 1)\n"
        "def train(steps=1):\n    return None, []"
    )
    conversion = module_of(setup, code)
    assert code.splitlines()[0] not in conversion.source.split("return None, []", 1)[1]
    outcome = conversion.cells[1]
    assert outcome.kept == "none"
    assert any(reason in r for r in outcome.reasons), outcome.reasons


def test_names_only_left_out_code_defines_are_left_out_too():
    conversion = module_of(
        "def train():\n    return 1",
        "model = train()\nweights = model * 2\nbias = 0.5",
        "scaled = weights + bias",
    )
    assert "weights" not in conversion.source.split("def train")[1]
    assert "bias = 0.5" in conversion.source
    assert "uses `model`, which only left-out code defines" in conversion.cells[1].reasons[1]
    assert conversion.cells[2].kept == "none"


def test_a_name_nothing_defines_before_it_is_left_out():
    conversion = module_of("train_set = datasets.MNIST('data')\nfrom torchvision import datasets\nok = datasets")
    assert "MNIST" not in conversion.source and "ok = datasets" in conversion.source
    assert conversion.cells[0].reasons == ("line 1 uses `datasets`, which nothing before it defines",)
    assert "n = len([1])" in module_of("n = len([1])").source  # builtins are defined


def test_a_name_redefined_by_kept_code_is_usable_again():
    source = kept_code("def train():\n    return 1", "model = train()", "model = None", "copy = model")
    assert "copy = model" in source


def test_directives_keep_or_skip_a_whole_cell():
    conversion = module_of("# grader: skip\nimport this_module_does_not_exist", "# Grader: KEEP\nprint('hi')\nx = 1")
    assert "this_module_does_not_exist" not in conversion.source
    assert "print('hi')" in conversion.source
    assert conversion.cells[0].reasons == ("marked # grader: skip",)
    assert conversion.cells[1].kept == "all"


def test_ipython_syntax_is_removed_and_line_numbers_stay():
    cell = (
        "%matplotlib inline\n"
        "!pip install -q torch\n"
        "files = !ls\n"
        "torch.tensor?\n"
        "def f(x):\n"
        "    %time y = x\n"
        "    return x % 2\n"
        "TEXT = '''\n"
        "%not a magic inside a string\n"
        "'''\n"
        "total = (1 +\n"
        "         2)\n"
    )
    conversion = module_of("import torch", cell)
    source = conversion.source
    assert "%matplotlib" not in source and "!pip" not in source and "!ls" not in source and "?" not in source
    assert "    pass\n    return x % 2" in source  # a magic in a block becomes `pass`
    assert "%not a magic inside a string" in source
    lines = source.splitlines()
    line = lines.index("    return x % 2") + 1
    assert conversion.source_map.where(line) == "cell 2, line 7"


def test_a_continued_line_or_an_open_bracket_is_not_a_magic():
    source = kept_code("x = (1\n% 2)", "y = 3 \\\n% 2")
    assert "% 2)" in source and "% 2" in source.split("y = 3")[1]


@pytest.mark.parametrize(
    ("magic", "kept"),
    [
        ("%%time", True),
        ("%%timeit -n 1", True),
        ("%%capture out", True),
        ("%%bash", False),
        ("%%writefile x.py", False),
    ],
)
def test_cell_magics(magic, kept):
    conversion = module_of(f"{magic}\nDATA = [1, 2]")
    assert ("DATA = [1, 2]" in conversion.source) is kept
    if not kept:
        assert "is not Python" in conversion.cells[0].reasons[0]


def test_a_cell_that_does_not_parse_is_left_out_and_named():
    conversion = module_of("def ok():\n    return 1", "def broken(:\n    pass", "return 5", "await thing()")
    assert "def ok" in conversion.source and "broken" not in conversion.source
    reasons = [c.reasons[0] for c in conversion.cells[1:]]
    assert reasons[0].startswith("it does not parse: invalid syntax on line 1")
    assert "'return' outside function" in reasons[1]
    assert "outside" in reasons[2]


def test_semicolons_split_statements():
    source = kept_code("import torch; print(torch.__version__); DATA = [1]")
    assert "import torch\n" in source and "DATA = [1]" in source and "print" not in source


def test_plotting_imports_are_kept_only_for_kept_code_that_uses_them():
    conversion = module_of("import torch\nimport matplotlib.pyplot as plt", "plt.plot([1, 2])\nplt.show()")
    assert "matplotlib" not in conversion.source and "import torch" in conversion.source
    assert conversion.cells[0].reasons == ("line 2 imports matplotlib, which only left-out code uses",)
    assert conversion.cells[0].kept == "part"
    alone = module_of("import seaborn as sns", "x = 1")
    assert alone.cells[0].kept == "none"
    used = module_of("from matplotlib import pyplot as plt", "def show(losses):\n    plt.plot(losses)")
    assert "from matplotlib import pyplot as plt" in used.source
    kept = module_of("# grader: keep\nimport matplotlib")
    assert "import matplotlib" in kept.source


def test_notebook_only_imports_are_optional_and_future_imports_come_first():
    source = module_of(
        "from IPython.display import display, HTML\nimport google.colab",
        "from __future__ import annotations\nimport torch",
    ).source
    lines = source.splitlines()
    assert lines[0] == "# -*- coding: utf-8 -*-"
    assert lines[1] == "from __future__ import annotations"
    assert "try:\n    from IPython.display import display, HTML\nexcept ImportError:" in source
    compile(source, "demo.py", "exec")


def test_cells_are_counted_as_the_notebook_shows_them():
    conversion = module_of("import math", "x = math.pi\nprint(x)", markdown_first=True)
    assert conversion.cells[1].cell == 3
    assert "cell 3 (x = math.pi) partly kept: line 2 calls print()" in conversion.notes()[1]
    assert conversion.notes()[0].startswith("Graded from demo.ipynb (2 code cells)")


def test_every_cell_kept_says_so():
    assert module_of("import math", "def f():\n    return math.pi").notes() == [
        "Graded from demo.ipynb (2 code cells): every code cell was kept."
    ]


def test_source_map_rewrites_every_way_a_location_is_told():
    source_map = SourceMap("demo.py", "demo.ipynb", ((0, 0), (2, 1), (2, 2), (4, 7)))
    traceback = '  File "demo.py", line 4, in f\n    return x / 0\n'
    assert source_map.rewrite(traceback) == '  File "demo.ipynb", cell 4, line 7, in f\n    return x / 0\n'
    assert source_map.rewrite("invalid syntax (demo.py, line 2)") == "invalid syntax (demo.ipynb, cell 2, line 1)"
    assert source_map.rewrite("demo.py:3: UserWarning: x") == "demo.ipynb, cell 2, line 2: UserWarning: x"
    assert source_map.rewrite("importing demo.py raised X") == "importing demo.ipynb raised X"
    assert source_map.rewrite("mydemo.py and demo.pyc stay") == "mydemo.py and demo.pyc stay"
    assert source_map.where(1) == "a line the grader added"
    assert SourceMap.from_dict(json.loads(json.dumps(source_map.to_dict()))) == source_map
    with pytest.raises(ValueError):
        SourceMap.from_dict({"module_file": "x.py", "origin": "x.ipynb", "lines": [[1, "2"]], "extra": 1})


def test_a_colab_notebook_with_everything_converts_and_compiles(repo, tmp_path):
    solution = (repo / "reference" / "02_gradient_descent" / "gradient_descent.py").read_text(encoding="utf-8")
    notebook = student_notebook(solution, name="gradient_descent.ipynb", work="a, b = fit(DATA)\nprint(a, b)", check=2)
    path = write_notebook(tmp_path / "gradient_descent.ipynb", notebook)
    conversion = convert(read_notebook(path), origin=path.name, module_file="gradient_descent.py")
    compile(conversion.source, "gradient_descent.py", "exec")
    for name in ("def cost", "def gradient", "def step", "def fit(", "def fit_torch", "DATA = ["):
        assert name in conversion.source
    for work in ("fit(DATA)", "plt.plot", "drive.mount", "grader.check", "print("):
        assert work not in conversion.source


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "is not a notebook (not valid JSON"),
        (b'{"a": 1}', "is not a Jupyter notebook (no cells in it)"),
        (b'{"cells": 3, "nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "is not a valid notebook"),
        (b"\xff\xfe", "is not a notebook (it is not UTF-8 JSON text)"),
        (b"[" * 100_000 + b"]" * 100_000, "is not a notebook"),
    ],
)
def test_bad_notebooks_are_ungradable_with_a_reason(tmp_path, content, message):
    path = tmp_path / "gates.ipynb"
    path.write_bytes(content)
    with pytest.raises(SubmissionError, match=re.escape(message)):
        read_notebook(path)


def test_a_notebook_saved_with_a_bom_and_crlf_reads(tmp_path):
    text = json.dumps(colab_notebook([("code", "import math\r\nX = 1\r\n")], name="x.ipynb"), indent=1)
    path = tmp_path / "x.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    conversion = convert(read_notebook(path), origin="x.ipynb", module_file="x.py")
    assert "X = 1" in conversion.source


def test_a_notebook_too_large_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.ipynb"
    with path.open("wb") as f:
        f.truncate(MAX_NOTEBOOK_BYTES + 1)
    with pytest.raises(SubmissionError, match="larger than 32 MiB; clear its outputs"):
        read_notebook(path)


def test_split_cells_gives_one_cell_per_definition(repo):
    source = (repo / "reference" / "01_gates" / "gates.py").read_text(encoding="utf-8")
    cells = split_cells(source)
    assert any(c.startswith("def perceptron") for c in cells)
    assert all(not c.startswith('"""') for c in cells)


def test_fifty_cells_each_partly_kept():
    cells = [f"def f{i}(x):\n    return x + {i}\nprint(f{i}(2))\nfor _ in range(3):\n    pass" for i in range(50)]
    node = parse_notebook(json.dumps(colab_notebook([("code", c) for c in cells], name="n.ipynb")), "n.ipynb")
    conversion = convert(node, origin="n.ipynb", module_file="n.py")  # bench/notebook.py times this
    assert len(conversion.cells) == 50 and "def f49" in conversion.source
    assert all(c.kept == "part" for c in conversion.cells)


def test_notebooks_as_jupyter_saves_them_today_and_long_ago(tmp_path):
    import nbformat

    current = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import math\nTAU = 2 * math.pi")])
    current.cells[0].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "6.28"}, execution_count=1)]
    path = tmp_path / "current.ipynb"
    nbformat.write(current, path)
    assert "TAU = 2 * math.pi" in convert(read_notebook(path), origin=path.name, module_file="x.py").source
    old = {  # nbformat 3: worksheets, `input` instead of `source`
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {"name": "old"},
        "worksheets": [{"cells": [{"cell_type": "code", "input": ["X = 3\n"], "language": "python", "outputs": []}]}],
    }
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(old), encoding="utf-8")
    assert "X = 3" in convert(read_notebook(path), origin=path.name, module_file="x.py").source


def test_hostile_cells_are_left_out_not_a_crash():
    deep = "x = " + "(" * 300 + "1" + ")" * 300
    conversion = module_of(
        "a = 'ok'", "b = '\ud800'", "c = 1\x00", deep, "if a:\n" + "".join(" " * i + "if a:\n" for i in range(1, 120))
    )
    assert "a = 'ok'" in conversion.source
    assert [c.kept for c in conversion.cells] == ["all", "none", "none", "none", "none"]
