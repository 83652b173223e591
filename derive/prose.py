"""The sentences of a walkthrough, worded once for every format and every language.

`Prose` turns the records of a document into `Text` (literal words from the message
catalog, and the symbols, numbers and equations they mention); the slide planner
(`derive.slides`) and the article templates both take their sentences from here, so a
sentence is written once, in English, in the catalog's source language, and translated
in the catalogs of `derive.messages`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sympy import Derivative, KroneckerDelta, Mul, Pow, Symbol

from derive.document import (
    AfterUpdate,
    Document,
    Equation,
    IdentityStep,
    Inline,
    LayerInfo,
    Math,
    Num,
    Text,
)
from derive.expr import mul, neg, sub
from derive.messages import Language, _
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
#: what derive takes for a derivative that does not exist at a kink
CONVENTIONS = {
    "relu": _("At net = 0 ReLU has no derivative; derive takes it to be 0, as PyTorch does."),
    "leaky_relu": _(
        "At net = 0 leaky ReLU has no derivative; derive takes it to be the slope α, as "
        "PyTorch does."
    ),
}


class Prose:
    """The wording of one document in one language."""

    def __init__(self, document: Document, lang: Language | None = None) -> None:
        self.doc = document
        self.lang = lang or Language()
        self.several = len(document.samples) > 1

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
        elif isinstance(value, Math | Num | Inline):
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

    # -- sentences the slides and the articles share ------------------------------------
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

    # -- the drawings of the network (derive.diagram) ------------------------------------
    def drawing_caption(self, stage: str, parameter: object = None, sample: int = 0) -> Text:
        """What a drawing shows, under it: the values after a pass, or a lit path."""
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
