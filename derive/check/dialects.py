"""HTML with MathML, and Typst → the LaTeX-flavoured text the reader knows, line for line.

derive writes its walkthroughs in formats whose mathematics is not LaTeX: the HTML page
carries MathML (``<msub><mi>w</mi><mn>1</mn></msub>``), the Typst source its own syntax
(``frac(partial E_("total"), partial w_(5))``). Rather than a second reader, each is
translated into text the reader already understands — ``$w_{1}$``,
``$\\frac{\\partial E_{\\text{total}}}{\\partial w_{5}}$`` — keeping every line where it
was, so that the line of a claim is its line in the document as given.

`dialect` tells which language a document is written in; `normalized` translates it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from derive.check.reader import (
    CODE_CLOSE,
    CODE_OPEN,
    HEADER_ROW,
    OUTPUT_CLOSE,
    OUTPUT_OPEN,
    is_latex,
)

_HTML = re.compile(r"\A\s*(?:<!doctype\s+html|<html)|<math[\s>]", re.IGNORECASE)
_TYPST = re.compile(r"^#(?:set|let|import|show)\s", re.MULTILINE)


def dialect(text: str) -> str:
    """``html``, ``typst``, ``latex`` or ``markdown`` (which covers plain text)."""
    head = text[:200_000]
    if _HTML.search(head):
        return "html"
    if _TYPST.search(head):
        return "typst"
    return "latex" if is_latex(text) else "markdown"


def normalized(text: str) -> str:
    """`text` in the reader's own language, with the same lines."""
    kind = dialect(text)
    if kind == "html":
        return html_to_text(text)
    if kind == "typst":
        return typst_to_text(text)
    return text


# -- HTML and MathML -----------------------------------------------------------------------
def html_to_text(html: str) -> str:
    """Tags dropped, headings marked ``#``, each ``<math>`` written as LaTeX on its line."""
    parser = _HtmlText(html.count("\n") + 1)
    # a page without MathML (a notebook or a blog exported with MathJax) keeps its TeX
    # between dollars: they mark its mathematics as in Markdown
    parser.dollars = re.search(r"<math[\s>]", html, re.IGNORECASE) is None
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # html.parser gives up on some junk; keep what it read
        pass
    return "\n".join("".join(line) for line in parser.lines)


#: not read: code, styles, and the drawings (SVG: pictures, whose labels the tests check)
_SKIPPED = frozenset(("script", "style", "annotation", "annotation-xml", "title", "head", "svg"))
_BREAKS = frozenset(("p", "div", "br", "li", "tr", "table", "section", "figure", "span"))
_VOID = frozenset(("br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed",
                   "source", "track", "wbr", "param"))  # fmt: skip
#: a <pre> inside one of these holds what a program printed (Jupyter's output areas)
_OUTPUT_CLASS = re.compile(r"output|RenderedText|stdout|stream", re.IGNORECASE)


class _HtmlText(HTMLParser):
    """Collects the text of each line; a MathML tree is rendered when it closes."""

    def __init__(self, lines: int) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[list[str]] = [[] for _ in range(lines)]
        self.skipping = 0
        self.math: list[list] | None = None  # a stack of [tag, children] while in <math>
        self.math_line = 0
        self.display = False
        self.dollars = False  # whether $…$ in the text is mathematics (MathJax), not prose
        self.pre = ""  # the mark of the <pre> being read (code or output), if any
        self.tags: list[str] = []  # the open elements, and their classes
        self.classes: list[str] = []
        self.row_cells: list[str] = []  # the cells (td, th) of the open <tr>

    def emit(self, text: str, line: int | None = None) -> None:
        line = (self.getpos()[0] if line is None else line) - 1
        if 0 <= line < len(self.lines):
            self.lines[line].append(text)

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "math":
            self.math = [["math", []]]
            self.math_line = self.getpos()[0]
            self.display = dict(attrs).get("display") == "block"
        elif self.math is not None:
            self.math.append([tag, []])
        elif re.fullmatch(r"h[1-6]", tag):
            self.emit("#" * int(tag[1]) + " ")
        elif tag in ("td", "th"):
            self.emit(" | ")
            self.row_cells.append(tag)
        elif tag == "pre" and not self.pre:
            classes = " ".join([*self.classes, dict(attrs).get("class") or ""])
            self.pre = OUTPUT_OPEN if _OUTPUT_CLASS.search(classes) else CODE_OPEN
            self.emit(self.pre)
        elif tag in _BREAKS and not self.pre:
            self.emit(" ")
        if tag == "tr":
            self.row_cells = []
        if tag not in _VOID:
            self.classes.append(dict(attrs).get("class") or "")
            self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "math" and self.math is not None:
            while len(self.math) > 1:
                self._close()
            latex = _mathml(self.math[0]).strip()
            self.math = None
            self.emit(f" $${latex}$$ " if self.display else f" ${latex}$ ", self.math_line)
        elif self.math is not None and len(self.math) > 1:
            self._close()
        elif tag == "pre" and self.pre:
            self.emit(CODE_CLOSE if self.pre == CODE_OPEN else OUTPUT_CLOSE)
            self.pre = ""
        elif tag == "tr" and self.row_cells and set(self.row_cells) == {"th"}:
            self.emit(" |" + HEADER_ROW)  # a row of <th> cells: the table's header
        elif tag in _BREAKS and not self.pre:
            self.emit(" ")
        if tag in self.tags:  # the elements it closes (HTML closes what is left open)
            depth = len(self.tags) - 1 - self.tags[::-1].index(tag)
            del self.tags[depth:], self.classes[depth:]

    def _close(self) -> None:
        node = self.math.pop()
        self.math[-1][1].append(node)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.math is not None:
            self.math[-1][1].append(data)
            return
        line = self.getpos()[0]
        for offset, piece in enumerate(data.split("\n")):
            self.emit(piece if self.dollars else piece.replace("$", " "), line + offset)


def _mathml(node) -> str:
    """One MathML element as LaTeX (text nodes are strings)."""
    if isinstance(node, str):
        return node
    tag, children = node
    render = _MATHML.get(tag, _row)
    return render([c for c in children if not (isinstance(c, str) and not c.strip())])


def _row(children: list) -> str:
    return " ".join(_mathml(child) for child in children)


def _identifier(children: list) -> str:
    text = "".join(c for c in children if isinstance(c, str)).strip()
    return text


def _operator(children: list) -> str:
    text = _identifier(children)
    return {"{": "\\{", "}": "\\}", "\u2061": " ", "\u2062": " "}.get(text, text)


def _text(children: list) -> str:
    return f"\\text{{{_identifier(children)}}}"


def _script(mark: str):
    def render(children: list) -> str:
        parts = [_mathml(c) for c in children]
        if len(parts) < 2:
            return "".join(parts)
        return f"{parts[0]}{mark}{{{parts[1]}}}"

    return render


def _subsup(children: list) -> str:
    parts = [_mathml(c) for c in children]
    if len(parts) < 3:
        return " ".join(parts)
    return f"{parts[0]}_{{{parts[1]}}}^{{{parts[2]}}}"


def _fraction(children: list) -> str:
    parts = [_mathml(c) for c in children]
    if len(parts) < 2:
        return " ".join(parts)
    return f"\\frac{{{parts[0]}}}{{{parts[1]}}}"


def _root(children: list) -> str:
    return f"\\sqrt{{{_row(children)}}}"


def _table(children: list) -> str:
    rows = [_mathml(row) for row in children]
    return "\\begin{aligned} " + " \\\\ ".join(rows) + " \\end{aligned}"


def _table_row(children: list) -> str:
    return " & ".join(_mathml(cell) for cell in children)


def _first(children: list) -> str:
    return _mathml(children[0]) if children else ""


_MATHML = {
    "mi": _identifier,
    "mn": _identifier,
    "mo": _operator,
    "mtext": _text,
    "ms": _text,
    "msub": _script("_"),
    "msup": _script("^"),
    "msubsup": _subsup,
    "mfrac": _fraction,
    "msqrt": _root,
    "mtable": _table,
    "mtr": _table_row,
    "mlabeledtr": _table_row,
    "mover": _first,
    "munder": _first,
    "munderover": _first,
    "semantics": _first,
    "mspace": lambda children: " ",
}


# -- Typst ------------------------------------------------------------------------------------
_TYPST_SYMBOLS = {
    "dot": "\\cdot", "times": "\\times", "partial": "\\partial", "approx": "\\approx",
    "eta": "\\eta", "alpha": "\\alpha", "delta": "\\delta", "sigma": "\\sigma",
    "lambda": "\\lambda", "epsilon": "\\epsilon", "Delta": "\\Delta", "dots": "\\dots",
    "arrow.l": "\\leftarrow", "minus": "-", "plus.minus": "\\pm", "dot.op": "\\cdot",
}  # fmt: skip
_TYPST_OPAQUE = frozenset(("mat", "cases", "vec"))
_TYPST_TRANSPARENT = frozenset(("lr", "upright", "bold", "italic", "abs", "norm", "display"))
_TYPST_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z]+)*")
#: Typst's decimal comma in math, ``0class("normal", ",")15`` (a comma without the space
#: a separator gets): read as LaTeX's ``0{,}15``, which the reader knows as a decimal comma
_TYPST_DECIMAL_COMMA = re.compile(r'(?<=\d)class\(\s*"normal"\s*,\s*","\s*\)(?=\d)')


def typst_to_text(text: str) -> str:
    """Headings ``=`` as ``#``, code lines dropped, tables as pipe tables, each ``$…$`` as
    LaTeX, line for line."""
    text = _typst_tables(text)
    pieces, position = [], 0
    for start, end in _math_spans(text):
        pieces.append(_typst_prose(text[position:start]))
        # an escaped slash is the division written on one line (∂E/∂w in a drawing)
        content = text[start + 1 : end].replace("\\/", "/")
        content = _TYPST_DECIMAL_COMMA.sub("{,}", content)
        latex = _TypstMath(content).convert()
        display = content[:1].isspace() or "\n" in content
        pieces.append(f"$${latex}$$" if display else f"${latex}$")
        position = end + 1
    pieces.append(_typst_prose(text[position:]))
    return "".join(pieces)


def _math_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of the ``$`` pairs (an escaped ``\\$`` and a ``//`` comment are not math)."""
    spans, opened, index = [], None, 0
    for match in re.finditer(r"\\\$|//[^\n]*|\$", text):
        if match.group() != "$":
            continue
        index = match.start()
        if opened is None:
            opened = index
        else:
            spans.append((opened, index))
            opened = None
    return spans


#: Typst's character escapes in running text (derive writes ``d\u{27}origine``)
_TYPST_ESCAPE = re.compile(r"\\u\{([0-9A-Fa-f]{1,6})\}")


def _typst_character(match: re.Match) -> str:
    """The escaped character, where it is one a sentence may hold: a newline or a dollar
    would change the lines or the math of the text read, so those stay as written."""
    code = int(match.group(1), 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or chr(code) in "\n\r$\\":
        return match.group()
    return chr(code)


def _typst_prose(text: str) -> str:
    text = _TYPST_ESCAPE.sub(_typst_character, text)
    lines = []
    for line in text.split("\n"):
        stripped = line.lstrip()
        heading = re.match(r"(=+)\s", stripped)
        if heading:
            line = "#" * len(heading.group(1)) + stripped[len(heading.group(1)) :]
        elif re.match(r"#(set|let|import|show)\b", stripped) or stripped.startswith("//"):
            line = ""
        lines.append(line)
    return "\n".join(lines)


_CELLS = re.compile(r"^\s*\(?\s*(\[[^\]\n]*\](?:\s*,\s*\[[^\]\n]*\])*)\s*,?\s*\)?\s*,?\s*$")


def _typst_tables(text: str) -> str:
    """``#booktabs(…,`` / ``([A], [B]),`` / ``[x], [y],`` rows → a Markdown pipe table.

    The header moves up onto the (dropped) line that opens the table and the rule takes
    its place, so every data row keeps its line.
    """
    lines = text.split("\n")
    for index in range(1, len(lines)):
        opening, header = lines[index - 1], _CELLS.match(lines[index])
        if header and re.match(r"\s*#?(?:align\(\w+,\s*)?(?:booktabs|table)\(", opening):
            if "[" in opening:
                continue  # the header shares the opening line: no room for the rule
            cells = re.findall(r"\[([^\]\n]*)\]", header.group(1))
            lines[index - 1] = "| " + " | ".join(cells) + " |"
            lines[index] = "|" + "---|" * len(cells)
            row = index + 1
            while row < len(lines) and _CELLS.match(lines[row]):
                cells = re.findall(r"\[([^\]\n]*)\]", lines[row])
                lines[row] = "| " + " | ".join(cells) + " |"
                row += 1
    return "\n".join(lines)


class _TypstMath:
    """Typst math → LaTeX: ``frac(a, b)``, ``x_(i)``, ``"net"``, ``dot``, ``\\`` rows."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def convert(self, stop: str = "") -> str:
        out: list[str] = []
        text = self.text
        while self.position < len(text):
            char = text[self.position]
            if stop and char in stop:
                break
            out.append(self.step(char))
        return "".join(out)

    def step(self, char: str) -> str:
        text = self.text
        if char == '"':
            end = text.find('"', self.position + 1)
            end = len(text) if end < 0 else end
            word = text[self.position + 1 : end]
            self.position = end + 1
            return f"\\text{{{word}}}"
        if char in "_^" and text[self.position + 1 : self.position + 2] == "(":
            self.position += 2
            inner = self.group(")")
            return f"{char}{{{inner}}}"
        if char == "\\" and text[self.position + 1 : self.position + 2] in (" ", "\n", ""):
            self.position += 1
            return " \\\\"
        if char == "(":
            self.position += 1
            return "(" + self.group(")") + ")"
        name = _TYPST_NAME.match(text, self.position)
        if name:
            return self.word(name.group())
        self.position += 1
        return char

    def group(self, closer: str) -> str:
        """The converted text up to the matching `closer` (which is consumed)."""
        inner = self.convert(stop=closer)
        self.position += 1
        return inner

    def arguments(self) -> list[str]:
        """The comma-separated arguments of a call, converted (the "(" already read)."""
        arguments = []
        while self.position < len(self.text):
            arguments.append(self.convert(stop=",)"))
            if self.position >= len(self.text) or self.text[self.position] == ")":
                self.position += 1
                break
            self.position += 1
        return arguments

    def word(self, name: str) -> str:
        self.position += len(name)
        text = self.text
        if text[self.position : self.position + 1] != "(":
            return _TYPST_SYMBOLS.get(name, name) + " "
        self.position += 1
        arguments = self.arguments()
        if name == "frac" and len(arguments) == 2:
            return f"\\frac{{{arguments[0]}}}{{{arguments[1]}}}"
        if name == "sqrt" and arguments:
            return f"\\sqrt{{{arguments[0]}}}"
        if name in _TYPST_OPAQUE:
            return "\\begin{cases} \\end{cases}"
        if name in _TYPST_TRANSPARENT:
            return ", ".join(arguments)
        command = f"\\{name}" if name in ("log", "ln", "exp", "tanh", "max", "min") else name
        return f"{command}(" + ", ".join(arguments) + ")"
