"""Benchmark of derive: command-line start-up and time per parameter.

    python bench/benchmark.py            # all measurements, with the targets
    python bench/benchmark.py --quick    # fewer repetitions
    python bench/benchmark.py --formats  # only the time of each output format, per preset
    python bench/benchmark.py --bounds   # peak memory per format, JSON, --verify, fan-in

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


def toml_spec(sizes: tuple[int, ...], folder: str, seed: int = 20261128) -> str:
    """A seeded random sigmoid network of these sizes, written as a TOML spec file."""
    rng = random.Random(seed)

    def value() -> str:
        return str(Decimal(rng.randint(-999, 999)) / 1000)

    def row(values: list[str]) -> str:
        return "[" + ", ".join(values) + "]"

    weights = ",\n".join(
        row([row([value() for _ in range(sizes[l])]) for _ in range(sizes[l + 1])])
        for l in range(len(sizes) - 1)
    )
    name = "-".join(map(str, sizes))
    text = (
        f'title = "A random {name} network"\n'
        f"layers = {list(sizes)}\n"
        "learning_rate = 0.5\n"
        f"inputs = {row([value() for _ in range(sizes[0])])}\n"
        f"targets = {row([str(Decimal(rng.randint(1, 99)) / 100) for _ in range(sizes[-1])])}\n"
        f"weights = [\n{weights}\n]\n"
        f"biases = {row([value() for _ in sizes[1:]])}\n"
    )
    path = Path(folder) / f"net-{name}.toml"
    path.write_text(text)
    return str(path)


def measured(command: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak resident megabytes, first error line) of one command, measured
    by GNU time in its own process (`/usr/bin/time -v`)."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak = 0.0
    for line in done.stderr.splitlines():
        if "Maximum resident set size" in line:
            peak = int(line.rsplit(":", 1)[1]) / 1024
    error = next((l for l in done.stderr.splitlines() if l.startswith("derive: ")), "")
    return seconds, peak, error if done.returncode else ""


#: (label, file name, extra options): every output format, for the memory table
MEMORY_OUTPUTS = [
    ("Markdown", "walk.md", []),
    ("JSON", "walk.json", []),
    ("LaTeX article", "walk.tex", []),
    ("Beamer slides", "deck.tex", ["--format", "beamer"]),
    ("Typst article", "walk.typ", []),
    ("HTML page", "walk.html", []),
    ("PDF article (Typst)", "walk.pdf", []),
    ("PDF slides (Typst)", "deck.pdf", ["--slides"]),
    ("PDF article (LaTeX)", "walk.pdf", ["--engine", "latex"]),
    ("PDF slides (LaTeX)", "deck.pdf", ["--engine", "latex", "--slides"]),
]


def bounds() -> None:
    """Issue 10's figures: peak memory of every format at 8-8-8 and 16-16-16, JSON time at
    100-100-100 and 200-200-200, --verify at 8-8-8 and 16-16-16-16, fan-in 1000-4000."""
    derive_command = [sys.executable, "-m", "derive", "explain"]
    with tempfile.TemporaryDirectory() as folder:
        specs = {s: toml_spec(s, folder) for s in [(8, 8, 8), (16, 16, 16)]}
        print(f"{'format':22} {'8-8-8':>20} {'16-16-16':>20}   (wall s, peak MB)")
        for label, name, options in MEMORY_OUTPUTS:
            cells = []
            for spec in specs.values():
                target = str(Path(folder) / name)
                seconds, peak, error = measured([*derive_command, spec, "-o", target, *options])
                cells.append(f"{seconds:7.1f}s {peak:7.0f}MB" if not error else "refused")
            print(f"{label:22} {cells[0]:>20} {cells[1]:>20}")
        print()
        for sizes in [(100, 100, 100), (200, 200, 200)]:
            spec = toml_spec(sizes, folder)
            command = [*derive_command, spec, "-f", "json", "-o", str(Path(folder) / "x.json")]
            seconds, peak, _ = measured([*command, "--max-parameters", "100000"])
            print(f"JSON {'-'.join(map(str, sizes)):14} {seconds:7.1f}s {peak:7.0f}MB")
        print()
        for sizes in [(8, 8, 8), (16, 16, 16, 16)]:
            spec = toml_spec(sizes, folder)
            command = [*derive_command, spec, "-f", "json", "-o", str(Path(folder) / "x.json")]
            plain, _, _ = measured(command)
            seconds, peak, _ = measured([*command, "--verify"])
            name = "-".join(map(str, sizes))
            print(f"--verify {name:12} {seconds:7.1f}s ({seconds - plain:.1f}s for the proof)")
        print()
        for fan_in in (1000, 2000, 4000):
            spec = toml_spec((fan_in, 1, 1), folder)
            seconds, peak, _ = measured([*derive_command, spec, "-o", str(Path(folder) / "x.md")])
            print(f"fan-in {fan_in:5d} (Markdown) {seconds:7.1f}s {peak:7.0f}MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--formats", action="store_true", help="only the time of each format")
    parser.add_argument("--bounds", action="store_true", help="memory and scaling (issue 10)")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    if args.bounds:
        bounds()
        return 0
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
