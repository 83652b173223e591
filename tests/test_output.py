"""output/ holds exactly what `python -m derive.gallery` generates now."""

from __future__ import annotations

from conftest import ROOT

from derive.gallery import GALLERY, gallery, stale


def test_output_folder_is_current():
    names = stale(ROOT / "output")
    assert not names, f"stale files in output/: {names}; run 'python -m derive.gallery'"


def test_gallery_covers_both_presets_and_every_lecture_format():
    files = gallery()
    # and beside each Markdown walkthrough its three drawings, as SVG images
    images = {
        f"{name.removesuffix('.md')}.{stage}.svg"
        for name in GALLERY
        if name.endswith(".md")
        for stage in ("network", "forward", "backward")
    }
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
