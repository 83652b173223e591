"""Free text (a title, a file name) made literal in each output syntax.

Whatever a spec's title holds — ``\\input{/etc/passwd}``, ``$``, ``%``, ``#``, ``_``,
``{``, markup — must print as those characters and never run as TeX, Typst or HTML.
HTML is escaped by Jinja2's autoescaping (markupsafe); the others are here.
"""

from __future__ import annotations

import re
import unicodedata

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|$~])")
#: in running prose: the same but for "(", ")" and "!", harmless once "[" and "]" are
#: escaped (no link or image can start), and read as math by MathJax after a backslash
_PROSE_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#+|$~])")
#: bidirectional embeddings, overrides and isolates: they reorder the text around them
BIDI_CONTROLS = frozenset(map(chr, (*range(0x202A, 0x202F), *range(0x2066, 0x206A))))
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def is_control(char: str) -> bool:
    """A character that acts instead of showing: C0/C1 controls, line and paragraph
    separators, bidi overrides, a byte-order mark (U+200D and other shaping marks show)."""
    category = unicodedata.category(char)
    return category in ("Cc", "Zl", "Zp") or char in BIDI_CONTROLS or char == "\ufeff"


def visible(text: str) -> str:
    """Control characters written as escapes (``\\n``, ``\\x1b``, ``\\u202e``), the rest as is.

    A file name may hold a newline or a terminal escape; shown this way it can neither start
    a Markdown heading nor clear a screen, and the reader still sees what is there.
    """
    if not any(is_control(c) for c in text):
        return text
    return "".join(_escape(c) if is_control(c) else c for c in text)


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def markdown_text(text: str) -> str:
    """Free text made literal in Markdown: no markup, no HTML, no math, no line breaks."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", visible(text).replace("&", "&amp;"))


def markdown_prose(text: str) -> str:
    """A sentence made literal in Markdown, its parentheses left as written: ``\\(``
    would open inline math for MathJax (Jupyter) and reads badly in the source."""
    return _PROSE_SPECIAL.sub(r"\\\1", visible(text).replace("&", "&amp;"))


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"\textquotedbl{}",
    "-": "-{}",  # no -- or --- ligatures: the text is printed as typed
    "`": r"\textasciigrave{}",
    "'": r"\textquotesingle{}",
    "\N{EN DASH}": "--",
    "\N{EM DASH}": "---",
    "\N{LEFT SINGLE QUOTATION MARK}": "`",
    "\N{RIGHT SINGLE QUOTATION MARK}": "'",
    "\N{LEFT DOUBLE QUOTATION MARK}": "``",
    "\N{RIGHT DOUBLE QUOTATION MARK}": "''",
    "\N{HORIZONTAL ELLIPSIS}": r"\ldots{}",
    "\N{RIGHTWARDS ARROW}": r"\ensuremath{\rightarrow}",
    "\N{MULTIPLICATION SIGN}": r"\ensuremath{\times}",
    "\N{MIDDLE DOT}": r"\ensuremath{\cdot}",
    "\N{MINUS SIGN}": r"\ensuremath{-}",
    "\N{NO-BREAK SPACE}": "~",
    "\N{NARROW NO-BREAK SPACE}": r"\,",  # French and SI grouping of thousands: 1 000
}


_SMALL = "alpha beta gamma delta epsilon zeta eta theta iota kappa lamda mu nu xi pi rho sigma"
_SMALL += " tau upsilon phi chi psi omega"
_CAPITAL = "Gamma Delta Theta Lamda Xi Pi Sigma Upsilon Phi Psi Omega"
#: Unicode name of a Greek letter → the LaTeX command that writes it
_GREEK = {
    **{f"GREEK SMALL LETTER {n.upper()}": n.replace("lamda", "lambda") for n in _SMALL.split()},
    **{f"GREEK CAPITAL LETTER {n.upper()}": n.replace("Lamda", "Lambda") for n in _CAPITAL.split()},
}


def _latex_character(char: str) -> str:
    if char in _LATEX_SPECIAL:
        return _LATEX_SPECIAL[char]
    if char in "\n\r\t":
        return " "
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return ""
    if ord(char) < 0x180:  # ASCII, Latin-1 and Latin Extended-A: pdflatex's T1 fonts have them
        return char
    command = _GREEK.get(unicodedata.name(char, ""))
    # outside what pdflatex's fonts can show: a visible stand-in, never an error
    return rf"\ensuremath{{\{command}}}" if command else "?"


def latex_escape(text: str) -> str:
    """Free text as LaTeX that prints it literally (pdflatex, T1 fonts).

    Every character TeX treats specially is replaced by a command that prints it, so
    ``\\input{/etc/passwd}`` prints as typed and reads nothing. Characters pdflatex cannot
    show at all (outside Latin, Greek and common punctuation) print as "?".
    """
    return "".join(_latex_character(c) for c in unicodedata.normalize("NFC", visible(text)))


def typst_text(text: str) -> str:
    """Free text as Typst markup that prints it literally.

    Letters, digits and spaces stay; every other character becomes a Unicode escape
    (``\\u{23}`` for ``#``), which Typst prints as that character and never reads as
    markup, code, math, a label or a list marker, whatever comes before or after it.
    """
    return "".join(_typst_character(c) for c in visible(text))


def _typst_character(char: str) -> str:
    if char.isalnum() or char == " ":
        return char
    if char in "\n\r\t":
        return " "
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return ""
    return f"\\u{{{ord(char):x}}}"
