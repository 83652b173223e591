"""The committed example walkthroughs in ``output/``, and the one command that regenerates them.

python -m derive.gallery            # rewrite output/ from the presets
python -m derive.gallery --check    # exit 1 if output/ is stale (what the tests do)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from derive.files import write_atomic
from derive.walkthrough import build_walkthrough

#: output file name → (preset, format, options of build_walkthrough)
GALLERY: dict[str, tuple[str, str, dict]] = {
    "mazur.md": ("mazur", "md", {}),
    "russo.md": ("russo", "md", {}),
    "mazur-layered.md": ("mazur", "md", {"notation": "layered"}),
    "softmax.md": ("softmax", "md", {}),
}


def gallery() -> dict[str, str]:
    """Every file of ``output/`` as it should be now."""
    return {
        name: build_walkthrough(preset, **options).render(fmt)
        for name, (preset, fmt, options) in GALLERY.items()
    }


def stale(folder: Path) -> list[str]:
    """Names of the files in `folder` that differ from what derive generates now."""
    return [
        name
        for name, text in gallery().items()
        if not (folder / name).is_file() or (folder / name).read_text("utf-8") != text
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m derive.gallery", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--folder", default="output", help="where the files go (default: output)")
    parser.add_argument(
        "--check", action="store_true", help="only report stale files (exit 1 if any)"
    )
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    if args.check:
        names = stale(folder)
        for name in names:
            print(f"stale: {folder / name}", file=sys.stderr)
        return 1 if names else 0
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in gallery().items():
        write_atomic(folder / name, text)
        print(f"wrote {folder / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
