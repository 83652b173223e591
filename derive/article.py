"""Document → the plan of an article: its numbered sections, their blocks and sentences, once.

The Markdown, HTML, LaTeX and Typst articles are all laid out from the `Article` made
here, so the order of the sections, their numbers and labels, which lead-in keeps with
which equation, where a reference points, and every sentence (translated through
`derive.messages`) exist in one place; the templates only typeset and escape.

Teaching order: the network and what is given; the forward pass; the error; the
backward pass (the local derivatives worked out once, then every layer from the output
side, one section per parameter, then how several samples combine); the summary; the
forward pass again with the new parameters; a training run if there is one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from sympy import Symbol

from derive.diagram import SCREEN, Drawings, path_key, tinted
from derive.document import (
    AfterUpdate,
    Article,
    BackwardLayer,
    BatchStep,
    Bullets,
    Chart,
    Diagram,
    Display,
    Document,
    Equation,
    ErrorStep,
    Factor,
    ForwardPass,
    IdentityStep,
    Inline,
    Item,
    Keep,
    Math,
    Num,
    Overview,
    Page,
    Paragraph,
    ParameterStep,
    Ref,
    Section,
    Table,
    Text,
    TrainingReport,
    TrainingSection,
)
from derive.messages import Language, _
from derive.prose import Prose
from derive.trainingprose import TrainingProse


def plan_article(document: Document, *, lang: Language | None = None) -> Article:
    """The sections of the article of `document`, in `lang`, in teaching order."""
    lang = lang or Language()
    planner = _Planner(document, lang)
    sections = list(planner.sections())
    doc = document
    return Article(
        title=Text((doc.title,)),
        lang=lang.code,
        meta=planner.line(
            "generated",
            version=doc.version,
            source=doc.source,
            precision=doc.precision,
            digits=doc.digits,
        ),
        sections=tuple(sections),
        targets=frozenset(planner.targets),
    )


@dataclass
class _Open:
    """A section being filled: its heading, and its blocks as they come."""

    title: Text
    level: int
    label: str
    number: str = ""
    contents: bool = False
    blocks: list = field(default_factory=list)

    def close(self) -> Section:
        blocks = tuple(b for b in self.blocks if b is not None)
        return Section(self.title, self.level, self.label, self.number, blocks, self.contents)


class _Planner(Prose):
    """Walks a document in teaching order and yields its sections."""

    def __init__(self, document: Document, lang: Language) -> None:
        super().__init__(document, lang)
        #: (sample, parameter) → the label of the section that works it out
        self.parameter_labels: dict[tuple[int, Symbol], str] = {}
        self.targets: set[str] = set()
        #: the kinds of local factor whose form has been explained already
        self.explained: set[str] = set()
        #: whether the parameters' path drawings are worth image files of their own (not
        #: when even the network drawing is too large to carry its numbers on a screen)
        self.paths_imaged = Drawings(document, SCREEN).paths_drawn()
        self.current: _Open | None = None

    # -- sections ------------------------------------------------------------------------
    def open(
        self, title: Text, level: int, label: str, number: str = "", *, contents: bool = False
    ) -> Iterator[Section]:
        """Start a new section (closing the one being filled)."""
        if self.current is not None:
            yield self.current.close()
        self.current = _Open(title, level, label, number, contents or bool(number))

    def add(self, *blocks: object) -> None:
        """Blocks at the end of the section being filled."""
        assert self.current is not None, "blocks before the first heading"
        self.current.blocks.extend(blocks)

    def sections(self) -> Iterator[Section]:
        doc = self.doc
        yield from self.open(self.line("network"), 1, "network", "1")
        self.overview(doc.overview)
        yield from self.open(self.line("forward"), 1, "forward", "2")
        self.add(Paragraph(self.line("forward_intro")))
        for walk in doc.samples:
            label = f"forward-{walk.number}" if self.several else "forward"
            yield from self.forward_layers(walk.forward, label, walk.number)
            self.add(
                Diagram(
                    self.drawing_caption("forward", sample=walk.number),
                    stage="forward",
                    sample=max(walk.number, 1),
                    frame="page",
                    alt=self.line("forward_alt"),
                    image="forward" if walk.number <= 1 else "",
                )
            )
        yield from self.open(self.line("error"), 1, "error", "3")
        for walk in doc.samples:
            if self.several:
                yield from self.open(self.sample(walk.number), 2, f"error-{walk.number}")
            self.errors(walk.forward.errors)
        if doc.batch:
            self.add(self.lead(self.line("batch_loss"), doc.batch.loss))
        yield from self.backward()
        yield from self.open(self.line("summary"), 1, "summary", "5")
        self.add(
            self.summary_table(),
            Diagram(
                self.drawing_caption("backward"),
                stage="backward",
                frame="page",
                alt=self.line("backward_alt"),
                image="backward",
            ),
        )
        yield from self.again(doc.after)
        if doc.training:
            words = TrainingProse(doc.training, self.lang)
            yield from self.open(words.heading(), 1, "training", "7")
            self.add(*training_blocks(doc.training, words))
            yield from self.open(words.parameters_heading(), 2, "training-parameters")
            self.add(parameters_table(doc.training, words))
        if doc.verification:
            yield from self.open(self.line("verification"), 1, "verification", contents=True)
            self.add(Paragraph(Text((str(doc.verification),))))
        if self.current is not None:
            yield self.current.close()
            self.current = None

    def sample(self, number: int) -> Text:
        return self.line("sample", number=number)

    def lead(self, text: Text, equation: Equation) -> Keep:
        """A lead-in sentence and the equation it introduces, kept on one page."""
        return Keep((Paragraph(text), Display(equation)))

    # -- 1. the network and what is given ------------------------------------------------
    def overview(self, ov: Overview) -> None:
        self.add(
            Diagram(
                Text(()),
                stage="network",
                frame="page",
                alt=self.line("network_alt", sizes="-".join(map(str, ov.sizes))),
                image="network",
            ),
            Bullets(tuple(Item(self.layer_item(layer)) for layer in ov.layers)),
            self.values_table(ov),
        )
        if self.several:
            self.add(
                Table(
                    (self.line("sample_head"), self.line("inputs_head"), self.line("targets_head")),
                    tuple(
                        (
                            Text((str(s.number),)),
                            self.assignments(s.inputs),
                            self.assignments(s.targets),
                        )
                        for s in ov.samples
                    ),
                    "rll",
                )
            )
        self.add(self.lead(self.line("to_minimize", loss=self.loss_name()), ov.error_total))
        note = self.ln_note()
        if note is not None:
            self.add(Paragraph(note))
        if self.several:
            key = "batch_mean" if ov.batch == "mean" else "batch_sum"
            self.add(Paragraph(self.line(key, count=len(ov.samples))))
        if ov.biases:
            self.add(Paragraph(self.line("updates_all" if ov.update_biases else "updates_weights")))

    def values_table(self, ov: Overview) -> Table:
        """Quantity | value | meaning: what is given (inputs and targets, unless there are
        several samples, which have a table of their own)."""

        def row(symbol: object, value: object, meaning: Text) -> tuple[Text, ...]:
            return (Text((Math(symbol),)), Text((Num(value),)), meaning)

        rows = []
        if not self.several:
            rows += [
                row(q.lhs, q.value, self.line("input_n", number=k))
                for k, q in enumerate(ov.inputs, start=1)
            ]
            rows += [
                row(q.lhs, q.value, self.line("target_n", number=k))
                for k, q in enumerate(ov.targets, start=1)
            ]
        rows += [
            row(
                w.parameter,
                w.value,
                self.line("weight_from_to", source=w.source, destination=w.destination),
            )
            for w in ov.weights
        ]
        rows += [
            row(b.parameter, b.value, self.line("bias_of", neurons=b.destinations))
            for b in ov.biases
        ]
        rows.append(row(ov.learning_rate.lhs, ov.learning_rate.value, self.line("learning_rate")))
        if ov.slope:
            rows.append(row(ov.slope.lhs, ov.slope.value, self.line("slope")))
        head = (self.line("quantity"), self.line("value"), self.line("meaning"))
        return Table(head, tuple(rows), "lrl")

    # -- 2. the forward pass, 3. the error -----------------------------------------------
    def forward_layers(self, forward: ForwardPass, label: str, number: int) -> Iterator[Section]:
        """A sample's heading (with several samples), then one section per layer."""
        level = 2
        if self.several:
            yield from self.open(self.sample(number), 2, label)
            level = 3
        for layer in forward.layers:
            yield from self.open(
                self.line("layer_heading", layer=self.layer_name(layer.info)),
                level,
                f"{label}-layer-{layer.info.number}",
            )
            for n in layer.neurons:
                self.add(Display(n.net), Display(n.out))
                if n.saturated:
                    self.add(Paragraph(self.saturation(n.saturated), small=True))

    def errors(self, errors: ErrorStep) -> None:
        """Each output's error term, then the total (the lead-in kept with the first)."""
        first, *rest = errors.terms
        self.add(
            self.lead(self.errors_lead(len(errors.terms)), first),
            *(Display(t) for t in rest),
            Display(errors.total),
        )

    # -- 4. the backward pass ------------------------------------------------------------
    def backward(self) -> Iterator[Section]:
        doc = self.doc
        yield from self.open(self.line("backward"), 1, "backward", "4")
        self.add(Paragraph(self.line("backward_intro", derivative=self.total_derivative())))
        if not self.paths_imaged:
            self.add(Paragraph(self.paths_not_drawn(), only="images"))
        count = 1
        yield from self.open(self.line("identities"), 2, "identities", f"4.{count}")
        for identity in doc.identities:
            self.add(*self.identity(identity))
        for walk in doc.samples:
            level = 2
            prefix = ""
            if self.several:
                count += 1
                prefix = f"s{walk.number}-"
                yield from self.open(
                    self.sample(walk.number), 2, f"backward-{walk.number}", f"4.{count}"
                )
                level = 3
            for layer in walk.backward:
                number = ""
                if not self.several:
                    count += 1
                    number = f"4.{count}"
                yield from self.backward_layer(layer, level, number, prefix, walk.number)
        if doc.batch:
            count += 1
            yield from self.open(self.line("combining"), 2, "combining", f"4.{count}")
            self.batch(doc.batch)

    def identity(self, step: IdentityStep) -> list:
        """A local derivative worked out once, with the sentences that lead to it."""
        if step.kind == "loss":
            text = self.line("error_term_text", definition=step.definition, loss=self.loss_name())
            return [
                Paragraph(text, title=self.line("error_term"), lead=True),
                *self.rules(step),
                Display(step.derivation),
                Paragraph(self.line("diff_same", raw=step.raw)),
            ]
        if step.kind == "simplification":
            title = self.simplification_title() + Text((".",))
            return [
                Paragraph(self.shortcut_lead(step), title=title, lead=True),
                Display(step.derivation),
            ]
        title = self.line("activation")
        if step.off_diagonal is not None:
            return [
                Paragraph(self.softmax_lead(), title=title, lead=True),
                Display(step.definition),
                self.lead(self.jacobian_lead(), step.derivation),
                self.lead(self.off_diagonal(), step.off_diagonal),
            ]
        named = self.identity_activation(step.title)
        if named is not None:
            said = self.line("neurons_use", activation=named, definition=step.definition)
        else:
            said = self.line("neurons_are", definition=step.definition)
        diff = "diff_rewritten" if len(step.derivation.forms) > 1 else "diff_first"
        blocks = [
            Paragraph(said, title=title, lead=True),
            *self.rules(step),
            self.lead(self.line(diff), step.derivation),
        ]
        if step.convention:
            convention = self.convention(step.title)
            blocks.append(Paragraph(convention or Text((step.convention,))))
        return blocks

    def rules(self, step: IdentityStep) -> list:
        """The derivative rule by rule, each rule's name and what it gives."""
        if not step.rules:
            return []
        items = tuple(
            Item(
                self.say(_("{rule}:"), rule=self.rule_name(r.rule)),
                Equation(r.lhs, (r.rhs,)),
            )
            for r in step.rules
        )
        return [Keep((Paragraph(self.line("rule_by_rule")), Bullets(items)))]

    def backward_layer(
        self, layer: BackwardLayer, level: int, number: str, prefix: str, sample: int
    ) -> Iterator[Section]:
        label = f"{prefix}backward-layer-{layer.info.number}"
        yield from self.open(
            self.line("layer_heading", layer=self.layer_name(layer.info)), level, label, number
        )
        if layer.matrix:
            self.add(
                self.lead(self.matrix_lead(), layer.matrix[0]),
                *(Display(e) for e in layer.matrix[1:]),
                Paragraph(self.line("one_at_a_time"), lead=True),
            )
        if not layer.is_output:
            self.add(Paragraph(self.line("original_weights", weights=layer.downstream_weights)))
        for step in layer.steps:
            yield from self.parameter(step, level + 1, prefix, sample)
        if layer.omitted:
            self.add(Paragraph(self.line("omitted", parameters=layer.omitted)))
        if layer.fixed:
            key = "fixed_one" if len(layer.fixed) == 1 else "fixed_many"
            self.add(Paragraph(self.line(key, biases=layer.fixed)))

    def parameter(
        self, step: ParameterStep, level: int, prefix: str, sample: int
    ) -> Iterator[Section]:
        """One parameter: its path drawn, its chain rule, each factor, the product, the
        update; the factors met before refer to the section that worked them out."""
        p = step.parameter
        label = f"{prefix}{p}"
        self.parameter_labels[sample, p] = label
        if step.kind == "weight":
            title = self.line(
                "weight_heading",
                parameter=p,
                source=step.source,
                destinations=step.destinations,
            )
        else:
            title = self.line("bias_heading", parameter=p, destinations=step.destinations)
        yield from self.open(title, level, label)
        chain, product = tinted(step)
        self.add(
            Diagram(
                self.drawing_caption("path", p),
                stage="path",
                parameter=p,
                sample=max(sample, 1),
                frame="page",
                alt=self.line("path_alt", parameter=str(p)),
                caption_black=self.drawing_caption("path", p, coloured=False),
                image=path_key(p, max(sample, 1), self.several) if self.paths_imaged else "",
            ),
            self.lead(self.line("chain_rule"), chain),
        )
        items = []
        for index, path in enumerate(step.paths):
            items += [self.factor(f, sample, p) for f in path]
            simplified = step.simplified[index] if step.simplified else None
            if simplified is not None:
                items.append(Item(self.line("together"), blocks=(Display(simplified),)))
        self.add(Bullets(tuple(items)), self.lead(self.line("multiplying"), product))
        walk = self.doc.samples[max(sample, 1) - 1]
        nets = {n.neuron: n.net.value for layer in walk.forward.layers for n in layer.neurons}
        dead = self.dead_relu(step.destinations, nets)
        if dead is not None:
            self.add(Paragraph(dead, small=True))
        if step.update is not None:
            key = "moves_weight" if step.kind == "weight" else "moves_bias"
            self.add(self.lead(self.line(key), step.update))

    def factor(self, fac: Factor, sample: int, parameter: Symbol) -> Item:
        """One factor of a chain rule as a bullet: by reference when worked out before."""
        if fac.seen_at is not None:
            return Item(
                self.line("found_for", parameter=self.ref(fac.seen_at, sample)), fac.equation
            )
        if fac.kind == "hidden":
            return self.hidden_item(fac)
        if fac.kind == "softmax":
            jac = fac.jacobian
            blocks: list = [Display(fac.equation), Paragraph(self.line("where"), lead=True)]
            for term in jac.terms:
                blocks += [Display(term.sensitivity), Display(term.jacobian)]
            if jac.simplified is not None:
                condition = self.condition(jac.condition)
                blocks.append(
                    self.lead(self.line("simple_form", condition=condition), jac.simplified)
                )
            return Item(self.line("softmax_factor", lhs=fac.equation.lhs), blocks=tuple(blocks))
        text = self.line("from_source", lhs=fac.equation.lhs, source=fac.source)
        # why ∂net/∂w is the source's output (∂net/∂b is 1) is said the first time only
        why = None if fac.kind in self.explained else self.why_local(fac, parameter)
        self.explained.add(fac.kind)
        if why is None:
            return Item(text, blocks=(Display(fac.equation),))
        return Item(text, blocks=(self.lead(why, fac.equation),))

    def hidden_item(self, fac: Factor) -> Item:
        """A hidden output's derivative: each downstream contribution, then their sum."""
        terms = fac.hidden.terms
        out = fac.equation.lhs.variables[0]
        text = Text((Math(fac.equation.lhs), ": ")) + self.hidden_lead(out, terms)
        if len(terms) == 1:
            term = terms[0]
            return Item(text, blocks=(Display(term.delta), Display(term.term)))
        blocks: list = []
        for k, term in enumerate(terms, start=1):
            blocks += [
                Keep(
                    (
                        Paragraph(self.contribution(k, len(terms), term.weight)),
                        Display(term.delta),
                    )
                ),
                Display(term.term),
            ]
        blocks.append(self.lead(self.adding(), fac.equation))
        return Item(text, blocks=tuple(blocks))

    def ref(self, parameter: Symbol, sample: int) -> Text | Math:
        """`parameter` linked to the section that works it out (with its page)."""
        label = self.parameter_labels.get((sample, parameter))
        if label is None:
            return Math(parameter)
        self.targets.add(label)
        page = self.say(_("(page {page})"), page=Page(label))
        return Text((Ref(label, Text((Math(parameter),)), page),))

    def batch(self, batch: BatchStep) -> None:
        key = "combine_mean" if batch.mode == "mean" else "combine_sum"
        first, *rest = batch.rows
        self.add(self.lead(self.line(key), first.gradient))
        if first.update is not None:
            self.add(Display(first.update))
        for row in rest:
            self.add(Display(row.gradient))
            if row.update is not None:
                self.add(Display(row.update))

    # -- 5. the summary, 6. the forward pass again ---------------------------------------
    def summary_table(self) -> Table:
        """Parameter | before | ∂E/∂p | after, for every parameter."""
        head = (
            self.line("parameter"),
            self.line("before"),
            Text((Math(self.doc.gradient_head),)),
            self.line("after"),
        )
        rows = []
        for r in self.doc.summary:
            new = Text((Num(r.new),))
            if not r.updated:
                new = new + Text((" ",)) + self.line("not_updated")
            rows.append(
                (Text((Math(r.parameter),)), Text((Num(r.old),)), Text((Num(r.gradient),)), new)
            )
        return Table(head, tuple(rows), "lrrr")

    def again(self, after: AfterUpdate) -> Iterator[Section]:
        yield from self.open(self.line("again"), 1, "again", "6")
        self.add(Paragraph(self.line("again_intro"), lead=True))
        for k, forward in enumerate(after.forwards, start=1):
            label = f"again-{k}" if self.several else "again"
            yield from self.forward_layers(forward, label, k)
            self.errors(forward.errors)
        if after.loss is not None:
            self.add(self.lead(self.line("batch_loss"), after.loss))
        # the slides title this table on their frame; the article captions it
        caption = self.say(_("Outputs and targets, before and after"))
        table = replace(self.outputs_table(after), caption=caption)
        self.add(Paragraph(self.outcome(after)), table)


# -- the training run (``--steps``; alone, the report of ``derive train``) --------------
def plan_training(report: TrainingReport, *, lang: Language | None = None) -> Article:
    """The report of ``derive train``: the run's curve, history and outputs before the
    first heading, then the parameters after training."""
    words = TrainingProse(report.training, lang)
    section = Section(
        words.parameters_heading(),
        1,
        "training-parameters",
        blocks=(parameters_table(report.training, words),),
    )
    return Article(
        title=words.report_title(report.title),
        lang=words.lang.code,
        meta=words.report_generated(report.version, report.source, report.precision, report.digits),
        sections=(section,),
        front=training_blocks(report.training, words),
    )


def training_blocks(t: TrainingSection, words: TrainingProse) -> tuple:
    """The error curve, the error every few steps, and the outputs reached."""
    history = Table(
        (words.step_head(), words.loss_head()),
        tuple((words.count(step), Text((Num(total),))) for step, total in t.history),
        "rr",
    )
    several = len(t.samples) > 1
    rows = []
    for s in t.samples:
        for k, (output, target) in enumerate(zip(s.outputs, s.targets, strict=True)):
            first = k == 0
            cells = (
                words.assignments(s.inputs) if first else Text(),
                Text((Inline(output),)),
                Text((Num(target.value),)),
            )
            number = (Text((str(s.number),)) if first else Text(),) if several else ()
            rows.append((*number, *cells))
    head = (words.inputs_head(), words.output_head(), words.target_head())
    outputs = Table(
        ((words.sample_head(),) if several else ()) + head,
        tuple(rows),
        ("r" if several else "") + "llr",
    )
    return (
        Chart(words.curve_alt(), words.curve_label()),
        Keep((Paragraph(words.lead()), history)),
        Paragraph(words.outcome()),
        Keep((Paragraph(words.outputs_lead()), outputs)),
    )


def parameters_table(t: TrainingSection, words: TrainingProse) -> Table:
    """Every parameter at the start and after training."""
    rows = tuple(
        (
            Text((Math(p.parameter),)),
            Text((Num(p.start),)),
            Text((Num(p.end),)) + (Text() if p.updated else Text((" ",)) + words.not_updated()),
        )
        for p in t.parameters
    )
    head = (words.parameter_head(), words.start_head(), words.after())
    return Table(head, rows, "lrr")


def section_numbers(article: Article) -> Sequence[str]:
    """The numbers of the numbered sections, in order (for tests and tables of contents)."""
    return [s.number for s in article.sections if s.number]


__all__ = ["plan_article", "plan_training", "section_numbers"]
