"""A document → its located blocks: headings, sentences, math, table rows — in reading order.

The reader knows Markdown, LaTeX and plain text, and assumes nothing is well formed:
documents converted from slides or PDFs lose their markup, repeat their headings, break
lines anywhere. It finds display math (``$$…$$``, ``\\[…\\]``, ``equation``/``align``/…
environments, whose rows it splits at ``\\\\``), inline math (``$…$``, ``\\(…\\)``), fenced
code, Markdown and LaTeX tables, headings, and ordinary lines; everything is a `Block`
with offsets into the text as given, so a claim found in it can name its line.

Scanning is linear: every construct is found with one regular-expression search from
the cursor, and a construct that does not close within `BLOCK_LIMIT` characters is
taken as ordinary text.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from derive.check.assignments import unpacked
from derive.check.lexer import Token, tokenize
from derive.check.printouts import OUTPUT_LANGUAGES, printed_claims, printed_names

#: the longest display block or table read as one (a missing closer costs no more)
BLOCK_LIMIT = 20_000
#: the longest line read as one; longer lines are read in windows of this size
LINE_LIMIT = 4_000

#: marks the HTML dialect puts around a page's code and its printed output (its <pre>
#: elements), which take no line of their own: private-use characters no text holds
CODE_OPEN, CODE_CLOSE, OUTPUT_OPEN, OUTPUT_CLOSE = "\ue000", "\ue001", "\ue002", "\ue003"
#: the mark the HTML dialect puts at the end of a table's header row (its <th> cells): an
#: HTML table has no rule line under its header, and the text keeps the page's lines
HEADER_ROW = "\ue004"

_ENVIRONMENTS = (
    "equation|align|alignat|gather|multline|eqnarray|flalign|displaymath|math|dmath|"
    "aligned|gathered|split"
)
_OPENER = re.compile(
    r"(?P<fence>^[ \t]{0,3}(?:>[ \t]?)*(?:```+|~~~+)[^\n]*$)"
    r"|(?P<dollars>(?<!\\)\$\$)"
    r"|(?P<bracket>\\\[)"
    rf"|(?P<env>\\begin\{{(?P<envname>(?:{_ENVIRONMENTS})\*?)\}})"
    r"|(?P<tabular>\\begin\{(?P<tabname>tabular\*?|tabularx|longtable|array)\}(?:\{[^\n]{0,200}?\})?)"
    # a web page's code and its output (<pre>), marked by the HTML dialect
    rf"|(?P<pagecode>{CODE_OPEN})|(?P<pageout>{OUTPUT_OPEN})",
    re.MULTILINE,
)
_HEADING_MD = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_HEADING_TEX = re.compile(
    r"\\(part|chapter|section|subsection|subsubsection|paragraph|frametitle|framesubtitle)"
    r"\*?(?:\[[^\]]*\])?\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}"
)
_FRAME = re.compile(r"\\begin\{frame\}(?:\[[^\]]*\])?\{([^{}]*)\}")
_TEX_LEVELS = {
    "part": 0, "chapter": 0, "section": 1, "subsection": 2, "subsubsection": 3,
    "paragraph": 4, "frametitle": 5, "framesubtitle": 6,
}  # fmt: skip
_SETEXT = re.compile(r"^[ \t]{0,3}(=+|-+)[ \t]*$")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")
_LATEX = re.compile(r"\\(documentclass|begin\{document\}|section\*?\{|begin\{frame\}|subsection)")
_INLINE = re.compile(
    r"(?<![\\$])\$(?!\$)(?P<dollar>[^$\r\n]{1,2000}?)(?<![\\$])\$(?!\$)"
    r"|\\\((?P<paren>.{1,2000}?)\\\)"
)
_NEWLINE = re.compile(r"\r\n|\r|\n")
_RELATION_HINT = re.compile(r"[=≈≃≅≔←→]|->|\\(approx|simeq|leftarrow|gets|coloneqq)")


@dataclass(frozen=True)
class Heading:
    """A heading: level (0 = part … 6; plain-text documents have none) and its text."""

    level: int
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    """A line of running text (it may set the context: "the forward pass again")."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Math:
    """Tokens that may hold claims: a display block's row(s), or a line of text.

    `anchor` is the offset where the enclosing block ends (an annotation goes after
    the line holding it); `continues` says the unit may carry on the previous unit's
    chain (a line beginning with ``=``); `display` says it came from a display block.
    """

    tokens: tuple[Token, ...]
    start: int
    end: int
    anchor: int
    display: bool = False


@dataclass(frozen=True)
class TableRow:
    """One data row of a table: its cells' offsets, and the header's cell texts."""

    cells: tuple[tuple[int, int], ...]
    header: tuple[str, ...]
    start: int
    end: int
    anchor: int


Block = Heading | Sentence | Math | TableRow


@dataclass
class Lines:
    """Offsets of line starts, to turn an offset into a 1-based line number.

    Kept in a typed array (8 bytes a line): a document of ten million empty lines
    would take ten times that as a list of Python integers.
    """

    starts: array = field(default_factory=lambda: array("q"))

    @classmethod
    def of(cls, text: str) -> Lines:
        starts = array("q", [0])
        starts.extend(m.end() for m in _NEWLINE.finditer(text))
        return cls(starts)

    def line(self, offset: int) -> int:
        return bisect_right(self.starts, offset)

    def span(self, number: int, text: str) -> tuple[int, int]:
        """Start and end (before the line break) of line `number`."""
        start = self.starts[number - 1]
        end = self.starts[number] if number < len(self.starts) else len(text)
        while end > start and text[end - 1] in "\r\n":
            end -= 1
        return start, end


#: characters no one sees in a text, which would split a number or a name in two
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufeff]")
_DROP_INVISIBLE = dict.fromkeys([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F, 0xFEFF])
#: a note `derive check --annotate` wrote (in any format), on a line of its own
NOTE = re.compile(
    r"^[ \t]*(?:> \*\*derive check\*\*|% derive check|// derive check|<!-- derive check)"
    r" \(line \d+\): "
)
_NOTE_LINES = re.compile(NOTE.pattern + r"[^\n]*", re.MULTILINE)


def plain_lines(text: str) -> str:
    """`text` as the reader reads it, every line where it was: line breaks (``\\r\\n``, a
    lone ``\\r``) made ``\\n``, invisible control characters (NUL, a stray BOM) dropped, and
    the notes of an earlier ``--annotate`` emptied, so they are neither claims nor context.

    Every regular expression of the reader then sees one kind of line end: a fence closed
    by a line ending in ``\\r\\n`` would otherwise never close.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _INVISIBLE.search(text):
        text = text.translate(_DROP_INVISIBLE)  # no list of pieces, unlike re.sub
    return _NOTE_LINES.sub("", text) if "derive check" in text else text


def split_lines(text: str) -> list[str]:
    """The lines of `text`, each with its own line break (as `Lines` counts them)."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def is_latex(text: str) -> bool:
    """A LaTeX source (where % starts a comment), rather than Markdown or plain text."""
    return _LATEX.search(text) is not None


#: a number written with a decimal comma (0,5999; 12,5), or with a decimal point
_COMMA_NUMBER = re.compile(r"(?<![\w{,.])(\d+),(\d+)(?!\d|\.\d)")
_POINT_NUMBER = re.compile(r"(?<![\w{,.])\d+\.\d+(?![\d,])")
_INDEX_BEFORE = re.compile(r"[_^]\{?\d*$")


def decimal_comma(text: str) -> bool:
    """Whether `text` writes its decimals with a comma, consistently.

    It does when numbers like ``0,5999`` outnumber numbers like ``0.5999`` ten to one and
    at least two of them cannot be thousands (``0,59``, ``2,5``; ``1,250`` could be either).
    A document that mixes both is not decided: its ``0,5999`` stays ambiguous.
    """
    commas = points = 0
    for match in _COMMA_NUMBER.finditer(text):
        integer, fraction = match.groups()
        if len(fraction) != 3 or integer == "0":
            commas += 1
    if commas < 2:
        return False
    points = sum(1 for _ in _POINT_NUMBER.finditer(text))
    return points * 10 <= commas


#: LaTeX's decimal comma, 0{,}5999: a comma in braces between digits is never a separator
_BRACED_COMMA = re.compile(r"(?<![\w.])(\d+)\{,\}(\d+)")


def with_braced_commas_read(text: str) -> str:
    """``0{,}5999`` → ``  0.5999``: LaTeX's decimal comma as a point, every line's length kept
    (the number moves two places right, on its own line)."""
    if "{,}" not in text:
        return text
    return _BRACED_COMMA.sub(lambda m: f"  {m.group(1)}.{m.group(2)}", text)


def with_decimal_points(text: str) -> str:
    """`text` with its decimal commas written as points, every offset kept (same length).

    A comma inside an index (``w_{1,2}``, ``x^{1,2}``) is left alone.
    """

    def point(match: re.Match) -> str:
        if _INDEX_BEFORE.search(text, max(0, match.start() - 8), match.start()):
            return match.group()
        return f"{match.group(1)}.{match.group(2)}"

    return _COMMA_NUMBER.sub(point, text)


def without_comments(text: str) -> str:
    """LaTeX comments, the preamble and TikZ pictures blanked out (their ``margin=2.5`` and
    ``opacity=0.9`` are no claims), keeping every offset and every line where it was."""
    text = re.sub(r"(?<!\\)%[^\n]*", _blank, text)
    begin = text.find("\\begin{document}", 0, 500_000)
    if begin > 0:
        text = _blank_text(text[:begin]) + text[begin:]
    return _PICTURE.sub(_blank, text)


_PICTURE = re.compile(r"\\begin\{tikzpicture\}.{0,200000}?\\end\{tikzpicture\}", re.DOTALL)


def _blank(match: re.Match) -> str:
    return _blank_text(match.group())


def _blank_text(text: str) -> str:
    """Spaces for every character but the line breaks."""
    return re.sub(r"[^\r\n]", " ", text)


def read_blocks(text: str) -> Iterator[Block]:
    """Every block of `text`, in reading order."""
    source = without_comments(text) if is_latex(text) else text
    cursor = 0
    printed: list[list[Token]] = []  # the names the last code block printed
    for match in _OPENER.finditer(source):
        if match.start() < cursor:
            continue
        region = _region(source, match)
        if region is None:
            continue
        yield from _text_blocks(source, cursor, match.start())
        kind, start, end = region
        between = _PROMPT.sub("", source[cursor : match.start()]).strip()
        bare = kind == "pagecode" and not _RELATION_HINT.search(source, match.end(), end)
        if (kind in ("fence", "pageout") or bare) and printed and not between:
            yield from _printout(source, end, match, printed)
            printed = []
        else:
            yield from _REGIONS[kind](source, start, end, match)
            code = kind in ("fence", "pagecode")
            printed = printed_names(source, match.start(), end) if code else []
        cursor = end
    yield from _text_blocks(source, cursor, len(source))


def _printout(source: str, end: int, match: re.Match, printed: list[list[Token]]):
    """The output block right under a code block that printed names: one claim per name
    (``print(net_h1, out_h1)`` over ``0.3775 0.5932699921071872``), or none."""
    if match.lastgroup in ("pageout", "pagecode"):  # a <pre> under one that printed
        body, closer = match.end(), end - 1
    else:
        language = match.group("fence").strip().lstrip("> \t").lstrip("`~").strip().lower()
        if language not in OUTPUT_LANGUAGES:
            return
        body, closer = source.find("\n", match.end(), end) + 1, source.rfind("\n", match.end(), end)
        if body <= 0 or closer < body:
            return
    tokens = _derivative_names(printed_claims(source, body, closer, printed))
    if tokens:
        yield Math(tuple(tokens), body, closer, end)


#: a notebook's prompt between a cell and its output ("Out[3]:")
_PROMPT = re.compile(r"\bOut\s*\[\s*\d*\s*\]\s*:")


def _region(source: str, match: re.Match) -> tuple[str, int, int] | None:
    """The extent of the construct `match` opens, or None if it never closes."""
    kind = match.lastgroup if match.lastgroup not in ("envname", "tabname") else None
    kind = kind or ("env" if match.group("env") else "tabular")
    start = match.start()
    limit = min(len(source), match.end() + BLOCK_LIMIT)
    if kind in ("pagecode", "pageout"):
        found = source.find(CODE_CLOSE if kind == "pagecode" else OUTPUT_CLOSE, match.end(), limit)
        return (kind, start, found + 1 if found >= 0 else limit)
    if kind == "fence":
        fence = match.group().strip().lstrip("> \t")[:3]
        closer = re.compile(rf"^[ \t]{{0,3}}(?:>[ \t]?)*{re.escape(fence)}+[ \t]*$", re.MULTILINE)
        found = closer.search(source, match.end(), limit)
        return ("fence", start, found.end() if found else limit)
    closers = {
        "dollars": "$$",
        "bracket": "\\]",
        "env": f"\\end{{{match.group('envname')}}}" if match.group("env") else "",
        "tabular": f"\\end{{{match.group('tabname')}}}" if match.group("tabular") else "",
    }
    closer_text = closers[kind]
    found = source.find(closer_text, match.end(), limit)
    if found < 0:
        return None
    return (kind, start, found + len(closer_text))


def _display(source: str, start: int, end: int, match: re.Match) -> Iterator[Block]:
    """A display block: its rows (split at \\\\); a row starting with a relation continues."""
    tokens = tokenize(source, match.end(), end, math=True)
    rows: list[list[Token]] = [[]]
    for token in tokens:
        if token.kind == "rowsep":
            rows.append([])
        else:
            rows[-1].append(token)
    units: list[list[Token]] = []
    for row in rows:
        if not row:
            continue
        if units and (row[0].kind == "rel" or units[-1][-1].kind == "rel"):
            units[-1].extend(row)
        else:
            units.append(row)
    for unit in units:
        yield Math(tuple(unit), unit[0].start, unit[-1].end, end, display=True)


def _fence(source: str, start: int, end: int, match: re.Match) -> Iterator[Block]:
    """Fenced code: its lines are arithmetic (``net_h1 = 0.15*0.05 + …``, ``dz2 = a2 - y``),
    read as mathematics without their comments; a printed array (``W1 = [[0.15 0.25]`` …
    ``[0.20 0.30]]``) is one unit over the lines its brackets span."""
    first_line_end = source.find("\n", start, end)
    body_start = end if first_line_end < 0 else first_line_end + 1
    yield from _code_lines(source, body_start, end)


def _page_code(source: str, start: int, end: int, match: re.Match) -> Iterator[Block]:
    """A web page's code (its <pre>): read as fenced code is, from right after its mark."""
    yield from _code_lines(source, match.end(), end - 1)


def _page_output(source: str, start: int, end: int, match: re.Match) -> Iterator[Block]:
    """A web page's output under no code that printed names: as the text it is."""
    yield from _text_blocks(source, match.end(), end - 1)


def _code_lines(source: str, body_start: int, end: int) -> Iterator[Block]:
    spans = list(_line_spans(source, body_start, end))
    index = 0
    while index < len(spans):
        line_start, line_end = spans[index]
        index += 1
        if not _RELATION_HINT.search(source, line_start, line_end):
            continue
        # a printed array goes on over the next lines until its brackets close
        depth = _depth(source, line_start, line_end)
        while 0 < depth < 5 and index < len(spans):
            line_end = spans[index][1]
            depth += _depth(source, *spans[index])
            index += 1
        comment = _COMMENT.search(source, line_start, line_end)
        code_end = comment.start() if comment else line_end
        # code names its variables with single letters (x, y, a2 - y): read it as mathematics
        tokens = _code(unpacked(tokenize(source, line_start, code_end, math=True)))
        value = _commented_value(source, comment, line_end, tokens)
        tokens = _labelled(source, line_start, tokens) + value
        if tokens:
            yield Math(tuple(tokens), line_start, line_end, line_end)


#: a comment in code: # or // after a space or at the start of the line
_COMMENT = re.compile(r"(?:(?<=\s)|^)(?:#|//)", re.MULTILINE)
#: a comment that is a number alone (``x = w * a  # 0.3925``): the value the line printed
_VALUE_COMMENT = re.compile(
    r"(?:#|//)[ \t]*(?:[=≈→]|->|~)?[ \t]*([-−]?\d*\.\d+(?:[eE][-+−]?\d+)?)[ \t]*$"
)


def _commented_value(
    source: str, comment: re.Match | None, end: int, tokens: list[Token]
) -> list[Token]:
    """The value a comment gives an assignment, as one more link of its chain (``= 0.3925``):
    notebooks and blog posts note what each line printed beside it. Only for a line with
    one relation, and a comment that is a number and nothing else."""
    if comment is None or sum(t.kind == "rel" for t in tokens) != 1 or tokens[-1].kind == "rel":
        return []
    if tokens[-1].kind == "num" and tokens[-2].kind in ("rel", "op"):
        return []  # "lr = 0.5  # 0.1": a value given, and another noted: not its result
    value = _VALUE_COMMENT.match(source, comment.start(), end)
    if value is None:
        return []
    number = tokenize(source, value.start(1), value.end(1), math=True)
    relation = Token("rel", "=", comment.start(), comment.start() + 1)
    return [relation, *number]


def _depth(source: str, start: int, end: int) -> int:
    """How many more square brackets a line opens than it closes."""
    return source.count("[", start, end) - source.count("]", start, end)


_D_WORD = re.compile(r"d[A-Za-z]")


def _code(tokens: list[Token]) -> list[Token]:
    """Keyword arguments of code (``precision=6`` in ``f(precision=6)``) are no claims;
    a variable named for a derivative (``dE_dout_o1``, ``dout_h1_dnet_h1``) is that
    derivative (``dE/dout_o1``)."""
    tokens = _derivative_names(tokens)
    for index in range(2, len(tokens)):
        token = tokens[index]
        before = tokens[index - 2]
        keyword = before.kind == "lparen" or (before.kind == "sep" and before.text == ",")
        if token.kind == "rel" and tokens[index - 1].kind == "ident" and keyword:
            tokens[index] = token._replace(kind="sep")
    return tokens


def _derivative_names(tokens: list[Token]) -> list[Token]:
    """``dX_dY`` in code is ∂X/∂Y: in a run of words joined by underscores that opens with
    ``d`` and a letter, the first later word that opens so too starts the denominator."""
    tokens = list(tokens)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        run_start = index
        if (
            token.kind != "ident"
            or not _D_WORD.match(token.text)
            or (index and tokens[index - 1].kind == "op" and tokens[index - 1].text == "_")
        ):
            index += 1
            continue
        index += 1
        while index + 1 < len(tokens) and _joined(tokens[index], tokens[index + 1]):
            if _D_WORD.match(tokens[index + 1].text) and index > run_start:
                tokens[index] = tokens[index]._replace(text="/")
                break
            index += 2
        index += 1
    return tokens


def _joined(underscore: Token, word: Token) -> bool:
    """Whether `word` goes on a code name after `underscore` (``dE_dout``)."""
    is_underscore = underscore.kind == "op" and underscore.text == "_"
    return is_underscore and word.kind == "ident" and word.start == underscore.end


def _tabular(source: str, start: int, end: int, match: re.Match) -> Iterator[Block]:
    """A LaTeX table: rows at \\\\, cells at &, the first row the header."""
    body = match.end()
    closer = source.rfind("\\end", body, end)
    rows = []
    position = body
    for row_end in [m.start() for m in re.finditer(r"\\\\", source[body:closer])] + [None]:
        stop = closer if row_end is None else body + row_end
        cells = _split_cells(source, position, stop, "&")
        if any(source[a:b].strip() for a, b in cells):
            rows.append(cells)
        position = stop + 2
    if not rows:
        return
    header = tuple(_plain(source[a:b]) for a, b in rows[0])
    for cells in rows[1:]:
        yield TableRow(tuple(cells), header, cells[0][0], cells[-1][1], end)


_REGIONS = {
    "dollars": _display,
    "bracket": _display,
    "env": _display,
    "fence": _fence,
    "tabular": _tabular,
    "pagecode": _page_code,
    "pageout": _page_output,
}


def _line_spans(source: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Each line's start and end (before its break: \n, \r\n or a lone \r)."""
    position = start
    for match in _NEWLINE.finditer(source, start, end):
        yield position, match.start()
        position = match.end()
    if position < end:
        yield position, end


class _Spans:
    """Line spans read one at a time with one line of look-ahead: a document of ten
    million lines is never held as a list of them."""

    def __init__(self, spans: Iterator[tuple[int, int]]) -> None:
        self._spans = spans
        self._next = next(spans, None)

    def peek(self) -> tuple[int, int] | None:
        return self._next

    def take(self) -> tuple[int, int] | None:
        current, self._next = self._next, next(self._spans, None)
        return current


def _text_blocks(source: str, start: int, end: int) -> Iterator[Block]:
    """Ordinary lines between display blocks: headings, tables, sentences, inline math."""
    spans = _Spans(_line_spans(source, start, end))
    while (span := spans.take()) is not None:
        line_start, line_end = span
        line = source[line_start:line_end]
        after = spans.peek()
        following = source[after[0] : after[1]] if after else ""
        marked = line.rstrip().endswith(HEADER_ROW)
        if line.lstrip().startswith("|") and (marked or _TABLE_RULE.match(following)):
            yield from _markdown_table(source, span, spans, rule=not marked)
            continue
        heading = _heading(line, following)
        if heading is not None:
            level, title = heading
            yield Heading(level, title, line_start, line_end)
            if _SETEXT.match(following) and not line.lstrip().startswith("#"):
                spans.take()
            run_in = _run_in(line)
            if run_in is not None:  # \paragraph{Dati.} $x_1 = 0{,}05$, …: the rest is text
                yield from _line(source, line_start + run_in, line_end)
            continue
        yield from _line(source, line_start, line_end)


def _run_in(line: str) -> int | None:
    """Where the text after a LaTeX heading on the same line starts, if there is any: a
    ``\\paragraph{…}`` is a run-in heading, its paragraph goes on on its line."""
    match = _HEADING_TEX.search(line)
    if match is None or not line[match.end() :].strip():
        return None
    return match.end()


def _heading(line: str, following: str) -> tuple[int, str] | None:
    match = _HEADING_MD.match(line)
    if match:
        return len(match.group(1)), match.group(2)
    match = _HEADING_TEX.search(line)
    if match:
        return _TEX_LEVELS[match.group(1)], match.group(2)
    match = _FRAME.search(line)
    if match:
        return 5, match.group(1)
    stripped = line.strip()
    if (
        stripped
        and _SETEXT.match(following)
        and not stripped.startswith(("|", "-", "*", ">"))
        and len(stripped) < 120
        and not _RELATION_HINT.search(stripped)
    ):
        return (1 if following.strip().startswith("=") else 2), stripped
    return None


#: the most rows of a pipe table read before their claims are (a table has no closer)
TABLE_ROWS = 1_000


def _markdown_table(
    source: str, header: tuple[int, int], spans: _Spans, rule: bool = True
) -> Iterator[Block]:
    """A pipe table: the header row, the rule (none under an HTML table's header row), the
    data rows (in batches of `TABLE_ROWS`, each anchored after its last row)."""
    names = tuple(_plain(source[a:b]) for a, b in _pipe_cells(source, *header))
    if rule:
        spans.take()
    else:  # an HTML table's <tbody> and such take lines of their own, left blank
        while (after := spans.peek()) is not None and not source[after[0] : after[1]].strip():
            spans.take()
    rows: list[tuple[int, int]] = []
    while True:
        after = spans.peek()
        table_goes_on = after is not None and source[after[0] : after[1]].lstrip().startswith("|")
        if table_goes_on:
            rows.append(spans.take())
        if rows and (not table_goes_on or len(rows) == TABLE_ROWS):
            anchor = rows[-1][1]
            for line_start, line_end in rows:
                cells = _pipe_cells(source, line_start, line_end)
                yield TableRow(tuple(cells), names, line_start, line_end, anchor)
            rows = []
        if not table_goes_on:
            return


def _pipe_cells(source: str, start: int, end: int) -> list[tuple[int, int]]:
    line = source[start:end]
    offset = start + len(line) - len(line.lstrip())
    inner_start = offset + 1 if source[offset : offset + 1] == "|" else offset
    inner_end = end
    while inner_end > inner_start and source[inner_end - 1] in " \t" + HEADER_ROW:
        inner_end -= 1
    if source[inner_end - 1 : inner_end] == "|":
        inner_end -= 1
    return _split_cells(source, inner_start, inner_end, "|")


def _split_cells(source: str, start: int, end: int, separator: str) -> list[tuple[int, int]]:
    """Cell spans between unescaped separators, outside $…$ math."""
    cells, cell_start, in_math, position = [], start, False, start
    while position < end:
        char = source[position]
        if char == "\\":
            position += 2
            continue
        if char == "$":
            in_math = not in_math
        elif char == separator and not in_math:
            cells.append((cell_start, position))
            cell_start = position + 1
        position += 1
    cells.append((cell_start, end))
    return cells


def _plain(text: str) -> str:
    """A header cell as plain words (markup and math delimiters gone)."""
    return " ".join(re.sub(r"[$*_`{}]|\\(mathrm|text|textbf|emph)", " ", text).split())


def _line(source: str, start: int, end: int) -> Iterator[Block]:
    """A line of text: a sentence for the context, and its arithmetic if it has any."""
    yield Sentence(source[start:end], start, end)
    if not _RELATION_HINT.search(source, start, end):
        return
    for window_start, window_end in _windows(source, start, end):
        tokens = _labelled(source, start, unpacked(line_tokens(source, window_start, window_end)))
        if tokens:
            yield Math(tuple(tokens), window_start, window_end, end)


def _windows(source: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A very long line in windows of at most `LINE_LIMIT` characters, cut at spaces."""
    position = start
    while end - position > LINE_LIMIT:
        cut = source.rfind(" ", position + LINE_LIMIT // 2, position + LINE_LIMIT)
        cut = cut if cut > position else position + LINE_LIMIT
        yield position, cut
        position = cut
    yield position, end


_ROW_LABEL = re.compile(r"[ \t]*(\d{1,3})[ \t]+[(\[]")


def _labelled(source: str, line_start: int, tokens: list[Token]) -> list[Token]:
    """A row label fused to its formula: in ``6 (-0.3)(0.332) = -0.0996`` (a table of units
    copied as text) the ``6`` opening the line names the row, it is no factor."""
    if len(tokens) < 2 or tokens[0].kind != "num" or tokens[0].start == tokens[0].end:
        return tokens
    label = _ROW_LABEL.match(source, line_start)
    if label is None or label.end(1) != tokens[0].end:
        return tokens
    return [tokens[0]._replace(kind="label"), *tokens[1:]]


def line_tokens(source: str, start: int, end: int) -> list[Token]:
    """Tokens of a line, those inside inline math ($…$, \\(…\\)) marked as math."""
    tokens: list[Token] = []
    position = start
    for match in _INLINE.finditer(source, start, end):
        tokens.extend(tokenize(source, position, match.start(), math=False))
        group = "dollar" if match.group("dollar") is not None else "paren"
        tokens.extend(tokenize(source, match.start(group), match.end(group), math=True))
        position = match.end()
    tokens.extend(tokenize(source, position, end, math=False))
    return tokens
