"""The sentences of a walkthrough, worded once for every format and every language.

`Prose` turns the records of a document into `Text` (literal words from the message
catalog, and the symbols, numbers and equations they mention); the slide planner
(`derive.slides`) and the article templates both take their sentences from here, so a
sentence is written once, in English, in the catalog's source language, and translated
in the catalogs of `derive.messages`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sympy import Derivative, Integer, KroneckerDelta, Mul, Pow, Symbol

from derive.diagram import Diagram
from derive.document import (
    AfterUpdate,
    Document,
    Equation,
    Factor,
    IdentityStep,
    Inline,
    LayerInfo,
    Math,
    Num,
    Page,
    Ref,
    Saturation,
    Table,
    Text,
)
from derive.expr import mul, neg, sub
from derive.messages import Language, _
from derive.model import E_TOTAL
from derive.numeric import plain

#: the activation and loss names, worded for a sentence
ACTIVATION_NAMES = {
    "sigmoid": _("the logistic sigmoid"),
    "tanh": _("the hyperbolic tangent"),
    "relu": _("the rectified linear unit (ReLU)"),
    "leaky_relu": _("the leaky rectified linear unit"),
    "linear": _("the identity (a linear unit)"),
    "softmax": _("the softmax"),
}
LOSS_NAMES = {
    "half_sse": _("half the sum of squared errors"),
    "sse": _("the sum of squared errors"),
    "mse": _("the mean squared error"),
    "cross_entropy": _("the cross-entropy"),
    "binary_cross_entropy": _("the binary cross-entropy"),
}


#: how the error moved in the step, for one sample (False) and for a batch (True)
OUTCOMES = {
    ("fell", False): _("The total error fell from {before} to {after}, by {percent} %."),
    ("fell", True): _("The loss fell from {before} to {after}, by {percent} %."),
    ("rose", False): _(
        "The total error rose from {before} to {after}: the learning rate is too large for "
        "this step."
    ),
    ("rose", True): _(
        "The loss rose from {before} to {after}: the learning rate is too large for this step."
    ),
    ("zero", False): _(
        "The total error stayed at {before}: every gradient is zero here, so gradient descent "
        "has nothing to change."
    ),
    ("zero", True): _(
        "The loss stayed at {before}: every gradient is zero here, so gradient descent has "
        "nothing to change."
    ),
    ("stayed", False): _(
        "The total error stayed at {before}, although the gradients are not zero: the step "
        "moved the outputs, but no closer to the targets."
    ),
    ("stayed", True): _(
        "The loss stayed at {before}, although the gradients are not zero: the step moved the "
        "outputs, but no closer to the targets."
    ),
}
#: the rules of differentiation, by the name `derive.rules` gives them
RULE_NAMES = {
    "constant rule": _("constant rule"),
    "identity": _("identity"),
    "sum rule": _("sum rule"),
    "exponential rule": _("exponential rule"),
    "logarithm rule": _("logarithm rule"),
    "tanh rule": _("tanh rule"),
    "piecewise rule": _("piecewise rule"),
    "constant factor rule": _("constant factor rule"),
    "quotient rule": _("quotient rule"),
    "product rule": _("product rule"),
    "power rule": _("power rule"),
}
#: what each stage of a drawing carries, told in words (`Prose.drawing_alt`)
DRAWING_ALT = {
    "network": _(
        "Each weight is written on its edge, the inputs and targets beside their neurons."
    ),
    "forward": _(
        "After the forward pass: each neuron carries its net input and its output, each output "
        "its target and error."
    ),
    "backward": _(
        "After the backward pass: each edge carries its weight's gradient and new value."
    ),
}
#: the stroke of each factor's slot in words (`derive.diagram.STYLES`: colour and dashes)
STYLE_NAMES = {
    1: _("Dashed red"),
    2: _("Thick solid blue"),
    3: _("Dotted green"),
}


def _plain_factor(lhs: object) -> str:
    """A factor ∂a/∂b as plain text (for an alt text, where no math is typeset)."""
    if isinstance(lhs, Derivative):
        return f"∂{lhs.expr}/∂{lhs.variables[0]}"
    return str(lhs)


#: what derive takes for a derivative that does not exist at a kink
CONVENTIONS = {
    "relu": _("At net = 0 ReLU has no derivative; derive takes it to be 0, as PyTorch does."),
    "leaky_relu": _(
        "At net = 0 leaky ReLU has no derivative; derive takes it to be the slope α, as "
        "PyTorch does."
    ),
}


class Wording:
    """Sentences in one language: a catalog message with its fields filled in."""

    def __init__(self, lang: Language | None = None) -> None:
        self.lang = lang or Language()

    def say(self, message: str, **fields: object) -> Text:
        """`message` translated, its {fields} filled in as text or math."""
        pieces: list = []
        for literal, name in self.lang.fields(message):
            if literal:
                pieces.append(literal)
            if name is not None:
                pieces.extend(self._piece(fields[name]))
        return Text(tuple(pieces))

    def _piece(self, value: object) -> Iterator:
        if isinstance(value, Text):
            yield from value.pieces
        elif isinstance(value, str):
            yield value
        elif isinstance(value, int):
            yield str(value)
        elif isinstance(value, Equation):
            yield Inline(value)
        elif isinstance(value, Math | Num | Inline | Ref | Page):
            yield value
        elif hasattr(value, "_mpf_"):  # a high-precision value (of any mpmath context)
            yield Num(value)
        elif isinstance(value, tuple | list):
            for k, item in enumerate(value):
                if k:
                    yield ", "
                yield from self._piece(item)
        else:
            yield Math(value)

    def join(self, texts: Iterable[Text], separator: str = "; ") -> Text:
        pieces: list = []
        for k, text in enumerate(texts):
            if k:
                pieces.append(separator)
            pieces.extend(text.pieces)
        return Text(tuple(pieces))

    def assignments(self, equations: Iterable[Equation]) -> Text:
        """Quantities and their values, i1 = 0.05, i2 = 0.1 (a sample's inputs)."""
        return self.join((Text((Inline(q),)) for q in equations), ", ")

    def counted(self, messages: tuple[str, str], count: int, **fields: object) -> Text:
        """The first message for one, the second (with {count} written as the language
        groups thousands) for any other number: the catalogs' own words for each."""
        if count == 1:
            return self.say(messages[0], **fields)
        return self.say(messages[1], count=self.lang.integer(count), **fields)


class Prose(Wording):
    """The wording of one document in one language."""

    def __init__(self, document: Document, lang: Language | None = None) -> None:
        super().__init__(lang)
        self.doc = document
        self.several = len(document.samples) > 1

    def layer_name(self, info: LayerInfo) -> Text:
        if info.kind == "input":
            return self.say(_("input layer"))
        if info.kind == "output":
            return self.say(_("output layer"))
        if len(self.doc.overview.layers) == 3:
            return self.say(_("hidden layer"))
        return self.say(_("hidden layer {number}"), number=info.number)

    def activation_name(self, name: str) -> Text:
        return self.say(ACTIVATION_NAMES[name])

    def activation_key(self, title: str) -> str:
        """The name of the activation an identity (titled in English) is about."""
        for layer in self.doc.overview.layers[1:]:
            if layer.activation_title == title:
                return layer.activation
        return ""

    def capital(self, message: str, **fields: object) -> Text:
        """`say`, with the first letter capitalized (a heading made of lower-case names)."""
        text = self.say(message, **fields)
        first = text.pieces[0] if text.pieces else None
        if isinstance(first, str) and first:
            return Text((first[0].upper() + first[1:], *text.pieces[1:]))
        return text

    def rule_name(self, rule: str) -> Text:
        """A rule's name in words; "X and chain rule" as the two rules."""
        if rule.endswith(" and chain rule"):
            first = rule.removesuffix(" and chain rule")
            return self.say(_("{rule} and chain rule"), rule=self.say(RULE_NAMES[first]))
        return self.say(RULE_NAMES[rule])

    def outputs_table(self, after: AfterUpdate) -> Table:
        """The outputs against their targets, before and after the update: one row per
        output (and sample), so a wide output layer makes the table longer, never wider.
        Shared by the article and the slides, so both say the same in every language."""
        outputs = self.doc.overview.layers[-1].neurons
        several = len(self.doc.samples) > 1
        rows = []
        for k, (walk, forward) in enumerate(zip(self.doc.samples, after.forwards, strict=True)):
            targets = self.doc.overview.samples[k].targets
            before = walk.forward.layers[-1].neurons
            again = forward.layers[-1].neurons
            for o, t, old, new in zip(outputs, targets, before, again, strict=True):
                values = (t.value, old.out.value, new.out.value)
                cells = (Text((Math(o),)), *(Text((Num(v),)) for v in values))
                rows.append((Text((str(k + 1),)), *cells) if several else cells)
        heads = (_("Neuron"), _("Target"), _("Before the update"), _("After the update"))
        if several:
            heads = (_("Sample"), *heads)
        head = tuple(self.say(m) for m in heads)
        return Table(head, tuple(rows), ("r" if several else "") + "lrrr")

    def outcome(self, after: AfterUpdate) -> Text:
        """How the error moved: fell, rose, or stayed (and why it stayed)."""
        if after.change > 0:
            case = "fell"
        elif after.change < 0:
            case = "rose"
        elif all(r.gradient == 0 for r in self.doc.summary if r.updated):
            case = "zero"
        else:
            case = "stayed"
        return self.say(
            OUTCOMES[case, self.several],
            before=after.before,
            after=after.after,
            percent=(
                after.relative.as_text(3)  # a blank of a guided exercise
                if hasattr(after.relative, "as_text")
                else self.lang.number(plain(after.relative * 100, 3))
            ),
        )

    def saturation(self, note: Saturation) -> Text:
        """Why a neuron's gradients are about zero: its output sits at its activation's
        limit, where the curve is flat (said under its forward pass)."""
        return self.say(
            _(
                "{neuron} is saturated: its output is within {tolerance} of the limit {limit}, "
                "where the activation is flat and its derivative is about 0, so hardly any "
                "error flows back through {neuron} and the weights into it barely change."
            ),
            neuron=note.neuron,
            tolerance=Pow(Integer(10), neg(Integer(note.digits)), evaluate=False),
            limit=Integer(note.limit),
        )

    # -- sentences the slides and the articles share ------------------------------------
    def why_local(self, factor: Factor, parameter: Symbol) -> Text | None:
        """Why ∂net/∂w is the source's output: the sum differentiated term by term."""
        if factor.kind == "weight":
            return self.say(
                _(
                    "The net input is a sum; only its term {parameter} · {source} "
                    "contains {parameter}, so differentiating term by term leaves "
                    "the factor that multiplies it:"
                ),
                parameter=parameter,
                source=factor.equation.forms[0] if factor.equation.forms else factor.equation.lhs,
            )
        if factor.kind == "bias":
            return self.say(
                _(
                    "The net input is a sum; the bias {parameter} is one of its terms "
                    "on its own, so its derivative is 1:"
                ),
                parameter=parameter,
            )
        return None

    def dead_relu(self, neurons: Iterable[Symbol], nets: dict) -> Text | None:
        """Said after a product that is 0 because the neuron the parameter feeds is a ReLU
        whose net input (`nets`: neuron → net input of this sample) is below 0."""
        layers = {n: layer for layer in self.doc.overview.layers for n in layer.neurons}
        dead = [
            n
            for n in neurons
            if n in layers and layers[n].activation == "relu" and nets.get(n, 0) < 0
        ]
        if not dead:
            return None
        return self.say(
            _(
                "{neuron} is a dead ReLU for this input: its net input is below "
                "0, so its derivative is 0, no error flows back through it and "
                "the weights into it do not move."
            ),
            neuron=dead,
        )

    def errors_lead(self, count: int) -> Text:
        """Before the error terms: one output's error is the total, several are summed."""
        if count == 1:
            return self.say(_("With one output, the total error is that output's error:"))
        return self.say(_("Each output's error, then their sum:"))

    def softmax_lead(self) -> Text:
        """Softmax: every output depends on every net input (of as many as the layer has)."""
        return self.say(
            _(
                "The output layer's activation is {activation}: every output depends on "
                "every net input of the layer ({count} here):"
            ),
            activation=self.activation_name("softmax"),
            count=len(self.doc.overview.layers[-1].neurons),
        )

    def jacobian_lead(self) -> Text:
        return self.say(_("A whole matrix of derivatives, the Jacobian. On the diagonal:"))

    def off_diagonal(self) -> Text:
        return self.say(_("and off the diagonal:"))

    def hidden_lead(self, out: object, terms: tuple) -> Text:
        """A hidden output's derivative: its contributions first, their sum after."""
        if len(terms) == 1:
            return self.say(
                _(
                    "The output {out} feeds a single neuron, so the error reaches it along one "
                    "path, with the original weight {weight}:"
                ),
                out=out,
                weight=terms[0].weight,
            )
        return self.say(
            _(
                "The output {out} feeds every neuron of the next layer, so the error reaches "
                "it along each of them: each contribution is worked out, then they are added."
            ),
            out=out,
        )

    def contribution(self, index: int, count: int, weight: object) -> Text:
        return self.say(
            _("Contribution {index} of {count}, with the original weight {weight}:"),
            index=index,
            count=count,
            weight=weight,
        )

    def adding(self) -> Text:
        return self.say(_("Adding the contributions:"))

    def ln_note(self) -> Text | None:
        """Which logarithm: ln is the natural one (students may read log as base 10)."""
        if self.doc.overview.loss in ("cross_entropy", "binary_cross_entropy"):
            return self.say(_("Here ln is the natural logarithm (base e)."))
        return None

    # -- the article (Markdown, LaTeX, Typst, HTML) -------------------------------------
    def line(self, key: str, **fields: object) -> Text:
        """The article's sentence or heading `key` (of `ARTICLE`), in the document's language."""
        return self.say(ARTICLE[key], **fields)

    def total_derivative(self) -> Math:
        """∂E_total/∂w, the derivative the backward pass finds (for a sentence)."""
        return Math(Derivative(E_TOTAL, Symbol("w")))

    def matrix_lead(self) -> Text:
        """Before a layer's matrix form: ⊙ (written as the format writes it) explained."""
        return self.line("matrix_form", odot=Math(Symbol("odot")))

    def simplification_title(self) -> Text:
        """The heading of the simple form of an output's delta: its activation and its loss."""
        ov = self.doc.overview
        return self.capital(
            _("{activation} and {loss}"),
            activation=self.activation_name(ov.layers[-1].activation),
            loss=self.loss_name(),
        )

    def condition(self, condition: str) -> Text:
        """What a simplification assumes (a message of `derive.losses`), translated."""
        return self.say(condition)

    def loss_name(self) -> Text:
        return self.say(LOSS_NAMES[self.doc.overview.loss])

    def identity_activation(self, title: str) -> Text | None:
        """The activation an identity is about, named in words (None when it has no title)."""
        key = self.activation_key(title)
        return self.activation_name(key) if key else None

    def convention(self, title: str) -> Text | None:
        """What derive takes at the kink of the identity's activation, if it has one."""
        key = self.activation_key(title)
        return self.say(CONVENTIONS[key]) if key in CONVENTIONS else None

    def layer_item(self, info: LayerInfo) -> Text:
        """One line of the list of layers: its name, neurons and activation."""
        neurons = info.neurons
        if info.activation:
            return self.line(
                "layer_item_activation",
                layer=self.layer_name(info),
                neurons=neurons,
                activation=self.activation_name(info.activation),
            )
        return self.line("layer_item", layer=self.layer_name(info), neurons=neurons)

    # -- the drawings of the network (derive.diagram) ------------------------------------
    def drawing_caption(
        self, stage: str, parameter: object = None, sample: int = 0, coloured: bool = True
    ) -> Text:
        """What a drawing shows, under it: the values after a pass, or a lit path (whose
        formulas are `coloured` as its drawing is, except in Markdown: Pandoc cannot
        convert a coloured formula to MathML or Word)."""
        if stage == "forward" and self.several:
            return self.say(
                _(
                    "After the forward pass of sample {sample}: the net input and the output "
                    "of every neuron, and each output's error."
                ),
                sample=sample,
            )
        if stage == "forward":
            return self.say(
                _(
                    "After the forward pass: the net input and the output of every neuron, "
                    "and each output's error."
                )
            )
        if stage == "backward":
            return self.say(
                _("After the backward pass: the gradient of every parameter and its new value.")
            )
        if stage == "path" and not coloured:
            return self.say(
                _(
                    "The path from {parameter} to the error. Each factor of the chain rule has "
                    "its colour and its line style in the drawing; the legend names each "
                    "factor with its value."
                ),
                parameter=parameter,
            )
        if stage == "path":
            return self.say(
                _(
                    "The path from {parameter} to the error. Each factor of the chain rule has "
                    "its colour and its line style, in the drawing as in the formulas; the "
                    "legend names them."
                ),
                parameter=parameter,
            )
        return Text(())

    def drawing_alt(self, drawing: Diagram) -> Text:
        """The drawing told in words, for a reader who cannot see it (the alt text of an
        image, the title of an SVG): its layers and their sizes, what its labels carry,
        and for a path drawing which parts are lit, in which style, for which factor.
        Only words and plain names: it lands in attributes, where no math is typeset."""
        layers = [self._layer_size(t.layer) for t in drawing.titles]
        sentences = [
            self.say(
                _("A network drawn in {count} layers: {layers}."),
                count=len(layers),
                layers=self._joined(layers),
            )
        ]
        if drawing.stage == "path":
            sentences.append(self._path_alt(drawing))
        elif drawing.omitted:
            sentences.append(self.say(_("The numbers are left out; the table gives them.")))
        else:
            sentences.append(self.say(DRAWING_ALT[drawing.stage]))
        return self._joined(sentences, " ")

    def layer_count(self, info: LayerInfo) -> Text:
        """A layer and its size for a box that stands for the whole layer ("output layer:
        one neuron", "hidden layer: 8 neurons")."""
        count = len(info.neurons)
        if count == 1:
            return self.say(_("{layer}: one neuron"), layer=self.layer_name(info))
        return self.say(_("{layer}: {count} neurons"), layer=self.layer_name(info), count=count)

    def _layer_size(self, info: LayerInfo) -> Text:
        count = len(info.neurons)
        if count == 1:
            return self.say(_("{layer} with one neuron"), layer=self.layer_name(info))
        return self.say(_("{layer} with {count} neurons"), layer=self.layer_name(info), count=count)

    def _path_alt(self, drawing: Diagram) -> Text:
        """Which parts of a path drawing are lit: for each factor's style, the edges (with
        the neurons they join) and neurons drawn in it."""
        ends = {w.parameter: (w.source, w.destination) for w in self.doc.overview.weights}
        sentences = [
            self.say(
                _("The path from {parameter} to the error is lit."),
                parameter=str(drawing.parameter),
            )
        ]
        for slot in (3, 2, 1):
            parts = [
                self.say(
                    _("edge {parameter} ({source} to {destination})"),
                    parameter=str(e.parameter),
                    source=str(ends[e.parameter][0]),
                    destination=str(ends[e.parameter][1]),
                )
                for e in drawing.edges
                if e.slot == slot
            ]
            parts += [
                self.say(_("bias {parameter}"), parameter=str(b.parameter))
                for b in drawing.biases
                if b.slot == slot
            ]
            parts += [
                self.say(_("neuron {neuron}"), neuron=str(n.symbol))
                for n in drawing.nodes
                if n.slot == slot
            ]
            parts += [
                self.say(_("the label of {neuron}"), neuron=str(n.symbol))
                for n in drawing.nodes
                if n.label is not None and n.label.slot == slot
            ]
            factors = [
                _plain_factor(entry.label.lines[0].lhs)
                for entry in drawing.legend
                if entry.slot == slot
            ]
            if parts:
                sentences.append(
                    self.say(
                        _("{style}, for {factors}: {parts}."),
                        style=self.say(STYLE_NAMES[slot]),
                        factors=", ".join(factors),
                        parts=self._joined(parts),
                    )
                )
        return self._joined(sentences, " ")

    @staticmethod
    def _joined(texts: list[Text], separator: str = "; ") -> Text:
        pieces: list = []
        for k, text in enumerate(texts):
            if k:
                pieces.append(separator)
            pieces.extend(text.pieces)
        return Text(tuple(pieces))

    def paths_not_drawn(self) -> Text:
        """Said once where the parameters' path drawings would be, when the network is too
        large for a drawing to carry its numbers."""
        return self.say(
            _(
                "The network is too large for a drawing to carry its numbers legibly, so the "
                "parameters' paths are not drawn; the formulas and the summary table give "
                "every number."
            )
        )

    def drawing_omitted(self, count: int) -> Text:
        """Said under a drawing whose weights are too many to label legibly."""
        return self.say(
            _(
                "The {count} weights are too many to write legibly on their edges at this "
                "size, so the drawing leaves their numbers out; the table gives them."
            ),
            count=count,
        )

    # -- finding one's way: the table of contents ---------------------------------------
    def contents(self) -> Text:
        return self.say(_("Contents"))

    def skip_to_contents(self) -> Text:
        return self.say(_("Skip to the contents"))

    def shortcut_lead(self, step: IdentityStep) -> Text:
        """Before the simple form of an output's delta: where it comes from."""
        if not step.condition:
            return self.say(
                _(
                    "The two local derivatives of an output neuron multiply to something much "
                    "simpler:"
                )
            )
        k, j = Symbol("k"), Symbol("j")
        out_k, out_j, target_k = Symbol("out_k"), Symbol("out_j"), Symbol("target_k")
        loss = Equation(
            Derivative(Symbol("E"), out_k),
            (neg(Mul(target_k, Pow(out_k, -1, evaluate=False), evaluate=False)),),
        )
        jacobian = Equation(
            Derivative(out_k, Symbol("net_j")),
            (mul(out_k, sub(KroneckerDelta(k, j, evaluate=False), out_j)),),
        )
        return self.say(
            _(
                "Every output depends on {net}, so the chain is summed over the outputs, with "
                "{loss} and {jacobian} ({delta} is 1 for k = j, else 0); it collapses to "
                "something much simpler because the targets add up to 1:"
            ),
            net=Symbol("net_j"),
            loss=loss,
            jacobian=jacobian,
            delta=KroneckerDelta(k, j, evaluate=False),
        )


#: the article's sentences and headings (Markdown, LaTeX, Typst, HTML), by what they say;
#: the templates name a key and lay the sentence out, `Prose.line` words it
ARTICLE = {
    "generated": _(
        "Generated by derive {version} from {source}. SymPy derived every derivative; every "
        "number was computed with {precision} significant digits and is shown rounded to "
        "{digits}."
    ),
    "network": _("The network"),
    "forward": _("The forward pass"),
    "error": _("The error"),
    "backward": _("The backward pass"),
    "identities": _("The local derivatives, worked out once"),
    "sample": _("Sample {number}"),
    "combining": _("Combining the samples"),
    "summary": _("Summary"),
    "again": _("The forward pass again"),
    "verification": _("Verification"),
    "network_alt": _("The network {sizes} with its weights"),
    "forward_alt": _("The network after the forward pass"),
    "backward_alt": _("The network after the backward pass"),
    "layer_item": _("the {layer}: {neurons}"),
    "layer_item_activation": _("the {layer}: {neurons}, activation {activation}"),
    "layer_heading": _("The {layer}"),
    "all_weights": _("all weights"),
    "quantity": _("Quantity"),
    "value": _("Value"),
    "meaning": _("Meaning"),
    "input_n": _("input {number}"),
    "target_n": _("target of output {number}"),
    "weight_from_to": _("weight {source} → {destination}"),
    "bias_of": _("bias of {neurons}"),
    "learning_rate": _("learning rate"),
    "slope": _("slope of leaky ReLU below 0"),
    "sample_head": _("Sample"),
    "inputs_head": _("Inputs"),
    "targets_head": _("Targets"),
    "to_minimize": _("The error to minimize is {loss}:"),
    "batch_mean": _(
        "With {count} samples the loss of the batch is the mean of the samples' errors, and "
        "so is its gradient: each sample is worked through on its own below, then the "
        "gradients are combined."
    ),
    "batch_sum": _(
        "With {count} samples the loss of the batch is the sum of the samples' errors, and "
        "so is its gradient: each sample is worked through on its own below, then the "
        "gradients are combined."
    ),
    "updates_all": _("Gradient descent updates the weights and the biases."),
    "updates_weights": _(
        "Gradient descent updates the weights; the biases stay as they are (as in the classic "
        "example), although their gradients are listed in the summary."
    ),
    "forward_intro": _(
        "Each neuron adds up its weighted inputs and its bias (the net input) and passes the "
        "sum through its activation function (the output)."
    ),
    "batch_loss": _("The loss of the batch:"),
    "backward_intro": _(
        "Backpropagation finds how much the total error changes with each parameter, "
        "{derivative}, by the chain rule: the path from a weight to the error runs through "
        "the net input and the output of the neuron the weight feeds."
    ),
    "error_term": _("The error term."),
    "error_term_text": _(
        "Each output contributes {definition} to the total ({loss}). Differentiating with "
        "respect to the output:"
    ),
    "rule_by_rule": _("Rule by rule, from the outside in:"),
    "diff_same": _("SymPy's diff returns {raw}, the same expression."),
    "activation": _("The activation."),
    "neurons_use": _("The neurons use {activation}, {definition}."),
    "neurons_are": _("The neurons compute {definition}."),
    "diff_first": _("SymPy's diff returns the first form below:"),
    "diff_rewritten": _(
        "SymPy's diff returns the first form below; rewritten, it becomes a function of the "
        "neuron's own quantities, which the forward pass has already computed:"
    ),
    "found_for": _("as found for {parameter}:"),
    "softmax_factor": _(
        "{lhs}: the softmax makes every output depend on this net input, so the error "
        "reaches it through each output:"
    ),
    "where": _("where"),
    "simple_form": _("This is the simple form derived above ({condition}):"),
    "from_source": _("{lhs}, from {source}:"),
    "weight_heading": _("{parameter}: the weight from {source} to {destinations}"),
    "bias_heading": _("{parameter}: the bias of {destinations}"),
    "chain_rule": _("By the chain rule:"),
    "together": _("together, the first two factors are the simple form derived above:"),
    "multiplying": _("Multiplying the factors:"),
    "moves_weight": _("Gradient descent moves the weight against the gradient:"),
    "moves_bias": _("Gradient descent moves the bias against the gradient:"),
    "matrix_form": _("In matrix form, the whole layer at once ({odot} multiplies entry by entry):"),
    "one_at_a_time": _("The same numbers, one parameter at a time:"),
    "original_weights": _(
        "The sums below use the original weights {weights}, not the updated ones: every "
        "gradient is taken at the same point, before any parameter changes."
    ),
    "omitted": _(
        "The other parameters of this layer, {parameters}, follow the same pattern; their "
        "gradients and new values are in the summary below."
    ),
    "fixed_one": _("The bias {biases} is not updated; the gradient is listed in the summary."),
    "fixed_many": _("The biases {biases} are not updated; the gradient is listed in the summary."),
    "parameter": _("Parameter"),
    "before": _("Before"),
    "after": _("After"),
    "not_updated": _("(not updated)"),
    "combine_mean": _(
        "The gradient of the batch loss is the mean of the samples' gradients; gradient "
        "descent then moves each parameter against it:"
    ),
    "combine_sum": _(
        "The gradient of the batch loss is the sum of the samples' gradients; gradient "
        "descent then moves each parameter against it:"
    ),
    "again_intro": _("With the updated parameters the same forward pass gives:"),
    "path_alt": _("The path from {parameter} to the error"),
    "scrolls": _("{title} (scrolls sideways when wider than the screen)"),
    "equation_scrolls": _("Equation (scrolls sideways when wider than the screen)"),
}
