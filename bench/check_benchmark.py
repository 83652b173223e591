"""Benchmark of derive check: time and memory on large documents.

    python bench/check_benchmark.py            # 10 MB of each kind
    python bench/check_benchmark.py --mb 1     # smaller
    python bench/check_benchmark.py --notation # 600 lines of a notation derive must learn

Documents of the same size: derive's own walkthrough of the 2-2-2 network repeated
(every line a claim to judge), the same for the 3-3-3 network, the homework scenario's
document in a notation derive must learn (repeated), one short claim a line
(``net_h1 = 0.3775``), nothing but short claims (``w_5 = 0.4``, a million of
them in 10 MB: what a report holding every claim cannot hold; also as JSON, which lists
every claim), random bytes, one single line of claim-like junk, a single line of
``= = = …`` (once 107 bytes of memory per byte read), and short lines of ``=``.
Each is checked through the command line (a fresh process, as a user runs it, with
``--max-bytes`` raised to fit); wall time, CPU time (user + system, which a machine
loaded by other work inflates far less than wall time) and peak memory are printed. Then the
walkthroughs at a quarter of the size: time should grow linearly (a ratio near 4).

Nothing here is asserted by the tests: machines are noisy, and a wall-clock limit in a
test fails at random on a loaded one. The tests check that the same inputs are read
without failing; the targets (10 MB of any text under 300 MB) are checked here.
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

HOMEWORK = Path(__file__).resolve().parents[1] / "tests" / "check_documents"
HOMEWORK = HOMEWORK / "homework-dotted-names"


def documents(size: int, folder: Path) -> dict[str, Path]:
    rng = random.Random(6)
    page = derive.explain("mazur").render("md")
    pieces = ["w_5 = 0.4 ", "\\frac{", "{", "(", "$", "= ", "net h1 ", "0.3775 ", "x "]
    russo = derive.explain("russo").render("md")
    homework = (HOMEWORK / "homework.md").read_text("utf-8")
    files = {
        "walkthroughs": page * (size // len(page) + 1),
        "russo": russo * (size // len(russo) + 1),
        "notation": homework * (size // len(homework) + 1),  # names to learn (own network)
        "claim lines": "net_h1 = 0.3775\n" * (size // 16),  # one short claim a line
        "short claims": "w_5 = 0.4 " * (size // 10),  # a claim every 10 bytes, all ok
        "random bytes": bytes(rng.randrange(256) for _ in range(size)),
        "one long line": "".join(rng.choice(pieces) for _ in range(size // 5))[:size],
        "= = = …": "= " * (size // 2),
        "lines of =": "=\n" * (size // 2),
    }
    paths = {}
    for index, (name, content) in enumerate(files.items()):
        path = folder / f"document-{index}"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")
        paths[name] = path
    return paths


SPECS = {"russo": "russo", "notation": str(HOMEWORK / "network.toml")}


def measure(path: Path, *options: str, spec: str = "mazur") -> tuple[float, float, float, str]:
    """Wall time, CPU time (user + system: what a loaded machine does not inflate), peak
    memory (MB) and the summary line of one `derive check` process."""
    start = time.perf_counter()
    command = [sys.executable, "-m", "derive", "check", str(path), "--spec", spec, *options]
    process = subprocess.Popen(
        [*command, "--max-bytes", str(path.stat().st_size)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    output = process.stdout.read()
    _, _, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, output.strip().splitlines()[-1]


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
    parser.add_argument(
        "--no-notation", action="store_true", help="skip the documents in a learned notation"
    )
    parser.add_argument(
        "--notation",
        action="store_true",
        help="only the documents in a learned notation (600 and 6,000 lines)",
    )
    args = parser.parse_args()
    size = int(args.mb * 1_000_000)
    with tempfile.TemporaryDirectory() as folder:
        if not args.no_notation:
            notation_times(Path(folder))
        if args.notation:
            return
        times = {}
        for name, path in documents(size, Path(folder)).items():
            seconds, cpu, peak, summary = measure(path, spec=SPECS.get(name, "mazur"))
            times[name] = cpu
            print(f"{name:14} {path.stat().st_size / 1e6:5.1f} MB  {seconds:6.1f} s  "
                  f"cpu {cpu:6.1f} s  peak {peak:5.0f} MB  {summary}", flush=True)  # fmt: skip
            if name == "short claims":  # the JSON report lists every claim
                seconds, cpu, peak, summary = measure(path, "--format", "json")
                print(f"{'  as JSON':14} {path.stat().st_size / 1e6:5.1f} MB  {seconds:6.1f} s  "
                      f"cpu {cpu:6.1f} s  peak {peak:5.0f} MB", flush=True)  # fmt: skip
        quarter = Path(folder) / "quarter"
        quarter.mkdir()
        seconds, cpu, peak, _ = measure(documents(size // 4, quarter)["walkthroughs"])
        print(f"walkthroughs at a quarter of the size: cpu {cpu:.1f} s, peak {peak:.0f} MB; "
              f"time ratio {times['walkthroughs'] / cpu:.1f} (4 when linear)")  # fmt: skip


if __name__ == "__main__":
    main()
