"""Benchmark of derive check: time and memory on large documents.

    python bench/check_benchmark.py            # 10 MB of each kind
    python bench/check_benchmark.py --mb 1     # smaller
    python bench/check_benchmark.py --notation # 600 lines of a notation derive must learn

Three documents of the same size: derive's own walkthrough of the 2-2-2 network repeated
(every line a claim to judge), random bytes, and one single line of claim-like junk. Each
is checked through the command line (a fresh process, as a user runs it); wall time and
peak memory are printed. Nothing here is asserted by the tests (machines are noisy); the
tests check that time grows linearly and that pathological input stays bounded.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import derive


def documents(size: int, folder: Path) -> dict[str, Path]:
    rng = random.Random(6)
    page = derive.explain("mazur").render("md")
    pieces = ["w_5 = 0.4 ", "\\frac{", "{", "(", "$", "= ", "net h1 ", "0.3775 ", "x "]
    files = {
        "walkthroughs": page * (size // len(page) + 1),
        "random bytes": bytes(rng.randrange(256) for _ in range(size)),
        "one long line": "".join(rng.choice(pieces) for _ in range(size // 5))[:size],
    }
    paths = {}
    for name, content in files.items():
        path = folder / name.replace(" ", "-")
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")
        paths[name] = path
    return paths


def measure(path: Path) -> tuple[float, float, str]:
    """Wall time, peak memory (MB) and the summary line of one `derive check` process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "derive", "check", str(path), "--spec", "mazur"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    output = process.stdout.read()
    _, _, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    return seconds, usage.ru_maxrss / 1024, output.strip().splitlines()[-1]


HOMEWORK = Path(__file__).resolve().parents[1] / "tests" / "check_documents"
HOMEWORK = HOMEWORK / "homework-dotted-names"


def learned_notation(lines: int, folder: Path) -> Path:
    """A document of `lines` lines in a notation derive learns (the homework scenario's
    dotted uppercase names, repeated): every name must be learned before any is judged."""
    page = (HOMEWORK / "homework.md").read_text("utf-8").splitlines()
    text = "\n".join((page * (lines // len(page) + 1))[:lines]) + "\n"
    path = folder / f"notation-{lines}.md"
    path.write_text(text, "utf-8")
    return path


def floor() -> float:
    """The import floor: a fresh Python importing what derive check needs at least."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sympy, mpmath"], check=True)
    return time.perf_counter() - start


def notation_times(folder: Path) -> None:
    """600 lines of learned notation against the import floor, and 6,000 for linearity."""
    spec = str(HOMEWORK / "network.toml")
    base = min(floor() for _ in range(3))
    for lines in (600, 6000):
        path = learned_notation(lines, folder)
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "derive", "check", str(path), "--spec", spec],
                           stdout=subprocess.DEVNULL, check=False)  # fmt: skip
            runs.append(time.perf_counter() - start)
        best = min(runs)
        print(f"learned notation {lines:5} lines  {best:6.2f} s  "
              f"({best - base:5.2f} s above the import floor of {base:.2f} s)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10, help="size of each document (MB)")
    parser.add_argument("--notation", action="store_true",
                        help="only the documents in a learned notation (600 and 6,000 lines)")
    args = parser.parse_args()
    size = int(args.mb * 1_000_000)
    with tempfile.TemporaryDirectory() as folder:
        notation_times(Path(folder))
        if args.notation:
            return
        for name, path in documents(size, Path(folder)).items():
            seconds, peak, summary = measure(path)
            print(f"{name:14} {path.stat().st_size / 1e6:5.1f} MB  {seconds:6.1f} s  "
                  f"peak {peak:5.0f} MB  {summary}")  # fmt: skip


if __name__ == "__main__":
    main()
