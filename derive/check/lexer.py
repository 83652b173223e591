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
         "mathnormal", "emph", "mbox", "hbox", "textup", "mathup",
         # an arrow marks a vector: \vec{x} is the x of the text around it
         "vec", "overrightarrow"),
        ("textcmd", ""),
    ),
    **{name: ("accent", name) for name in ("hat", "widehat", "bar", "overline", "tilde",
                                          "widetilde", "dot")},
    **dict.fromkeys(("cdots", "ldots", "dots", "dotsc", "dotsb", "dotsm", "vdots", "ddots"),
                    ("ellipsis", "…")),
    **dict.fromkeys(
        ("label", "tag", "ref", "eqref", "cite", "hspace", "vspace", "phantom", "hphantom",
         "vphantom", "begin", "end", "color", "textcolor", "intertext", "shortintertext",
         # derive's own \derivefactor{slot}{factor}: a colour and an underline
         "derivefactor"),
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
    **dict.fromkeys(("odot", "circ"), ("op", "⊙")),
    "otimes": ("op", "*"),
    **dict.fromkeys(("top", "intercal", "mathsf{T}"), ("ident", "T")),
}  # fmt: skip
#: environments read as one opaque value: piecewise definitions and matrices
OPAQUE = frozenset(("cases", "dcases", "rcases"))
#: environments whose cells are read one by one: matrices and vectors
MATRICES = frozenset(
    ("pmatrix", "bmatrix", "matrix", "vmatrix", "Vmatrix", "Bmatrix", "smallmatrix", "array")
)
#: LaTeX words that keep their meaning when the backslash is lost (``frac{1}{2}``)
BARE_COMMANDS = frozenset(("frac", "dfrac", "tfrac", "sqrt"))
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
    "→": ("rel", "→"), "⟶": ("rel", "→"), "↦": ("rel", "→"),
    "%": ("percent", "%"), "'": ("prime", "'"), "′": ("prime", "'"),
    "∂": ("partial", "∂"), "√": ("sqrt", ""), "…": ("ellipsis", "…"),
    "η": ("greek", "eta"), "α": ("greek", "alpha"), "δ": ("greek", "delta"),
    "Δ": ("greek", "Delta"), "σ": ("greek", "sigma"), "ε": ("greek", "epsilon"),
    "λ": ("greek", "lambda"), "μ": ("greek", "mu"), "γ": ("greek", "gamma"),
    "θ": ("greek", "theta"), "β": ("greek", "beta"), "φ": ("greek", "phi"),
    "τ": ("greek", "tau"),
    "@": ("op", "*"), "⊙": ("op", "⊙"), "∘": ("op", "⊙"), "⊗": ("op", "*"), "⊤": ("ident", "T"),
    # Chinese: E总 (E_total, "total"), full-width brackets and punctuation
    "总": ("ident", "total"), "總": ("ident", "total"),
    "（": ("lparen", "("), "）": ("rparen", ")"), "，": ("sep", ","), "；": ("sep", ";"),
}  # fmt: skip

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁿᵀ", "0123456789+-()nT")
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉₊₋ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ", "0123456789+-aeoxhklmnpstij")

_SIZES = "left|right|bigl|bigr|Bigl|Bigr|big|Big|bigg|Bigg|biggl|biggr|Biggl|Biggr|middle|bigm|Bigm"
_GROUPED = "|".join(
    sorted((name for name, (kind, _) in COMMANDS.items() if kind in ("textcmd", "accent",
            "skipgroup")), key=len, reverse=True)
)  # fmt: skip
_TOKEN = re.compile(
    rf"""
    (?P<ws>[\s\u00a0\u2000-\u200b\u202f\u205f\u3000~$`&]+|\\[,;:!>\ ])
   |(?P<rowsep>\\\\(?:\[[^\]\n]{{0,20}}\])?)
   |(?P<opaque>\\begin\s*\{{(?P<env>{"|".join(sorted(OPAQUE))})\*?\}}
       .{{0,2000}}?\\end\s*\{{(?P=env)\*?\}})
   |(?P<matrix>\\begin\s*\{{(?P<menv>{"|".join(sorted(MATRICES))})\*?\}}(?P<colspec>\{{[^{{}}\n]{{0,40}}\}})?
       (?P<cells>.{{0,4000}}?)\\end\s*\{{(?P=menv)\*?\}})
   |(?P<comma>(?<![\w{{,.])\d+,\d+(?!\d|\.\d))
   |(?P<epower>(?<![A-Za-z0-9_\\])e(?=[-−]\d|\d*\.\d)(?![A-Za-z]))
   |(?P<grouped>\\(?P<command>{_GROUPED})\*?\s*\{{(?P<argument>[^{{}}]{{0,200}})\}})
   |(?P<size>\\(?:{_SIZES})(?![A-Za-z])\s*\.?)
   |(?P<cmd>\\[A-Za-z]+\*?)
   |(?P<escaped>\\[^A-Za-z\s])
   |(?P<num>(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+−]?\d+(?![\d.]))?)
   |(?P<ident>[A-Za-z]+\d*)
   |(?P<dots>\.\.\.+)
   |(?P<assign>:=|==|-->|->)
   |(?P<power>\*\*)
   |(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁿᵀ]+)
   |(?P<sub>[₀₁₂₃₄₅₆₇₈₉₊₋ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ]+)
   |(?P<half>½)
   |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokenize(text: str, start: int = 0, end: int | None = None, math: bool = True) -> list[Token]:
    r"""The tokens of ``text[start:end]``; offsets are positions in `text`.

    `math` says whether the span is mathematics (inside $…$ or a display) or running
    text; the parser is stricter about words in running text. One pass of one regular
    expression: brace groups that belong to a command (``\text{net}``, ``\label{…}``)
    and whole ``cases``/matrix environments are single matches.

    A span met before (the same characters, with the same one before them and three after
    them, which the lexer looks at) is not lexed again: its tokens are moved to the new
    offsets.
    Documents repeat their lines, and the reader lexes some spans twice.
    """
    end = len(text) if end is None else end
    if end - start > MEMO_SPAN:
        return _tokenize(text, start, end, math)
    # the lexer looks one character back, and (for a star: ``w5* =``) three on past the end
    key = (text[max(start - 1, 0) : end], text[end : end + 3], start > 0, math)
    known = _MEMO.get(key)
    if known is None:
        global _MEMO_SIZE
        if _MEMO_SIZE > MEMO_SIZE:
            _MEMO.clear()
            _MEMO_SIZE = 0
        tokens = _tokenize(text, start, end, math)
        _MEMO[key] = (start, tuple(tokens))
        _MEMO_SIZE += len(tokens) + (end - start) // 8 + 1
        return tokens
    then, tokens = known
    shift = start - then
    if shift == 0:
        return list(tokens)
    new = tuple.__new__  # Token(…) without its keyword handling: this is the hot loop
    return [
        new(Token, (kind, word, a + shift, b + shift, math)) for kind, word, a, b, math in tokens
    ]


#: spans up to this long (a long line's window, `reader.LINE_LIMIT`) are remembered by
#: `tokenize` …
MEMO_SPAN = 4_096
#: … up to about this many tokens in all (a span's text counted as a token per 8
#: characters); then it starts afresh: about 10 MB
MEMO_SIZE = 60_000
_MEMO: dict[tuple[str, str, bool, bool], tuple[int, tuple[Token, ...]]] = {}
_MEMO_SIZE = 0


def _tokenize(text: str, start: int, end: int, math: bool) -> list[Token]:
    tokens: list[Token] = []
    append, single, handlers = tokens.append, _SINGLE, _HANDLERS
    for match in _TOKEN.finditer(text, start, end):
        kind = match.lastgroup
        if kind == "ws" or kind == "size":
            continue
        if kind == "ident":
            word = match.group()
            if word in BARE_COMMANDS and text.startswith("{", match.end()):
                bare = "sqrt" if word == "sqrt" else "frac"
                append(Token(bare, "", match.start(), match.end(), math))
            else:
                append(Token("ident", word, match.start(), match.end(), math))
        elif kind == "other" and match.group() in single and match.group() not in "*_":
            token_kind, value = single[match.group()]
            append(Token(token_kind, value, match.start(), match.end(), math))
        else:
            handlers[kind](text, match, end, math, append)
    return tokens


def _rowsep(text: str, match: re.Match, end: int, math: bool, append) -> None:
    append(Token("rowsep", "\\\\", match.start(), match.end(), math))


def _opaque(text: str, match: re.Match, end: int, math: bool, append) -> None:
    """A cases or matrix environment: one token with no value (its rows are not claims)."""
    append(Token("opaque", match.group("env"), match.start(), match.end(), math))


def _matrix(text: str, match: re.Match, end: int, math: bool, append) -> None:
    r"""A matrix or vector environment: a ``matrix`` token, then each cell as a ``cell`` token
    (its text the 1-based ``row,column``) followed by the cell's own tokens, then ``endmatrix``.

    The parser builds a `Matrix` of the cells; a claim about a matrix becomes one claim per
    element, each at its own line.
    """
    env = match.group("menv")
    start, stop = match.start("cells"), match.end("cells")
    if env != "array" and match.group("colspec"):
        start = match.start("colspec")
    append(Token("matrix", env, match.start(), start, math))
    for row, (row_start, row_end) in enumerate(_spans(text, start, stop, _ROW), start=1):
        cells = _spans(text, row_start, row_end, _CELL)
        if row > 1 and len(cells) == 1 and not text[row_start:row_end].strip():
            continue  # a trailing \\ before \end
        for column, (cell_start, cell_end) in enumerate(cells, start=1):
            append(Token("cell", f"{row},{column}", cell_start, cell_start, math))
            for token in tokenize(text, cell_start, cell_end, math):
                append(token)
    append(Token("endmatrix", env, stop, match.end(), math))


_ROW = re.compile(r"\\\\(?:\[[^\]\n]{0,20}\])?")
_CELL = re.compile(r"(?<!\\)&")


def _spans(text: str, start: int, stop: int, separator: re.Pattern) -> list[tuple[int, int]]:
    """The spans between the separators in ``text[start:stop]``."""
    spans, position = [], start
    for found in separator.finditer(text, start, stop):
        spans.append((position, found.start()))
        position = found.end()
    spans.append((position, stop))
    return spans


def _comma(text: str, match: re.Match, end: int, math: bool, append) -> None:
    """``0,5999`` in a document that writes decimal points: a decimal comma, or two numbers?

    The document has not settled it (a document that writes decimal commas throughout is
    read with them before it reaches the lexer), so the token is ``ambiguous``: whatever it
    is part of is left unrecognized rather than read as 0.
    """
    append(Token("ambiguous", match.group(), match.start(), match.end(), math))


def _epower(text: str, match: re.Match, end: int, math: bool, append) -> None:
    """``e0.7``, ``e-0.7``: an exponent whose caret was lost (in plain text and PDF copies)."""
    append(Token("ident", "e", match.start(), match.end(), math))
    append(Token("op", "^", match.end(), match.end(), math))


def _grouped(text: str, match: re.Match, end: int, math: bool, append) -> None:
    r"""\text{net}, \mathrm{out}, \hat{y}: the braced word becomes one identifier;
    \label{…}, \begin{align}: nothing."""
    name = match.group("command")
    kind, value = COMMANDS[name]
    if kind == "skipgroup":
        return
    start, after = match.start(), match.end()
    word = match.group("argument").replace("\\_", "_").strip()
    if re.fullmatch(r"[A-Za-z]+\d*(?:_[A-Za-z0-9]+)?", word):
        if kind == "accent":
            word = f"{word}{value}"
        head, _, tail = word.partition("_")
        append(Token("ident", head, start, after, math))
        if tail:
            append(Token("op", "_", after, after, math))
            append(Token("ident" if tail[0].isalpha() else "num", tail, after, after, math))
    elif re.fullmatch(r"\d+", word):
        append(Token("num", word, start, after, math))
    elif word:
        # \text{ and }, \text{(rounded)}: running text inside math ends a statement
        append(Token("sep", "text", start, after, math))


def _command(text: str, match: re.Match, end: int, math: bool, append) -> None:
    name = match.group()[1:].rstrip("*")
    kind, value = COMMANDS.get(name, ("sep", name))
    if name in STATEMENT_SPACES:
        kind, value = "sep", name
    if kind in ("textcmd", "accent", "skipgroup"):
        kind, value = "sep", name  # its group was not a simple one
    if kind != "ws":
        append(Token(kind, value, match.start(), match.end(), math))


def _escaped(text: str, match: re.Match, end: int, math: bool, append) -> None:
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
        append(Token(kind, value, match.start(), match.end(), math))


def _number(text: str, match: re.Match, end: int, math: bool, append) -> None:
    append(Token("num", match.group().replace("−", "-"), match.start(), match.end(), math))


def _dots(text: str, match: re.Match, end: int, math: bool, append) -> None:
    append(Token("ellipsis", "…", match.start(), match.end(), math))


def _assign(text: str, match: re.Match, end: int, math: bool, append) -> None:
    """``:=`` and ``==`` are equalities; an arrow (``w5 -> 0.3589``) says what a value
    becomes: the reader takes it for an update of a parameter, and for nothing else."""
    relation = "=" if match.group() in (":=", "==") else "→"
    append(Token("rel", relation, match.start(), match.end(), math))


def _power(text: str, match: re.Match, end: int, math: bool, append) -> None:
    if not math and _is_emphasis(text, match.start(), match.end(), end):
        return
    append(Token("op", "^", match.start(), match.end(), math))


def _superscript(text: str, match: re.Match, end: int, math: bool, append) -> None:
    value = match.group().translate(_SUPERSCRIPTS)
    append(Token("sup", value, match.start(), match.end(), math))


def _subscript(text: str, match: re.Match, end: int, math: bool, append) -> None:
    value = match.group().translate(_SUBSCRIPTS)
    append(Token("sub", value, match.start(), match.end(), math))


def _half(text: str, match: re.Match, end: int, math: bool, append) -> None:
    start, stop = match.start(), match.end()
    append(Token("lparen", "(", start, start, math))
    append(Token("num", "1", start, start, math))
    append(Token("op", "/", start, start, math))
    append(Token("num", "2", start, stop, math))
    append(Token("rparen", ")", stop, stop, math))


def _other(text: str, match: re.Match, end: int, math: bool, append) -> None:
    char = match.group()
    kind, value = _SINGLE.get(char, ("sep", char))
    if not math and char in "*_":
        # a star between a name and "=" marks the name (w5* = …): no emphasis
        marks = char == "*" and text[match.end() : match.end() + 3].lstrip().startswith("=")
        if not marks and _is_emphasis(text, match.start(), match.end(), end):
            return
    append(Token(kind, value, match.start(), match.end(), math))


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
    "rowsep": _rowsep,
    "opaque": _opaque,
    "matrix": _matrix,
    "comma": _comma,
    "epower": _epower,
    "grouped": _grouped,
    "cmd": _command,
    "escaped": _escaped,
    "num": _number,
    "dots": _dots,
    "assign": _assign,
    "power": _power,
    "sup": _superscript,
    "sub": _subscript,
    "half": _half,
    "other": _other,
}
