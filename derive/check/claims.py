"""A document → its located claims: chains ``A = B = … = number`` and table rows.

A `Claim` keeps what a reader needs to point at it and what an auditor needs to judge
it: its 1-based line in the document as given, its original text, its links (each
with its own offsets, line, parsed expression and the relation before it), the quantity
it is about (in the classic names), and the context it was written in — before the
update, after it, or after N iterations of training, and for which sample.

Nothing here judges a number; `derive.check.audit` does that.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import pairwise

from derive.check.dialects import normalized
from derive.check.expression import (
    Apply,
    Derivative,
    Matrix,
    Name,
    Node,
    Number,
    Opaque,
    names_in,
    operations,
    parse,
    written,
)
from derive.check.lexer import Token, tokenize
from derive.check.names import Atom, Naming, Quantity
from derive.check.notation import written_name
from derive.check.prose import BECOMES, CHANGED, WAS, said_in_prose
from derive.check.reader import (
    Block,
    Heading,
    Lines,
    Math,
    Sentence,
    TableRow,
    decimal_comma,
    line_tokens,
    read_blocks,
    with_braced_commas_read,
    with_decimal_points,
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
    network's quantities, no number), ``table``, or ``ambiguous`` (the last link is a number
    such as ``0,5999`` that may be written with a decimal comma: never judged). `anchor` is
    the line on which the block the claim sits in ends, after which an annotation can go.
    `label` is a row label written before the claim's formula (the ``6`` of ``6 (-0.3)(0.332)
    = -0.0996`` in a table of units), for the notation to read.
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
    label: str = ""

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
    shown = normalized(text)
    source = with_braced_commas_read(shown)
    # a braced comma (0{,}5999) is a decimal comma too: judged before it is read as a point
    source = with_decimal_points(source) if decimal_comma(shown) else source
    reader = _Reader(source, naming, shown)
    reader.layout = matrix_layout(source)
    return reader.claims(read_blocks(source))


# -- matrices ---------------------------------------------------------------------------
_SCRIPTS = r"(?:\[[^\]\n]{1,6}\]|[_^]\{[^}\n]{1,12}\}|[_^][\w(\[\])]{1,4}|\d)*"
_WEIGHT = rf"(?:W|\\mathbf\{{W\}}|\\boldsymbol\{{W\}}|\\theta|Θ){_SCRIPTS}"
_VECTOR = rf"(?:[xahXAH]|\\mathbf\{{[xahXAH]\}}|\\boldsymbol\{{[xah]\}}){_SCRIPTS}"
_TIMES = r"\s*(?:\\cdot|·|\*|@|×|\\times)?\s*"
_DELTA = rf"(?:\\delta|δ|dZ|delta){_SCRIPTS}"
_TRANSPOSED = r"(?:(?:\\right)?\)?\s*\^\s*\{?(?:T|\\top|⊤)\}?|\.T\b)"
_OPEN = r"(?:\\left)?\(?\s*"
#: each pattern opens with the characters its matches can begin with (the regular expression
#: engine then skips every other position at once, instead of trying each alternative there)
_COLUMN_LAYOUT = re.compile(
    r"(?=[W\\Θ(\sδd])(?:"
    rf"(?<![\w\\]){_WEIGHT}{_TIMES}{_VECTOR}(?![\w(])"
    rf"|{_OPEN}{_WEIGHT}{_TRANSPOSED}{_TIMES}{_DELTA}"  # Wᵀ δ
    rf"|{_DELTA}{_TIMES}{_OPEN}{_VECTOR}{_TRANSPOSED}"  # δ aᵀ
    ")"
)
_ROW_LAYOUT = re.compile(
    r"(?=[xahXAH\\ndδ(\s])(?:"
    rf"(?<![\w\\]){_VECTOR}{_TIMES}{_WEIGHT}(?![\w(])|\b(?:np\.)?dot\(\s*[xahXA]\w*\s*,\s*W"
    r"|\b[xahXA]\w*\.dot\(\s*W"
    rf"|{_DELTA}{_TIMES}{_OPEN}{_WEIGHT}{_TRANSPOSED}"  # δ Wᵀ
    rf"|{_OPEN}{_VECTOR}{_TRANSPOSED}{_TIMES}{_DELTA}"  # aᵀ δ
    ")"
)


@functools.lru_cache(maxsize=2)
def matrix_layout(text: str) -> str:
    """How the document multiplies a weight matrix: ``column`` for ``W x`` (``W^{[1]} a^{[0]}``,
    a weight matrix's rows are destination neurons), ``row`` for ``x W`` (``X @ W1``,
    ``np.dot(a1, W2)``, its rows are source neurons), ``""`` when it does not say or says both
    about as often. Read once over the whole text: one pass of each pattern (remembered
    for the text last asked about, which is read again when its notation is learned)."""
    column = sum(1 for _ in _COLUMN_LAYOUT.finditer(text, 0, 2_000_000))
    row = sum(1 for _ in _ROW_LAYOUT.finditer(text, 0, 2_000_000))
    if column > 2 * row:
        return "column"
    if row > 2 * column:
        return "row"
    return ""


# -- context ---------------------------------------------------------------------------
_AFTER = re.compile(
    r"\b(?:forward|feed[- ]?forward|propagat\w*|pass|outputs?|errors?|network|compute)\b"
    r"[^.;:]{0,40}\bagain\b"
    r"|\bafter\s+(?:the\s+|this\s+|that\s+|one\s+|a\s+|1\s+|our\s+)?(?:first\s+)?(?:weight\s+)?"
    r"(?:updates?|updating|round|step|iteration|training step|epoch|backprop\w*|"
    r"gradient[- ]descent step)\b"
    r"|\bwith\s+the\s+(?:new|updated)\s+(?:weights|parameters|values|biases|network)\b"
    r"|\b(?:new|updated)\s+(?:weights|parameters|network|forward pass|outputs?|total error)\b"
    r"|\bsecond\s+forward\s+pass\b|\bafter\s+this\s+round\b"
    # German, French, Spanish: "erneut", "de nouveau", "de nuevo"; the updated parameters
    r"|\b(?:Vorwärtsdurchlauf|propagation\s+avant|propagación\s+hacia\s+adelante)\b"
    r"[^.;:]{0,20}\b(?:erneut|noch\s+einmal|de\s+nouveau|à\s+nouveau|de\s+nuevo|otra\s+vez)\b"
    r"|\baktualisierten\s+(?:Gewichten|Parametern|Werten)\b"
    # the new weights in es, fr, de, pt, it: "con los pesos nuevos", "avec les nouveaux poids"
    r"|\b(?:nuevos\s+pesos|pesos\s+nuevos|nouveaux\s+poids|neuen\s+Gewichten?|"
    r"novos\s+pesos|pesos\s+novos|pesos\s+atualizados|nuovi\s+pesi|pesi\s+(?:nuovi|aggiornati))\b"
    r"|\bnach\s+(?:der|dem)\s+(?:Aktualisierung|Update|Schritt)\b"
    r"|\b(?:paramètres|poids)\s+mis\s+à\s+jour\b|\baprès\s+la\s+mise\s+à\s+jour\b"
    r"|\b(?:parámetros|pesos)\s+actualizados\b|\bdespués\s+de\s+la\s+actualización\b",
    re.IGNORECASE,
)
_BEFORE = re.compile(
    r"\b(?:backwards?\s+pass|back-?propagation\b|original\s+(?:weights|parameters)|"
    r"initial\s+(?:weights|parameters|network)|before\s+the\s+update|first\s+forward\s+pass|"
    r"the\s+forward\s+pass(?!\s+again)|"
    r"R(?:ü|ue)ckwärtsdurchlauf|R(?:ü|ue)ckpropagierung|rétropropagation|retropropagación|"
    r"ursprünglichen\s+Gewichte|poids\s+d'origine|pesos\s+originales|"
    # "Vor der Aktualisierung", "Avant la mise à jour", "Antes de la actualización"
    r"\bvor\s+(?:der|dem)\s+(?:Aktualisierung|Update|Schritt)\b|"
    r"\bavant\s+(?:la\s+mise\s+à\s+jour|l'actualisation)|\bantes\s+de\s+la\s+actualización)",
    re.IGNORECASE,
)
_TRAINED = re.compile(
    r"\b(?:after|for)\s+(\d{1,3}(?:[ ,.\u202f\u00a0]\d{3})+|\d+)\s*(k\s+)?(?:training\s+)?"
    r"(?:iterations?|steps?|updates?|epochs?|rounds?)\b"
    # German, French, Spanish: "nach 1.000 Schritten", "après 1 000 pas", "tras 1.000 pasos"
    r"|\b(?:nach|über|après|sur|tras|durante|después\s+de)\s+"
    r"(\d{1,3}(?:[ ,.\u202f\u00a0]\d{3})+|\d+)\s*"
    r"(?:Schritten|Schritte|Iterationen|Epochen|pas|itérations|époques|pasos|iteraciones|épocas)\b"
    r"|\b(\d{1,3}(?:[ ,.]\d{3})+|\d+)\s*(k\s+)?(?:iterations?|steps?|epochs?)\s+"
    r"(?:later|of training)"
    # "repeat this 10,000 times", "train it for 10000 epochs"; Chinese "迭代 10000 次后"
    r"|\b(?:repeat\w*|run\w*|iterat\w*|train\w*|do\w*)\s+(?:this|it|that|the\s+\w+)\s+"
    r"(?:for\s+)?(\d{1,3}(?:[ ,.]\d{3})+|\d+)\s*(k\s+)?(?:times|iterations|epochs|steps)\b"
    r"|迭代\s*(\d+)\s*次",
    re.IGNORECASE,
)
_SAMPLE = re.compile(
    r"\b(?:sample|training example|example|Beispiel|exemple|ejemplo)\s*(?:#|no\.?\s*)?(\d+)\b", re.I
)
_ORDINAL_SAMPLE = re.compile(r"\b(first|second|third|fourth)\s+(?:sample|training example)\b", re.I)
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_BATCH = re.compile(
    r"\b(?:the|whole|mini-?)\s*batch\b|\bcombin\w*\s+the\s+samples\b|\ball\s+(?:the\s+)?samples\b",
    re.IGNORECASE,
)


_WORD = re.compile(r"[A-Za-z]{4}")


def context_change(text: str) -> dict[str, object]:
    """What a heading or a sentence says about the context (only what it says).

    Short texts (most sentences, the words between two claims) are remembered: documents
    say the same things again, and the reader asks about some texts more than once."""
    if len(text) > _REMEMBERED:
        return _context_change(text)
    return dict(_remembered_change(text))


#: texts up to this long (`PROSE_WINDOW`) have their context change remembered (a few
#: thousand of them)
_REMEMBERED = 1_000


@functools.lru_cache(maxsize=4096)
def _remembered_change(text: str) -> dict[str, object]:
    return _context_change(text)


#: a negation just before a phrase ("… et non les poids mis à jour", "not the updated
#: weights", "nicht die aktualisierten Gewichte") says the opposite of the phrase
_NEGATED = re.compile(
    r"\b(?:not|never|nicht|nie|non|pas|jamais|no|nunca)\s+(?:\w+\s+){0,2}$", re.IGNORECASE
)


def _said_after(text: str) -> bool:
    """Whether `text` says it is after the update: one of its phrases, not negated."""
    return any(
        _NEGATED.search(text, max(0, m.start() - 30), m.start()) is None
        for m in _AFTER.finditer(text)
    )


def _context_change(text: str) -> dict[str, object]:
    change: dict[str, object] = {}
    if _WORD.search(text) is None:  # every phrase below has a word of four letters or more
        return change
    trained = _TRAINED.search(text)
    if trained:
        # each alternative's digits and its "k": English, de/fr/es, "… later", "repeat …", 迭代
        digits, thousands = next(
            (trained.group(d), trained.group(k) if k else None)
            for d, k in ((1, 2), (3, None), (4, 5), (6, 7), (8, None))
            if trained.group(d)
        )
        steps = int(re.sub(r"[ ,.\u202f\u00a0]", "", digits)) * (1000 if thousands else 1)
        change.update(phase="trained" if steps != 1 else "after", steps=steps)
    elif _said_after(text):
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
    if not change:
        return context
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
    def __init__(self, text: str, naming: Naming | None, shown: str | None = None) -> None:
        self.text = text
        self.shown = text if shown is None else shown  # as written (decimal commas kept)
        self.layout = ""
        self.vector: Atom | None = None  # the vector a heading names, for element lines
        self.table: tuple | None = None  # the table being read, and its row
        self.table_row = 0
        self.naming = naming
        self.lines = Lines.of(text)
        self.contexts = _Contexts()
        self.pending: _Pending | None = None
        self.line: tuple[Context, int, int] = (Context(), 0, 0)
        self.quoted = False  # whether the last sentence was quoted (``> …``)
        self.previous: Sentence | None = None  # the line of prose just before, if any
        self.was: dict[int, tuple[int, int]] = {}  # a value's end → "(was …)" after it
        self.held: list[Claim] = []  # claims in the words of a line whose formulas are pending

    def claims(self, blocks: Iterable[Block]) -> Iterator[Claim]:
        for block in blocks:
            for claim in getattr(self, f"on_{type(block).__name__}")(block):
                yield claim
                yield from self.earlier_value(claim)
        for claim in self.flush():
            yield claim
            yield from self.earlier_value(claim)

    def earlier_value(self, claim: Claim) -> Iterator[Claim]:
        """``E_total = 0.2910 (was 0.2984)`` after the update: the number in parentheses is
        the same quantity's value before it."""
        stated = claim.links[-1]
        if claim.kind != "chain" or claim.context.phase != "after" or not self.was:
            return
        earlier = self.was.pop(stated.end, None)
        if earlier is None:
            return
        number = parse(tokenize(self.text, *earlier, math=True), 0)
        if number is None or not isinstance(number[0], Number):
            return
        value = self.link_at(*earlier, number[0], "=")
        text = f"{' '.join(claim.links[0].text.split())} = {value.text} (before)"
        context = replace(claim.context, phase="before", steps=None)
        yield replace(claim, line=value.line, text=text, links=(claim.links[0], value),
                      context=context, start=earlier[0], end=earlier[1])  # fmt: skip

    # -- blocks, by type ------------------------------------------------------------------
    def on_Heading(self, block: Heading) -> Iterator[Claim]:
        yield from self.flush()
        self.contexts.heading(block.level, block.text)
        self.vector = _array_name(block.text)

    def on_Sentence(self, block: Sentence) -> Iterator[Claim]:
        if not block.text.strip() or "=" not in block.text:
            yield from self.flush()
        quoted = block.text.lstrip().startswith(">")
        if quoted and not self.quoted:  # a quoted message is another writer's: not our "after"
            self.contexts.local = None
        self.quoted = quoted
        self.line = (self.contexts.current, block.start, block.end)
        if not _LIST_ITEM.match(block.text):
            announced = _ELEMENTWISE.search(block.text) or block.text.rstrip().endswith(":")
            named = _array_name(block.text) if announced else None
            if named is not None:
                self.vector = named
        # a line with a relation may say something in words too ("… $\\hat{y} = 0,6820$ y el
        # error baja de / 0,0181 a 0,0166"): its prose is read, its numbers in words only, and
        # held until its formulas are read, to come out in the order written
        if _RELATION_HINT.search(block.text):
            self.held.extend(self.in_prose(block))
            for m in WAS.finditer(block.text):  # kept until its line's claims are read
                self.was[block.start + m.end("value")] = (block.start + m.start("was"),
                                                          block.start + m.end("was"))  # fmt: skip
        else:
            yield from self.in_prose(block)
        self.contexts.sentence(block.text)
        self.previous = block if block.text.strip() else None

    def in_prose(self, block: Sentence) -> Iterator[Claim]:
        """Claims written in words: "the error was 0.0317292 and is now 0.0314531" — on one
        line, or carried over a line break ("the total error comes / out to 0.2910")."""
        if self.naming is None or _DECIMAL_DIGIT.search(block.text) is None:
            return  # every claim read here has its number on this line, with decimals
        previous = self.previous
        yield from self.prose_in(block, block.text, lambda offset: block.start + offset, 0)
        if previous is None or block.start - previous.end > 1 or not block.text.strip():
            return  # only the line right before carries on into this one
        joined = f"{previous.text} {block.text}"
        split = len(previous.text)

        def position(offset: int) -> int:
            return previous.start + offset if offset < split else block.start + offset - split - 1

        yield from self.prose_in(block, joined, position, split)

    def prose_in(self, block: Sentence, text: str, position, split: int) -> Iterator[Claim]:
        """The claims of `text` (`position` maps its offsets into the document); with a
        `split`, only those whose subject comes before it and whose numbers after it."""
        for subject, atom, values, gradient in said_in_prose(text):
            if split and not (subject[0] < split < values[0][1]):
                continue
            changed = len(values) > 1 and CHANGED.search(values[-1][0])
            for index, (verb, start, end) in enumerate(values):
                change = context_change(_said_before(text, start))
                if changed:  # "was …, and is now …": before the change, then after it
                    change["phase"] = "after" if index else "before"
                elif index and verb.lower().startswith("was") and values[0][0].lower() != "was":
                    change["phase"] = "before"  # "comes out to 0.2910 (it was 0.2984)"
                elif _becomes(verb, _apply(self.contexts.current, change)):
                    change["phase"] = "after"  # "w5 becomes 0.3589", "tombe à 0,2910"
                span = (position(subject[0]), position(subject[1]))
                claim = self.prose_claim(block, atom, span, position(start), position(end),
                                         gradient)  # fmt: skip
                if claim is not None:
                    yield replace(claim, context=_apply(claim.context, change))

    def prose_claim(
        self,
        block: Sentence,
        atom: Atom,
        subject: tuple[int, int],
        start: int,
        end: int,
        gradient: bool = False,
    ) -> Claim | None:
        """The claim that the subject (at `subject`) has the number at `start`…`end`; with
        `gradient`, the subject is the error's derivative with respect to `atom`."""
        if gradient:
            node: Node = Derivative(Atom("E"), atom, *subject)
            quantity = self.naming.derivative(Atom("E"), atom)
        else:
            node, quantity = Name(atom, *subject), self.naming.quantity(atom)
        number = parse(tokenize(self.text, start, end, math=True), 0)
        if quantity is None or number is None or not isinstance(number[0], Number):
            return None
        name = self.link_at(*subject, node, "")
        value = self.link_at(start, end, number[0], "=")
        text = " ".join(self.shown[subject[0] : end].split())
        line = self.lines.line(block.end)
        return Claim(value.line, text, (name, value), quantity, self.contexts.current, "chain",
                     subject[0], end, line)  # fmt: skip

    def names_a_quantity(self, start: int, end: int) -> bool:
        """Whether a table cell names one of the network's quantities (``w5``, ``out_{h1}``)."""
        tokens = tokenize(self.text, start, end, math=True)
        parsed = parse(tokens, 0) if tokens else None
        if self.naming is None or parsed is None or parsed[1] != len(tokens):
            return False
        return self.name_of(parsed[0]) is not None

    def link_at(self, start: int, end: int, node: Node, relation: str) -> Link:
        return Link(self.shown[start:end], start, end, self.lines.line(start), node, relation)

    def on_Math(self, block: Math) -> Iterator[Claim]:
        tokens = list(block.tokens)
        if self.pending is not None and not block.display:
            previous = self.pending
            if _continues(previous.tokens, tokens) and len(previous.tokens) < CHAIN_LIMIT:
                previous.tokens.extend(tokens)
                previous.anchor, previous.end = block.anchor, block.end
                return
        yield from self.flush(tokens[0].start if tokens else None)
        if block.display:
            self.pending = _Pending(tokens, self.contexts.current, block.anchor)
            yield from self.flush()
            return
        context, start, end = self.line
        self.pending = _Pending(tokens, context, block.anchor, (start, end), end)

    def on_TableRow(self, block: TableRow) -> Iterator[Claim]:
        yield from self.flush()
        table = (block.anchor, block.header)
        self.table_row = self.table_row + 1 if self.table == table else 1
        self.table = table
        matrix = self.matrix_row(block)
        if matrix is not None:
            yield from matrix
            return
        yield from _TableReader(self, block).claims()

    def matrix_row(self, row: TableRow) -> list[Claim] | None:
        """A row of a matrix written as a table: the corner cell (or the heading above) names
        the matrix, the other cells are numbers; each is the element at (row, column)."""
        corner = row.header[0] if row.header else ""
        name = _array_name(corner) if corner else None
        name = name or (self.vector if not corner.strip() else None)
        found = self.matrix_cells(row, corner) if name is not None else None
        if found is None:
            return None
        cells, layout = found
        numbers = [self.cell_number(start, end) for start, end in cells]
        if not any(numbers):
            return None
        claims = []
        for column, number in enumerate(numbers, start=1):
            if number is None:
                continue
            atom = _element_atom(name, (self.table_row, column), (), layout)
            node = Name(atom, number.start, number.end)
            link = replace(self.link_at(number.start, number.end, node, ""), text=_written(node))
            value = self.link_at(number.start, number.end, number, "=")
            claim = self.claim(_Chain([], made=(link, value)), self.contexts.current, row.anchor)
            if claim is not None:
                claims.append(claim)
        return claims

    def matrix_cells(self, row: TableRow, corner: str):
        """The cells of a matrix row (without its label) and the layout its label says
        (``i1`` down the side: rows are sources); None for a row naming a quantity."""
        cells = list(row.cells)
        first = self.text[cells[0][0] : cells[0][1]].strip()
        if _PLAIN_NUMBER.fullmatch(first) and not (corner and len(cells) == len(row.header)):
            return cells, self.layout
        if not _NEURON_LABEL.fullmatch(first) and self.names_a_quantity(*cells[0]):
            return None  # | w5 | 0.40 |: a table of quantities, not of a matrix
        layout = _LABEL_LAYOUT.get(first.strip("$")[:1].lower(), "")
        return cells[1:], layout or self.layout

    def cell_number(self, start: int, end: int) -> Number | None:
        """The number a table cell holds, if that is all it holds."""
        tokens = tokenize(self.text, start, end, math=True)
        parsed = parse(tokens, 0) if tokens else None
        if parsed is None or parsed[1] != len(tokens) or not isinstance(parsed[0], Number):
            return None
        return parsed[0]

    def flush(self, until: int | None = None) -> Iterator[Claim]:
        """The pending formulas' claims, with the claims in words held since, in the order
        written; with `until` (where a formula about to be read starts), the claims in words
        after it wait for that formula's."""
        pending, self.pending = self.pending, None
        claims = self.pending_claims(pending) if pending is not None else []
        if self.held:
            ready = [c for c in self.held if until is None or c.start < until]
            self.held = [c for c in self.held if until is not None and c.start >= until]
            claims = sorted([*claims, *ready], key=lambda claim: claim.start)
        yield from claims

    def pending_claims(self, pending: _Pending) -> list[Claim]:
        claims = []
        element = self.element_number(pending)
        for chain in _chains(pending.tokens):
            if element is not None:
                chain = self.named_element(chain, element)
            claims.extend(self.claims_of(chain, pending.context, pending.anchor))
        if pending.line is not None:
            claims = self.in_running_text(claims, pending)
        return claims

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
            # at most `PROSE_WINDOW` characters each side: the words around each window of a
            # line of millions of characters were read from the line's start to its end
            before_start = _window_start(text, before_start, claim.start)
            after_end = min(after_end, claim.end + PROSE_WINDOW)
            before = context_change(text[before_start : claim.start])
            after = context_change(_CLAUSE_END.split(text[claim.end : after_end], 1)[0])
            said = _apply(context, {**after, **before})
            refined.append(claim if said == claim.context else replace(claim, context=said))
            context = _apply(context, before)
        return refined

    # -- chains → claims -----------------------------------------------------------------
    def link(self, tokens: list[Token], first: int, last: int, node: Node | None, rel: str) -> Link:
        start, end = tokens[first].start, tokens[last - 1].end
        return Link(
            self.shown[start:end],
            start,
            end,
            self.lines.line(start),
            node,
            rel,
            tuple(tokens[first:last]),
        )

    def claims_of(self, chain: _Chain, context: Context, anchor: int) -> list[Claim]:
        """The claims of one chain: itself, or one per element when it writes out matrices."""
        if any(isinstance(node, Matrix) for _, _, _, node in chain.links[1:]):
            return self.elements(chain, context, anchor)
        claim = self.claim(chain, context, anchor)
        return [] if claim is None else [claim]

    def claim(self, chain: _Chain, context: Context, anchor: int) -> Claim | None:
        tokens = chain.tokens
        links = chain.made or tuple(
            self.link(tokens, a, b, node, rel) for rel, a, b, node in chain.links
        )
        if len(links) < 2 or _is_counter(links):
            return None
        stated = links[-1].node
        quantity = self.quantity(links, chain) if self.naming else None
        if isinstance(stated, Opaque) and stated.text == "ambiguous":
            kind = "ambiguous"
        elif isinstance(stated, Number):
            kind = "chain"
        elif quantity is not None and any(self.checkable(link.node) for link in links[1:]):
            kind = "formula"
        else:
            return None
        start, end = min(link.start for link in links), max(link.end for link in links)
        text = " ".join(self.shown[start:end].split())
        line = links[0].line
        if any(not _RELATION_HINT.search(self.shown, a.end, b.start) for a, b in pairwise(links)):
            # links the reader joined (a name printed, its value in the output below)
            text = " = ".join(" ".join(link.text.split()) for link in links)
            line = links[-1].line
        return Claim(
            line,
            text,
            links,
            quantity,
            context,
            kind,
            start,
            end,
            self.lines.line(max(anchor, end)),
            chain.label,
        )

    # -- matrices and vectors -------------------------------------------------------------
    def elements(self, chain: _Chain, context: Context, anchor: int) -> list[Claim]:
        """``Z[1] = W[1] x + b[1] = [0.3775, 0.3925]``: one claim per element, each at the
        line of its own number, named by the chain's name with the element's position."""
        matrices = [(rel, node) for rel, _, _, node in chain.links[1:] if isinstance(node, Matrix)]
        shape = matrices[-1][1].shape
        matrices = [(rel, node) for rel, node in matrices if node.shape == shape]
        head = chain.links[0][3]
        updating = any(rel == "←" for rel, _, _, _ in chain.links) or any(
            operations(node) for _, _, _, node in chain.links[1:] if not isinstance(node, Matrix)
        )
        claims = []
        for position, _ in matrices[-1][1].cells():
            cells = [(rel, _cell_at(node, position)) for rel, node in matrices]
            if any(node is None for _, node in cells):
                continue
            stated = cells[-1][1]
            name = self.element_name(head, position, shape, stated)
            if name is None:
                continue
            links = (
                name,
                *(
                    self.cell_link(n, rel, m)
                    for (rel, n), (_, m) in zip(cells, matrices, strict=True)
                ),
            )
            made = _Chain(chain.tokens, [], chain.after_prose, chain.label, links, updating)
            claim = self.claim(made, context, anchor)
            if claim is not None:
                text = " = ".join(" ".join(link.text.split()) for link in links)
                claims.append(replace(claim, text=text))
        return claims

    def cell_link(self, cell: Node, relation: str, matrix: Matrix) -> Link:
        """One element's link: the cell as written, or, in an array worked out from arrays
        (a product, σ of a vector), the element's own expression."""
        link = self.link_at(cell.start, cell.end, cell, relation)
        return replace(link, text=written(cell)) if matrix.env == "product" else link

    def element_name(self, head, position, shape, stated: Node) -> Link | None:
        """The link naming one element: the head's name with the element's position (or the
        matching cell of a matrix of names written on the left)."""
        if isinstance(head, Matrix):
            cell = _cell_at(head, position) if head.shape == shape else None
            if not isinstance(cell, Name | Derivative):
                return None
            return self.link_at(cell.start, cell.end, cell, "")
        if isinstance(head, Name):
            atom = _element_atom(head.atom, position, shape, self.layout)
            node: Node = Name(atom, stated.start, stated.end)
        elif isinstance(head, Derivative):
            wrt = _element_atom(head.wrt, position, shape, self.layout)
            node = Derivative(head.of, wrt, stated.start, stated.end)
        else:
            return None
        return Link(
            str(_written(node)), stated.start, stated.end, self.lines.line(stated.start), node, ""
        )

    def element_number(self, pending: _Pending) -> int | None:
        """The number of a list item (``2. 0.2 − 0.4 + 2.8 = 2.6``) under a heading that names
        a vector: the item is that element of the vector."""
        if self.vector is None or pending.line is None:
            return None
        item = _LIST_ITEM.match(self.shown, pending.line[0], pending.line[1])
        return int(item.group(1)) if item else None

    def named_element(self, chain: _Chain, number: int) -> _Chain:
        """A chain of numbers only, in an element list: named by the vector's element."""
        first = chain.links[0][3] if chain.links else None
        if first is None or names_in(first) or len(chain.links) < 2:
            return chain
        atom = _element_atom(self.vector, (number,), (), self.layout)
        start, end = first.start, first.start
        node = Name(atom, start, end)
        name = Link(_written(node), start, end, self.lines.line(start), node, "")
        links = tuple(self.link(chain.tokens, a, b, node, rel) for rel, a, b, node in chain.links)
        first_link = replace(links[0], relation="=")
        return _Chain(
            chain.tokens,
            chain.links,
            chain.after_prose,
            chain.label,
            (name, first_link, *links[1:]),
        )

    def quantity(self, links: tuple[Link, ...], chain: _Chain) -> Quantity | None:
        """The quantity the chain is about: its first link's name (or the first that is one)."""
        first = links[0]
        quantity = self.name_of(first.node) if first.node is not None else None
        if quantity is None:
            return None
        if chain.after_prose and _is_bare_neuron(first.node):
            return None  # "the net input of h1 = 0.3775": h1 is not the quantity here
        if links[1].relation == "→":
            if not quantity.is_parameter:
                return None  # "net_h1 → out_h1", "i1 → h2": a path, not a value
            return Quantity("updated", quantity.name + "+", quantity.key)  # w5 -> 0.3589
        updating = (
            chain.updating
            or any(link.relation == "←" for link in links)
            or any(operations(link.node) for link in links[1:] if link.node is not None)
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


#: how far back in its sentence the context of a value said in prose is looked for
PROSE_WINDOW = 1_000


_DECIMAL_DIGIT = re.compile(r"\d[.,]\d")


def _becomes(verb: str, context: Context) -> bool:
    """Whether a verb of change ("becomes", "tombe à", "wird zu") gives the value after the
    update: when the context is still before it (words that say when — "after 10,000
    iterations" — are the context's)."""
    return context.phase == "before" and BECOMES.search(verb) is not None


def _window_start(text: str, lower: int, start: int) -> int:
    """Where the words said before `start` since `lower` are read from: `lower`, or at most
    `PROSE_WINDOW` characters back, from a word's start."""
    if start - lower <= PROSE_WINDOW:
        return lower
    cut = text.find(" ", start - PROSE_WINDOW, start)
    return cut if cut >= 0 else start - PROSE_WINDOW


def _said_before(text: str, start: int) -> str:
    """What a sentence says before the value at `start`: all of it, or in a very long line
    (a paragraph of a thousand characters and more) its last `PROSE_WINDOW` characters,
    from a word's start: reading the whole of it before each value took the square of the
    line's length."""
    if start <= PROSE_WINDOW:
        return text[:start]
    cut = text.find(" ", start - PROSE_WINDOW, start)
    return text[cut if cut >= 0 else start - PROSE_WINDOW : start]


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
    label: str = ""
    made: tuple[Link, ...] = ()  # links built already (the elements of a matrix)
    updating: bool = False  # the chain a matrix's elements come from writes an update


_STARTS = frozenset(
    ("num", "ident", "greek", "lparen", "lbrace", "frac", "partial", "func", "sqrt", "op", "opaque")
)


def _chains(tokens: list[Token]) -> list[_Chain]:
    """Every chain of relations in `tokens`: ``A = B = … = C``, each side an expression.

    Tokens met before (the same kinds and texts at the same places relative to the first)
    are not parsed again: their chains are moved to the new offsets. Documents repeat
    their formulas, and a document in a notation to learn is read twice."""
    if not tokens or len(tokens) > MEMO_TOKENS:
        return list(_parsed_chains(tokens))
    global _MEMO_SIZE
    base = tokens[0].start
    key = tuple([(kind, text, a - base, b - base, math) for kind, text, a, b, math in tokens])
    known = _MEMO.get(key)
    if known is None:
        chains = list(_parsed_chains(tokens))
        if _MEMO_SIZE > MEMO_TOTAL:
            _MEMO.clear()
            _MEMO_SIZE = 0
        _MEMO[key] = (base, tuple((tuple(c.links), c.after_prose, c.label) for c in chains))
        _MEMO_SIZE += len(tokens)
        return chains
    then, chains = known
    shift = base - then
    return [
        _Chain(tokens, [(rel, a, b, moved(node, shift)) for rel, a, b, node in links], after, label)
        for links, after, label in chains
    ]


#: token lists up to this long have their chains remembered by `_chains` …
MEMO_TOKENS = 4_096
#: … up to about this many tokens in all (then it starts afresh): about 10 MB
MEMO_TOTAL = 50_000
_MEMO: dict[tuple, tuple[int, tuple]] = {}
_MEMO_SIZE = 0


def moved(node: Node | None, shift: int) -> Node | None:
    """`node` with every offset moved by `shift` (the same expression written elsewhere)."""
    if node is None or shift == 0:
        return node
    kind = type(node)
    start, end = node.start + shift, node.end + shift
    if kind is Number:
        return Number(node.text, node.value, node.places, start, end, node.truncated)
    if kind is Name:
        return Name(node.atom, start, end)
    if kind is Derivative:
        return Derivative(node.of, node.wrt, start, end)
    if kind is Apply:
        args = tuple(moved(arg, shift) for arg in node.args)
        return Apply(node.op, args, start, end, node.juxtaposed)
    if kind is Matrix:
        rows = tuple(tuple(moved(cell, shift) for cell in row) for row in node.rows)
        return Matrix(rows, node.env, start, end, node.flat)
    return replace(node, start=start, end=end)  # Constant, Opaque


def _parsed_chains(tokens: list[Token]) -> Iterator[_Chain]:
    relations = [i for i, t in enumerate(tokens) if t.kind == "rel"]
    consumed = 0
    chain: _Chain | None = None
    for r in relations:
        if r < consumed:
            continue
        if chain is not None and chain.links and chain.links[-1][2] == r and tokens[r].text != "→":
            pass  # the chain goes on (an arrow after a value starts another: "= 0.08 → …")
        else:
            if chain is not None:
                yield chain
            chain = _start_chain(tokens, consumed, r)
            if chain is None:
                consumed = r + 1
                continue
        right = parse(tokens, r + 1)
        skip = _unread_group(tokens, chain, r, r + 1 if right is None else right[1])
        if skip is not None:  # w6* = w6 − a (h2 . Δ) = 0.15 − …: the group is not read
            chain.links.append((tokens[r].text, r + 1, skip, None))
            consumed = skip
            continue
        if right is None:
            yield chain
            chain, consumed = None, r + 1
            continue
        node, end = right
        if end < len(tokens) and tokens[end].kind == "op" and tokens[end].text in "+-*/^⊙":
            yield chain  # the side goes on with what could not be read: a part is no claim
            chain, consumed = None, end
            continue
        node, end, cut = _cut(tokens, node, r + 1, end)
        chain.links.append((tokens[r].text, r + 1, end, node))
        consumed = end
        if cut:
            yield chain
            chain = None
    if chain is not None:
        yield chain


#: a side's unread rest is skipped up to this many tokens
UNREAD_GROUP = 24


def _unread_group(tokens: list[Token], chain: _Chain, r: int, stop: int) -> int | None:
    """The next ``=`` when the side after relation `r` stops being readable at `stop` with
    a bracketed group that closes right before it: ``w6* = w6 − a (h2 . Δ) = 0.15 − …``.

    Only a chain that so far names its quantity alone (``w6*``) goes on past such a side;
    the side is kept as an unread link (no value, the arithmetic restarts after it), so the
    numbers that follow are still the named quantity's. Anything else that stops a side
    (``… where o = 0.75``, a sentence, an operator left dangling) is not skipped.
    """
    if tokens[r].text != "=" or len(chain.links) != 1 or chain.updating:
        return None
    if not isinstance(chain.links[0][3], Name | Derivative):
        return None
    if stop >= len(tokens) or tokens[stop].kind != "lparen":
        return None
    depth = 0
    for k in range(stop, min(len(tokens), stop + UNREAD_GROUP)):
        kind = tokens[k].kind
        if kind in ("rel", "rowsep", "label") or not tokens[k].math:
            return None
        if kind in ("lparen", "lbrace"):
            depth += 1
        elif kind in ("rparen", "rbrace"):
            depth -= 1
            if depth == 0:
                following = k + 1
                if (
                    following < len(tokens)
                    and tokens[following].kind == "rel"
                    and (tokens[following].text == "=")
                ):
                    return following
                return None
        elif depth == 0:
            return None
    return None


def _operand(tokens: list[Token], start: int) -> bool:
    """Whether the token at `start` is the right operand of a product, quotient or power
    written before it (``… ^2``, ``1/2``, ``a · 3``, the ASCII dot product ``[2 3] . [0.11]``):
    a fragment of an unreadable left side, never a left side of its own."""
    before = tokens[start - 1]
    if before.kind == "op":
        return before.text in ("^", "*", "/", "⊙")
    return _spaced_dot(tokens, start - 1)


def _spaced_dot(tokens: list[Token], k: int) -> bool:
    """A ``.`` in math with a space on each side and an operand before it: ``h2 . Δ``,
    ``[i1 i2] . [w1 w3]`` — a product written in ASCII, not the end of a sentence."""
    dot = tokens[k]
    if dot.kind != "sep" or dot.text != "." or not dot.math or k == 0 or k + 1 >= len(tokens):
        return False
    before, after = tokens[k - 1], tokens[k + 1]
    return (
        before.end < dot.start
        and dot.end < after.start
        and before.kind in ("num", "ident", "greek", "rparen", "rbrace", "matrix")
    )


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
        elif depth == 0 and kind in ("sep", "rowsep", "rel", "label"):
            break
        boundary -= 1
    for start in range(boundary, r):
        if tokens[start].kind not in _STARTS:
            continue
        if start > 0 and _operand(tokens, start):
            continue  # "1/2 (prediction − actual)^2 = …": the exponent 2 is no left side
        if start > 0 and _and_word(tokens, start):
            continue  # "w2 = 0,20 e b1 = 0,35": the left side is b1, "e" is "and"
        if start > 1 and _subscript_of_word(tokens, start):
            continue  # "grad_w5 = 0.0822", "new_w5 = …": a code name we cannot read, not w5
        if tokens[r].math and not tokens[start].math and tokens[start].kind == "ident":
            continue  # "Input $x = …$": a relation in math has its left side in math
        parsed = parse(tokens, start, r)
        side_by_side = parsed is not None and isinstance(parsed[0], Apply)
        if side_by_side and not tokens[start].math and _names_side_by_side(parsed[0]):
            continue  # "total error E = …", "Cost J = …": a word, then the name it has
        if parsed is not None and parsed[1] == r:
            chain = _Chain(tokens, [("", start, r, parsed[0])])
            before = tokens[start - 1] if start > 0 else None
            chain.updating = before is not None and before.text == "→"  # "… → w5 = 0.3589"
            chain.after_prose = before is not None and before.kind == "ident" and not before.math
            if before is not None and before.kind == "label":
                chain.label = before.text
            return chain
    if r > window and tokens[r - 1].kind == "ident" and not tokens[r - 1].math:
        return _Chain(tokens, [("", r - 1, r, None)])  # a word we do not know: "Total = 0.3"
    return None


def _subscript_of_word(tokens: list[Token], k: int) -> bool:
    """Whether token `k` is the subscript of the word before it, written without a space
    (``grad_w5``, ``new_w5``, ``delta^w5``): a part of that name, never a name of its own."""
    mark, word = tokens[k - 1], tokens[k - 2]
    return (
        mark.kind == "op"
        and mark.text in ("_", "^")
        and word.kind == "ident"
        and word.end == mark.start
        and mark.end == tokens[k].start
    )


def _and_word(tokens: list[Token], k: int) -> bool:
    """Whether token `k` is the Italian and Portuguese "and" of running text: a lone ``e``
    between a number and a word, spaced (``0,20 e b1``), never Euler's number."""
    token, before = tokens[k], tokens[k - 1]
    following = tokens[k + 1] if k + 1 < len(tokens) else None
    return (
        token.text == "e"
        and not token.math
        and before.kind == "num"
        and before.end < token.start
        and following is not None
        and following.kind == "ident"
        and token.end < following.start
    )


def _names_side_by_side(node: Node) -> bool:
    """Names written next to each other with no operator (``error E``, ``output out_o1``):
    in running text, a quantity described in words and then named, never a product."""
    if isinstance(node, Name):
        return True
    if isinstance(node, Apply) and node.op == "mul" and node.juxtaposed:
        return all(_names_side_by_side(arg) for arg in node.args)
    return False


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
    index = next((k for k in range(first, end) if tokens[k].start >= right.start), end)
    if following is None or following.kind != "rel" or tokens[index].math:
        return node, end, False  # in math, "2 w_5 = 0.8" is a product
    parsed = parse(tokens, first, index)
    if parsed is not None and parsed[1] == index:
        return parsed[0], index, True
    return node, end, False


# -- tables ------------------------------------------------------------------------------------
_COLUMNS = (
    # "dE" with its capital: "de" is a word in French and Spanish heads ("Antes de la …")
    ("gradient", re.compile(r"∂|\\partial|grad|(?-i:\bd ?E\b)|derivative|dE/d", re.I)),
    # the English heads, and those of derive's German, French and Spanish summaries
    ("updated", re.compile(r"\bafter\b|\bnew\b|updated|\+|\bw\^?\+|⁺|nachher|après|después", re.I)),
    ("target", re.compile(r"\btarget|\bexpected|\bdesired|\bziel|\bcible|\bobjetivo", re.I)),
    ("net", re.compile(r"\bnet\b|\bz\b", re.I)),
    ("out", re.compile(r"\bout(put)?s?\b|\bprediction|\bactivation|\ba\b", re.I)),
    ("error", re.compile(r"\berror|\bloss", re.I)),
    (
        "value",
        re.compile(
            r"\bvalue|\bbefore\b|\bold\b|\binitial|\bgiven|\boriginal|vorher|avant|antes", re.I
        ),
    ),
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
        role = _row_role(reader.text[name_start:name_end])
        if role is not None:  # | Target | 0.5 | under | | out_o1 |: the row says what
            yield from self.by_column(role)
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

    def by_column(self, role: str) -> Iterator[Claim]:
        """A row headed by what its numbers are (the targets, the outputs before or after the
        update) under a header naming one neuron or output per column. A column whose head
        names no neuron of the network is left unread: a guess would be a wrong reading."""
        reader, row = self.reader, self.row
        label_start, label_end = row.cells[0]
        label = reader.text[label_start:label_end]
        context = _apply(reader.contexts.current, context_change(label))
        context = replace(context, phase="after" if role == "after" else "before", steps=None)
        for column, (start, end) in enumerate(row.cells[1:], start=1):
            header = row.header[column] if column < len(row.header) else ""
            head = _head_name(header)
            neuron = self.neuron(head) if head is not None else None
            if neuron is None:
                continue
            name = Name(Atom("target" if role == "target" else "out", neuron), start, start)
            claim = self.cell(name, (), f"{name.atom.base}_{neuron}", start, end, context)
            if claim is not None:
                yield claim

    def neuron(self, name: Name) -> str | None:
        """The neuron a column head names: ``o1``, ``out_{o1}``, as the notation reads it."""
        naming = self.reader.naming
        neuron = _neuron_of(self.reader.name_of(name))
        if neuron is None:
            candidate = name.atom.base + name.atom.sub
            if naming.quantity(Atom("out", candidate)) is not None:
                neuron = candidate
        return neuron

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
                    yield self.named_by_row(claim, column)

    def named_by_row(self, claim: Claim, column: int) -> Claim:
        """``| 4 | 0.2 + 0 − 0.5 − 0.4 = −0.7 |`` under ``| Unit j | Net input, I_j |``: a
        cell whose chain names nothing is about the header's symbol at the row's label
        (``I_4``), which the notation then reads."""
        reader, row = self.reader, self.row
        first = claim.links[0]
        if column == 0 or (first.node is not None and names_in(first.node)):
            return claim
        header = row.header[column] if column < len(row.header) else ""
        symbols = list(_HEADER_SYMBOL.finditer(header))
        symbol = symbols[-1] if symbols else None  # the last one: "Net input, I_j" names I
        start, end = row.cells[0]
        label = reader.text[start:end].strip().strip("$")
        if symbol is not None and _ROW_LABEL.fullmatch(label):
            atom = Atom(symbol.group(1), label)
            node: Node = Name(atom, first.start, first.start)
            text = f"{atom.base}_{label}"
        else:  # | w46 | 0.7 + (0.8)(−0.1466)(0.611) = 0.6283 | under | Weight | New value |
            tokens = tokenize(reader.text, start, end, math=True)
            parsed = parse(tokens, 0) if tokens else None
            if parsed is None or parsed[1] != len(tokens) or not isinstance(parsed[0], Name):
                return claim
            node, text = parsed[0], reader.text[start:end].strip()
        name = Link(text, first.start, first.start, first.line, node)
        links = (name, replace(first, relation="="), *claim.links[1:])
        quantity = None
        if reader.naming is not None:
            quantity = self.quantity(node, _column(header))
            if quantity is not None and quantity.is_parameter:
                quantity = Quantity("updated", quantity.name + "+", quantity.key)
        return replace(claim, links=links, quantity=quantity)

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
        kind = _column(header)
        if context.phase == "trained" and kind != "target":
            kind = "value"  # "after 10000 iterations" is the trained value, not w⁺
        quantity = self.quantity(name, kind)
        if quantity is None:
            return None
        forward = quantity.kind in ("net", "out", "error")
        if forward and _row_role(header) == "after" and "phase" not in context_change(header):
            context = replace(context, phase="after", steps=None)  # | o1 | … | output after |
        lines = reader.lines
        name_link = Link(
            reader.shown[name_tokens[0].start : name_tokens[-1].end],
            name_tokens[0].start,
            name_tokens[-1].end,
            lines.line(name_tokens[0].start),
            name,
            "",
            tuple(name_tokens),
        )
        number = parsed[0]
        value_link = Link(
            reader.shown[number.start : number.end],
            number.start,
            number.end,
            lines.line(number.start),
            number,
            "=",
            tuple(tokens[: parsed[1]]),
        )
        text = " ".join(reader.shown[self.row.start : self.row.end].split())
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


#: a header's symbol indexed by the row: I_j, O_{j}, Err_j, \delta_j (the index a letter)
_HEADER_SYMBOL = re.compile(r"\\?([A-Za-z]+)(?:_\{?|\s)[ijkl]\}?(?![A-Za-z0-9])")
#: a row label that indexes: 4, h1, H21, o2
_ROW_LABEL = re.compile(r"[A-Za-z]{0,2}\d{1,3}")


def _neuron_of(quantity: Quantity | None) -> str | None:
    """The neuron a quantity belongs to: h1 for net_h1 or out_h1, o2 for E_o2."""
    if quantity is None or quantity.kind not in ("net", "out", "error", "target"):
        return None
    return quantity.name.split("_", 1)[1]


_STEP_COUNT = re.compile(r"\d{1,3}(?:[, ]\d{3})+|\d+")
_STEPS = re.compile(r"\b(step|iteration|epoch|update|Schritt|pas|paso)s?\b", re.IGNORECASE)
_STARTING = re.compile(
    r"\b(start|initial|before|old|original|given|début|inicio|vorher|anfangs|avant|antes)\b",
    re.IGNORECASE,
)


#: a row label saying its numbers are the targets, or the outputs before or after the update
_ROW_ROLES = (
    (
        "target",
        re.compile(
            r"\A\W*(targets?|ziel\w*|sollwert\w*|cibles?|objetivos?|expected|desired)\b", re.I
        ),
    ),
    ("before", re.compile(r"\b(before|vorher|vor der|avant|antes)\b", re.I)),
    ("after", re.compile(r"\b(after|nachher|nach der|après|después)\b", re.I)),
)


def _row_role(label: str) -> str | None:
    """``target``, ``before`` or ``after`` when the row label says exactly one of them."""
    plain = _plain_label(label)
    roles = [role for role, pattern in _ROW_ROLES if pattern.search(plain)]
    return roles[0] if len(roles) == 1 else None


def _plain_label(label: str) -> str:
    return " ".join(re.sub(r"[$*_`{}]|\\[A-Za-z]+", " ", label).split())


def _head_name(header: str) -> Name | None:
    """The name a column head is, as written (``out_o1``) or as the header's plain words
    keep it (``o 1`` for ``$o_1$``: two words, a base and its index)."""
    words = header.split()
    for text in (header, "_".join(words) if len(words) == 2 else None):
        tokens = tokenize(text, 0, len(text), math=True) if text else []
        parsed = parse(tokens, 0) if tokens else None
        if parsed is not None and parsed[1] == len(tokens) and isinstance(parsed[0], Name):
            return parsed[0]
    return None


def _column(header: str) -> str | None:
    for name, pattern in _COLUMNS:
        if pattern.search(header):
            return name
    return None


# -- matrices, element lists, counters and prose ----------------------------------------------
def _cell_at(matrix: Matrix, position: tuple[int, ...]) -> Node | None:
    if matrix.flat:
        row, column = 1, position[0]
    else:
        row, column = position
    if row > len(matrix.rows) or column > len(matrix.rows[row - 1]):
        return None
    return matrix.rows[row - 1][column - 1]


def _element_atom(atom: Atom, position: tuple[int, ...], shape: tuple[int, ...], layout: str):
    """The name of one element: the written name with its position, shape and layout."""
    return replace(atom, element=position, shape=shape, layout=layout)


def _written(node: Node) -> str:
    """An element's name as the document would write it: ``dW[3][2][1]``."""
    if isinstance(node, Derivative):
        return f"∂{written_name(node.of)}/∂{written_name(node.wrt)}"
    return written_name(node.atom) if isinstance(node, Name) else ""


#: a matrix table's row labels say its layout: inputs down the side are sources (x W)
_LABEL_LAYOUT = {"i": "row", "x": "row", "o": "column"}
_NEURON_LABEL = re.compile(r"\$?[hoixHOIX]_?\{?\d+\}?\$?")
_PLAIN_NUMBER = re.compile(r"[-−+]?\$?[-−+]?\d+(?:[.,]\d+)?\$?")
#: a numbered list item: "1. 0.2 − 0.4 + 2.8 = 2.6", "2) …", "- 3. …"
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+][ \t]+)?(\d{1,2})[.)][ \t]")
#: a sentence announcing a vector's elements one by one
_ELEMENTWISE = re.compile(
    r"\beach\s+(?:element|entry|component|row)|\belement[- ]?wise|\bcomponent[- ]?wise"
    r"|\belements?\s+of\b|\bentries\s+of\b|\bone\s+by\s+one\b",
    re.IGNORECASE,
)
_RELATION_HINT = re.compile(r"[=≈≃≅≔←→]|->|\\(approx|simeq|leftarrow|gets|coloneqq)")
_ARRAY_WORD = re.compile(r"^(?:d?[A-Za-z]\d?|delta)$")


def _array_name(text: str) -> Atom | None:
    """The vector or matrix a heading or a sentence names: ``Z[2]``, ``z^{[2]}``, ``dA[1]``,
    ``Z2``, ``h``; None when it names none (or several). Read from the first 400 characters
    (remembered: every sentence of a document is asked)."""
    return _array_named(text[:400])


@functools.lru_cache(maxsize=4096)
def _array_named(text: str) -> Atom | None:
    tokens = tokenize(text, 0, len(text), math=True)
    found = []
    for index, token in enumerate(tokens):
        if token.kind != "ident" or not _ARRAY_WORD.match(token.text) or token.text == "I":
            continue
        parsed = parse(tokens, index)
        if parsed is None or not isinstance(parsed[0], Name):
            continue
        atom = parsed[0].atom
        scripted = atom.index or atom.sup.startswith(("[", "(")) or atom.base[-1].isdigit()
        alone = len(tokens) <= 3 and re.fullmatch(r"d?[A-Z]", atom.base)  # "### Z"
        if scripted or alone:
            found.append(atom)
    names = {str(atom) for atom in found}
    return found[0] if len(names) == 1 else None


#: loop counters and indices: "l = 1", "i = 1", "for k = 2"
_COUNTERS = frozenset("ijklmn")


def _is_counter(links: tuple[Link, ...]) -> bool:
    """``l = 1``, ``i = 1``: an index set to a small whole number is no claim about the network."""
    if len(links) != 2:
        return False
    first, last = links[0].node, links[1].node
    if not isinstance(last, Number) or last.places < 0 or not 0 <= last.value < 100:
        return False
    if first is None and len(links[0].tokens) == 1:  # a word read as-is in running text
        return links[0].tokens[0].text in _COUNTERS
    if not isinstance(first, Name):
        return False
    atom = first.atom
    plain = not (atom.sub or atom.sup or atom.index or atom.element)
    return plain and atom.base in _COUNTERS
