"""Benchmark of the teaching commands: init → exercise → Moodle quiz → mark, 30 students.

    python bench/exercise_benchmark.py [--variants 30]

Target (issue #13): each of the five commands of the README takes seconds for a class of
30. Figures are wall-clock times of the command line on this machine, printed, never
asserted by the tests (machines are noisy).
"""

from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(args: list[str], folder: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "derive", *args], cwd=folder, check=True,
                   capture_output=True)  # fmt: skip
    return time.perf_counter() - start


def returned_answers(folder: Path) -> None:
    """A class's answers: most right, some with the sign flipped or a decimal comma."""
    rng = random.Random(1)
    rows = list(csv.DictReader((folder / "sheets" / "answers.csv").open()))
    with (folder / "returned.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "variant", "quantity", "answer"])
        for row in rows:
            value = float(row["answer"])
            draw = rng.random()
            answer = f"{-value if draw < 0.15 else value:.4g}"
            if 0.15 <= draw < 0.3:
                answer = answer.replace(".", ",")
            writer.writerow([f"student {row['variant']}", row["variant"], row["quantity"], answer])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=30)
    n = str(parser.parse_args().variants)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        steps = [
            ("init", ["init", "mazur", "-o", "course.toml"]),
            ("exercise md", ["exercise", "course.toml", "--variants", n, "--seed", "1",
                             "-o", "sheets"]),
            ("exercise pdf", ["exercise", "course.toml", "--variants", n, "--seed", "1",
                              "--format", "pdf", "-o", "sheets-pdf"]),
            ("exercise de", ["exercise", "course.toml", "--variants", n, "--seed", "1",
                             "--format", "pdf", "--lang", "de", "-o", "blatt"]),
            ("moodle quiz", ["exercise", "course.toml", "--variants", n, "--seed", "1",
                             "--format", "moodle-xml", "-o", "quiz"]),
        ]  # fmt: skip
        for label, args in steps:
            print(f"{label:14} {timed(args, folder):6.2f} s")
        returned_answers(folder)
        seconds = timed(["mark", "returned.csv", "--exercise", "sheets", "-o", "marks"], folder)
        print(f"{'mark':14} {seconds:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
