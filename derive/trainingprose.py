"""The sentences of a training run (``--steps N``, ``derive train``), in the reader's language.

A training section is worded apart from the walkthrough's `Prose`: ``derive train`` has no
walkthrough around it. Every heading, lead, table head and the closing sentence is a
catalog message (`derive.messages`), the step counts grouped by thousands as the language
writes them (1,000 · 1.000 · 1 000), the numbers left as `Num` for the format's printer.
The article templates, the slides and the error curve's title all take their words here.
"""

from __future__ import annotations

from sympy import Integer, Pow

from derive.document import Math, Num, Text, TrainingSection
from derive.messages import Language, _
from derive.model import E_TOTAL
from derive.numeric import Value, format_number
from derive.prose import ARTICLE, Wording

#: a message for one step, and one for any other number of steps ({count})
HEADING = (_("Training for one step"), _("Training for {count} steps"))
AFTER = (_("After one step"), _("After {count} steps"))
OUTPUT_AFTER = (_("Output after one step"), _("Output after {count} steps"))
LEAD = (
    _("The update made once, with the learning rate {rate}:"),
    _(
        "Repeating the update {count} times with the same learning rate {rate} (the gradients "
        "recomputed at every step):"
    ),
)
CURVE_TITLE = (
    _("The error during one step of gradient descent"),
    _("The error during {count} steps of gradient descent"),
)
REPORT_CURVE = (_("{title}: one step"), _("{title}: {count} steps"))
#: the closing sentence: how far the error fell (or rose), for one sample and for a batch
OUTCOME = {
    ("smaller", False): _(
        "{when} the total error is {after} (it was {before}), {factor} times smaller."
    ),
    ("larger", False): _(
        "{when} the total error is {after} (it was {before}), {factor} times larger."
    ),
    ("same", False): _("{when} the total error is {after} (it was {before})."),
    ("smaller", True): _("{when} the loss is {after} (it was {before}), {factor} times smaller."),
    ("larger", True): _("{when} the loss is {after} (it was {before}), {factor} times larger."),
    ("same", True): _("{when} the loss is {after} (it was {before})."),
}


class TrainingProse(Wording):
    """The wording of one training section in one language."""

    def __init__(self, section: TrainingSection, lang: Language | None = None) -> None:
        super().__init__(lang)
        self.t = section
        self.several = len(section.samples) > 1

    def count(self, steps: int) -> Text:
        """A step number as the language groups its thousands (a table's first column)."""
        return Text((self.lang.integer(steps),))

    def heading(self) -> Text:
        return self.counted(HEADING, self.t.steps)

    def after(self) -> Text:
        """ "After 1,000 steps": a column head, and the start of the closing sentence."""
        return self.counted(AFTER, self.t.steps)

    def curve_title(self) -> str:
        """The title drawn above the error curve (plain text: the chart lays it out)."""
        return self.counted(CURVE_TITLE, self.t.steps).plain

    def curve_alt(self) -> Text:
        return self.say(_("The error during the training run, on a log scale"))

    def curve_label(self) -> Text:
        """The name of the curve's scrolling box (HTML), for a screen reader."""
        return self.say(ARTICLE["scrolls"], title=self.say(_("The error curve")))

    def axis_labels(self) -> tuple[str, str]:
        """The names of the curve's axes: the steps, and the error on its log scale."""
        y = _("loss (log scale)") if self.several else _("total error (log scale)")
        return self.lang.text(_("step (number of updates)")), self.lang.text(y)

    def lead(self) -> Text:
        return self.counted(LEAD, self.t.steps, rate=self.t.learning_rate)

    def step_head(self) -> Text:
        return self.say(_("Step"))

    def loss_head(self) -> Text:
        """The history's second column: the batch's loss, or E_total for one sample."""
        return self.say(_("Loss")) if self.several else Text((Math(E_TOTAL),))

    def outcome(self) -> Text:
        """Where the error ended, against where it began, and by what factor it moved."""
        before, after = self.t.loss_before, self.t.loss_after
        if before == 0 or after == 0 or before == after:
            trend, factor = "same", ""
        elif after < before:
            trend, factor = "smaller", self.factor(before / after)
        else:
            trend, factor = "larger", self.factor(after / before)
        return self.say(
            OUTCOME[trend, self.several],
            when=self.after(),
            after=Num(after),
            before=Num(before),
            factor=factor,
        )

    def factor(self, ratio: Value) -> Text:
        """How many times smaller or larger, to three digits: 268, or 1.4 × 10²⁰."""
        mantissa, exponent = format_number(ratio, 3)
        if exponent is None:
            return Text((self.lang.number(mantissa),))
        power = Pow(Integer(10), Integer(exponent), evaluate=False)
        return Text((self.lang.number(mantissa), " \N{MULTIPLICATION SIGN} ", Math(power)))

    def outputs_lead(self) -> Text:
        return self.say(_("The network's outputs against the targets:"))

    def sample_head(self) -> Text:
        return self.say(ARTICLE["sample_head"])

    def inputs_head(self) -> Text:
        return self.say(ARTICLE["inputs_head"])

    def output_head(self) -> Text:
        return self.counted(OUTPUT_AFTER, self.t.steps)

    def target_head(self) -> Text:
        return self.say(_("Target"))

    def parameters_heading(self) -> Text:
        return self.say(_("The parameters after training"))

    def parameter_head(self) -> Text:
        return self.say(ARTICLE["parameter"])

    def start_head(self) -> Text:
        return self.say(_("Start"))

    def not_updated(self) -> Text:
        return self.say(ARTICLE["not_updated"])

    # -- the report of ``derive train`` --------------------------------------------------
    def report_curve_title(self, title: str) -> str:
        """The title of the curve ``derive train --plot`` draws: the spec's, and the steps."""
        return self.counted(REPORT_CURVE, self.t.steps, title=title).plain

    def report_title(self, title: str) -> Text:
        return self.say(_("{title}: training"), title=title)

    def report_generated(self, version: str, source: str, precision: int, digits: int) -> Text:
        return self.say(
            _(
                "Generated by derive {version} from {source}. Gradient descent run with a "
                "compiled kernel in double precision; the final network evaluated with "
                "{precision} significant digits, shown rounded to {digits}."
            ),
            version=version,
            source=source,
            precision=precision,
            digits=digits,
        )
