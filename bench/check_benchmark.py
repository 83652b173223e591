"""Benchmark of derive check: time and memory on large documents.

    python bench/check_benchmark.py            # 10 MB of each kind
    python bench/check_benchmark.py --mb 1     # smaller

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10, help="size of each document (MB)")
    args = parser.parse_args()
    size = int(args.mb * 1_000_000)
    with tempfile.TemporaryDirectory() as folder:
        for name, path in documents(size, Path(folder)).items():
            seconds, peak, summary = measure(path)
            print(f"{name:14} {path.stat().st_size / 1e6:5.1f} MB  {seconds:6.1f} s  "
                  f"peak {peak:5.0f} MB  {summary}")  # fmt: skip


if __name__ == "__main__":
    main()
