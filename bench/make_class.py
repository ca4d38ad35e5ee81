"""Generate a class of submissions for batch benchmarks: correct, wrong and broken, across assignments 1 to 4.

    .venv/bin/python bench/make_class.py OUT [--students 100]

Student k gets one of these profiles, in turn:

- complete: the reference files of assignments 1 to 4 (checkpoints included);
- wrong: assignment 1 with the step rule's boundary wrong, assignment 2 with the lecture's
  pseudo-code typo (`a - alpha * db`), assignment 4 with its heads swapped;
- partial: assignments 1 and 2 only, correct;
- broken: a syntax error in gates.py, a misnamed gradient_descent file, an untrained-looking
  fitting.py without its checkpoints;
- zipped: the complete profile as a .zip with one top-level folder;
- unsafe zip: a .zip whose entry climbs out of its folder.

Everything is deterministic: the same command makes the same class.
"""

from __future__ import annotations

import argparse
import shutil
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT / "reference"
COMPLETE = {
    "gates.py": REF / "01_gates" / "gates.py",
    "gradient_descent.py": REF / "02_gradient_descent" / "gradient_descent.py",
    "fitting.py": REF / "03_function_fitting" / "fitting.py",
    "square_model.pt": REF / "03_function_fitting" / "square_model.pt",
    "sin_model.pt": REF / "03_function_fitting" / "sin_model.pt",
    "minmax.py": REF / "04_minmax" / "minmax.py",
    "minmax_model.pt": REF / "04_minmax" / "minmax_model.pt",
}
PROFILES = ("complete", "wrong", "partial", "broken", "zipped", "unsafe-zip")


def _replace(text: str, old: str, new: str, name: str) -> str:
    if old not in text:
        raise SystemExit(f"make_class: the reference {name} changed; update the wrong variant ({old!r})")
    return text.replace(old, new)


def _copy_complete(folder: Path) -> None:
    folder.mkdir(parents=True)
    for name, source in COMPLETE.items():
        shutil.copyfile(source, folder / name)


def make_student(out: Path, index: int) -> str:
    profile = PROFILES[index % len(PROFILES)]
    name = f"student{index:03d}-{profile}"
    folder = out / name
    if profile == "complete":
        _copy_complete(folder)
    elif profile == "wrong":
        _copy_complete(folder)
        gates = (folder / "gates.py").read_text(encoding="utf-8")
        (folder / "gates.py").write_text(_replace(gates, ">= 0", "> 0", "gates.py"), encoding="utf-8")
        gd = (folder / "gradient_descent.py").read_text(encoding="utf-8")
        typo = _replace(gd, "return a - alpha * da, b - alpha * db", "return a - alpha * db, b - alpha * db", "gd")
        (folder / "gradient_descent.py").write_text(typo, encoding="utf-8")
        mm = (folder / "minmax.py").read_text(encoding="utf-8")
        swapped = _replace(
            mm,
            "return self.max_layer(out), self.min_layer(out)",
            "return self.min_layer(out), self.max_layer(out)",
            "minmax.py",
        )
        (folder / "minmax.py").write_text(swapped, encoding="utf-8")
    elif profile == "partial":
        folder.mkdir(parents=True)
        for file in ("gates.py", "gradient_descent.py"):
            shutil.copyfile(COMPLETE[file], folder / file)
    elif profile == "broken":
        folder.mkdir(parents=True)
        (folder / "gates.py").write_text("def AND(x1, x2)\n    return x1 and x2\n", encoding="utf-8")
        shutil.copyfile(COMPLETE["gradient_descent.py"], folder / "gradient_decent.py")
        shutil.copyfile(COMPLETE["fitting.py"], folder / "fitting.py")
    elif profile == "zipped":
        staging = out / f".{name}"
        _copy_complete(staging / name)
        with zipfile.ZipFile(out / f"{name}.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted((staging / name).iterdir()):
                archive.write(path, f"{name}/{path.name}")
        shutil.rmtree(staging)
    else:
        with zipfile.ZipFile(out / f"{name}.zip", "w") as archive:
            archive.writestr("../../gates.py", "print('escaped')\n")
    return profile


def make_class(out: Path, students: int) -> dict[str, int]:
    """Write `students` submissions under `out` (which must not exist yet); count per profile."""
    if out.exists():
        raise SystemExit(f"make_class: {out} exists; give a new folder")
    out.mkdir(parents=True)
    counts = dict.fromkeys(PROFILES, 0)
    for index in range(students):
        counts[make_student(out, index)] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--students", type=int, default=100)
    args = parser.parse_args()
    counts = make_class(args.out, args.students)
    print(f"{args.students} submissions in {args.out}: " + ", ".join(f"{n} {p}" for p, n in counts.items()))


if __name__ == "__main__":
    main()
