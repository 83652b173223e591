"""Tokens → the expression one link of a claim writes, and its value.

A small recursive-descent parser for the arithmetic of worked examples: numbers
(``3.51019 × 10^{-5}``, ``1e-5``, ``0.59…``), + − × · * / ^ (and ``**``), parentheses of any
kind, ``\\frac``, ``\\sqrt``, ``e^{…}``, ``\\exp``, ``\\ln``, ``\\tanh``, ``σ(…)``, ``max``,
percent, juxtaposition as product, and names of quantities (see `derive.check.names`)
including derivatives written ``\\frac{\\partial E}{\\partial w_5}``, ``∂E/∂w5`` or
``dE/dw5``. It returns frozen records (`Number`, `Name`, `Derivative`, `Apply`) that keep
their offsets in the document.

Everything is bounded: nesting deeper than `MAX_DEPTH` or a link longer than
`MAX_TOKENS` tokens is not parsed, so junk of any size costs linear time.

`evaluate` computes a record's value together with how much it can be off because the
numbers in it were rounded when written (first-order propagation of half a unit in the
last place of every rounded number); deciding what that means is the auditor's job.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from derive.check.lexer import Token
from derive.check.names import Atom, looks_like_name, old_mark, updated_mark

MAX_DEPTH = 40
MAX_TOKENS = 400


@dataclass(frozen=True)
class Number:
    """A number as written: its exact decimal value and the place of its last digit.

    ``0.3775`` has `places` −4 (a unit in the last place is 10⁻⁴); ``3.51019 × 10^{-5}``
    has −10. `truncated` marks a number written with a trailing ellipsis (``0.5932…``).
    """

    text: str
    value: Decimal
    places: int
    start: int
    end: int
    truncated: bool = False

    @property
    def ulp(self) -> Decimal:
        return Decimal(1).scaleb(self.places)

    @property
    def digits(self) -> int:
        """Significant digits written."""
        if self.value == 0:
            return max(1, -self.places)
        return max(1, self.value.adjusted() - self.places + 1)

    def negated(self, start: int) -> Number:
        return Number(
            _negate_text(self.text), -self.value, self.places, start, self.end, self.truncated
        )


def _negate_text(text: str) -> str:
    return text[1:] if text.startswith("-") else f"-{text}"


@dataclass(frozen=True)
class Name:
    """A quantity's name as written (resolved to a quantity later, by the network's naming)."""

    atom: Atom
    start: int
    end: int


@dataclass(frozen=True)
class Derivative:
    """∂of/∂wrt as written."""

    of: Atom
    wrt: Atom
    start: int
    end: int


@dataclass(frozen=True)
class Constant:
    """Euler's number e."""

    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Opaque:
    """Something written that has no value here (a piecewise definition, a matrix)."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Matrix:
    """A matrix or vector written out: its cells row by row (None where a cell is not read).

    `env` is how it was written (``bmatrix``, ``pmatrix``, ``array``, ``list`` for
    ``[a, b, c]`` and ``[[…], […]]``). A flat list has one row and `flat` set: whether it is
    a row or a column is the document's layout, not the list's.
    """

    rows: tuple[tuple[Node | None, ...], ...]
    env: str
    start: int
    end: int
    flat: bool = False

    @property
    def shape(self) -> tuple[int, ...]:
        if self.flat:
            return (len(self.rows[0]),)
        return (len(self.rows), max(len(row) for row in self.rows))

    def transposed(self, end: int) -> Matrix:
        """``[…]^T``: rows become columns (a flat list stays a flat list)."""
        if self.flat:
            return Matrix(self.rows, self.env, self.start, end, True)
        width = max(len(row) for row in self.rows)
        rows = tuple(
            tuple(row[c] if c < len(row) else None for row in self.rows) for c in range(width)
        )
        return Matrix(rows, self.env, self.start, end)

    def cells(self) -> list[tuple[tuple[int, ...], Node | None]]:
        """(1-based position, cell) for every cell, row by row; (i,) in a flat list."""
        if self.flat:
            return [((i,), cell) for i, cell in enumerate(self.rows[0], start=1)]
        return [
            ((r, c), cell)
            for r, row in enumerate(self.rows, start=1)
            for c, cell in enumerate(row, start=1)
        ]


@dataclass(frozen=True)
class Apply:
    """An operation: ``add`` (n-ary; subtraction is adding a ``neg``), ``mul``, ``div``, ``pow``,
    ``neg``, ``percent``, or a function ``exp``, ``ln``, ``tanh``, ``sigmoid``, ``dsigmoid``,
    ``sqrt``, ``max``, ``min``. `juxtaposed` marks a product written without an operator."""

    op: str
    args: tuple[Node, ...]
    start: int
    end: int
    juxtaposed: bool = False


Node = Number | Name | Derivative | Constant | Opaque | Matrix | Apply


class _Fail(Exception):
    """The tokens at this point do not continue an expression."""


_FUNCTION_WORDS = {
    "exp": "exp", "ln": "ln", "log": "ln", "tanh": "tanh", "sigmoid": "sigmoid",
    "sigma": "sigmoid", "sig": "sigmoid", "logistic": "sigmoid", "sqrt": "sqrt",
    "max": "max", "min": "min",
}  # fmt: skip
_MODIFIERS = frozenset(("new", "updated", "New", "Updated"))
_PARAMETER_WORDS = frozenset(("weight", "bias", "value", "Weight", "Bias", "Value"))
#: a code name's prefix joined to a parameter by "_" (``grad_w5``, ``new_w5``, ``old_w5``):
#: its gradient, its value after the update, its value before
_CODE_PREFIXES = {
    "grad": "gradient", "gradient": "gradient", "new": "updated", "updated": "updated",
    "old": "value", "prev": "value", "previous": "value",
}  # fmt: skip
_PARAMETER = re.compile(r"[wWbB](?:\d+)?")
_MODULES = frozenset(("np", "numpy", "math", "torch", "jnp"))
_ARRAYS = frozenset(("array", "asarray", "tensor"))
_MODULE_FUNCTIONS = frozenset(("array", "asarray", "tensor", "exp", "log", "tanh", "sqrt"))
_CLOSERS = frozenset(("rel", "sep", "rowsep", "rparen", "rbrace"))
_SCRIPT_KINDS = frozenset(("ident", "num", "greek", "sub", "sup", "lparen", "rparen"))


def parse(tokens: list[Token], start: int, limit: int | None = None) -> tuple[Node, int] | None:
    """The longest expression starting at token `start` (and ending before `limit`).

    Returns the expression and the index of the first token after it, or None.
    """
    limit = len(tokens) if limit is None else min(limit, len(tokens))
    limit = min(limit, start + MAX_TOKENS)
    if start < limit and tokens[start].kind == "num":
        following = tokens[start + 1].kind if start + 1 < limit else "rel"
        if following in _CLOSERS:  # a link that is just a number: most final links
            try:
                return _number(tokens[start]), start + 1
            except (InvalidOperation, ValueError):
                return None
    parser = _Parser(tokens, limit)
    try:
        return parser.expression(start)
    except (_Fail, RecursionError, InvalidOperation, ValueError):
        return None


class _Parser:
    def __init__(self, tokens: list[Token], limit: int) -> None:
        self.tokens = tokens
        self.limit = limit
        self.depth = 0

    # -- helpers ------------------------------------------------------------------------
    def token(self, i: int) -> Token | None:
        return self.tokens[i] if i < self.limit else None

    def kind(self, i: int) -> str:
        token = self.token(i)
        return token.kind if token else ""

    def is_op(self, i: int, *texts: str) -> bool:
        token = self.token(i)
        return token is not None and token.kind == "op" and token.text in texts

    def end_of(self, i: int) -> int:
        return self.tokens[i - 1].end

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Fail

    # -- grammar --------------------------------------------------------------------------
    def expression(self, i: int) -> tuple[Node, int]:
        self.enter()
        try:
            first = self.token(i)
            node, i = self.unary(i)
            terms = [node]
            while self.is_op(i, "+", "-", "±"):
                sign = self.tokens[i].text
                try:
                    term, j = self.unary(i + 1)
                except _Fail:
                    break
                terms.append(_negate(term) if sign == "-" else term)
                i = j
            if len(terms) == 1:
                return node, i
            return combine("add", tuple(terms), first.start, self.end_of(i)), i
        finally:
            self.depth -= 1

    def unary(self, i: int) -> tuple[Node, int]:
        token = self.token(i)
        if token is not None and token.kind == "op" and token.text in ("-", "+", "±"):
            node, j = self.unary(i + 1)
            if token.text == "-":
                if isinstance(node, Number):
                    return node.negated(token.start), j
                return combine("neg", (node,), token.start, node.end), j
            return node, j
        return self.term(i)

    def term(self, i: int) -> tuple[Node, int]:
        node, i = self.power(i)
        while True:
            token = self.token(i)
            if token is None:
                break
            if (token.kind == "op" and token.text in ("*", "/", "⊙")) or self._times_x(i):
                try:
                    right, j = self.signed_power(i + 1)
                except _Fail:
                    break
                op = {"/": "div", "⊙": "hadamard"}.get(token.text, "mul")
                node = combine(op, (node, right), node_start(node), self.end_of(j))
                i = j
                continue
            if self._juxtaposable(node, i):
                try:
                    right, j = self.power(i)
                except _Fail:
                    break
                node = combine("mul", (node, right), node_start(node), self.end_of(j), True)
                i = j
                continue
            break
        return node, i

    def signed_power(self, i: int) -> tuple[Node, int]:
        """The factor after × or /, which may carry a sign: 0.5 · −0.0226."""
        if self.is_op(i, "-", "+"):
            node, j = self.signed_power(i + 1)
            if self.tokens[i].text == "-":
                start = self.tokens[i].start
                node = (
                    node.negated(start)
                    if isinstance(node, Number)
                    else combine("neg", (node,), start, node_end(node))
                )
            return node, j
        return self.power(i)

    def _times_x(self, i: int) -> bool:
        """``0.15 x 0.05``: a lone x between two operands is a product."""
        token = self.token(i)
        if token is None or token.kind != "ident" or token.text not in ("x", "X"):
            return False
        following = self.token(i + 1)
        return following is not None and following.kind in ("num", "lparen")

    def _juxtaposable(self, left: Node, i: int) -> bool:
        token = self.token(i)
        if token is None:
            return False
        if token.kind in ("lparen", "lbrace", "frac", "sqrt", "func", "partial", "greek", "matrix"):
            return True
        return token.kind == "ident" and not self._and_between(left, i)

    def _and_between(self, left: Node, i: int) -> bool:
        """``w2 = 0,20 e b1 = 0,35``: in running text, a lone ``e`` between a number and a
        word is the Italian and Portuguese "and", not Euler's number times the word."""
        token, following = self.token(i), self.token(i + 1)
        return (
            token.text == "e"
            and not token.math
            and isinstance(left, Number)
            and following is not None
            and following.kind == "ident"
            and token.start > node_end(left)
            and following.start > token.end
        )

    def power(self, i: int) -> tuple[Node, int]:
        self.enter()
        try:
            base, i = self.postfix(i)
            while True:
                if self.is_op(i, "^"):
                    exponent, i = self.exponent(i + 1)
                elif self.kind(i) == "sup" and _numeric_sup(self.tokens[i].text):
                    token = self.tokens[i]
                    exponent = _sup_number(token)
                    i += 1
                else:
                    break
                if isinstance(base, Matrix) and _is_transpose(exponent):
                    base = base.transposed(self.end_of(i))
                    continue
                base = Apply("pow", (base, exponent), node_start(base), self.end_of(i))
            return base, i
        finally:
            self.depth -= 1

    def exponent(self, i: int) -> tuple[Node, int]:
        token = self.token(i)
        if token is None:
            raise _Fail
        if token.kind == "lbrace":
            node, j = self.expression(i + 1)
            return node, self.expect(j, "rbrace")
        if token.kind == "lparen":
            node, j = self.expression(i + 1)
            return node, self.expect(j, "rparen")
        if token.kind == "op" and token.text in ("-", "+"):
            node, j = self.exponent(i + 1)
            if token.text == "-":
                node = (
                    node.negated(token.start)
                    if isinstance(node, Number)
                    else Apply("neg", (node,), token.start, node_end(node))
                )
            return node, j
        if token.kind in ("num", "ident", "greek"):
            return self.primary(i)
        raise _Fail

    def expect(self, i: int, kind: str) -> int:
        if self.kind(i) != kind:
            raise _Fail
        return i + 1

    def postfix(self, i: int) -> tuple[Node, int]:
        node, i = self.primary(i)
        while True:
            kind = self.kind(i)
            if kind == "percent":
                node = Apply("percent", (node,), node_start(node), self.tokens[i].end)
                i += 1
            elif kind == "ellipsis" and isinstance(node, Number):
                node = Number(node.text, node.value, node.places, node.start, node.end, True)
                i += 1
            else:
                return node, i

    def primary(self, i: int) -> tuple[Node, int]:
        token = self.token(i)
        if token is None:
            raise _Fail
        method = getattr(self, f"primary_{token.kind}", None)
        if method is None:
            raise _Fail
        return method(i)

    # -- primaries, by token kind -------------------------------------------------------
    def primary_num(self, i: int) -> tuple[Node, int]:
        number = _number(self.tokens[i])
        return self._scientific(number, i + 1)

    def _scientific(self, number: Number, i: int) -> tuple[Node, int]:
        """3.51019 × 10^{-5} (or \\cdot, x, *, ·10⁻⁵) is one number written in two parts."""
        token = self.token(i)
        if token is None or not ((token.kind == "op" and token.text == "*") or self._times_x(i)):
            return number, i
        ten = self.token(i + 1)
        if ten is None or ten.kind != "num" or ten.text != "10":
            return number, i
        exponent = self._integer_exponent(i + 2)
        if exponent is None:
            return number, i
        power, j = exponent
        value = number.value.scaleb(power)
        text = f"{number.text}e{power}"
        end = self.end_of(j)
        return Number(text, value, number.places + power, number.start, end), j

    def _integer_exponent(self, i: int) -> tuple[int, int] | None:
        token = self.token(i)
        if token is None:
            return None
        if token.kind == "sup" and _numeric_sup(token.text):
            try:
                return int(token.text), i + 1
            except ValueError:
                return None
        if not (token.kind == "op" and token.text == "^"):
            return None
        tokens = []
        j = i + 1
        if self.kind(j) == "lbrace":
            j += 1
            while self.kind(j) not in ("rbrace", "") and len(tokens) < 4:
                tokens.append(self.tokens[j].text)
                j += 1
            if self.kind(j) != "rbrace":
                return None
            j += 1
        else:
            while self.kind(j) == "op" and self.tokens[j].text in "-+" and len(tokens) < 2:
                tokens.append(self.tokens[j].text)
                j += 1
            if self.kind(j) != "num":
                return None
            tokens.append(self.tokens[j].text)
            j += 1
        text = "".join(tokens)
        return (int(text), j) if _is_integer(text) else None

    def primary_ambiguous(self, i: int) -> tuple[Node, int]:
        """``0,5999`` where the document has not said its decimals are commas: no value."""
        token = self.tokens[i]
        return Opaque("ambiguous", token.start, token.end), i + 1

    def primary_matrix(self, i: int) -> tuple[Node, int]:
        """A matrix environment: each ``cell`` token's expression, up to ``endmatrix``."""
        start, env = self.tokens[i].start, self.tokens[i].text
        rows: list[list[Node | None]] = []
        j = i + 1
        while self.kind(j) == "cell":
            row = int(self.tokens[j].text.split(",")[0])
            stop = j + 1
            depth = 0
            while stop < self.limit and (depth or self.kind(stop) not in ("cell", "endmatrix")):
                depth += {"matrix": 1, "endmatrix": -1}.get(self.kind(stop), 0)
                stop += 1
            while len(rows) < row:
                rows.append([])
            rows[row - 1].append(self._cell(j + 1, stop))
            j = stop
        if self.kind(j) != "endmatrix" or not rows:
            raise _Fail
        cells = tuple(tuple(row) for row in rows if row)
        return Matrix(cells, env, start, self.tokens[j].end), j + 1

    def _cell(self, first: int, stop: int) -> Node | None:
        """One cell's expression, or None if the cell is not one expression."""
        if first >= stop:
            return None
        found = parse(self.tokens, first, stop)
        return found[0] if found is not None and found[1] == stop else None

    def _printed_array(self, i: int) -> tuple[Node, int] | None:
        """NumPy's printout ``[[ 0.3775 -0.3925]\n [ 0.1 0.2]]``: numbers separated by spaces
        only, each row in brackets; a sign there belongs to the number after it."""
        rows: list[list[Node]] = []
        depth, j, sign = 0, i, None
        while j < self.limit:
            token = self.tokens[j]
            if token.kind == "lparen" and token.text == "[":
                depth += 1
                if depth > 2:
                    return None
                if depth == 2 or not rows:
                    rows.append([])
            elif token.kind == "rparen" and token.text == "]":
                depth -= 1
                if depth == 0:
                    break
            elif token.kind == "op" and token.text in "-+" and sign is None:
                sign = token
            elif token.kind == "sep" and token.text == "." and self.tokens[j - 1].kind == "num":
                pass  # NumPy writes zero as "0."
            elif token.kind == "num" and rows:
                number = _number(token)
                if sign is not None:
                    number = number.negated(sign.start) if sign.text == "-" else number
                    if self.tokens[j - 1].end != token.start:
                        return None  # "0.3 - 0.2": arithmetic, not a printout
                rows[-1].append(number)
                sign = None
            else:
                return None
            j += 1
        rows = [row for row in rows if row]
        if depth or not rows or sum(len(row) for row in rows) < 2:
            return None
        if any(len(row) < 2 for row in rows) and len(rows) == 1:
            return None
        if self.tokens[i + 1].kind == "num" or (self.tokens[i + 1].kind == "op"):
            flat = Matrix(
                (tuple(rows[0]),), "printed", self.tokens[i].start, self.tokens[j].end, True
            )
            return flat, j + 1
        matrix = Matrix(
            tuple(tuple(row) for row in rows), "printed", self.tokens[i].start, self.tokens[j].end
        )
        return matrix, j + 1

    def _list(self, i: int) -> tuple[Node, int]:
        """``[0.3775, 0.3925]``, ``[[0.15, 0.20], [0.25, 0.30]]``, ``[0,5; 0,6]`` → a Matrix."""
        start = self.tokens[i].start
        items: list[Node] = []
        j = i + 1
        while True:
            node, j = self.expression(j)
            items.append(node)
            if self.kind(j) == "sep" and self.tokens[j].text in ",;":
                j += 1
                continue
            break
        j = self.expect(j, "rparen")
        if len(items) < 2:
            raise _Fail
        end = self.end_of(j)
        if all(isinstance(item, Matrix) and item.flat for item in items):
            rows = tuple(item.rows[0] for item in items)  # type: ignore[union-attr]
            return Matrix(rows, "list", start, end), j
        if any(isinstance(item, Matrix) for item in items):
            raise _Fail
        return Matrix((tuple(items),), "list", start, end, flat=True), j

    def primary_opaque(self, i: int) -> tuple[Node, int]:
        token = self.tokens[i]
        return Opaque(token.text, token.start, token.end), i + 1

    def primary_lparen(self, i: int) -> tuple[Node, int]:
        if self.tokens[i].text == "[":
            printed = self._printed_array(i)
            if printed is not None:
                return printed
        node, j = self.expression(i + 1)
        if self.kind(j) == "sep" and self.tokens[j].text in ",;" and self.tokens[i].text in "[(":
            return self._list(i)  # [0.3775, 0.3925], a tuple (0.5, 1, 0)
        j = self.expect(j, "rparen")
        if self.tokens[i].text == "[" and isinstance(node, Matrix) and node.flat:
            return Matrix(node.rows, node.env, self.tokens[i].start, self.end_of(j)), j  # [[…]]
        return node, j

    def primary_lbrace(self, i: int) -> tuple[Node, int]:
        node, j = self.expression(i + 1)
        return node, self.expect(j, "rbrace")

    def primary_frac(self, i: int) -> tuple[Node, int]:
        start = self.tokens[i].start
        digits = self.token(i + 1)
        if digits is not None and digits.kind == "num" and re.fullmatch(r"\d\d", digits.text):
            # \frac12: TeX reads two one-digit arguments
            one, two = (_number(Token("num", d, digits.start, digits.end)) for d in digits.text)
            return Apply("div", (one, two), start, digits.end), i + 2
        derivative = self._frac_derivative(i + 1)
        if derivative is not None:
            of, wrt, j = derivative
            return Derivative(of, wrt, start, self.end_of(j)), j
        numerator, j = self.argument(i + 1)
        denominator, j = self.argument(j)
        return Apply("div", (numerator, denominator), start, self.end_of(j)), j

    def argument(self, i: int) -> tuple[Node, int]:
        """A \\frac or \\sqrt argument: a braced group, or one token (\\frac12)."""
        token = self.token(i)
        if token is None:
            raise _Fail
        if token.kind == "lbrace":
            node, j = self.expression(i + 1)
            return node, self.expect(j, "rbrace")
        return self.primary(i)

    def _frac_derivative(self, i: int) -> tuple[Atom, Atom, int] | None:
        """\\frac{\\partial E}{\\partial w_5}, \\frac{dE}{dw_5}: both groups are differentials."""
        if self.kind(i) != "lbrace":
            return None
        try:
            of, j = self.differential(i + 1)
            j = self.expect(j, "rbrace")
            j = self.expect(j, "lbrace")
            wrt, j = self.differential(j)
            return of, wrt, self.expect(j, "rbrace")
        except _Fail:
            return None

    def differential(self, i: int) -> tuple[Atom, int]:
        """∂X, d X, dX, δX (a differential's variable)."""
        token = self.token(i)
        if token is None:
            raise _Fail
        if token.kind == "partial" or (token.kind == "ident" and token.text == "d"):
            return self.atom(i + 1)
        if token.kind == "greek" and token.text == "delta":
            return self.atom(i + 1)
        if token.kind == "ident" and token.text.startswith("d") and len(token.text) > 1:
            inner = Token("ident", token.text[1:], token.start + 1, token.end, token.math)
            return self.atom(i, first=inner)
        raise _Fail

    def primary_partial(self, i: int) -> tuple[Node, int]:
        """∂E/∂w5 or \\partial E_{total} / \\partial w_5."""
        of, j = self.atom(i + 1)
        if not self.is_op(j, "/"):
            raise _Fail
        wrt, k = self.differential(j + 1)
        return Derivative(of, wrt, self.tokens[i].start, self.end_of(k)), k

    def primary_sqrt(self, i: int) -> tuple[Node, int]:
        node, j = self.argument(i + 1)
        return Apply("sqrt", (node,), self.tokens[i].start, self.end_of(j)), j

    def primary_func(self, i: int) -> tuple[Node, int]:
        return self._function(i, self.tokens[i].text)

    def _function(self, i: int, name: str) -> tuple[Node, int]:
        start = self.tokens[i].start
        j = i + 1
        if name in ("max", "min"):
            if self.kind(j) != "lparen":
                raise _Fail
            args = []
            node, j = self.expression(j + 1)
            args.append(node)
            while self.kind(j) == "sep" and self.tokens[j].text == ",":
                node, j = self.expression(j + 1)
                args.append(node)
            j = self.expect(j, "rparen")
            return Apply(name, tuple(args), start, self.end_of(j)), j
        if self.kind(j) in ("lparen", "lbrace"):
            node, j = self.primary(j)
        else:
            node, j = self.power(j)
        return combine(name, (node,), start, self.end_of(j)), j

    def primary_greek(self, i: int) -> tuple[Node, int]:
        token = self.tokens[i]
        if token.text == "Delta" and self._changed_parameter(i + 1):
            atom, j = self.atom(i + 1)  # Δw_{35}: the change of w_{35} (w⁺ − w)
            return Name(replace(atom, base="Δ" + atom.base), token.start, self.end_of(j)), j
        if token.text == "sigma":
            if self.kind(i + 1) == "lparen":
                return self._function(i, "sigmoid")
            if self.kind(i + 1) == "prime" and self.kind(i + 2) == "lparen":
                node, j = self._function(i + 1, "dsigmoid")
                return Apply("dsigmoid", node.args, token.start, node.end), j
        atom, j = self.atom(i)
        return Name(atom, token.start, self.end_of(j)), j

    def _changed_parameter(self, j: int) -> bool:
        """Whether the Δ before token `j` writes the change of a weight or a bias: ``Δw5``,
        ``\\Delta w_{jk}``, ``Δb``. Written with a space after a Unicode Δ (``Δ w6``) it is
        the product of a Δ (some writers' prediction − target) and w6, so it is not."""
        following = self.token(j)
        if following is None or following.kind != "ident" or following.text[0] not in "wWbB":
            return False
        if not (len(following.text) == 1 or following.text[1:].isdigit()):
            return False
        delta = self.tokens[j - 1]
        return following.start == delta.end or delta.end - delta.start > 1

    def primary_ident(self, i: int) -> tuple[Node, int]:
        token = self.tokens[i]
        text = token.text
        following = self.kind(i + 1)
        if text in _MODULES and self._numpy_call(i + 1):
            i = i + 2  # np.array(…), np.exp(…), math.log(…): the module's name says nothing
            token = self.tokens[i]
            text, following = token.text, self.kind(i + 1)
        if text == "e" and not self.is_op(i + 1, "_"):
            return Constant("e", token.start, token.end), i + 1
        if text.lower() in _FUNCTION_WORDS and following == "lparen":
            return self._function(i, _FUNCTION_WORDS[text.lower()])
        if text in ("ln", "log", "exp") and following in ("num", "ident", "greek"):
            return self._function(i, _FUNCTION_WORDS[text])
        if text in _ARRAYS and following == "lparen" and self.tokens[i + 1].text == "(":
            node, j = self.primary(i + 2)  # numpy's array([[…], […]])
            return node, self.expect(j, "rparen")
        if text.startswith("d") and len(text) > 1:
            leibniz = self._leibniz(i)
            if leibniz is not None:
                return leibniz
        if text.lower() in _CODE_PREFIXES and self.is_op(i + 1, "_"):
            coded = self._code_name(i)
            if coded is not None:
                return coded
        if text in _MODIFIERS and self.kind(i + 1) == "ident":
            if self.tokens[i + 1].text in _PARAMETER_WORDS and self.kind(i + 2) == "ident":
                i += 1  # "new weight w8", "updated bias b2"
            atom, j = self.atom(i + 1)
            if atom.base[0] in "wWbB":
                marked = Atom(atom.base, atom.sub, "+")
                return Name(marked, token.start, self.end_of(j)), j
        atom, j = self.atom(i)
        return Name(atom, token.start, self.end_of(j)), j

    def _code_name(self, i: int) -> tuple[Node, int] | None:
        """``grad_w5``, ``new_w5``, ``old_w5`` as programs name them: the gradient of w5,
        w5 after the update, w5 before it. Only a prefix joined to a parameter's name (no
        space on either side of the "_"): anything else is not a name we know."""
        prefix, mark, name = self.tokens[i], self.token(i + 1), self.token(i + 2)
        if name is None or name.kind != "ident" or not prefix.end == mark.start == name.start - 1:
            return None
        try:
            atom, j = self.atom(i + 2)
        except _Fail:
            return None
        if _PARAMETER.fullmatch(atom.base) is None or atom.sup:
            return None
        meaning = _CODE_PREFIXES[prefix.text.lower()]
        if meaning == "gradient":
            return Derivative(Atom("E"), atom, prefix.start, self.end_of(j)), j
        if meaning == "updated":
            return Name(Atom(atom.base, atom.sub, "+"), prefix.start, self.end_of(j)), j
        return Name(atom, prefix.start, self.end_of(j)), j

    def _numpy_call(self, i: int) -> bool:
        """``np.array(``, ``np.exp(``, ``math.log(``: a module's function we know."""
        dot, name, paren = self.token(i), self.token(i + 1), self.token(i + 2)
        return (
            dot is not None and dot.kind == "sep" and dot.text == "."
            and name is not None and name.text in _MODULE_FUNCTIONS
            and paren is not None and paren.text == "("
        )  # fmt: skip

    def _leibniz(self, i: int) -> tuple[Node, int] | None:
        """dE/dw5, dE_total/dw_5: a differential, a slash, a differential."""
        try:
            of, j = self.differential(i)
            if not self.is_op(j, "/"):
                return None
            wrt, k = self.differential(j + 1)
        except _Fail:
            return None
        return Derivative(of, wrt, self.tokens[i].start, self.end_of(k)), k

    # -- names --------------------------------------------------------------------------
    def atom(self, i: int, first: Token | None = None) -> tuple[Atom, int]:
        """A name with its subscripts and superscripts: net_{h_1}, w_5^{+}, w5', E_{o1}."""
        token = first or self.token(i)
        if token is None or token.kind not in ("ident", "greek"):
            raise _Fail
        base, math = token.text, token.math
        sub, sup = "", ""
        index: tuple[str, ...] = ()
        j = i + 1
        for _ in range(6):
            kind = self.kind(j)
            bracket = self._bracket_index(j)
            if bracket is not None:
                parts, j = bracket
                index += parts
            elif self.is_op(j, "_"):
                text, j = self.script(j + 1)
                sub += text
            elif self.is_op(j, "^"):
                try:
                    text, k = self.script(j + 1)
                except _Fail:
                    break
                if not _name_sup(text):
                    break
                sup, j = sup + text, k
            elif kind == "sub":
                sub += self.tokens[j].text
                j += 1
            elif kind == "sup" and not _numeric_sup(self.tokens[j].text):
                sup += self.tokens[j].text
                j += 1
            elif kind == "prime":
                sup += "'"
                j += 1
            elif self._trailing_plus(j):
                sup += "+"
                j += 1
            elif self._parenthesized_mark(j):
                sup += self.tokens[j + 1].text
                j += 3
            else:
                break
        atom, j = self._spaced_index(Atom(base, sub, sup, index), j, math)
        if not looks_like_name(atom, math):
            raise _Fail
        return atom, j

    def _bracket_index(self, j: int) -> tuple[tuple[str, ...], int] | None:
        """``Z[1]``, ``dW[3][2][1]``, ``W[2][1,3]``: indices in brackets hugging the name."""
        opener = self.token(j)
        if opener is None or opener.kind != "lparen" or opener.text != "[":
            return None
        if self.tokens[j - 1].end != opener.start:
            return None
        parts: list[str] = []
        k = j + 1
        while k < self.limit and k - j <= 6:
            token = self.tokens[k]
            if token.kind == "rparen" and token.text == "]":
                return (tuple(parts), k + 1) if parts else None
            if token.kind == "num" and token.text.isdigit():
                parts.append(token.text)
            elif token.kind == "ambiguous":
                parts.extend(token.text.split(","))
            elif token.kind == "ident" and len(token.text) == 1:
                parts.append(token.text)
            elif not (token.kind == "sep" and token.text == ","):
                return None
            k += 1
        return None

    def script(self, i: int) -> tuple[str, int]:
        """The flattened text of a sub- or superscript: {h_{1}} → h1, 5 → 5, {(2)} → (2)."""
        token = self.token(i)
        if token is None:
            raise _Fail
        if token.kind != "lbrace":
            if token.kind in ("ident", "num", "greek"):
                return token.text, i + 1
            if token.kind == "op" and token.text in ("+", "*"):
                return token.text, i + 1
            if token.kind == "prime":
                return "'", i + 1
            raise _Fail
        depth, j, parts = 0, i, []
        while j < self.limit and j - i < 40:
            kind = self.tokens[j].kind
            if kind == "lbrace":
                depth += 1
            elif kind == "rbrace":
                depth -= 1
                if depth == 0:
                    return "".join(parts), j + 1
            elif kind in _SCRIPT_KINDS or (kind == "op" and self.tokens[j].text in "+-*"):
                parts.append(self.tokens[j].text)
            elif kind == "sep" and self.tokens[j].text in ",.":
                parts.append(self.tokens[j].text)  # w_{1,2}, w_{O1.H21}
            elif kind == "ambiguous":
                parts.append(self.tokens[j].text)
            elif kind == "prime":
                parts.append("'")
            elif kind not in ("op",):
                raise _Fail
            j += 1
        raise _Fail

    def _trailing_plus(self, j: int) -> bool:
        """``w5+ = 0.3589``, ``w5* = 0.3589``: a plus or a star hugging a name, with nothing
        after it to add or multiply (the mark of the updated value)."""
        if not (self.is_op(j, "+") or (self.is_op(j, "*") and self.tokens[j].text == "*")):
            return False
        token = self.tokens[j]
        if self.tokens[j - 1].end != token.start:
            return False
        following = self.token(j + 1)
        return following is None or following.kind in _CLOSERS

    def _parenthesized_mark(self, j: int) -> bool:
        """``w6(new)``, ``E_total (after)``, ``out_o1 (before)``."""
        if self.kind(j) != "lparen" or self.kind(j + 2) != "rparen":
            return False
        inner = self.tokens[j + 1]
        return inner.kind == "ident" and (updated_mark(inner.text) or old_mark(inner.text))

    def _spaced_index(self, atom: Atom, j: int, math: bool) -> tuple[Atom, int]:
        """Running text loses subscripts: ``net h1``, ``out o 1``, ``E total``, ``w 5``."""
        if atom.sub or atom.sup:
            return atom, j
        base = atom.base.lower() if len(atom.base) > 1 else atom.base
        token = self.token(j)
        if token is None:
            return atom, j
        if base == "net" and token.kind == "ident" and token.text.lower() == "input":
            j += 1
            token = self.token(j)
            if token is None:
                return atom, j
        if base in ("net", "out", "output", "target", "E", "error", "delta"):
            if token.kind == "ident" and re.fullmatch(r"[hoi]\d+(?:_\d+)?|total|tot", token.text):
                return Atom(atom.base, token.text, ""), j + 1
            if token.kind == "ident" and token.text in ("h", "o", "i"):
                number = self.token(j + 1)
                if number is not None and number.kind in ("num", "sub") and number.text.isdigit():
                    return Atom(atom.base, token.text + number.text, ""), j + 2
        if not math and base in ("w", "b") and token.kind == "num" and token.text.isdigit():
            return Atom(atom.base, token.text, ""), j + 1
        return atom, j


# -- leaves --------------------------------------------------------------------------------
def _number(token: Token) -> Number:
    text = token.text
    value = Decimal(text)
    mantissa, _, exponent = text.lower().partition("e")
    places = -len(mantissa.partition(".")[2]) + (int(exponent) if exponent else 0)
    return Number(text, value, places, token.start, token.end)


def _sup_number(token: Token) -> Number:
    text = token.text
    return Number(text, Decimal(int(text)), 0, token.start, token.end)


def _numeric_sup(text: str) -> bool:
    return _is_integer(text)


def _is_integer(text: str) -> bool:
    stripped = text.lstrip("+-")
    return stripped.isdigit() and len(text) - len(stripped) <= 1


def _name_sup(text: str) -> bool:
    """A superscript that belongs to the name (w_5^{+}, a^{(2)}, w^{(1)+}, E^{[1]}), not a
    power (x^2)."""
    if updated_mark(text) or text in ("old", "(old)", "orig", "T"):
        return True
    rest = _INDEXED_SUP.sub("", text, count=1)
    return rest != text and (not rest or rest == "T" or updated_mark(rest))


_INDEXED_SUP = re.compile(r"^[(\[]\d+[)\]]")


def combine(op: str, args: tuple[Node, ...], start: int, end: int, juxtaposed: bool = False):
    """An operation, worked element by element when it is on arrays written out.

    ``[0.15 0.20; 0.25 0.30] [0.05; 0.10] + 0.35`` is the matrix of the expressions
    ``0.15·0.05 + 0.20·0.10 + 0.35``, …: a product of arrays whose shapes fit is the matrix
    product, ``⊙`` (and a product of arrays of one shape that do not fit) is entry by entry,
    sums and functions (σ, exp) go entry by entry, a number scales every entry. Arrays whose
    shapes do not agree give an `Opaque` (no value, never a wrong one).
    """
    if not any(isinstance(arg, Matrix) for arg in args):
        return Apply("mul" if op == "hadamard" else op, args, start, end, juxtaposed)
    try:
        result = None
        if op == "mul" and len(args) == 2 and all(isinstance(a, Matrix) for a in args):
            result = _matrix_product(args[0], args[1], start, end)
        if result is None:
            result = _entrywise("mul" if op in ("hadamard", "mul") else op, args, start, end)
    except _Shape:
        return Opaque("array", start, end)
    cells = result.cells()
    if len(cells) == 1 and cells[0][1] is not None:
        return cells[0][1]  # a row times a column: one number
    return result


class _Shape(Exception):
    """Arrays whose shapes do not fit the operation."""


def _grid(matrix: Matrix, row: bool) -> list[list[Node | None]]:
    """A matrix as rows of cells; a flat list as one row (`row`) or one column."""
    if matrix.flat:
        cells = list(matrix.rows[0])
        return [cells] if row else [[cell] for cell in cells]
    width = max(len(r) for r in matrix.rows)
    return [list(r) + [None] * (width - len(r)) for r in matrix.rows]


def _matrix_product(left: Matrix, right: Matrix, start: int, end: int) -> Matrix | None:
    a, b = _grid(left, row=True), _grid(right, row=False)
    inner = len(a[0])
    if inner != len(b):
        return None
    rows = []
    for r in range(len(a)):
        row = []
        for c in range(len(b[0])):
            pairs = [(a[r][k], b[k][c]) for k in range(inner)]
            if any(x is None or y is None for x, y in pairs):
                row.append(None)
                continue
            terms = tuple(Apply("mul", (x, y), x.start, y.end) for x, y in pairs)
            row.append(terms[0] if len(terms) == 1 else Apply("add", terms, start, end))
        rows.append(tuple(row))
    return Matrix(tuple(rows), "product", start, end)


def _entrywise(op: str, args: tuple[Node, ...], start: int, end: int) -> Matrix:
    """`op` on each entry; every array of one shape (a flat list as a column), numbers
    broadcast."""
    shapes = {_grid_shape(a) for a in args if isinstance(a, Matrix)}
    if len(shapes) != 1:
        raise _Shape
    height, width = shapes.pop()
    grids = [_grid(a, row=False) if isinstance(a, Matrix) else None for a in args]
    rows = []
    for r in range(height):
        row = []
        for c in range(width):
            cells = [g[r][c] if g is not None else a for g, a in zip(grids, args, strict=True)]
            if any(cell is None or isinstance(cell, Matrix) for cell in cells):
                row.append(None)
            else:
                row.append(Apply(op, tuple(cells), cells[0].start, cells[-1].end))
        rows.append(tuple(row))
    flat = all(a.flat for a in args if isinstance(a, Matrix))
    if flat:
        return Matrix((tuple(r[0] for r in rows),), "product", start, end, True)
    return Matrix(tuple(rows), "product", start, end)


def _grid_shape(matrix: Matrix) -> tuple[int, int]:
    grid = _grid(matrix, row=False)
    return len(grid), len(grid[0])


_SYMBOLS = {"add": " + ", "mul": "·", "div": "/", "pow": "^"}


def written(node: Node | None) -> str:
    """An expression built from arrays written out, as one entry of it would be written:
    ``0.15·0.05 + 0.20·0.10 + 0.35``, ``sigmoid(0.3775)`` (for quoting an element's claim)."""
    if isinstance(node, Number):
        return node.text
    if isinstance(node, Name):
        return str(node.atom)
    if isinstance(node, Apply):
        parts = [written(arg) for arg in node.args]
        if node.op in _SYMBOLS:
            inner = [f"({p})" if " + " in p and node.op != "add" else p for p in parts]
            return _SYMBOLS[node.op].join(inner).replace("+ -", "− ")
        if node.op == "neg":
            return f"−{parts[0]}"
        return f"{node.op}({', '.join(parts)})"
    return "…"


def _is_transpose(node: Node) -> bool:
    """The exponent of ``[…]^T``, ``[…]^{\\top}``."""
    return isinstance(node, Name) and node.atom.base == "T" and not node.atom.sub


def _negate(node: Node) -> Node:
    if isinstance(node, Number):
        return node.negated(node.start)
    return combine("neg", (node,), node_start(node), node_end(node))


def node_start(node: Node) -> int:
    return node.start


def node_end(node: Node) -> int:
    return node.end


# -- evaluation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """A computed value and the most it can be off through the rounding of written numbers."""

    value: float
    error: float


Lookup = Callable[[Node], "Value | None"]
Uncertainty = Callable[[Number], float]


def evaluate(node: Node, lookup: Lookup, uncertainty: Uncertainty) -> Value | None:
    """The value of `node`: names through `lookup`, numbers with `uncertainty`; None if unknown.

    Evaluation is in double precision, which is ample for comparing with numbers written
    to at most about 14 significant digits (longer numbers go through `evaluate_exact`).
    """
    try:
        return _EVALUATE[type(node).__name__](node, lookup, uncertainty)
    except (OverflowError, ZeroDivisionError, ValueError, TypeError, RecursionError):
        return None


def _evaluate_number(node: Number, lookup: Lookup, uncertainty: Uncertainty) -> Value:
    return Value(float(node.value), uncertainty(node))


def _evaluate_name(node: Name | Derivative, lookup: Lookup, uncertainty: Uncertainty):
    return lookup(node)


def _evaluate_constant(node: Constant, lookup: Lookup, uncertainty: Uncertainty) -> Value:
    return Value(math.e, 0.0)


def _evaluate_opaque(node: Opaque, lookup: Lookup, uncertainty: Uncertainty) -> None:
    return None


def _evaluate_apply(node: Apply, lookup: Lookup, uncertainty: Uncertainty) -> Value | None:
    args = []
    for arg in node.args:
        value = evaluate(arg, lookup, uncertainty)
        if value is None:
            return None
        args.append(value)
    result = _OPERATIONS[node.op](*args)
    if result is None or not math.isfinite(result.value) or not math.isfinite(result.error):
        return None
    return result


def _add(*terms: Value) -> Value:
    return Value(math.fsum(t.value for t in terms), sum(t.error for t in terms))


def _mul(a: Value, b: Value) -> Value:
    # |Δ(ab)| ≤ |a|·Δb + |b|·Δa + Δa·Δb
    error = abs(a.value) * b.error + abs(b.value) * a.error + a.error * b.error
    return Value(a.value * b.value, error)


def _div(a: Value, b: Value) -> Value | None:
    if b.value == 0 or abs(b.value) <= b.error:
        return None
    # |Δ(a/b)| ≤ (Δa + |a/b|·Δb) / (|b| − Δb)
    quotient = a.value / b.value
    return Value(quotient, (a.error + abs(quotient) * b.error) / (abs(b.value) - b.error))


def _pow(a: Value, b: Value) -> Value | None:
    if a.value < 0 and b.value != int(b.value):
        return None
    if a.value == 0 and b.value <= 0:
        return None
    result = a.value**b.value
    # d(a^b) = b·a^(b−1)·da + ln(a)·a^b·db
    error = abs(b.value * a.value ** (b.value - 1)) * a.error if a.value != 0 else a.error
    if b.error and a.value > 0:
        error += abs(math.log(a.value) * result) * b.error
    return Value(result, error)


def _neg(a: Value) -> Value:
    return Value(-a.value, a.error)


def _exp(a: Value) -> Value:
    result = math.exp(a.value)
    return Value(result, result * (math.exp(a.error) - 1) if a.error else 0.0)


def _ln(a: Value) -> Value | None:
    if a.value <= a.error:
        return None
    return Value(math.log(a.value), a.error / (a.value - a.error))


def _tanh(a: Value) -> Value:
    result = math.tanh(a.value)
    return Value(result, (1 - result * result) * a.error)


def _sigmoid(a: Value) -> Value:
    result = 1 / (1 + math.exp(-a.value))
    return Value(result, result * (1 - result) * a.error)


def _dsigmoid(a: Value) -> Value:
    s = 1 / (1 + math.exp(-a.value))
    return Value(s * (1 - s), 0.1 * a.error)


def _sqrt(a: Value) -> Value | None:
    if a.value < 0:
        return None
    result = math.sqrt(a.value)
    return Value(result, a.error / (2 * result) if result else math.sqrt(a.error))


def _percent(a: Value) -> Value:
    return Value(a.value / 100, a.error / 100)


def _max(*args: Value) -> Value:
    best = max(args, key=lambda v: v.value)
    return Value(best.value, max(v.error for v in args))


def _min(*args: Value) -> Value:
    best = min(args, key=lambda v: v.value)
    return Value(best.value, max(v.error for v in args))


def _sinh(a: Value) -> Value:
    return Value(math.sinh(a.value), math.cosh(a.value) * a.error)


def _cosh(a: Value) -> Value:
    return Value(math.cosh(a.value), abs(math.sinh(a.value)) * a.error + a.error * a.error)


_OPERATIONS: dict[str, Callable[..., Value | None]] = {
    "add": _add, "mul": _mul, "div": _div, "pow": _pow, "neg": _neg, "exp": _exp, "ln": _ln,
    "tanh": _tanh, "sigmoid": _sigmoid, "dsigmoid": _dsigmoid, "sqrt": _sqrt,
    "percent": _percent, "max": _max, "min": _min, "sinh": _sinh, "cosh": _cosh,
}  # fmt: skip

_EVALUATE: dict[str, Callable[..., Value | None]] = {
    "Number": _evaluate_number,
    "Name": _evaluate_name,
    "Derivative": _evaluate_name,
    "Constant": _evaluate_constant,
    "Opaque": _evaluate_opaque,
    "Matrix": _evaluate_opaque,  # an array has no single value; its elements are claims
    "Apply": _evaluate_apply,
}


def numbers_in(node: Node) -> list[Number]:
    """Every number written in `node`, left to right."""
    found: list[Number] = []
    _collect(node, Number, found)
    return found


def names_in(node: Node) -> list[Name | Derivative]:
    """Every name (or derivative) written in `node`, left to right."""
    found: list = []
    _collect(node, (Name, Derivative), found)
    return found


def _collect(node: Node, kinds, found: list) -> None:
    if isinstance(node, kinds):
        found.append(node)
    if isinstance(node, Apply):
        for arg in node.args:
            _collect(arg, kinds, found)


def operations(node: Node) -> int:
    """How many operations `node` writes (0 for a single number or name)."""
    if isinstance(node, Apply):
        return 1 + sum(operations(arg) for arg in node.args)
    return 0
