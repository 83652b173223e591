"""The prose of the documents, in the reader's language, through gettext catalogs.

Every sentence a document shows is written once, in English, as a message of the form
``"The net input of {neuron}, in the {layer}, then its output:"`` and marked with `_`
where it is written (the marker only lets Babel find it: ``pybabel extract``). The
catalogs are ``derive/locale/<lang>/LC_MESSAGES/derive.po``, edited as text and compiled
to gettext's binary form when first used (Babel's ``write_mo`` into memory, then the
standard library's `gettext.GNUTranslations`), so no compiled file can fall out of date.

A `Language` translates a message and splits it into the pieces a template lays out:
literal text (translated, to be escaped by the format) and the named fields (symbols,
numbers, equations, to be printed by the format's math printer). It also knows the
language's decimal mark and quotation marks.
"""

from __future__ import annotations

import gettext
import io
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from derive.errors import UsageError

#: the languages with a complete catalog (English is the source language)
LANGUAGES = ("en", "de", "fr", "es")
#: where the decimal comma is the written convention
_DECIMAL_COMMA = {"en": False, "de": True, "fr": True, "es": True}
#: opening and closing quotation marks
_QUOTES = {"en": ("“", "”"), "de": ("„", "“"), "fr": ("« ", " »"), "es": ("«", "»")}
#: the LaTeX babel language whose hyphenation patterns break the language's words (English is
#: TeX's own, no babel needed)
_BABEL = {"en": "", "de": "ngerman", "fr": "french", "es": "spanish"}
DOMAIN = "derive"


def _(message: str) -> str:
    """Mark `message` for extraction; it is translated where it is used (`Language.text`)."""
    return message


def locale_dir() -> Path:
    """The folder of the catalogs, inside the package."""
    return Path(__file__).resolve().parent / "locale"


def catalog_path(lang: str) -> Path:
    return locale_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of `lang` (English: the messages as written)."""
    if lang == "en":
        return gettext.NullTranslations()
    # Babel is imported here: the command line lists the languages without loading it
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalog_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@dataclass(frozen=True)
class Language:
    """One language of a document: its catalog, decimal mark and quotation marks."""

    code: str = "en"
    decimal_comma: bool = False

    @classmethod
    def of(cls, code: str = "en", decimal_comma: bool | None = None) -> Language:
        """`code` checked; the decimal comma the language's own convention unless forced."""
        if code not in LANGUAGES:
            raise UsageError(f"unknown language {code!r} (known: {', '.join(LANGUAGES)})")
        comma = _DECIMAL_COMMA[code] if decimal_comma is None else decimal_comma
        return cls(code, comma)

    @property
    def decimal(self) -> str:
        return "," if self.decimal_comma else "."

    @property
    def babel(self) -> str:
        """The babel language of a LaTeX document in this language ("" for English)."""
        return _BABEL[self.code]

    @property
    def case_words(self) -> tuple[str, str]:
        """The words of a case distinction in math: "if" and "otherwise"."""
        return (self.text(_("if")), self.text(_("otherwise")))

    def integer(self, value: int) -> str:
        """A whole number grouped by thousands as the language writes it (CLDR, via Babel:
        1,000 · 1.000 · 1 000 with a narrow no-break space); where the decimal mark is forced
        against the convention, grouped by narrow spaces (SI), which no decimal mark confuses."""
        if self.decimal_comma != _DECIMAL_COMMA[self.code]:
            return f"{value:,}".replace(",", "\N{NARROW NO-BREAK SPACE}")
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self.code)

    def number(self, text: str) -> str:
        """A number written as plain text ("0.5"), with the language's decimal mark."""
        return text.replace(".", self.decimal)

    def text(self, message: str) -> str:
        """`message` translated (the English message itself when the catalog has none)."""
        return translations(self.code).gettext(message)

    def quote(self, text: str) -> str:
        opening, closing = _QUOTES[self.code]
        return f"{opening}{text}{closing}"

    def fields(self, message: str) -> list[tuple[str, str | None]]:
        """The translated message as (literal text, field name or None) pairs."""
        return [
            (literal, name)
            for literal, name, _spec, _conv in string.Formatter().parse(self.text(message))
        ]
