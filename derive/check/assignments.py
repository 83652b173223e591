"""Several names given values at once: ``i1, i2 = 0.05, 0.10`` and ``w1..w8 = .15 .20 …``.

Code unpacks tuples and notes list a range of weights with their values in a row. Read as
one relation, the first would claim ``i2 = 0.05`` and the second ``w8 = .15`` — a wrong
number where the writer wrote none. Here each such statement becomes one relation per name
(``i1 = 0.05; i2 = 0.10``), the names and values paired in order; when the counts differ
(a list broken over two lines, a tuple built by a call) the statement is no claim at all:
unread is honest, a guessed pairing is not.
"""

from __future__ import annotations

import re
from itertools import pairwise

from derive.check.lexer import Token

#: a name with a number at its end, as a range writes its ends (``w1``, ``b2``)
_NUMBERED = re.compile(r"([A-Za-z]+)(\d{1,3})")
_DEPTH = {"lparen": 1, "lbrace": 1, "rparen": -1, "rbrace": -1}


def unpacked(tokens: list[Token]) -> list[Token]:
    """`tokens` with each multiple assignment written as one relation per name."""
    if len(tokens) < 4 or not any(t.kind in ("sep", "ellipsis") for t in tokens):
        return tokens
    relations = [i for i, t in enumerate(tokens) if t.kind == "rel"]
    if len(relations) == 1 and tokens[relations[0]].text == "=":
        r = relations[0]
        ranged = _range(tokens[:r])
        names = ranged[1] if ranged and ranged[0] == 0 else _tuple(tokens[:r])
        if names is not None:
            return _paired(tokens, 0, r, names, _values(tokens[r + 1 :]), len(tokens))
    # among other relations, a range takes the numbers that follow it, and no more
    for r in reversed(relations):
        ranged = _range(tokens[:r])
        if ranged is not None:
            stop = r + 1
            while stop < len(tokens) and tokens[stop].kind == "num":
                stop += 1
            values = [[t] for t in tokens[r + 1 : stop]]
            tokens = _paired(tokens, ranged[0], r, ranged[1], values, stop)
    return tokens


def _paired(tokens: list[Token], first: int, r: int, names: list[list[Token]],
            values: list[list[Token]], stop: int) -> list[Token]:  # fmt: skip
    """`tokens` with the statement `first`…`stop` (its relation at `r`) written as one
    relation per name; with no relation at all when names and values do not pair up."""
    if len(values) != len(names):
        return [*tokens[:r], tokens[r]._replace(kind="sep"), *tokens[r + 1 :]]
    out: list[Token] = []
    for name, value in zip(names, values, strict=True):
        if out:
            out.append(value[0]._replace(kind="sep", text=";", end=value[0].start))
        out.extend(name)
        out.append(tokens[r])
        out.extend(value)
    return [*tokens[:first], *out, *tokens[stop:]]


def _tuple(left: list[Token]) -> list[list[Token]] | None:
    """``a, b, c`` at the end of the left side: two or more names, each alone."""
    groups = _split(left)
    if groups is None or len(groups) < 2:
        return None
    if not all(_is_name(group) for group in groups):
        return None
    return groups


def _range(left: list[Token]) -> tuple[int, list[list[Token]]] | None:
    """``w1..w8`` (two or three dots, or an ellipsis) ending `left`: where it starts, and
    the names from one end to the other."""
    if len(left) < 3 or left[-1].kind != "ident":
        return None
    first = len(left) - 2
    while first > 0 and (left[first].kind == "ellipsis" or left[first].text == "."):
        first -= 1
    dots = len(left) - 2 - first
    if not 1 <= dots <= 3 or left[first].kind != "ident":
        return None
    low_name, high_name = _NUMBERED.fullmatch(left[first].text), _NUMBERED.fullmatch(left[-1].text)
    if low_name is None or high_name is None or low_name.group(1) != high_name.group(1):
        return None
    low, high = int(low_name.group(2)), int(high_name.group(2))
    if not low < high <= low + 99:
        return None
    start, end, math = left[first].start, left[-1].end, left[first].math
    names = [[Token("ident", f"{low_name.group(1)}{k}", start, end, math)]
             for k in range(low, high + 1)]  # fmt: skip
    return first, names


def _values(right: list[Token]) -> list[list[Token]]:
    """The values of the right side: split at its commas, or else one number each."""
    groups = _split(right) or []
    if len(groups) > 1:
        return groups
    if right and all(t.kind == "num" for t in right):
        return [[t] for t in right]
    return groups


def _split(tokens: list[Token]) -> list[list[Token]] | None:
    """`tokens` cut at their top-level commas (None when a bracket does not close)."""
    groups: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        depth += _DEPTH.get(token.kind, 0)
        if depth < 0:
            return None
        if depth == 0 and token.kind == "sep" and token.text == ",":
            groups.append([])
        else:
            groups[-1].append(token)
    if depth or any(not group for group in groups):
        return None
    return groups


def _is_name(group: list[Token]) -> bool:
    """A name alone: an identifier and its scripts (``w_{1}``, ``b^{(1)}``, ``A[1]``) — not
    words (``and squashing each entry``), not an expression."""
    if group[0].kind not in ("ident", "greek"):
        return False
    depth = 0
    for previous, token in pairwise(group):
        depth += _DEPTH.get(token.kind, 0)
        if depth > 0 or token.kind in ("rparen", "rbrace"):
            continue
        if token.kind in ("lparen", "lbrace") or (token.kind == "op" and token.text in "_^"):
            continue
        scripted = previous.kind == "op" and previous.text in "_^"
        if token.kind not in ("ident", "num") or not scripted:
            return False
    return True
