"""derive check on a table of the outputs against the targets, before and after the update.

The tables are written as other authors write them (a Markdown pipe table, a LaTeX tabular,
an HTML table; rows or columns headed by what their numbers are, in English and German) for a
one-output network, where "Target | 0.5" under a column ``out_o1`` used to be read as the
output. The numbers come from tests/reference.py; each table also carries a planted wrong
output after the update, which must be flagged.
"""

from __future__ import annotations

import pytest
from conftest import ONE_OUTPUT_DATA
from reference import mp, reference_step

from derive.check import check_text
from derive.spec import spec_from_mapping

DATA = ONE_OUTPUT_DATA
SPEC = spec_from_mapping(DATA, where="test")
REF = reference_step(DATA)
BEFORE = mp.nstr(REF["samples"][0]["forward"]["o1"]["out"], 5)
AFTER = mp.nstr(REF["after_samples"][0]["forward"]["o1"]["out"], 5)
TARGET = "0.5"


def verdicts(text: str) -> list[tuple[str | None, str, float | None]]:
    report = check_text(text, SPEC).to_json()
    return [(c["quantity"], c["verdict"], c["stated"]) for c in report["claims"]]


def rows_table(fmt: str, target: str, before: str, after: str, labels=None) -> str:
    t, b, a = labels or ("Target", "Before the update", "After the update")
    if fmt == "md":
        return (f"# The outputs\n\n| | $out_{{o1}}$ |\n|---|---:|\n| {t} | {target} |\n"
                f"| {b} | {before} |\n| {a} | {after} |\n")  # fmt: skip
    if fmt == "tex":
        return (f"\\section{{The outputs}}\n\\begin{{tabular}}{{lr}}\n & $o_1$ \\\\\n\\hline\n"
                f"{t} & {target} \\\\\n{b} & {before} \\\\\n{a} & {after} \\\\\n"
                "\\end{tabular}\n")  # fmt: skip
    return (f"<html><body><h2>The outputs</h2>\n<table>\n<tr><th></th><th>o<sub>1</sub></th></tr>\n"
            f"<tr><td>{t}</td><td>{target}</td></tr>\n<tr><td>{b}</td><td>{before}</td></tr>\n"
            f"<tr><td>{a}</td><td>{after}</td></tr>\n</table>\n</body></html>\n")  # fmt: skip


def columns_table(fmt: str, target: str, before: str, after: str, heads=None) -> str:
    t, b, a = heads or ("target", "output before", "output after")
    if fmt == "md":
        return (f"Results:\n\n| Neuron | {t} | {b} | {a} |\n|--|--|--|--|\n"
                f"| o1 | {target} | {before} | {after} |\n")  # fmt: skip
    if fmt == "tex":
        return (f"\\begin{{tabular}}{{llll}}\nNeuron & {t} & {b} & {a} \\\\\n\\midrule\n"
                f"$o_1$ & {target} & {before} & {after} \\\\\n\\end{{tabular}}\n")  # fmt: skip
    return (f"<html><body><p>Results</p>\n<table>\n<tr><th>Neuron</th><th>{t}</th><th>{b}</th>"
            f"<th>{a}</th></tr>\n<tr><td>o1</td><td>{target}</td><td>{before}</td>"
            f"<td>{after}</td></tr>\n</table></body></html>\n")  # fmt: skip


FORMATS = ("md", "tex", "html")
RIGHT = [("target_o1", "ok", 0.5), ("out_o1", "ok", float(BEFORE)), ("out_o1", "ok", float(AFTER))]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_row_headed_target_holds_the_targets(fmt):
    """Before: | Target | 0.5 | under | | out_o1 | was read as out_o1 = 0.5, a false alarm."""
    assert verdicts(rows_table(fmt, TARGET, BEFORE, AFTER)) == RIGHT


@pytest.mark.parametrize("fmt", FORMATS)
def test_columns_headed_target_before_after(fmt):
    assert verdicts(columns_table(fmt, TARGET, BEFORE, AFTER)) == RIGHT


@pytest.mark.parametrize("table", [rows_table, columns_table])
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_wrong_output_after_the_update_is_flagged(fmt, table):
    """The output before the update written again where the output after it belongs."""
    found = verdicts(table(fmt, TARGET, BEFORE, BEFORE))
    assert found[:2] == RIGHT[:2]
    assert found[2] == ("out_o1", "wrong value", float(BEFORE))


@pytest.mark.parametrize(
    "labels",
    [("Zielwert", "Vor der Aktualisierung", "Nach der Aktualisierung"),
     ("Cible", "Avant la mise à jour", "Après la mise à jour"),
     ("Objetivo", "Antes de la actualización", "Después de la actualización")],
)  # fmt: skip
def test_rows_headed_in_german_french_spanish(labels):
    assert verdicts(rows_table("md", TARGET, BEFORE, AFTER, labels)) == RIGHT
    assert verdicts(rows_table("md", TARGET, BEFORE, BEFORE, labels))[2][1] == "wrong value"


def test_german_column_heads():
    heads = ("Zielwert", "vorher", "nachher")
    assert verdicts(columns_table("md", TARGET, BEFORE, AFTER, heads)) == RIGHT


@pytest.mark.parametrize(
    "heading, heads",
    [("## Vorwärtsdurchlauf erneut, mit den aktualisierten Gewichten",
      ("Zielwert", "Vor der Aktualisierung", "Nach der Aktualisierung")),
     ("## Propagation avant de nouveau, avec les poids mis à jour",
      ("Cible", "Avant la mise à jour", "Après la mise à jour")),
     ("## Propagación hacia adelante de nuevo, con los pesos actualizados",
      ("Objetivo", "Antes de la actualización", "Después de la actualización"))],
)  # fmt: skip
def test_a_before_column_under_an_after_heading(heading, heads):
    """Under a heading about the updated weights, a column headed "before the update" in
    German, French or Spanish holds the outputs before it (it was judged against the
    outputs after, a false alarm on every such row)."""
    text = f"{heading}\n\n" + columns_table("md", TARGET, BEFORE, AFTER, heads)
    assert verdicts(text) == RIGHT
    wrong = verdicts(f"{heading}\n\n" + columns_table("md", TARGET, AFTER, AFTER, heads))
    assert wrong[1] == ("out_o1", "wrong value", float(AFTER))


def test_what_the_table_does_not_say_is_not_read():
    """A column head naming no neuron, or a row label saying both before and after: no
    reading at all rather than a guess."""
    text = "| | Sample 1 |\n|---|---|\n| Target | 0.5 |\n| Before and after | 0.3545 |\n"
    assert verdicts(text) == []


def test_an_html_table_with_head_and_body_elements():
    """<thead> and <tbody> on lines of their own, as most pages write them."""
    text = (
        "<html><body>\n<table>\n<thead>\n<tr><th>Unit</th><th>Target</th><th>Before</th>"
        "<th>After</th></tr>\n</thead>\n<tbody>\n"
        f"<tr><td>o1</td><td>{TARGET}</td><td>{BEFORE}</td><td>{BEFORE}</td></tr>\n"
        "</tbody>\n</table>\n</body></html>\n"
    )
    assert verdicts(text) == [*RIGHT[:2], ("out_o1", "wrong value", float(BEFORE))]


def test_a_table_with_decimal_commas_beside_braced_ones():
    """A German page: 0,5 in the table, 0{,}3545 in its formulas; both are decimal commas."""
    comma = {n: v.replace(".", ",") for n, v in (("t", TARGET), ("b", BEFORE), ("a", AFTER))}
    text = (
        f"Vorher: $out_{{o1}} = {comma['b'].replace(',', '{,}')}$.\n\n"
        "| | $o_1$ |\n|---|---|\n"
        f"| Zielwert | {comma['t']} |\n| Vorher | {comma['b']} |\n| Nachher | {comma['a']} |\n"
    )
    assert verdicts(text)[1:] == RIGHT


def test_a_bare_integer_against_an_infinite_candidate_is_no_crash():
    """The softmax preset's German Typst page made the checker compare a written integer
    with an infinite candidate (a log of 0) and stop on a traceback; now it reports."""
    import derive

    text = derive.explain("softmax", lang="de").render("typst")
    assert check_text(text, "softmax").to_json()["summary"]["claims"] > 0
