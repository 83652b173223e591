"""What a program printed, read as claims about what it printed.

Blog posts and notebooks show a code block ending in ``print(net_h1, out_h1)`` and, right
under it, the block of output (``0.3775 0.5932699921071872``). The output is a claim
about each name printed: ``net_h1 = 0.3775``, ``out_h1 = 0.59326…``. The values are
paired with the names in order; when the output does not split into exactly as many
values as names were printed (a label printed with them, an f-string, a loop), nothing
is read: a guessed pairing would put a number on the wrong name.
"""

from __future__ import annotations

import re

from derive.check.lexer import Token, tokenize

#: a line that is a print call and nothing else (after the mark a web page's code opens
#: with, U+E000: see derive.check.reader.CODE_OPEN)
_PRINT = re.compile(r"^[ \t\ue000]*print[ \t]*\((?P<arguments>.*)\)[ \t;]*$", re.MULTILINE)
#: the languages an output block is marked with, when it is marked at all
OUTPUT_LANGUAGES = frozenset(("", "text", "output", "out", "console", "plaintext", "txt"))
_DEPTH = {"lparen": 1, "rparen": -1}


def printed_names(source: str, start: int, end: int) -> list[list[Token]]:
    """The names printed in the code between `start` and `end`, in order (each name's
    tokens); empty when a print call prints anything but names (a string, a call)."""
    names: list[list[Token]] = []
    for call in _PRINT.finditer(source, start, end):
        arguments = _split(tokenize(source, call.start("arguments"), call.end("arguments")))
        if arguments is None or not all(_is_name(argument) for argument in arguments):
            return []
        names.extend(arguments)
    return names


def printed_claims(source: str, start: int, end: int, names: list[list[Token]]) -> list[Token]:
    """Tokens ``name = value ; …`` pairing `names` with the values printed between `start`
    and `end` (a number, or a bracketed array over one or more lines); [] when the counts
    differ or the output holds anything else."""
    values = _values(tokenize(source, start, end, math=True))
    if values is None or len(values) != len(names):
        return []
    tokens: list[Token] = []
    for name, value in zip(names, values, strict=True):
        if tokens:
            tokens.append(Token("sep", ";", value[0].start, value[0].start))
        tokens.extend(name)
        tokens.append(Token("rel", "=", value[0].start, value[0].start))
        tokens.extend(value)
    return tokens


def _values(tokens: list[Token]) -> list[list[Token]] | None:
    """Printed values: numbers (a minus sign kept with its number) and bracketed arrays."""
    values: list[list[Token]] = []
    depth = 0
    for token in tokens:
        if depth == 0 and token.kind == "num":
            if values and values[-1][-1].kind == "op" and len(values[-1]) == 1:
                values[-1].append(token)  # -0.038: the sign printed before the number
            else:
                values.append([token])
        elif depth == 0 and token.kind == "op" and token.text == "-":
            values.append([token])
        elif token.kind == "lparen" and token.text == "[":
            if depth == 0:
                values.append([])
            depth += 1
            values[-1].append(token)
        elif depth > 0:
            values[-1].append(token)
            depth -= token.kind == "rparen"
        else:
            return None  # words, labels: not a printout of values alone
    if depth or any(v[-1].kind == "op" for v in values):
        return None
    return values


def _split(tokens: list[Token]) -> list[list[Token]] | None:
    groups: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        depth += _DEPTH.get(token.kind, 0)
        if depth == 0 and token.kind == "sep" and token.text == ",":
            groups.append([])
        else:
            groups[-1].append(token)
    return None if depth or not all(groups) else groups


def _is_name(tokens: list[Token]) -> bool:
    """A variable (``out_h1``, ``z1``, ``W1_new``): words joined by underscores."""
    if tokens[0].kind != "ident":
        return False
    expected_word = False
    for token in tokens[1:]:
        if expected_word:
            if token.kind not in ("ident", "num"):
                return False
        elif token.kind != "op" or token.text != "_":
            return False
        expected_word = not expected_word
    return not expected_word
