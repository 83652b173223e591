"""The committed example walkthroughs in ``output/``, and the one command that regenerates them.

python -m derive.gallery            # rewrite output/ from the presets
python -m derive.gallery --check    # exit 1 if output/ is stale (what the tests do)

PDFs are compared byte for byte too: Typst output is reproducible (no date in the
document, only the fonts bundled with the typst package).
"""

from __future__ import annotations

import argparse
import sys
from functools import cache
from pathlib import Path
from typing import NamedTuple

from derive.files import write_atomic
from derive.walkthrough import Walkthrough, build_walkthrough, image_path


class Entry(NamedTuple):
    """One file of the gallery: which preset, in which format, with which options."""

    preset: str
    fmt: str
    notation: str = "classic"
    slides: bool = False
    lang: str = "en"
    pace: str = "full"


#: output file name → what it holds
GALLERY: dict[str, Entry] = {
    "mazur.md": Entry("mazur", "md"),
    "russo.md": Entry("russo", "md"),
    "mazur-layered.md": Entry("mazur", "md", notation="layered"),
    "softmax.md": Entry("softmax", "md"),
    "mazur.tex": Entry("mazur", "tex"),
    "mazur.html": Entry("mazur", "html"),
    "mazur.pdf": Entry("mazur", "pdf"),
    "mazur-slides.pdf": Entry("mazur", "pdf", slides=True),
    "mazur-de.md": Entry("mazur", "md", lang="de"),
    "russo-lecture-de.pdf": Entry("russo", "pdf", slides=True, lang="de", pace="lecture"),
}


def gallery() -> dict[str, str | bytes]:
    """Every file of ``output/`` as it should be now (text, or bytes for a PDF); a
    Markdown walkthrough comes with its drawings, SVG images beside it (as ``derive
    explain -o NAME.md`` writes them)."""
    walkthrough = cache(build_walkthrough)
    files: dict[str, str | bytes] = {}
    for name, entry in GALLERY.items():
        w: Walkthrough = walkthrough(
            entry.preset, notation=entry.notation, lang=entry.lang, pace=entry.pace
        )
        if entry.fmt != "md":
            files[name] = w.output(entry.fmt, slides=entry.slides)
            continue
        figures = w.figures()
        images = {f.key: image_path(Path(name), f.key).name for f in figures}
        files[name] = w.render("md", images=images)
        files.update({images[f.key]: w.figure(f) for f in figures})
    return files


def _bytes(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def stale(folder: Path) -> list[str]:
    """Names of the files in `folder` that differ from what derive generates now."""
    return [
        name
        for name, data in gallery().items()
        if not (folder / name).is_file() or (folder / name).read_bytes() != _bytes(data)
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
    for name, data in gallery().items():
        write_atomic(folder / name, data)
        print(f"wrote {folder / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
