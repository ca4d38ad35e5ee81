"""`grader.check(N)` inside a notebook, run by a real Jupyter kernel (nbclient + ipykernel).

One kernel executes one notebook that checks itself four ways: found through the path Jupyter
gives its kernels (JPY_SESSION_NAME), named explicitly, through a stand-in for Colab's notebook
API, and refused as unsaved when cells ran after the file was saved.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.notebooks import colab_notebook, split_cells, write_notebook

REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "02_gradient_descent" / "gradient_descent.py"

COLAB_STAND_IN = """
import json, sys, types
calls = []
def blocking_request(kind, request="", timeout_sec=None):
    calls.append(kind)
    with open("as_on_screen.json", encoding="utf-8") as f:
        return {"ipynb": json.load(f)}
google, colab, message = (types.ModuleType(n) for n in ("google", "google.colab", "google.colab._message"))
message.blocking_request, colab._message, google.colab = blocking_request, message, colab
sys.modules.update({"google": google, "google.colab": colab, "google.colab._message": message})
"""


def code_cells(notebook: dict) -> list[dict]:
    return [c for c in notebook["cells"] if c["cell_type"] == "code"]


def outputs_of(cell: dict, kind: str) -> list[dict]:
    return [o for o in cell.get("outputs", []) if o["output_type"] == kind]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook as the kernel left it, and its folder."""
    import nbformat
    from nbclient import NotebookClient

    folder = tmp_path_factory.mktemp("jupyter")
    solution = REFERENCE.read_text(encoding="utf-8")
    cells = [("code", text) for text in split_cells(solution)]
    cells += [
        ("code", "%%time\na, b = fit(DATA, steps=200_000)\nprint(a, b)"),
        ("code", "import grader\nfound = grader.check(2)\nfound"),  # JPY_SESSION_NAME
        ("code", "named = grader.check(2, 'hw2.ipynb', show=False)\nprint(repr(named))"),
        ("code", COLAB_STAND_IN + "on_screen = grader.check(2)\ndel sys.modules['google.colab']\ncalls"),
        ("code", "grader.check(2, 'stale.ipynb')"),
        ("code", "summary = (found.score, found.max_score, named.score, on_screen.score, len(found.tests))\nsummary"),
    ]
    notebook = colab_notebook(cells, name="hw2.ipynb", executed=False)
    path = write_notebook(folder / "hw2.ipynb", notebook)
    # What Colab's frontend holds: the same solution under Colab's own name for it.
    on_screen = colab_notebook([("code", solution)], name="hw2 - Colab.ipynb")
    (folder / "as_on_screen.json").write_text(json.dumps(on_screen), encoding="utf-8")
    # A notebook last saved after its first cell ran, while the kernel has run many since.
    stale = colab_notebook([("code", solution), ("code", "x = 1")], name="stale.ipynb")
    for cell in code_cells(stale):
        cell["execution_count"] = 1
    write_notebook(folder / "stale.ipynb", stale)

    node = nbformat.read(path, as_version=4)
    client = NotebookClient(
        node, timeout=600, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(folder)}}
    )
    import os

    previous = os.environ.get("JPY_SESSION_NAME")
    os.environ["JPY_SESSION_NAME"] = str(path)  # what jupyter_server sets for the kernels it starts
    try:
        client.execute()
    finally:
        if previous is None:
            os.environ.pop("JPY_SESSION_NAME", None)
        else:
            os.environ["JPY_SESSION_NAME"] = previous
    return json.loads(json.dumps(node)), folder


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_kernel_is_this_python():
    from jupyter_client.kernelspec import KernelSpecManager

    assert KernelSpecManager().get_kernel_spec("python3").argv[0] in (sys.executable, "python")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_notebook_checks_itself_and_shows_the_report(executed):
    notebook, folder = executed
    cells = code_cells(notebook)
    errors = {i: outputs_of(c, "error") for i, c in enumerate(cells) if outputs_of(c, "error")}
    assert list(errors) == [len(cells) - 2], errors  # only the stale check refused
    summary = outputs_of(cells[-1], "execute_result")[0]["data"]["text/plain"]
    score, max_score, named, on_screen, checks = eval(summary)
    assert score == max_score == named == on_screen == 12 and checks == 7
    shown = [o for o in outputs_of(cells[-5], "display_data") if "text/html" in o["data"]]
    assert len(shown) == 1
    html = shown[0]["data"]["text/html"]
    assert 'class="grader-nb"' in html and "12<small> / 12</small>" in html and "Graded from hw2.ipynb" in html
    assert "7 of 7 checks passed" in html
    assert "Score: 12/12 on public checks" in shown[0]["data"]["text/plain"]
    result_line = outputs_of(cells[-5], "execute_result")[0]["data"]["text/plain"]
    assert result_line == "<AssignmentResult 2 · Gradient descent by hand: 12/12 (graded, public checks)>"
    assert (folder / "grader-report" / "2.html").is_file()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_colab_gives_the_notebook_as_on_screen(executed):
    notebook, _ = executed
    cell = code_cells(notebook)[-3]
    assert outputs_of(cell, "execute_result")[0]["data"]["text/plain"] == "['get_ipynb']"
    html = next(o["data"]["text/html"] for o in outputs_of(cell, "display_data") if "text/html" in o["data"])
    assert "Graded from hw2 - Colab.ipynb" in html


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_an_unsaved_notebook_is_refused_in_one_line(executed):
    notebook, _ = executed
    (error,) = outputs_of(code_cells(notebook)[-2], "error")
    assert error["ename"] == "StaleNotebook"
    assert len(error["traceback"]) == 1
    assert "stale.ipynb on disk is older than the cells you ran" in error["traceback"][0]
    assert "save the notebook first" in error["traceback"][0]


class FakeShell:
    """What grader.jupyter reads of IPython's shell."""

    def __init__(self, user_ns: dict, execution_count: int = 1):
        self.user_ns = user_ns
        self.execution_count = execution_count


def test_vs_code_names_its_notebook(tmp_path, monkeypatch):
    from grader import jupyter

    path = write_notebook(tmp_path / "hw.ipynb", colab_notebook([("code", "x = 1")], name="hw.ipynb"))
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.setattr(jupyter, "_ipython", lambda: FakeShell({"__vsc_ipynb_file__": str(path)}))
    located = jupyter.find_notebook(None, tmp_path / "scratch")
    assert located.notebook == path and located.folder == tmp_path and located.from_disk


def test_a_jupyter_server_says_which_notebook_has_this_kernel(tmp_path, monkeypatch):
    import http.server
    import threading

    from grader import jupyter

    (tmp_path / "work").mkdir()
    write_notebook(tmp_path / "work" / "hw3.ipynb", colab_notebook([("code", "x = 1")], name="hw3.ipynb"))
    sessions = [
        {"path": "other.ipynb", "kernel": {"id": "someone-else"}},
        {"path": "work/hw3.ipynb", "kernel": {"id": "k-123"}},
    ]
    asked = []

    class Sessions(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            body = json.dumps(sessions).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Sessions)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/"
        monkeypatch.setattr(
            jupyter, "_running_servers", lambda: [{"url": url, "token": "s3cret", "root_dir": str(tmp_path)}]
        )
        monkeypatch.setattr(jupyter, "_kernel_id", lambda: "k-123")
        monkeypatch.setattr(jupyter, "_ipython", lambda: None)
        monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
        located = jupyter.find_notebook(None, tmp_path / "scratch")
    finally:
        server.shutdown()
        server.server_close()
    assert located.notebook == (tmp_path / "work" / "hw3.ipynb").resolve()
    assert asked == ["/api/sessions?token=s3cret"]


def test_without_a_notebook_in_sight_the_error_says_to_name_it(tmp_path, monkeypatch):
    from grader import jupyter
    from grader.errors import GraderError

    monkeypatch.setattr(jupyter, "_ipython", lambda: None)
    monkeypatch.setattr(jupyter, "_kernel_id", lambda: None)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    with pytest.raises(GraderError, match=r"pass its path: grader.check\(N, 'hw.ipynb'\)") as caught:
        jupyter.find_notebook(None, tmp_path)
    assert caught.value._render_traceback_() == [f"grader: {caught.value}"]
    with pytest.raises(GraderError, match="is not a notebook"):
        jupyter.find_notebook("gates.py", tmp_path)
    with pytest.raises(GraderError, match="there is no notebook"):
        jupyter.find_notebook("missing.ipynb", tmp_path)


def test_cells_that_only_check_do_not_make_the_file_stale(tmp_path, monkeypatch):
    from grader import jupyter

    notebook = colab_notebook([("code", "x = 1"), ("code", "grader.check(1)")], name="hw.ipynb")
    for count, cell in enumerate(code_cells(notebook), start=1):
        cell["execution_count"] = count
    path = write_notebook(tmp_path / "hw.ipynb", notebook)
    history = ["", "x = 1", "grader.check(1)", "grader.check(1)", "grader.check(1)"]
    monkeypatch.setattr(jupyter, "_ipython", lambda: FakeShell({"In": history}, execution_count=4))
    jupyter._refuse_stale(path)  # In [3] only checked again: nothing to save
    history[3] = "x = 2"
    with pytest.raises(jupyter.StaleNotebook, match=r"\(In \[3\]\)"):
        jupyter._refuse_stale(path)
