"""output/ holds exactly what `python -m derive.gallery` generates now."""

from __future__ import annotations

import re

from conftest import ROOT

from derive.gallery import GALLERY, gallery, stale


def test_output_folder_is_current():
    names = stale(ROOT / "output")
    assert not names, f"stale files in output/: {names}; run 'python -m derive.gallery'"


def test_gallery_covers_both_presets_and_every_lecture_format():
    files = gallery()
    # and beside each Markdown walkthrough its three drawings and one path drawing for each
    # parameter it works in full (a heading ``#### $…$: the weight …`` each), as SVG images
    images = set()
    for name in GALLERY:
        if name.endswith(".md"):
            stem = name.removesuffix(".md")
            named = set(re.findall(r"\]\(([^)]+\.svg)\)", files[name]))
            paths = {n for n in named if n.startswith(f"{stem}.path-")}
            sections = re.findall(r"^#### \$.+\$: ", files[name], re.M)
            assert len(paths) == len(sections) >= 5, name
            assert named - paths == {f"{stem}.{s}.svg" for s in ("network", "forward", "backward")}
            images |= named
    assert set(files) == set(GALLERY) | images
    assert set(GALLERY) >= {"mazur.md", "russo.md"}
    assert {"mazur.pdf", "mazur-slides.pdf", "mazur.tex", "mazur.html"} <= set(files)
    assert "0.298371109" in files["mazur.md"]
    assert (
        files["mazur.pdf"].startswith(b"%PDF-") and files["mazur-slides.pdf"] != files["mazur.pdf"]
    )


def test_readme_excerpt_is_the_generated_walkthrough():
    """The equation the README quotes appears, to the character, in output/mazur.md."""
    readme = (ROOT / "README.md").read_text("utf-8")
    excerpt = readme.split("$$\n")[1].strip()
    mazur = gallery()["mazur.md"]
    chain, product = excerpt.split(" = 0.74136507")
    assert chain in mazur
    assert "= 0.74136507" + product in mazur
