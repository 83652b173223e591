"""The error curve (derive.plot): decades ticked as powers of ten, a long title broken
rather than clipped, a PDF for LaTeX, and the curve inside the walkthrough after --steps."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

import derive
from derive.cli import main
from derive.plot import CHARACTER, WIDTH, chart, error_curve, svg

#: a run that falls over three decades, written out by hand (not by derive)
CURVE = [(0, 0.3), (250, 0.05), (500, 0.011), (750, 0.0032), (1000, 0.00091)]
LONG = "A rather long title of a training run that no single line of the chart could hold at all"


def test_decades_are_ticked_as_powers_of_ten():
    text = svg(chart(CURVE, "run"))
    exponents = re.findall(r'10<tspan baseline-shift="super" font-size="75%">(.*?)</tspan>', text)
    assert exponents == [
        "\N{MINUS SIGN}4",
        "\N{MINUS SIGN}3",
        "\N{MINUS SIGN}2",
        "\N{MINUS SIGN}1",
        "0",
    ]
    assert "1e" not in text and "e-0" not in text


def test_the_decades_cover_the_curve_and_sit_where_their_values_are():
    c = chart(CURVE, "run")
    levels = dict((e, y) for y, e in c.decades)
    top, bottom = c.top, c.bottom
    assert levels[0] == pytest.approx(top) and levels[-4] == pytest.approx(bottom)
    # log scale: 0.011 lies between 10⁻² and 10⁻¹, at log10(0.011) = −1.9586 of the way
    y = c.points[2][1]
    assert y == pytest.approx(levels[-2] + (levels[-1] - levels[-2]) * (2 - 1.958607), rel=1e-4)


@pytest.mark.parametrize("title", ["short", LONG, "W" * 120])
def test_a_title_is_never_wider_than_the_chart(title):
    c = chart(CURVE, title)
    for line in c.title:
        assert len(line) * CHARACTER * c.title_size <= WIDTH - 24
    assert " ".join(c.title).replace(" ", "") == title.replace(" ", "")
    assert c.title_baselines[-1] < c.top  # the plot starts below the title


def test_a_long_title_is_broken_over_two_lines_in_the_svg():
    text = svg(chart(CURVE, LONG))
    titles = re.findall(
        r'<text x="320.0" y="[\d.]+" text-anchor="middle" font-size="[\d.]+">(.*?)</text>', text
    )
    assert len(titles) == 2 and " ".join(titles) == LONG


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext is not installed")
def test_pdf_for_latex(tmp_path):
    pdf = error_curve(CURVE, LONG, ".pdf")
    assert pdf.startswith(b"%PDF")
    (tmp_path / "c.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "step (number of updates)" in text and "10\N{MINUS SIGN}3" in text


def test_train_plots_to_pdf_and_refuses_other_suffixes(tmp_path, capsys):
    target = tmp_path / "curve.pdf"
    assert main(["train", "mazur", "--steps", "200", "--plot", str(target)]) == 0
    assert target.read_bytes().startswith(b"%PDF")
    capsys.readouterr()
    assert main(["train", "mazur", "--steps", "200", "--plot", str(tmp_path / "c.gif")]) == 2
    assert ".svg, .pdf or .png" in capsys.readouterr().err


def test_the_curve_is_in_every_walkthrough_with_steps(tmp_path):
    w = derive.explain("mazur", steps=300)
    assert 'baseline-shift="super"' in w.render("html")
    assert 'format: "svg"' in w.render("typst")
    tex = w.render("tex")
    assert "$10^{-1}$" in tex and "step (number of updates)" in tex
    w.save(tmp_path / "m.md")
    assert "](m.curve.svg)" in (tmp_path / "m.md").read_text("utf-8")
    assert (tmp_path / "m.curve.svg").read_text("utf-8").startswith("<svg")
    assert "total error (log scale)" not in derive.explain("mazur").render("html")
