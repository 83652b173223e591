"""The format-free document model of a walkthrough: plain records, in reading order.

A document is an ordered tree of frozen records (sections → steps), each step an
`Equation` ``lhs = form₁ = form₂ = … = value`` whose forms go from the symbolic definition
to the same formula with the numbers in. Forms are SymPy expressions in written order;
values are high-precision numbers. Wording and layout belong to the templates, and
rounding to the printers, so one document renders to every format. `derive.compose`
builds documents from a training step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sympy import Derivative, Expr, Symbol

from derive.model import E_TOTAL
from derive.notation import ClassicNotation, LayeredNotation
from derive.numeric import Value
from derive.rules import RuleStep

DETAILS = ("full", "summary")
#: the loss of a batch of several samples (the mean or sum of the samples' E_total)
E_BATCH = Symbol("E")


@dataclass(frozen=True)
class Equation:
    """lhs = forms[0] = forms[1] = … = value (value None for a purely symbolic line)."""

    lhs: Expr
    forms: tuple[Expr, ...] = ()
    value: Value | None = None


@dataclass(frozen=True)
class WeightRow:
    parameter: Symbol
    source: Symbol
    destination: Symbol
    value: Value


@dataclass(frozen=True)
class BiasRow:
    parameter: Symbol
    destinations: tuple[Symbol, ...]
    value: Value


@dataclass(frozen=True)
class LayerInfo:
    """One layer: its number (0 = inputs), its neurons and its activation's name."""

    number: int
    kind: str
    neurons: tuple[Symbol, ...]
    activation: str = ""
    activation_title: str = ""


@dataclass(frozen=True)
class SampleInfo:
    """One training sample: its number (1-based) and its inputs and targets as i1 = 0.05, …"""

    number: int
    inputs: tuple[Equation, ...]
    targets: tuple[Equation, ...]


#: the most edges a Mermaid flowchart labels with their weights, and the most it draws
FLOWCHART_LABELS = 40
FLOWCHART_EDGES = 300


@dataclass(frozen=True)
class Overview:
    """The network as given: layers, samples, weights, biases, η, the loss."""

    sizes: tuple[int, ...]
    layers: tuple[LayerInfo, ...]
    samples: tuple[SampleInfo, ...]
    weights: tuple[WeightRow, ...]
    biases: tuple[BiasRow, ...]
    learning_rate: Equation
    loss: str
    loss_title: str
    bias_mode: str
    update_biases: bool
    error_total: Equation
    batch: str
    slope: Equation | None = None

    @property
    def inputs(self) -> tuple[Equation, ...]:
        return self.samples[0].inputs

    @property
    def flowchart(self) -> str:
        """How much a Mermaid flowchart of the network can show and stay readable:
        ``labelled`` (every neuron, each edge with its weight, the biases), ``neurons`` (every
        neuron and edge, no labels: past `FLOWCHART_LABELS` edges the labels pile up), or
        ``layers`` (one box per layer: past `FLOWCHART_EDGES` edges the chart is a mesh)."""
        edges = len(self.weights)
        if edges <= FLOWCHART_LABELS:
            return "labelled"
        return "neurons" if edges <= FLOWCHART_EDGES else "layers"

    @property
    def targets(self) -> tuple[Equation, ...]:
        return self.samples[0].targets


@dataclass(frozen=True)
class Saturation:
    """A neuron whose output is within 10^−`digits` of a `limit` of its activation (the
    last digit shown cannot tell them apart): the facts of the note, worded by the prose."""

    neuron: Symbol
    limit: int
    digits: int


@dataclass(frozen=True)
class NeuronForward:
    """net_j = Σ w·out + b = … and out_j = f(net_j) = …

    `saturated` is the note said when a bounded activation's output sits next to its
    limit (σ of a large net input): the slope there is nearly 0, so hardly any error
    flows back through the neuron, which a reader should be told rather than left to
    wonder at gradients of 10⁻²¹⁷¹⁴⁷²⁴.
    """

    neuron: Symbol
    net: Equation
    out: Equation
    saturated: Saturation | None = None


@dataclass(frozen=True)
class LayerForward:
    info: LayerInfo
    neurons: tuple[NeuronForward, ...]


@dataclass(frozen=True)
class ErrorStep:
    """Each output's error term, then their sum E_total."""

    terms: tuple[Equation, ...]
    total: Equation


@dataclass(frozen=True)
class ForwardPass:
    layers: tuple[LayerForward, ...]
    errors: ErrorStep


@dataclass(frozen=True)
class IdentityStep:
    """A local derivative worked out once: the equation it comes from, SymPy's result, the
    rewriting to the closed form used from then on (and, for softmax, the off-diagonal
    entry of the Jacobian; for an activation–loss pair, the simplification it allows)."""

    kind: str
    title: str
    definition: Equation
    raw: Expr
    derivation: Equation
    convention: str = ""
    off_diagonal: Equation | None = None
    condition: str | None = None
    rules: tuple[RuleStep, ...] = ()


@dataclass(frozen=True)
class HiddenTerm:
    """One downstream neuron's share of ∂E_total/∂out_h: its delta, then delta · weight."""

    delta: Equation
    term: Equation
    weight: Symbol


@dataclass(frozen=True)
class HiddenSum:
    """∂E_total/∂out_h = Σ_k ∂E_k/∂out_h, each term worked out."""

    total: Equation
    terms: tuple[HiddenTerm, ...]


@dataclass(frozen=True)
class JacobianTerm:
    """One output's share of a softmax delta: ∂E/∂out_k, ∂out_k/∂net_j and their product."""

    sensitivity: Equation
    jacobian: Equation
    product: Equation


@dataclass(frozen=True)
class JacobianSum:
    """∂E_total/∂net_j = Σ_k ∂E_total/∂out_k · ∂out_k/∂net_j (softmax), then its simple form."""

    total: Equation
    terms: tuple[JacobianTerm, ...]
    simplified: Equation | None = None
    condition: str | None = None


@dataclass(frozen=True)
class Factor:
    """One factor of a chain rule: its closed form and value, and where it comes from.

    `source` is the local equation it is the derivative of; `seen_at` names the parameter
    under which the same factor was first worked out (None: it is worked out here).
    """

    kind: str
    equation: Equation
    source: Equation | None = None
    hidden: HiddenSum | None = None
    seen_at: Symbol | None = None
    jacobian: JacobianSum | None = None


@dataclass(frozen=True)
class ParameterStep:
    """Everything about one parameter: chain, factors, product, update.

    `simplified` holds, per path, the collapsed form of ∂E/∂out · ∂out/∂net where the
    activation–loss pair allows one (sigmoid with binary cross-entropy: out − target).
    """

    parameter: Symbol
    kind: str
    source: Symbol | None
    destinations: tuple[Symbol, ...]
    chain: Equation
    paths: tuple[tuple[Factor, ...], ...]
    product: Equation
    update: Equation | None
    simplified: tuple[Equation | None, ...] = ()
    #: False for a parameter the spec leaves fixed, derived once to show its chain
    updated: bool = True


@dataclass(frozen=True)
class BackwardLayer:
    """One layer of the backward pass: its parameters' steps, and (in the layered notation)
    the same computation in matrix form, δ^{(l)} = (W^{(l+1)})^T δ^{(l+1)} ⊙ f'(z^{(l)})."""

    info: LayerInfo
    is_output: bool
    steps: tuple[ParameterStep, ...]
    omitted: tuple[Symbol, ...]
    fixed: tuple[Symbol, ...]
    downstream_weights: tuple[Symbol, ...]
    matrix: tuple[Equation, ...] = ()


@dataclass(frozen=True)
class SampleWalk:
    """One sample's forward pass, errors and backward pass (number 0 for a single sample)."""

    number: int
    forward: ForwardPass
    backward: tuple[BackwardLayer, ...]


@dataclass(frozen=True)
class BatchRow:
    """∂E/∂p = mean (or sum) of the samples' ∂E_total/∂p, then the update."""

    parameter: Symbol
    gradient: Equation
    update: Equation | None


@dataclass(frozen=True)
class BatchStep:
    """How several samples combine: the batch loss, and each parameter's gradient and update."""

    mode: str
    loss: Equation
    rows: tuple[BatchRow, ...]


@dataclass(frozen=True)
class SummaryRow:
    parameter: Symbol
    old: Value
    gradient: Value
    new: Value
    updated: bool


@dataclass(frozen=True)
class AfterUpdate:
    """The forward pass of every sample again, with the updated parameters."""

    forwards: tuple[ForwardPass, ...]
    loss: Equation | None
    before: Value
    after: Value
    change: Value
    relative: Value

    @property
    def forward(self) -> ForwardPass:
        return self.forwards[0]


@dataclass(frozen=True)
class FinalSample:
    """One sample after training: its inputs, the outputs the network now gives, the targets."""

    number: int
    inputs: tuple[Equation, ...]
    outputs: tuple[Equation, ...]
    targets: tuple[Equation, ...]
    total: Equation


@dataclass(frozen=True)
class ParameterChange:
    """A parameter before and after training."""

    parameter: Symbol
    start: Value
    end: Value
    updated: bool


@dataclass(frozen=True)
class TrainingSection:
    """Many steps of gradient descent: the error every few steps and where the network ends."""

    steps: int
    every: int
    learning_rate: Equation
    history: tuple[tuple[int, Value], ...]
    samples: tuple[FinalSample, ...]
    loss_before: Value
    loss_after: Value
    parameters: tuple[ParameterChange, ...]


@dataclass(frozen=True)
class TrainingReport:
    """The document of ``derive train``: the title and the training section alone."""

    title: str
    source: str
    version: str
    precision: int
    digits: int
    training: TrainingSection


@dataclass(frozen=True)
class Document:
    """A whole walkthrough, in reading order."""

    title: str
    source: str
    version: str
    precision: int
    digits: int
    detail: str
    notation: ClassicNotation | LayeredNotation
    overview: Overview
    identities: tuple[IdentityStep, ...]
    samples: tuple[SampleWalk, ...]
    batch: BatchStep | None
    summary: tuple[SummaryRow, ...]
    after: AfterUpdate
    verification: object | None = None
    training: TrainingSection | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def gradient_head(self) -> Expr:
        """∂E/∂p over a batch (the gradient of the batch loss), ∂E_total/∂p for one sample:
        the heading of the summary's gradient column."""
        return Derivative(E_BATCH if len(self.samples) > 1 else E_TOTAL, Symbol("p"))

    @property
    def forward(self) -> ForwardPass:
        """The forward pass (of the first sample)."""
        return self.samples[0].forward

    @property
    def backward(self) -> tuple[BackwardLayer, ...]:
        """The backward pass (of the first sample)."""
        return self.samples[0].backward


# -- the plan of a deck of slides: frames of blocks, every sentence already in words ------
#
# A template lays a `Deck` out and escapes it; it never counts, paginates or words a
# sentence. The records a template reads:
#   Deck.frames                 the frames in order; Frame.role is "title", "closing" or "step"
#   Frame.title                 a `Text`; Frame.parameter the parameter it works out (or None)
#   Frame.blocks                `Paragraph`, `Display`, `Reminder`, `Table`, `Tables`, `Diagram`
#   Text.pieces                 str (literal, to escape), `Math`, `Num`, `Inline` (to print)


@dataclass(frozen=True)
class Math:
    """A symbol or expression set inline in a sentence."""

    expr: Expr


@dataclass(frozen=True)
class Num:
    """A value set inline, rounded and with the document's decimal mark."""

    value: Value


@dataclass(frozen=True)
class Inline:
    """An equation chain set inline: lhs = … = value."""

    equation: Equation


@dataclass(frozen=True)
class Page:
    """The number of the page the section labelled `label` starts on (paged formats)."""

    label: str


@dataclass(frozen=True)
class Ref:
    """A cross-reference to the section labelled `label`: `text` links to it; a paged
    format (LaTeX, Typst) follows it with `page`, which holds the `Page` to print."""

    label: str
    text: Text
    page: Text


@dataclass(frozen=True)
class Text:
    """A sentence or heading in the document's language: literal text and fields in order."""

    pieces: tuple[str | Math | Num | Inline | Ref | Page, ...] = ()

    def __add__(self, other: Text) -> Text:
        return Text(self.pieces + other.pieces)

    @property
    def plain(self) -> str:
        """The literal text alone (for tests and for titles without math)."""
        return "".join(p for p in self.pieces if isinstance(p, str))


@dataclass(frozen=True)
class Paragraph:
    """A sentence set as running text; `small` for a side remark; `title` a run-in
    heading set in bold before it (an article's "The error term."); `lead` for a sentence
    that introduces what follows, kept on its page."""

    text: Text
    small: bool = False
    kind: str = "paragraph"
    title: Text | None = None
    #: a lead-in to what follows (a heading included): never the last line of a page
    lead: bool = False
    #: said only by a format whose drawings are image files (Markdown) when it has them:
    #: ``images``; empty: said by every format
    only: str = ""


@dataclass(frozen=True)
class Display:
    """An equation on a line of its own (broken after "=" when long)."""

    equation: Equation
    kind: str = "display"


@dataclass(frozen=True)
class Reminder:
    """The chain rule of the parameter at hand, recalled at the top of its frames."""

    equation: Equation
    kind: str = "reminder"


@dataclass(frozen=True)
class Table:
    """A table: a caption, a header row and rows of cells; `align` one letter per column
    (l, r, c). `groups` > 1 sets the rows in that many side-by-side column groups, so a
    long table uses the width of the slide instead of its height."""

    head: tuple[Text, ...]
    rows: tuple[tuple[Text, ...], ...]
    align: str
    caption: Text | None = None
    groups: int = 1
    kind: str = "table"

    @property
    def parts(self) -> tuple[tuple[tuple[Text, ...], ...], ...]:
        """The rows split into `groups` side-by-side runs of (nearly) equal length."""
        if not self.rows:
            return ((),)
        size = -(-len(self.rows) // self.groups)
        return tuple(self.rows[i : i + size] for i in range(0, len(self.rows), size))


@dataclass(frozen=True)
class Tables:
    """Tables side by side."""

    tables: tuple[Table, ...]
    kind: str = "tables"


@dataclass(frozen=True)
class Diagram:
    """The network drawn (by `derive.diagram`), with a caption under it: the drawing of
    `stage` (for ``path``, that of `parameter` in sample `sample`), laid out for the frame
    named `frame` (``slide``, or ``slide-short`` when it shares the slide with a formula)."""

    caption: Text
    kind: str = "diagram"
    stage: str = "network"
    parameter: Symbol | None = None
    sample: int = 1
    frame: str = "slide"
    #: the drawing said in words, for a reader who cannot see it (an image's alt text)
    alt: Text = Text(())
    #: the caption where the formulas are not coloured (Markdown: Pandoc cannot convert
    #: a coloured formula), when it says otherwise than `caption`
    caption_black: Text | None = None
    #: the name of its image file where a format names its drawings (Markdown:
    #: NAME.network.svg, NAME.path-w5.svg); empty: no image file is made for it
    image: str = ""

    @property
    def name(self) -> str:
        """A name unique in the document (an id in a web page): network, backward, and
        with the sample's number forward-1, path-w5-1."""
        if self.stage == "path":
            return f"path-{self.parameter}-{self.sample}"
        return f"forward-{self.sample}" if self.stage == "forward" else self.stage


Block = Paragraph | Display | Reminder | Table | Tables | Diagram


@dataclass(frozen=True)
class Frame:
    """One slide: a title, its blocks, and the parameter it is about (None if none)."""

    title: Text
    blocks: tuple[Block, ...] = ()
    role: str = "step"
    parameter: Symbol | None = None


@dataclass(frozen=True)
class Deck:
    """A whole deck, planned once for every slide format.

    `title` is the spec's own title; `subtitle`, `byline` the title slide's other lines
    (`author`, `course`, `date` as given, empty when not); `lang` the language code."""

    title: str
    subtitle: Text
    byline: Text
    author: str
    course: str
    date: str
    lang: str
    pace: str
    frames: tuple[Frame, ...]


# -- the plan of an article: numbered sections of blocks, every sentence already in words --
#
# The Markdown, HTML, LaTeX and Typst articles lay an `Article` out; they never count,
# number or word a sentence. Besides the slides' blocks an article uses:
#   `Bullets` of `Item`s     a list whose items may hold formulas and blocks of their own
#   `Keep`                   blocks that stay on one page (a lead-in and its equation)
#   `Chart`                  the error curve of a training run
#   `Ref` in a `Text`        a link to a section, with its page number in paged formats


@dataclass(frozen=True)
class Item:
    """One bullet: a sentence, a formula that ends it (set inside the sentence where it
    fits, else on a line of its own), then blocks under it."""

    text: Text
    formula: Equation | None = None
    blocks: tuple = ()


@dataclass(frozen=True)
class Bullets:
    """A bulleted list."""

    items: tuple[Item, ...]
    kind: str = "list"


@dataclass(frozen=True)
class Keep:
    """Blocks that belong on one page: a lead-in ("By the chain rule:") and its equation."""

    blocks: tuple
    kind: str = "keep"


@dataclass(frozen=True)
class Chart:
    """The error curve of a training run (`derive.plot`), with its words for a reader who
    cannot see it: `alt` (an image's alt text) and `label` (what the figure is)."""

    alt: Text
    label: Text
    kind: str = "chart"


@dataclass(frozen=True)
class Section:
    """A heading and the blocks that follow it, up to the next heading.

    `level` 1 is a section of the article, 2 a subsection, and so on; `number` is the
    heading's number as printed ("4.2"; empty: not numbered); `label` a name unique in
    the article, for anchors and cross-references; `contents` whether the table of
    contents lists it."""

    title: Text
    level: int
    label: str
    number: str = ""
    blocks: tuple = ()
    contents: bool = False


@dataclass(frozen=True)
class Article:
    """A whole article, planned once for Markdown, HTML, LaTeX and Typst.

    `title` is the title (the spec's own, as given); `meta` the line under it (how it was
    made);
    `targets` the labels some `Ref` points to (where Markdown needs an explicit anchor)."""

    title: Text
    lang: str
    meta: Text
    sections: tuple[Section, ...]
    targets: frozenset[str] = frozenset()
    #: blocks before the first heading (the report of ``derive train``)
    front: tuple = ()

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(s.label for s in self.sections)

    @property
    def contents(self) -> tuple[tuple[Section, tuple[Section, ...]], ...]:
        """The table of contents: each listed section of level 1 with the listed
        sections of level 2 under it."""
        entries: list[tuple[Section, list[Section]]] = []
        for s in self.sections:
            if s.contents and s.level == 1:
                entries.append((s, []))
            elif s.contents and s.level == 2 and entries:
                entries[-1][1].append(s)
        return tuple((top, tuple(subs)) for top, subs in entries)
