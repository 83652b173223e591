"""The message catalogs: complete for every language, current with the source, and used.

Every sentence a document shows is a message in ``derive/locale``; a catalog that misses a
message, keeps one fuzzy, drops a {field} or adds one, or lags behind the source fails
here. The numbers keep their values in every language: only the decimal mark changes.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import derive
from derive.errors import UsageError
from derive.messages import LANGUAGES, Language, catalog_path, locale_dir

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]


def _source_messages() -> set[str]:
    """Every message marked with _() in the package, found the way pybabel extract does."""
    found = extract_from_dir(
        str(ROOT / "derive"),
        method_map=[("**.py", "python")],
        keywords={"_": None},
    )
    return {message for _file, _line, message, _comments, _context in found}


def _fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name is not None}


def test_the_template_is_current_with_the_source():
    """derive/locale/derive.pot holds exactly the messages the code marks."""
    with (locale_dir() / "derive.pot").open("rb") as pot:
        template = {m.id for m in read_po(pot) if m.id}
    assert template == _source_messages()


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_with_the_same_fields(lang):
    with catalog_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang)
    translated = {m.id: m for m in catalog if m.id}
    missing = _source_messages() - translated.keys()
    assert not missing, f"{lang}: untranslated {sorted(missing)[:5]}"
    for message in translated.values():
        assert message.string, f"{lang}: empty translation of {message.id!r}"
        assert not message.fuzzy, f"{lang}: fuzzy translation of {message.id!r}"
        assert _fields(message.string) == _fields(message.id), (lang, message.id)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_a_translated_deck_keeps_no_english_sentence(lang):
    """Every sentence of the slides comes from the catalog: none stays in English."""
    deck = derive.explain("russo", lang=lang).render("typst", slides=True)
    for sentence in (
        "By the chain rule",
        "Multiplying the factors",
        "The error to minimize",
        "Gradient descent moves",
        "Rule by rule",
        "In short",
    ):
        assert sentence not in deck, (lang, sentence)
    assert "Backpropagation step by step: the 3-3-3 sigmoid network" in deck  # the spec's title


def test_the_languages_translate_as_written():
    """A few translations, checked word for word against the catalogs' intent."""
    assert Language.of("de").text("The total error") == "Der Gesamtfehler"
    assert Language.of("fr").text("The total error") == "L'erreur totale"
    assert Language.of("es").text("The total error") == "El error total"
    assert Language.of("en").text("The total error") == "The total error"


def test_decimal_mark_follows_the_language_unless_forced():
    assert Language.of("de").decimal == ","
    assert Language.of("fr").decimal == ","
    assert Language.of("es").decimal == ","
    assert Language.of("en").decimal == "."
    assert Language.of("en", decimal_comma=True).decimal == ","
    assert Language.of("de", decimal_comma=False).decimal == "."


def test_an_unknown_language_is_refused_in_one_line():
    with pytest.raises(UsageError, match="unknown language 'it'"):
        Language.of("it")
    with pytest.raises(UsageError, match="unknown language"):
        derive.explain("mazur", lang="xx")


@pytest.mark.parametrize(
    ("fmt", "written"),
    [
        ("tex", r"0{,}05"),
        ("md", r"0{,}05"),
        ("html", "<mn>0,05</mn>"),
        ("typst", 'class("normal", ",")05'),
    ],
)
def test_numbers_carry_the_decimal_comma_in_every_syntax(fmt, written):
    """i1 = 0.05 of the mazur network, written 0,05: braced in LaTeX math (no space after
    the comma), an ordinary symbol in Typst math, plain in MathML."""
    german = derive.explain("mazur", lang="de").render(fmt)
    assert written in german
    english = derive.explain("mazur").render(fmt)
    assert written not in english


def test_the_decimal_comma_is_forced_and_refused_on_the_command_line(tmp_path, capsys):
    from derive.cli import main

    assert main(["explain", "mazur", "-f", "tex", "--decimal-comma"]) == 0
    assert "0{,}05" in capsys.readouterr().out
    assert main(["explain", "mazur", "-f", "tex", "--lang", "de", "--no-decimal-comma"]) == 0
    out = capsys.readouterr().out
    assert "0{,}05" not in out and "0.05" in out
    with pytest.raises(SystemExit) as refused:
        main(["explain", "mazur", "--lang", "it"])
    assert refused.value.code == 2
    assert "invalid choice: 'it'" in capsys.readouterr().err
