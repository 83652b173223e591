"""Per document of tests/check_documents/: what derive check reads and finds, and how fast.

    python bench/check_documents.py

For each scenario: claims read / claims present (``present`` in its expected.toml, counted
by hand; the claims read when it does not say), claims recognized, planted slips found at
their line with their diagnosis / planted (the planted slips include those in `unread`: slips
in claims the checker does not read, which it cannot find), false alarms (wrong verdicts
nowhere planted), and
the time of `check_document` (the network's truth included; median of three runs, after a
warm-up). Nothing here is asserted: the tests assert the findings, machines are noisy.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from test_check_documents import load, paired, scenarios  # noqa: E402

from derive.check import check_document  # noqa: E402


def measure(folder: Path) -> dict[str, object]:
    scenario = load(folder)
    check_document(scenario.document, scenario.spec)  # warm-up: imports, the truth's caches
    times, report = [], None
    for _ in range(3):
        start = time.perf_counter()
        report = check_document(scenario.document, scenario.spec)
        times.append(time.perf_counter() - start)
    pairs, _missed, extra = paired(scenario.wrong, report.wrong)
    planted = [e for e in scenario.wrong if "consequence_of" not in e]
    hits = sum("consequence_of" not in e for e, _ in pairs)
    summary = report.summary
    return {
        "document": folder.name,
        "read": summary["claims"],
        "present": scenario.expected.get("present", summary["claims"]),
        "recognized": summary["recognized"],
        "found": hits,
        "planted": len(planted) + len(scenario.expected.get("unread", [])),
        "false alarms": len(extra),
        "seconds": statistics.median(times),
    }


def main() -> None:
    print(f"{'document':34} {'read/present':>13} {'recognized':>10} {'found/planted':>14}"
          f" {'false':>6} {'time':>7}")  # fmt: skip
    for folder in scenarios():
        m = measure(folder)
        print(
            f"{m['document']:34} {m['read']:>6}/{m['present']:<6} {m['recognized']:>10}"
            f" {m['found']:>7}/{m['planted']:<6} {m['false alarms']:>6} {m['seconds']:>6.2f}s"
        )


if __name__ == "__main__":
    main()
