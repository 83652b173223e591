"""The bounds on work, declared once: what each limits, its default, and the option raising it.

Every limit is checked before any work starts, from the spec's sizes alone, so a run that
would take minutes or gigabytes is refused in a moment with a message that names the
limit and the option (or keyword) that raises it. The defaults keep any run within
about a minute and a few hundred megabytes on an ordinary laptop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from itertools import pairwise

from derive.errors import UsageError


@dataclass(frozen=True)
class Limits:
    """How much work a run may do; raise a field (or pass the option) to allow more.

    parameters  weights and biases of the network (the walkthrough has a step for each)
    steps       training passes: --steps × the number of samples
    history     recorded rows of a training run: --steps / --every + 1
    pages       pages of a PDF typeset in-process by Typst, estimated from its source
                (Typst holds the whole document: about 2.5 MB a page of article, 1.2 of slides)
    """

    parameters: int = 20_000
    steps: int = 10_000_000
    history: int = 100_000
    pages: int = 160


#: field → the command-line option that raises it
OPTIONS = {field.name: f"--max-{field.name}" for field in fields(Limits)}

#: field → what the option bounds, for --help
HELP = {
    "parameters": "refuse networks with more weights and biases than N",
    "steps": "refuse training of more than N passes (--steps × samples)",
    "history": "refuse training histories of more than N rows (--steps / --every + 1)",
    "pages": "refuse Typst PDFs of more than about N pages (they are typeset in memory)",
}

#: characters of Typst source per typeset page, measured on the article and the slides
#: of networks from 2-2-2 to 8-8-8 (2,760–3,100 and 610–640)
CHARS_PER_PAGE = {"article": 3000, "slides": 620}

DEFAULT = Limits()


def check(limits: Limits, name: str, needed: int, what: str) -> None:
    """Refuse `needed` units of `name` beyond the limit, naming it and how to raise it."""
    allowed = getattr(limits, name)
    if needed > allowed:
        raise UsageError(
            f"{what} is {needed:,}, above the limit of {allowed:,}: "
            f"{OPTIONS[name]} {needed} raises it (Limits({name}=…) from Python)"
        )


def parameter_count(layers: tuple[int, ...], bias: str) -> int:
    """Weights and biases of a network with these layer sizes, counted without building it."""
    weights = sum(a * b for a, b in pairwise(layers))
    if bias == "none":
        return weights
    return weights + (len(layers) - 1 if bias == "shared" else sum(layers[1:]))


def check_network(limits: Limits, layers: tuple[int, ...], bias: str) -> None:
    sizes = "-".join(map(str, layers))
    count = parameter_count(layers, bias)
    check(limits, "parameters", count, f"the {sizes} network's count of weights and biases")


def check_training(limits: Limits, steps: int, samples: int, every: int) -> None:
    """steps × samples passes, and the rows the history will hold."""
    if samples == 1:
        check(limits, "steps", steps, "--steps")
    else:
        check(limits, "steps", steps * samples, f"--steps × {samples} samples")
    check(limits, "history", steps // every + 1, "the history's length (--steps / --every + 1)")


#: the height of the text on an A4 page with 2.5 cm margins (cm)
TEXT_HEIGHT = 24.7
#: a drawing of the network (derive.diagram): a box of known height, placed part by part
_DRAWING = re.compile(r"box\(width: [\d.]+cm, height: ([\d.]+)cm, \{")
#: the colour of a chain-rule factor (derive.printing.typst): markup that prints nothing
_TINT = re.compile(r"#tint\d\(\$std\.math\.display\(")
_TINT_CLOSE = len(")$)")


def estimated_pages(source: str, slides: bool) -> int:
    """About how many pages a Typst source makes: its text from its length, a drawing of
    the network from its height (the code that places its parts is long, its page short;
    on a slide it shares the slide of its text)."""
    kind = "slides" if slides else "article"
    text = sum(len(line) for line in source.splitlines() if not line.lstrip().startswith("place("))
    text -= sum(len(tint) + _TINT_CLOSE for tint in _TINT.findall(source))
    drawings = 0.0 if slides else sum(float(h) for h in _DRAWING.findall(source)) / TEXT_HEIGHT
    return 1 + int(text / CHARS_PER_PAGE[kind] + drawings)


def check_pages(limits: Limits, source: str, slides: bool) -> None:
    """Refuse a PDF whose typesetting would hold too many pages in memory at once."""
    what = "slides" if slides else "article"
    pages = estimated_pages(source, slides)
    check(limits, "pages", pages, f"the estimated page count of the PDF {what}")
