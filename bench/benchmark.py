"""Benchmark of derive: command-line start-up and time per parameter.

    python bench/benchmark.py            # all measurements, with the targets
    python bench/benchmark.py --quick    # fewer repetitions
    python bench/benchmark.py --formats  # only the time of each output format, per preset

Targets: the 2-2-2 walkthrough costs at most 0.15 s above the bare
`python -c "import sympy, jinja2"` floor (issue #10; the templates come compiled from the
bytecode cache after the first run, derive's modules from their .pyc files), and
`derive --help` loads no SymPy; the time per parameter stays within 2x from 8 to ~800
parameters; 16-16-16-16 finishes in under 10 s (issue #3). Figures are medians on this
machine, wall clock and, for start-up, CPU time too (steadier when the machine is shared);
nothing here is asserted by the tests (machines are noisy).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import derive
from derive.training import train

SIZES = [(2, 2, 2), (3, 3, 3), (8, 8, 8), (16, 16, 16), (16, 16, 16, 16)]


def cpu(command: list[str], repeat: int) -> float:
    """Median CPU time (user + system) of a command, in seconds."""
    times = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, check=True, capture_output=True, env=_BYTECODE)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(times)


#: start-up as installed: Python may keep the modules it compiled (.pyc files)
_BYTECODE = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def startup(repeat: int) -> None:
    """Start-up above the import floor, wall clock and CPU, after one warm-up run."""
    explain = [sys.executable, "-m", "derive", "explain", "mazur", "--format", "md"]
    floor_command = [sys.executable, "-c", "import sympy, jinja2"]
    subprocess.run(explain, check=True, capture_output=True, env=_BYTECODE)  # caches filled
    floor, run = wall(floor_command, repeat), wall(explain, repeat)
    floor_cpu, run_cpu = cpu(floor_command, repeat), cpu(explain, repeat)
    helped = wall([sys.executable, "-m", "derive", "--help"], repeat)
    print(f"import floor (python -c 'import sympy, jinja2'): {floor:.3f} s ({floor_cpu:.3f} s CPU)")
    print(f"derive explain mazur --format md:                {run:.3f} s ({run_cpu:.3f} s CPU)")
    print(
        f"  above the floor: {run - floor:.3f} s, {run_cpu - floor_cpu:.3f} s CPU "
        "(target ≤ 0.150 s)"
    )
    print(f"derive --help:                                   {helped:.3f} s (no SymPy)")


def wall(command: list[str], repeat: int) -> float:
    """Median wall time of a command, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=_BYTECODE)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def network(sizes: tuple[int, ...], rng: random.Random) -> derive.NetworkSpec:
    """A sigmoid network of the given sizes with random 3-decimal weights (seeded)."""

    def value() -> Decimal:
        return Decimal(rng.randint(-999, 999)) / 1000

    weights = [
        [[value() for _ in range(sizes[l])] for _ in range(sizes[l + 1])]
        for l in range(len(sizes) - 1)
    ]
    return derive.spec_from_mapping(
        {
            "layers": list(sizes),
            "weights": weights,
            "biases": [value() for _ in sizes[1:]],
            "learning_rate": Decimal("0.5"),
            "inputs": [value() for _ in range(sizes[0])],
            "targets": [Decimal(rng.randint(1, 99)) / 100 for _ in range(sizes[-1])],
        }
    )


def timed(spec: derive.NetworkSpec, fmt: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        derive.explain(spec).render(fmt)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


#: (label, file name, extra options) of each output format, as a lecturer asks for it
OUTPUTS = [
    ("Markdown", "walk.md", []),
    ("LaTeX article (.tex)", "walk.tex", []),
    ("Beamer slides (.tex)", "deck.tex", ["--format", "beamer"]),
    ("HTML page", "walk.html", []),
    ("PDF article (Typst)", "walk.pdf", []),
    ("PDF slides (Typst)", "deck.pdf", ["--slides"]),
    ("PDF article (--engine latex)", "walk.pdf", ["--engine", "latex"]),
    ("PDF slides (--engine latex)", "deck.pdf", ["--engine", "latex", "--slides"]),
]


def formats(repeat: int) -> None:
    """Wall time of `derive explain PRESET -o FILE` for every format, both presets."""
    print(f"{'format':30} {'mazur (2-2-2)':>14} {'russo (3-3-3)':>14}")
    has_tex = shutil.which("pdflatex") is not None
    with tempfile.TemporaryDirectory() as folder:
        for label, name, options in OUTPUTS:
            if "latex" in options and not has_tex:
                print(f"{label:30} {'(no TeX)':>14} {'(no TeX)':>14}")
                continue
            times = []
            for preset in ("mazur", "russo"):
                target = str(Path(folder) / name)
                command = [sys.executable, "-m", "derive", "explain", preset, "-o", target]
                times.append(wall([*command, *options], repeat))
            print(f"{label:30} {times[0]:13.2f}s {times[1]:13.2f}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--formats", action="store_true", help="only the time of each format")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    if args.formats:
        formats(repeat)
        return 0

    startup(repeat)
    print()

    rng = random.Random(20261125)
    derive.explain("mazur").render("md")  # warm up: templates compiled, identities derived
    header = ("network", "params", "markdown", "per param", "json", "per param")
    print("{:>16} {:>7} {:>10} {:>10} {:>9} {:>10}".format(*header))
    per_parameter = []
    for sizes in SIZES:
        spec = network(sizes, rng)
        count = len(derive.explain(spec).step.gradients)
        runs = repeat if count < 200 else max(1, repeat // 3)
        md, js = timed(spec, "md", runs), timed(spec, "json", runs)
        per_parameter.append(md / count)
        name = "-".join(map(str, sizes))
        md_each, js_each = md / count * 1000, js / count * 1000
        print(f"{name:>16} {count:7d} {md:9.3f}s {md_each:8.2f}ms {js:8.3f}s {js_each:8.2f}ms")
    ratio = max(per_parameter) / min(per_parameter)
    print(f"\ntime per parameter, largest / smallest: {ratio:.2f}x (target ≤ 2x)")
    derivation = derive.explain("mazur").derivation
    start = time.perf_counter()
    train(derivation, 10_000)
    fast = time.perf_counter() - start
    start = time.perf_counter()
    train(derivation, 10_000, precision="mpmath")
    precise = time.perf_counter() - start
    print(f"\n10,000 training steps of mazur: {fast:.3f} s in floats (target well under 1 s), ")
    print(f"  {precise:.3f} s at 50 digits with the same compiled kernel")
    print()
    formats(max(1, repeat // 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
