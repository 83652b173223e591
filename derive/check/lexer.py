"""Text → tokens: one lexer for LaTeX math, Unicode math and plain-text arithmetic.

People write the same claim as ``\\mathrm{net}_{h_{1}} = 0.15 \\cdot 0.05 + …``,
``net_h1 = 0.15*0.05 + …`` or ``net h₁ = 0.15 × 0.05 + …``; after this lexer they are
the same stream of tokens. Every token keeps the offsets of the characters it came from,
so whatever is built from tokens can point back at the document. Nothing here decides
what a word means: ``net`` is an identifier like ``the``; the parser asks the names
module which identifiers name quantities.

The lexer is one compiled regular expression: linear in the length of the text, and it
never fails — a character it does not know becomes a separator.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Token(NamedTuple):
    """One token: its kind, its normalized text, its offsets, and whether it is in math."""

    kind: str
    text: str
    start: int
    end: int
    math: bool = True


#: LaTeX commands by what they mean here; anything else is a separator
COMMANDS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("frac", "dfrac", "tfrac", "cfrac"), ("frac", "")),
    "sqrt": ("sqrt", ""),
    **{name: ("func", name) for name in ("exp", "ln", "tanh", "sinh", "cosh", "max", "min")},
    "log": ("func", "ln"),
    **dict.fromkeys(("cdot", "times", "ast", "bullet", "cdotp"), ("op", "*")),
    "div": ("op", "/"),
    "pm": ("op", "±"),
    "partial": ("partial", "∂"),
    **dict.fromkeys(("approx", "simeq", "approxeq", "cong", "doteq", "thickapprox"), ("rel", "≈")),
    **dict.fromkeys(("coloneqq", "coloneq", "eqqcolon"), ("rel", "=")),
    **dict.fromkeys(("leftarrow", "gets", "longleftarrow", "Leftarrow"), ("rel", "←")),
    **{
        name: ("greek", name)
        for name in (
            "eta", "alpha", "delta", "Delta", "sigma", "epsilon", "varepsilon", "lambda",
            "mu", "gamma", "theta", "beta", "nabla", "Sigma", "phi", "varphi", "tau",
        )
    },
    **dict.fromkeys(
        ("left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big", "bigg", "Bigg",
         "biggl", "biggr", "Biggl", "Biggr", "middle", "bigm", "Bigm"),
        ("size", ""),
    ),
    **dict.fromkeys(
        ("text", "textrm", "textnormal", "mathrm", "mathit", "textit", "mathsf", "textsf",
         "mathbf", "textbf", "mathtt", "texttt", "operatorname", "boldsymbol", "bm",
         "mathnormal", "emph", "mbox", "hbox", "textup", "mathup"),
        ("textcmd", ""),
    ),
    **{name: ("accent", name) for name in ("hat", "widehat", "bar", "overline", "tilde",
                                          "widetilde", "vec", "dot")},
    **dict.fromkeys(("cdots", "ldots", "dots", "dotsc", "dotsb", "dotsm", "vdots", "ddots"),
                    ("ellipsis", "…")),
    **dict.fromkeys(
        ("label", "tag", "ref", "eqref", "cite", "hspace", "vspace", "phantom", "hphantom",
         "vphantom", "begin", "end", "color", "textcolor", "intertext", "shortintertext"),
        ("skipgroup", ""),
    ),
    **dict.fromkeys(
        ("displaystyle", "textstyle", "scriptstyle", "nonumber", "notag", "limits", "nolimits",
         "mathstrut", "strut", "centering", "noindent", "hfill", "medskip", "bigskip",
         "smallskip", "qquad", "quad", "enspace", "thinspace", "negthinspace", "relax",
         "hline", "toprule", "midrule", "bottomrule", "cline", "item"),
        ("ws", ""),
    ),
    "prime": ("prime", "'"),
}  # fmt: skip
#: environments read as one opaque value: piecewise definitions and matrices
OPAQUE = frozenset(
    ("cases", "dcases", "pmatrix", "bmatrix", "matrix", "vmatrix", "Bmatrix", "smallmatrix")
)
#: the spacing commands \quad and \qquad end a statement, unlike the thin spaces
STATEMENT_SPACES = frozenset(("quad", "qquad"))

_SINGLE: dict[str, tuple[str, str]] = {
    "+": ("op", "+"), "＋": ("op", "+"), "±": ("op", "±"),
    "-": ("op", "-"), "−": ("op", "-"), "–": ("op", "-"), "‒": ("op", "-"), "﹣": ("op", "-"),
    "－": ("op", "-"),
    "*": ("op", "*"), "×": ("op", "*"), "·": ("op", "*"), "⋅": ("op", "*"), "∙": ("op", "*"),
    "∗": ("op", "*"), "✕": ("op", "*"),
    "/": ("op", "/"), "÷": ("op", "/"), "∕": ("op", "/"),
    "^": ("op", "^"), "_": ("op", "_"),
    "(": ("lparen", "("), "[": ("lparen", "["), ")": ("rparen", ")"), "]": ("rparen", "]"),
    "{": ("lbrace", "{"), "}": ("rbrace", "}"),
    "=": ("rel", "="), "≈": ("rel", "≈"), "≃": ("rel", "≈"), "≅": ("rel", "≈"),
    "≒": ("rel", "≈"), "≔": ("rel", "="), "←": ("rel", "←"), "⟵": ("rel", "←"),
    "%": ("percent", "%"), "'": ("prime", "'"), "′": ("prime", "'"),
    "∂": ("partial", "∂"), "√": ("sqrt", ""), "…": ("ellipsis", "…"),
    "η": ("greek", "eta"), "α": ("greek", "alpha"), "δ": ("greek", "delta"),
    "Δ": ("greek", "Delta"), "σ": ("greek", "sigma"), "ε": ("greek", "epsilon"),
    "λ": ("greek", "lambda"), "μ": ("greek", "mu"), "γ": ("greek", "gamma"),
    "θ": ("greek", "theta"), "β": ("greek", "beta"), "φ": ("greek", "phi"),
    "τ": ("greek", "tau"),
}  # fmt: skip

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁿ", "0123456789+-()n")
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉₊₋ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ", "0123456789+-aeoxhklmnpstij")

_TOKEN = re.compile(
    r"""
    (?P<ws>[\s\u00a0\u2000-\u200b\u202f\u205f\u3000~$`&]+|\\[,;:!>\ ])
   |(?P<rowsep>\\\\(?:\[[^\]\n]{0,20}\])?)
   |(?P<cmd>\\[A-Za-z]+\*?)
   |(?P<escaped>\\[^A-Za-z\s])
   |(?P<num>(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+−]?\d+(?![\d.]))?)
   |(?P<ident>[A-Za-z]+\d*)
   |(?P<dots>\.\.\.+)
   |(?P<assign>:=|==)
   |(?P<power>\*\*)
   |(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁿ]+)
   |(?P<sub>[₀₁₂₃₄₅₆₇₈₉₊₋ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ]+)
   |(?P<half>½)
   |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

#: longest brace group a \text{…} or \frac{…} argument may span (bounds the scan on junk)
GROUP_LIMIT = 200


def tokenize(text: str, start: int = 0, end: int | None = None, math: bool = True) -> list[Token]:
    """The tokens of ``text[start:end]``; offsets are positions in `text`.

    `math` says whether the span is mathematics (inside $…$ or a display) or running
    text; the parser is stricter about words in running text.
    """
    end = len(text) if end is None else end
    tokens: list[Token] = []
    position = start
    while position < end:
        match = _TOKEN.match(text, position, end)
        if match is None:  # pragma: no cover - the pattern matches any character
            break
        kind = match.lastgroup
        position = _HANDLERS[kind](text, match, end, math, tokens)
    return tokens


def _ws(text: str, match: re.Match, end: int, math: bool, tokens: list[Token]) -> int:
    return match.end()


def _rowsep(text: str, match: re.Match, end: int, math: bool, tokens: list[Token]) -> int:
    tokens.append(Token("rowsep", "\\\\", match.start(), match.end(), math))
    return match.end()


def _command(text: str, match: re.Match, end: int, math: bool, tokens: list[Token]) -> int:
    name = match.group()[1:].rstrip("*")
    kind, value = COMMANDS.get(name, ("sep", name))
    if name in STATEMENT_SPACES:
        kind, value = "sep", name
    position = match.end()
    if kind == "textcmd" or kind == "accent":
        return _text_group(text, match.start(), position, end, math, tokens, kind, value)
    if kind == "skipgroup":
        group = _group(text, _skip_spaces(text, position, end), end)
        if name == "begin" and group and group[0].rstrip("*") in OPAQUE:
            return _opaque(text, match.start(), group, end, math, tokens)
        return group[1] if group else position
    if kind == "size":
        return _size_delimiter(text, position, end)
    if kind != "ws":
        tokens.append(Token(kind, value, match.start(), position, math))
    return position


def _text_group(
    text: str, start: int, position: int, end: int, math: bool, tokens: list[Token], kind, value
) -> int:
    r"""\text{net}, \mathrm{out}, \hat{y}: the braced word becomes one identifier."""
    group = _group(text, _skip_spaces(text, position, end), end)
    if group is None:
        tokens.append(Token("sep", "text", start, position, math))
        return position
    content, after = group
    word = content.replace("\\_", "_").strip()
    if re.fullmatch(r"[A-Za-z]+\d*(?:_[A-Za-z0-9]+)?", word):
        if kind == "accent":
            word = f"{word}{value}"
        head, _, tail = word.partition("_")
        tokens.append(Token("ident", head, start, after, math))
        if tail:
            tokens.append(Token("op", "_", after, after, math))
            tokens.append(Token("ident" if tail[0].isalpha() else "num", tail, after, after, math))
    elif re.fullmatch(r"\d+", word):
        tokens.append(Token("num", word, start, after, math))
    elif word and not word.isspace():
        # \text{ and }, \text{(rounded)}: running text inside math ends a statement
        tokens.append(Token("sep", "text", start, after, math))
    return after


def _opaque(text: str, start: int, group: tuple[str, int], end: int, math: bool, tokens) -> int:
    """A cases or matrix environment: one token with no value (its rows are not claims)."""
    closer = f"\\end{{{group[0]}}}"
    found = text.find(closer, group[1], min(end, group[1] + GROUP_LIMIT * 10))
    if found < 0:
        return group[1]
    tokens.append(Token("opaque", group[0], start, found + len(closer), math))
    return found + len(closer)


def _skip_spaces(text: str, position: int, end: int) -> int:
    while position < end and text[position] in " \t\n":
        position += 1
    return position


def _group(text: str, position: int, end: int) -> tuple[str, int] | None:
    """The content of the brace group at `position`, and the offset after it."""
    if position >= end or text[position] != "{":
        return None
    depth = 0
    limit = min(end, position + GROUP_LIMIT)
    for index in range(position, limit):
        char = text[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[position + 1 : index], index + 1
    return None


def _size_delimiter(text: str, position: int, end: int) -> int:
    r"""\left( is just (; \left. and \right. are no delimiter at all."""
    position = _skip_spaces(text, position, end)
    if position < end and text[position] == ".":
        return position + 1
    return position


def _escaped(text: str, match: re.Match, end: int, math: bool, tokens: list[Token]) -> int:
    char = match.group()[1]
    kind, value = {
        "{": ("lparen", "("),
        "}": ("rparen", ")"),
        "_": ("op", "_"),
        "%": ("percent", "%"),
        "*": ("op", "*"),
        "&": ("ws", ""),
        "|": ("sep", "|"),
    }.get(char, ("sep", char))
    if kind != "ws":
        tokens.append(Token(kind, value, match.start(), match.end(), math))
    return match.end()


def _number(text: str, match: re.Match, end: int, math: bool, tokens: list[Token]) -> int:
    tokens.append(Token("num", match.group().replace("−", "-"), match.start(), match.end(), math))
    return match.end()


def _ident(text: str, match: re.Match, end: int, math: bool, tokens: list[Token]) -> int:
    tokens.append(Token("ident", match.group(), match.start(), match.end(), math))
    return match.end()


def _dots(text: str, match: re.Match, end: int, math: bool, tokens: list[Token]) -> int:
    tokens.append(Token("ellipsis", "…", match.start(), match.end(), math))
    return match.end()


def _assign(text: str, match: re.Match, end: int, math: bool, tokens: list[Token]) -> int:
    tokens.append(Token("rel", "=", match.start(), match.end(), math))
    return match.end()


def _power(text: str, match: re.Match, end: int, math: bool, tokens: list[Token]) -> int:
    if not math and _is_emphasis(text, match.start(), match.end(), end):
        return match.end()
    tokens.append(Token("op", "^", match.start(), match.end(), math))
    return match.end()


def _superscript(text: str, match: re.Match, end: int, math: bool, tokens: list[Token]) -> int:
    value = match.group().translate(_SUPERSCRIPTS)
    tokens.append(Token("sup", value, match.start(), match.end(), math))
    return match.end()


def _subscript(text: str, match: re.Match, end: int, math: bool, tokens: list[Token]) -> int:
    value = match.group().translate(_SUBSCRIPTS)
    tokens.append(Token("sub", value, match.start(), match.end(), math))
    return match.end()


def _half(text: str, match: re.Match, end: int, math: bool, tokens: list[Token]) -> int:
    position = match.start()
    tokens.append(Token("lparen", "(", position, position, math))
    tokens.append(Token("num", "1", position, position, math))
    tokens.append(Token("op", "/", position, position, math))
    tokens.append(Token("num", "2", position, match.end(), math))
    tokens.append(Token("rparen", ")", match.end(), match.end(), math))
    return match.end()


def _other(text: str, match: re.Match, end: int, math: bool, tokens: list[Token]) -> int:
    char = match.group()
    kind, value = _SINGLE.get(char, ("sep", char))
    if not math and char in "*_" and _is_emphasis(text, match.start(), match.end(), end):
        return match.end()
    tokens.append(Token(kind, value, match.start(), match.end(), math))
    return match.end()


def _is_emphasis(text: str, start: int, stop: int, end: int) -> bool:
    """Markdown *emphasis* or _emphasis_ in running text, not a product or a subscript.

    An operator has operands on both sides, written either tight (``w1*i1``) or spaced
    (``0.15 * 0.05``); emphasis hugs a word on one side only.
    """
    before = text[start - 1] if start > 0 else " "
    after = text[stop] if stop < end else " "
    space_before, space_after = before.isspace(), after.isspace()
    if text[start] == "_":
        return space_before or space_after or not (before.isalnum() or before in "}")
    return space_before != space_after or before in "*(" or after in "*)"


_HANDLERS = {
    "ws": _ws,
    "rowsep": _rowsep,
    "cmd": _command,
    "escaped": _escaped,
    "num": _number,
    "ident": _ident,
    "dots": _dots,
    "assign": _assign,
    "power": _power,
    "sup": _superscript,
    "sub": _subscript,
    "half": _half,
    "other": _other,
}
