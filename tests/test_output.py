"""output/ holds exactly what `python -m derive.gallery` generates now."""

from __future__ import annotations

from conftest import ROOT

from derive.gallery import GALLERY, gallery, stale


def test_output_folder_is_current():
    names = stale(ROOT / "output")
    assert not names, f"stale files in output/: {names}; run 'python -m derive.gallery'"


def test_gallery_covers_both_presets():
    files = gallery()
    assert set(files) == set(GALLERY) >= {"mazur.md", "russo.md"}
    assert "0.298371109" in files["mazur.md"]
