"""A document → its located claims: chains ``A = B = … = number`` and table rows.

A `Claim` keeps what a reader needs to point at it and what an auditor needs to judge
it: its 1-based line in the document as given, its original text, its links (each
with its own offsets, line, parsed expression and the relation before it), the quantity
it is about (in the classic names), and the context it was written in — before the
update, after it, or after N iterations of training, and for which sample.

Nothing here judges a number; `derive.check.audit` does that.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal

from derive.check.dialects import normalized
from derive.check.expression import (
    Apply,
    Derivative,
    Name,
    Node,
    Number,
    names_in,
    operations,
    parse,
)
from derive.check.lexer import Token, tokenize
from derive.check.names import Atom, Naming, Quantity
from derive.check.reader import (
    Block,
    Heading,
    Lines,
    Math,
    Sentence,
    TableRow,
    line_tokens,
    read_blocks,
)

#: how far back (in tokens) the left side of a relation is looked for
LEFT_WINDOW = 150
#: the most tokens a chain carried on over several lines gathers before it is read
#: (a document of nothing but "= = = …" would otherwise be held whole as one chain)
CHAIN_LIMIT = 4_000


@dataclass(frozen=True)
class Context:
    """Which network a claim is about: ``before`` or ``after`` the update, or ``trained``
    for `steps` updates; and which sample (None: the document does not say)."""

    phase: str = "before"
    steps: int | None = None
    sample: int | None = None


@dataclass(frozen=True)
class Link:
    """One side of a relation in a chain, as written, with its parsed expression."""

    text: str
    start: int
    end: int
    line: int
    node: Node | None
    relation: str = ""
    tokens: tuple[Token, ...] = ()


@dataclass(frozen=True)
class Claim:
    """A chain ``links[0] = links[1] = … = links[-1]`` (or a table row) found in a document.

    `kind` is ``chain`` (the last link is a number), ``formula`` (a formula of the
    network's quantities, no number) or ``table``. `anchor` is the line on which the block
    the claim sits in ends, after which an annotation can go.
    """

    line: int
    text: str
    links: tuple[Link, ...]
    quantity: Quantity | None
    context: Context
    kind: str
    start: int
    end: int
    anchor: int

    @property
    def stated(self) -> Number | None:
        """The number the claim ends with."""
        node = self.links[-1].node
        return node if isinstance(node, Number) else None


def read_claims(text: str, naming: Naming | None = None) -> tuple[Claim, ...]:
    """Every claim in `text`, in document order (quantities identified when `naming` is given)."""
    return tuple(iter_claims(text, naming))


def iter_claims(text: str, naming: Naming | None = None) -> Iterator[Claim]:
    """The claims of `text` one by one, so a long document is never held as claims at once.

    HTML (MathML) and Typst are read through their LaTeX-flavoured translation, which keeps
    every line where it was; the claims' texts are then in that translation.
    """
    text = normalized(text)
    return _Reader(text, naming).claims(read_blocks(text))


# -- context ---------------------------------------------------------------------------
_AFTER = re.compile(
    r"\b(?:forward|feed[- ]?forward|propagat\w*|pass|outputs?|errors?|network|compute)\b"
    r"[^.;:]{0,40}\bagain\b"
    r"|\bafter\s+(?:the\s+|this\s+|that\s+|one\s+|a\s+|1\s+|our\s+)?(?:first\s+)?(?:weight\s+)?"
    r"(?:updates?|updating|round|step|iteration|training step|epoch|backprop\w*|"
    r"gradient[- ]descent step)\b"
    r"|\bwith\s+the\s+(?:new|updated)\s+(?:weights|parameters|values|biases|network)\b"
    r"|\b(?:new|updated)\s+(?:weights|parameters|network|forward pass|outputs?|total error)\b"
    r"|\bsecond\s+forward\s+pass\b|\bafter\s+this\s+round\b",
    re.IGNORECASE,
)
_BEFORE = re.compile(
    r"\b(?:backwards?\s+pass|back-?propagation\b|original\s+(?:weights|parameters)|"
    r"initial\s+(?:weights|parameters|network)|before\s+the\s+update|first\s+forward\s+pass|"
    r"the\s+forward\s+pass(?!\s+again))",
    re.IGNORECASE,
)
_TRAINED = re.compile(
    r"\b(?:after|for)\s+(\d{1,3}(?:[ ,.]\d{3})+|\d+)\s*(k\s+)?(?:training\s+)?"
    r"(?:iterations?|steps?|updates?|epochs?|rounds?)\b"
    r"|\b(\d{1,3}(?:[ ,.]\d{3})+|\d+)\s*(k\s+)?(?:iterations?|steps?|epochs?)\s+"
    r"(?:later|of training)",
    re.IGNORECASE,
)
_SAMPLE = re.compile(r"\b(?:sample|training example|example)\s*(?:#|no\.?\s*)?(\d+)\b", re.I)
_ORDINAL_SAMPLE = re.compile(r"\b(first|second|third|fourth)\s+(?:sample|training example)\b", re.I)
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_BATCH = re.compile(
    r"\b(?:the|whole|mini-?)\s*batch\b|\bcombin\w*\s+the\s+samples\b|\ball\s+(?:the\s+)?samples\b",
    re.IGNORECASE,
)


def context_change(text: str) -> dict[str, object]:
    """What a heading or a sentence says about the context (only what it says)."""
    change: dict[str, object] = {}
    trained = _TRAINED.search(text)
    if trained:
        digits = trained.group(1) or trained.group(3)
        thousands = trained.group(2) or trained.group(4)
        steps = int(re.sub(r"[ ,.]", "", digits)) * (1000 if thousands else 1)
        change.update(phase="trained" if steps != 1 else "after", steps=steps)
    elif _AFTER.search(text):
        change["phase"] = "after"
    elif _BEFORE.search(text):
        change["phase"] = "before"
    mentions = [(m.start(), int(m.group(1))) for m in _SAMPLE.finditer(text)]
    mentions += [(m.start(), _ORDINALS[m.group(1).lower()]) for m in _ORDINAL_SAMPLE.finditer(text)]
    batch = [(m.start(), None) for m in _BATCH.finditer(text)]
    if mentions or batch:
        change["sample"] = max(mentions + batch, key=lambda m: m[0])[1]  # the last one said
    return change


def _apply(context: Context, change: dict[str, object]) -> Context:
    if "phase" in change and change["phase"] != "trained":
        change = {**change, "steps": None}
    return replace(context, **change)  # type: ignore[arg-type]


@dataclass
class _Contexts:
    """Headings set the context of their section (inherited by sub-sections); a sentence
    sets it for the rest of its section."""

    stack: list[tuple[int, Context]] = field(default_factory=list)
    local: Context | None = None

    @property
    def current(self) -> Context:
        if self.local is not None:
            return self.local
        return self.stack[-1][1] if self.stack else Context()

    def heading(self, level: int, text: str) -> None:
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        parent = self.stack[-1][1] if self.stack else Context()
        self.stack.append((level, _apply(parent, context_change(text))))
        self.local = None

    def sentence(self, text: str) -> None:
        change = context_change(text)
        if change:
            self.local = _apply(self.current, change)


# -- the reader --------------------------------------------------------------------------
class _Reader:
    def __init__(self, text: str, naming: Naming | None) -> None:
        self.text = text
        self.naming = naming
        self.lines = Lines.of(text)
        self.contexts = _Contexts()
        self.pending: _Pending | None = None
        self.line: tuple[Context, int, int] = (Context(), 0, 0)

    def claims(self, blocks: Iterable[Block]) -> Iterator[Claim]:
        for block in blocks:
            yield from getattr(self, f"on_{type(block).__name__}")(block)
        yield from self.flush()

    # -- blocks, by type ------------------------------------------------------------------
    def on_Heading(self, block: Heading) -> Iterator[Claim]:
        yield from self.flush()
        self.contexts.heading(block.level, block.text)

    def on_Sentence(self, block: Sentence) -> Iterator[Claim]:
        if not block.text.strip() or "=" not in block.text:
            yield from self.flush()
        self.line = (self.contexts.current, block.start, block.end)
        self.contexts.sentence(block.text)

    def on_Math(self, block: Math) -> Iterator[Claim]:
        tokens = list(block.tokens)
        if self.pending is not None and not block.display:
            previous = self.pending
            if _continues(previous.tokens, tokens) and len(previous.tokens) < CHAIN_LIMIT:
                previous.tokens.extend(tokens)
                previous.anchor, previous.end = block.anchor, block.end
                return
        yield from self.flush()
        if block.display:
            self.pending = _Pending(tokens, self.contexts.current, block.anchor)
            yield from self.flush()
            return
        context, start, end = self.line
        self.pending = _Pending(tokens, context, block.anchor, (start, end), end)

    def on_TableRow(self, block: TableRow) -> Iterator[Claim]:
        yield from self.flush()
        yield from _TableReader(self, block).claims()

    def flush(self) -> Iterator[Claim]:
        pending, self.pending = self.pending, None
        if pending is None:
            return
        claims = []
        for chain in _chains(pending.tokens):
            claim = self.claim(chain, pending.context, pending.anchor)
            if claim is not None:
                claims.append(claim)
        if pending.line is not None:
            claims = self.in_running_text(claims, pending)
        yield from claims

    def in_running_text(self, claims: list[Claim], pending: _Pending) -> list[Claim]:
        """Claims in a sentence take their context from the words around them:
        "for sample 1, $out = …$; for sample 2, $out = …$", "$E = 0.291$ (after the update)".

        What is said before a claim (since the claim before it) holds for it and for what
        follows; a remark after it, up to the end of its clause, holds for it alone.
        """
        text, context = self.text, pending.context
        start, end = pending.line[0], max(pending.line[1], pending.end)
        refined = []
        for index, claim in enumerate(claims):
            before_start = claims[index - 1].end if index else start
            after_end = claims[index + 1].start if index + 1 < len(claims) else end
            before = context_change(text[before_start : claim.start])
            after = context_change(_CLAUSE_END.split(text[claim.end : after_end], 1)[0])
            refined.append(replace(claim, context=_apply(context, {**after, **before})))
            context = _apply(context, before)
        return refined

    # -- chains → claims -----------------------------------------------------------------
    def link(self, tokens: list[Token], first: int, last: int, node: Node | None, rel: str) -> Link:
        start, end = tokens[first].start, tokens[last - 1].end
        return Link(
            self.text[start:end],
            start,
            end,
            self.lines.line(start),
            node,
            rel,
            tuple(tokens[first:last]),
        )

    def claim(self, chain: _Chain, context: Context, anchor: int) -> Claim | None:
        tokens = chain.tokens
        links = tuple(self.link(tokens, a, b, node, rel) for rel, a, b, node in chain.links)
        if len(links) < 2:
            return None
        stated = links[-1].node
        quantity = self.quantity(links, chain) if self.naming else None
        if isinstance(stated, Number):
            kind = "chain"
        elif quantity is not None and any(self.checkable(link.node) for link in links[1:]):
            kind = "formula"
        else:
            return None
        start, end = links[0].start, links[-1].end
        text = " ".join(self.text[start:end].split())
        return Claim(
            links[0].line,
            text,
            links,
            quantity,
            context,
            kind,
            start,
            end,
            self.lines.line(max(anchor, end)),
        )

    def quantity(self, links: tuple[Link, ...], chain: _Chain) -> Quantity | None:
        """The quantity the chain is about: its first link's name (or the first that is one)."""
        first = links[0]
        quantity = self.name_of(first.node) if first.node is not None else None
        if quantity is None:
            return None
        if chain.after_prose and _is_bare_neuron(first.node):
            return None  # "the net input of h1 = 0.3775": h1 is not the quantity here
        updating = any(link.relation == "←" for link in links) or any(
            operations(link.node) for link in links[1:] if link.node is not None
        )
        if quantity.is_parameter and updating:
            return Quantity("updated", quantity.name + "+", quantity.key)
        return quantity

    def checkable(self, node: Node | None) -> bool:
        """A formula in quantities of this network only (E = ½(target − out)² is not)."""
        names = names_in(node) if node is not None and operations(node) else []
        return bool(names) and all(self.name_of(name) is not None for name in names)

    def name_of(self, node: Node | None) -> Quantity | None:
        if isinstance(node, Name):
            return self.naming.quantity(node.atom)
        if isinstance(node, Derivative):
            return self.naming.derivative(node.of, node.wrt)
        return None


def _continues(previous: list[Token], tokens: list[Token]) -> bool:
    """A line that carries on the previous one: ``= 0.3775`` under ``net_h1 =``, or a
    formula broken after an operator (``… + 0.45 × 0.5969 +`` / ``0.6 × 1 = 1.1059``)."""
    first, last = tokens[0], previous[-1]
    if first.kind == "rel" or last.kind == "rel":
        return True
    if last.kind == "op" and last.text in "+-*/":
        return True
    return first.kind == "op" and first.text in "+*/"


def _is_bare_neuron(node: Node | None) -> bool:
    return isinstance(node, Name) and re.fullmatch(r"[ho]\d+", node.atom.base) is not None


_CLAUSE_END = re.compile(r"[.;](?:\s|$)")


@dataclass
class _Pending:
    """Tokens waiting to be read as claims (a line may go on on the next one): the context
    they were written in, and for running text the line's span."""

    tokens: list[Token]
    context: Context
    anchor: int
    line: tuple[int, int] | None = None
    end: int = 0


# -- chains in a token list -----------------------------------------------------------------
@dataclass
class _Chain:
    tokens: list[Token]
    links: list[tuple[str, int, int, Node | None]] = field(default_factory=list)
    after_prose: bool = False


_STARTS = frozenset(
    ("num", "ident", "greek", "lparen", "lbrace", "frac", "partial", "func", "sqrt", "op", "opaque")
)


def _chains(tokens: list[Token]) -> Iterator[_Chain]:
    """Every chain of relations in `tokens`: ``A = B = … = C``, each side an expression."""
    relations = [i for i, t in enumerate(tokens) if t.kind == "rel"]
    consumed = 0
    chain: _Chain | None = None
    for r in relations:
        if r < consumed:
            continue
        if chain is not None and chain.links and chain.links[-1][2] == r:
            pass  # the chain goes on
        else:
            if chain is not None:
                yield chain
            chain = _start_chain(tokens, consumed, r)
            if chain is None:
                consumed = r + 1
                continue
        right = parse(tokens, r + 1)
        if right is None:
            yield chain
            chain, consumed = None, r + 1
            continue
        node, end = right
        node, end, cut = _cut(tokens, node, r + 1, end)
        chain.links.append((tokens[r].text, r + 1, end, node))
        consumed = end
        if cut:
            yield chain
            chain = None
    if chain is not None:
        yield chain


def _start_chain(tokens: list[Token], lower: int, r: int) -> _Chain | None:
    """A chain's first link: the longest expression ending right before relation `r`."""
    window = max(lower, r - LEFT_WINDOW)
    boundary, depth = r, 0
    while boundary > window:
        kind = tokens[boundary - 1].kind
        if kind in ("rbrace", "rparen"):
            depth += 1
        elif kind in ("lbrace", "lparen"):
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and kind in ("sep", "rowsep", "rel"):
            break
        boundary -= 1
    for start in range(boundary, r):
        if tokens[start].kind not in _STARTS:
            continue
        parsed = parse(tokens, start, r)
        if parsed is not None and parsed[1] == r:
            chain = _Chain(tokens, [("", start, r, parsed[0])])
            before = tokens[start - 1] if start > 0 else None
            chain.after_prose = before is not None and before.kind == "ident" and not before.math
            return chain
    if r > window and tokens[r - 1].kind == "ident" and not tokens[r - 1].math:
        return _Chain(tokens, [("", r - 1, r, None)])  # a word we do not know: "Total = 0.3"
    return None


def _cut(tokens: list[Token], node: Node, first: int, end: int) -> tuple[Node, int, bool]:
    """``w5 = 0.4 w6 = 0.45``, ``E = 0.298 E_o1 = …``: a number followed by a new name.

    A number juxtaposed with a name that starts the next claim is read as the end of
    this chain, not as a product; likewise a chain's last link ``0.2984 E_o1 is …``.
    """
    if not (isinstance(node, Apply) and node.op == "mul" and node.juxtaposed):
        return node, end, False
    left, right = node.args
    if not isinstance(left, Number) or not isinstance(right, Name | Derivative):
        return node, end, False
    following = tokens[end] if end < len(tokens) else None
    index = bisect_left([t.start for t in tokens], right.start, first, end)
    if following is None or following.kind != "rel" or tokens[index].math:
        return node, end, False  # in math, "2 w_5 = 0.8" is a product
    parsed = parse(tokens, first, index)
    if parsed is not None and parsed[1] == index:
        return parsed[0], index, True
    return node, end, False


# -- tables ------------------------------------------------------------------------------------
_COLUMNS = (
    ("gradient", re.compile(r"∂|\\partial|grad|\bd ?E\b|derivative|dE/d", re.I)),
    ("updated", re.compile(r"\bafter\b|\bnew\b|updated|\+|\bw\^?\+|⁺", re.I)),
    ("target", re.compile(r"\btarget|\bexpected|\bdesired", re.I)),
    ("net", re.compile(r"\bnet\b|\bz\b", re.I)),
    ("out", re.compile(r"\bout(put)?s?\b|\bprediction|\bactivation|\ba\b", re.I)),
    ("error", re.compile(r"\berror|\bloss", re.I)),
    ("value", re.compile(r"\bvalue|\bbefore\b|\bold\b|\binitial|\bgiven|\boriginal", re.I)),
)


class _TableReader:
    """One table row: the first cell names a quantity (or a neuron), the header says what
    each number is (the value, the gradient, the value after the update, …)."""

    def __init__(self, reader: _Reader, row: TableRow) -> None:
        self.reader = reader
        self.row = row

    def claims(self) -> Iterator[Claim]:
        reader, row = self.reader, self.row
        yield from self.cells_with_claims()
        if reader.naming is None or len(row.cells) < 2:
            return
        name_start, name_end = row.cells[0]
        steps = _STEP_COUNT.fullmatch(reader.text[name_start:name_end].strip())
        if steps:
            value = Decimal(steps.group().replace(",", "").replace(" ", ""))
            yield from self.history(Number(str(value), value, 0, name_start, name_end))
            return
        name_tokens = tokenize(reader.text, name_start, name_end, math=True)
        parsed = parse(name_tokens, 0) if name_tokens else None
        if parsed is None or parsed[1] != len(name_tokens):
            return
        if isinstance(parsed[0], Number):
            yield from self.history(parsed[0])
            return
        for column, (start, end) in enumerate(row.cells[1:], start=1):
            header = row.header[column] if column < len(row.header) else ""
            claim = self.cell(parsed[0], name_tokens, header, start, end)
            if claim is not None:
                yield claim

    def cells_with_claims(self) -> Iterator[Claim]:
        r"""Cells that hold claims of their own: ``$\mathrm{out}_{o_1}$ = 0.0159``."""
        reader = self.reader
        for column, (start, end) in enumerate(self.row.cells):
            if "=" not in reader.text[start:end]:
                continue
            context = self.context(column)
            for chain in _chains(line_tokens(reader.text, start, end)):
                claim = reader.claim(chain, context, self.row.anchor)
                if claim is not None:
                    yield claim

    def history(self, step: Number) -> Iterator[Claim]:
        """A row of a training history: ``| 500 | 0.00267 |`` under ``| Step | E_total |``."""
        row, reader = self.row, self.reader
        if not (row.header and _STEPS.search(row.header[0])) or step.value != int(step.value):
            return
        context = replace(reader.contexts.current, phase="trained", steps=int(step.value))
        if step.value == 0:
            context = replace(context, phase="before", steps=None)
        for column, (start, end) in enumerate(row.cells[1:], start=1):
            header = row.header[column] if column < len(row.header) else ""
            header_tokens = tokenize(header, 0, len(header), math=True)
            parsed = parse(header_tokens, 0) if header_tokens else None
            if parsed is None or parsed[1] != len(header_tokens):
                continue
            claim = self.cell(parsed[0], (), header, start, end, context)
            if claim is not None:
                yield claim

    def context(self, column: int) -> Context:
        """The context of a column: the section's, changed by what its header says."""
        header = self.row.header[column] if column < len(self.row.header) else ""
        change = context_change(header)
        if "phase" not in change and _STARTING.search(header):
            change["phase"] = "before"
        return _apply(self.reader.contexts.current, change)

    def cell(
        self,
        name: Node,
        name_tokens,
        header: str,
        start: int,
        end: int,
        context: Context | None = None,
    ) -> Claim | None:
        reader = self.reader
        tokens = tokenize(reader.text, start, end, math=True)
        parsed = parse(tokens, 0) if tokens else None
        if parsed is None or not isinstance(parsed[0], Number):
            return None
        if context is None:
            column = self.row.header.index(header) if header in self.row.header else 99
            context = self.context(column)
        if not name_tokens:  # a history row: the quantity is named by the header
            name_tokens = [Token("ident", header, start, start)]
        kind = "value" if context.phase == "trained" else _column(header)
        quantity = self.quantity(name, kind)
        if quantity is None:
            return None
        lines = reader.lines
        name_link = Link(
            reader.text[name_tokens[0].start : name_tokens[-1].end],
            name_tokens[0].start,
            name_tokens[-1].end,
            lines.line(name_tokens[0].start),
            name,
            "",
            tuple(name_tokens),
        )
        number = parsed[0]
        value_link = Link(
            reader.text[number.start : number.end],
            number.start,
            number.end,
            lines.line(number.start),
            number,
            "=",
            tuple(tokens[: parsed[1]]),
        )
        text = " ".join(reader.text[self.row.start : self.row.end].split())
        return Claim(
            name_link.line,
            text,
            (name_link, value_link),
            quantity,
            context,
            "table",
            self.row.start,
            self.row.end,
            reader.lines.line(self.row.anchor),
        )

    def quantity(self, name: Node, column: str | None) -> Quantity | None:
        """What a cell of this row is: the row's quantity, its gradient, its updated value,
        or a quantity of the row's neuron (``| o1 | … |`` under ``| output | target |``)."""
        naming = self.reader.naming
        quantity = self.reader.name_of(name)
        if column == "gradient":
            if quantity is None or not quantity.is_parameter:
                return None
            return naming.derivative(Atom("E"), Atom(quantity.name))
        if column == "updated" and quantity is not None and quantity.is_parameter:
            return Quantity("updated", quantity.name + "+", quantity.key)
        if column in _OF_NEURON:
            # the column names a quantity of the row's neuron: never the row's own one
            neuron = _neuron_of(quantity)
            if neuron is None and isinstance(name, Name):
                neuron = name.atom.base + name.atom.sub
            return naming.quantity(Atom(_OF_NEURON[column], neuron)) if neuron else None
        return quantity


_OF_NEURON = {"target": "target", "net": "net", "out": "out", "error": "E"}


def _neuron_of(quantity: Quantity | None) -> str | None:
    """The neuron a quantity belongs to: h1 for net_h1 or out_h1, o2 for E_o2."""
    if quantity is None or quantity.kind not in ("net", "out", "error", "target"):
        return None
    return quantity.name.split("_", 1)[1]


_STEP_COUNT = re.compile(r"\d{1,3}(?:[, ]\d{3})+|\d+")
_STEPS = re.compile(r"\b(step|iteration|epoch|update)s?\b", re.IGNORECASE)
_STARTING = re.compile(r"\b(start|initial|before|old|original|given)\b", re.IGNORECASE)


def _column(header: str) -> str | None:
    for name, pattern in _COLUMNS:
        if pattern.search(header):
            return name
    return None
