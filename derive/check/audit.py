"""Claims → verdicts: is each number right, at the precision its writer used?

For each claim, in document order, the auditor decides one verdict:

``wrong formula``
    a link written in the network's quantities (``w_3 i_1 + w_4 i_1 + b_1``) does not
    equal the quantity — at the network's values, and at a perturbed copy of the network
    (so a formula that is right by accident at one point is still caught);
``arithmetic slip``
    a link written in numbers does not evaluate to the next one, allowing for the
    rounding of the numbers written in both;
``wrong value``
    the final number is not the quantity's value at the writer's precision, or a number
    substituted for a quantity in a formula (aligned with the formula link before it)
    is not that quantity's value;
``ok``
    none of these; ``unrecognized`` when the claim's quantity is not one of the network's.

"At the writer's precision" means: a number written with d decimals is right when it is
within half a unit of its last digit (or is the truncation) of the true value — or of
the value recomputed from the writer's own earlier numbers, so that rounded
intermediates carried from line to line (drift) are not mistaken for errors.

The auditor only decides. Each verdict carries the `Evidence` a diagnosis needs; words
are `derive.check.diagnose`'s business.
"""

from __future__ import annotations

import dataclasses
import re
from collections import ChainMap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from sympy import Derivative as SymDerivative
from sympy import Expr, Symbol

from derive.check.claims import Claim, Context, Link
from derive.check.expression import (
    Apply,
    Constant,
    Derivative,
    Matrix,
    Name,
    Node,
    Number,
    Value,
    evaluate,
    names_in,
    numbers_in,
)
from derive.check.names import Quantity
from derive.check.truth import Truth, per_sample
from derive.numeric import ctx
from derive.numeric import evaluate as evaluate_exact

VERDICTS = ("ok", "wrong value", "arithmetic slip", "wrong formula", "unrecognized")
#: a formula and the quantity it defines agree to this relative tolerance (double precision)
FORMULA_TOLERANCE = 1e-9
SLACK = 1e-12
#: results written to this many significant digits may carry one unseen rounding
UNSEEN_ROUNDING_DIGITS = 5


@dataclass(frozen=True)
class Evidence:
    """What was found wrong, with the numbers a diagnosis works from.

    `kind` is ``final`` (the stated result), ``substitution`` (a number put in for a
    quantity), ``arithmetic`` (a link that does not give the next) or ``formula``.
    `carried` is the value recomputed from the writer's own earlier numbers (right or
    wrong), with `carried_from` naming them, their lines and whether they were right;
    `source` is the link an arithmetic slip was computed from.
    """

    kind: str
    quantity: Quantity | None
    context: Context
    stated: Number | None
    true: object | None
    sample: int = 0
    link: Link | None = None
    previous: Value | None = None
    name: Name | Derivative | None = None
    carried: object | None = None
    carried_from: tuple[tuple[str, int, bool], ...] = ()
    result_ok: bool = False
    source: Link | None = None
    substituted: Number | None = None
    earlier: tuple[str, int] | None = None


@dataclass(frozen=True)
class Verdict:
    """The decision on one claim: where, what, and the evidence."""

    claim: Claim
    verdict: str
    line: int
    quantity: str | None
    stated: Number | None
    expected: Decimal | None
    evidence: Evidence | None = None
    reason: str = ""

    @property
    def is_wrong(self) -> bool:
        return self.verdict not in ("ok", "unrecognized")


@dataclass
class _Written:
    """What the writer has stated so far: (phase, sample, key) → (value, line, right?,
    half a unit of its last digit), so a value recomputed from them carries their rounding."""

    values: dict[tuple[str, int, Expr], tuple[object, int, bool, object]] = field(
        default_factory=dict
    )
    #: how many values have been recorded: a verdict decided at one count is decided
    #: alike for the same claim while the count stays (what `_Auditor.verdict` reuses)
    version: int = 0

    def record(
        self, phase: str, sample: int, key: Expr, value, line: int, ok: bool, half=0
    ) -> None:
        entry = (phase, sample, key)
        if entry not in self.values:  # the first value written is the one carried
            self.values[entry] = (value, line, ok, half)
            self.version += 1

    def get(
        self, phase: str, sample: int, key: Expr, only_ok: bool
    ) -> tuple[object, int, bool, object] | None:
        found = self.values.get((phase, sample, key))
        if found is None or (only_ok and not found[2]):
            return None
        return found


def audit(
    claims: Iterable[Claim], truth: Truth, precision: Precision | None = None
) -> Iterator[Verdict]:
    """A verdict for every claim, in document order (each may use the claims before it)."""
    auditor = _Auditor(truth, precision or Precision(truth))
    for claim in claims:
        try:
            yield auditor.verdict(claim)
        except Exception as error:  # one claim's bug must not cost the whole report
            reason = f"could not be checked ({type(error).__name__}: a bug, please report it)"
            yield auditor.plain(claim, "unrecognized", reason=reason)


class Precision:
    """How exactly a written number states a value: the writer's precision, one place.

    A number written with d decimals is right for a value it is a correct rounding of
    (within half a unit of its last digit) or the truncation of (the value lies between
    it and one unit further from zero) — and for nothing else: no blanket allowance of a
    unit in the last place. A number written without decimals (``0``, ``1``, ``2``)
    claims that integer: it is right only for a value that rounds to it at two
    significant digits (``2`` for 1.95, never ``1`` for 0.75 nor ``0`` for 0.298).
    `digits` caps the comparison at that many significant digits (``--digits N``);
    `strict` refuses the values recomputed from the writer's own rounded numbers
    (``--strict``), leaving only the true value.
    """

    def __init__(self, truth: Truth, digits: int | None = None, strict: bool = False) -> None:
        self.digits = digits
        self.strict = strict
        spec = truth.spec
        given = [spec.learning_rate, spec.leaky_relu_slope]
        given += [w for m in spec.weights for row in m for w in row]
        given += [b for layer in spec.biases for b in layer]
        given += [x for s in spec.samples for x in (*s.inputs, *s.targets)]
        self.exact = {Decimal(v).normalize() for v in given}
        self.exact |= {Decimal(n) for n in range(11)} | {Decimal("0.5")}

    def half_unit(self, number: Number) -> Decimal:
        """Half a unit in the last place written (or in the last of `digits` significant)."""
        half = number.ulp / 2
        if self.digits is not None and number.value != 0:
            coarse = Decimal(1).scaleb(number.value.adjusted() - self.digits + 1) / 2
            half = max(half, coarse)
        return half

    def uncertainty(self, number: Number, digits: int | None = None) -> float:
        """How far a number in a link may be from what it stands for.

        Half a unit of its last digit; a value of the spec (0.15, η = 0.5, the 1 of
        1 − out) is exact, except in a claim written to `digits` significant digits,
        where it may stand for a rounded value that lost its trailing zeros (0.25 for
        0.2500, σ' = 0.24996).
        """
        if number.value.normalize() in self.exact or abs(number.value) in self.exact:
            if digits is None or number.value == 0:
                return 0.0
            return float(Decimal(1).scaleb(number.value.adjusted() - digits + 1)) / 2
        return float(number.ulp) / 2

    def agrees(self, number: Number, candidates: Iterable, extra: float = 0.0) -> bool:
        """Whether `number` is right for some candidate value (or interval of values).

        `extra` widens each candidate by the rounding of the operands written in the
        claim itself (``0.4 × 0.5933 = 0.2373``: the 0.5933 stands for a range).
        Decided in double precision when the answer is clear by a wide margin (nearly
        always); at 50 digits when the number sits near the edge of its interval.
        """
        candidates = [c for c in candidates if c is not None]
        if _bare_integer(number) and self.digits is None:
            return any(self._integer_agrees(number, c, extra) for c in candidates)
        quick = self._quick(number, candidates, extra)
        if quick is not None:
            return quick
        return self._agrees(number, candidates, extra)

    def _integer_agrees(self, number: Number, candidate, extra: float) -> bool:
        """``2`` for 1.95: the candidate (or a value of its interval) rounds to the
        integer at two significant digits (at more, for integers written with more)."""
        low, high = candidate if isinstance(candidate, tuple) else (candidate, candidate)
        low, high = ctx.mpf(low) - extra, ctx.mpf(high) + extra
        stated = ctx.mpf(str(number.value))
        if low <= stated <= high:
            return True
        nearest = low if abs(low - stated) < abs(high - stated) else high
        if nearest == 0 or not ctx.isfinite(nearest):  # a candidate such as log(0) = -inf
            return False
        digits = max(2, number.digits)
        unit = ctx.mpf(10) ** (int(ctx.floor(ctx.log10(abs(nearest)))) - digits + 1)
        return abs(nearest - stated) <= unit / 2 * (1 + 1e-12)

    def _quick(self, number: Number, candidates: list, extra: float) -> bool | None:
        if number.digits > 14:
            return None
        stated, half = float(number.value), float(self.half_unit(number))
        width = 2 * half + extra
        for candidate in candidates:
            low, high = candidate if isinstance(candidate, tuple) else (candidate, candidate)
            low, high = float(low), float(high)
            margin = 1e-9 * width + 1e-12 * max(abs(low), abs(high), 1)
            if low - width + margin <= stated <= high + width - margin:
                if low - half - extra + margin <= stated <= high + half + extra - margin:
                    return True
                return None  # only the truncation allowance can say
            if not (low - width - margin <= stated <= high + width + margin):
                continue
            return None
        return False

    def _agrees(self, number: Number, candidates: list, extra: float) -> bool:
        stated = ctx.mpf(str(number.value))
        half = ctx.mpf(str(self.half_unit(number))) * (1 + 1e-9)
        for candidate in candidates:
            if candidate is None:
                continue
            low, high = candidate if isinstance(candidate, tuple) else (candidate, candidate)
            low, high = ctx.mpf(low) - extra, ctx.mpf(high) + extra
            scale = max(abs(low), abs(high), 1) * SLACK
            if low - half - scale <= stated <= high + half + scale:
                return True
            # truncated rather than rounded: the value lies between the number and one
            # unit further from zero (0.17 for 0.1787)
            if stated > 0 and low - 2 * half - scale <= stated <= high:
                return True
            if stated < 0 and low <= stated <= high + 2 * half + scale:
                return True
        return False

    def expected(self, number: Number | None, value) -> Decimal | None:
        """The value written as the writer would write it (the same last place)."""
        if value is None:
            return None
        exact = Decimal(ctx.nstr(ctx.mpf(value), 40, min_fixed=-ctx.inf, max_fixed=ctx.inf))
        if number is None:
            return exact.normalize()
        places = number.places
        magnitude = exact.adjusted() - (number.value.adjusted() if number.value else 99)
        if exact != 0 and abs(magnitude) > 1:
            # written at another magnitude ("-21707153"): keep its significant digits instead
            places = exact.adjusted() - number.digits + 1
        if self.digits is not None and number.value != 0:
            places = max(places, number.value.adjusted() - self.digits + 1)
        elif _bare_integer(number) and exact != 0:
            # "out_o1 = 1" claimed an integer: show the value at two significant digits
            places = min(places, exact.adjusted() - max(2, number.digits) + 1)
        return exact.quantize(Decimal(1).scaleb(places), rounding=ROUND_HALF_UP)


class _Auditor:
    def __init__(self, truth: Truth, precision: Precision) -> None:
        self.truth = truth
        self.precision = precision
        self.written = _Written()
        self.aliases = _aliases(truth)
        self.decided: dict[tuple, tuple] = {}

    def half_unit(self, number: Number) -> Decimal:
        return self.precision.half_unit(number)

    def uncertainty(self, number: Number) -> float:
        return self.precision.uncertainty(number)

    def written_half(self, number: Number) -> Decimal:
        """How far a written number may be from the value it was rounded from: half a
        unit of its last digit, nothing for a value of the spec (w1 = 0.15 is exact)."""
        return Decimal(repr(self.precision.uncertainty(number)))

    def agrees(self, number: Number, candidates: Iterable, extra: float = 0.0) -> bool:
        return self.precision.agrees(number, candidates, extra)

    def expected(self, number: Number | None, value) -> Decimal | None:
        return self.precision.expected(number, value)

    # -- one claim -----------------------------------------------------------------------------
    def verdict(self, claim: Claim) -> Verdict:
        """The verdict on `claim`; one without evidence (``ok``, ``unrecognized``) is
        reused for a claim written alike (the same links at the same relative places, about
        the same quantity in the same context) while the writer's recorded values are the
        same: a verdict depends on nothing else, and long documents repeat their claims.
        Only a verdict that recorded no new value is kept, so reusing it records nothing."""
        version = self.written.version
        key = (version, claim_shape(claim))
        known = self.decided.get(key)
        if known is not None:
            verdict, line, quantity, expected, reason = known
            return Verdict(claim, verdict, claim.line + line, quantity, claim.stated, expected,
                           None, reason)  # fmt: skip
        found = self.decide(claim)
        if (
            found.evidence is None
            and found.stated is claim.stated
            and (self.written.version == version)
        ):
            if len(self.decided) >= _DECIDED:
                self.decided.clear()
            self.decided[key] = (found.verdict, found.line - claim.line, found.quantity,
                                 found.expected, found.reason)  # fmt: skip
        return found

    def decide(self, claim: Claim) -> Verdict:
        if claim.kind == "ambiguous":
            written = claim.links[-1].text
            reason = f"{written}: a decimal comma, or two numbers? (the document does not say)"
            return self.plain(claim, "unrecognized", reason=reason)
        quantity = claim.quantity
        context = self.context(claim)
        if quantity is None:
            return self.unrecognized(claim, context)
        batch = quantity.is_batch and context.sample is None and self.truth.samples > 1
        if batch and self.names_samples(claim) == 1:
            quantity = per_sample(quantity)  # E = E_1 + E_2: one sample's error
        phase = self.truth.phase(quantity, context)
        stated = claim.stated
        try:
            candidates = self.truth.values(
                quantity, context, stated.digits if stated is not None else 6
            )
        except ImportError:
            return self.plain(claim, "unrecognized", reason="training needs derive.training")
        if not candidates:
            return self.plain(claim, "unrecognized", reason="no value known for this quantity")
        if _bare_code_is_target(claim, quantity, self.truth):
            written = claim.links[0].text
            reason = f"{written} = {stated.text} is the target of {written}, not its output"
            return self.plain(claim, "unrecognized", reason=reason)
        sample = self.sample(quantity, context, candidates, stated)
        true = candidates[0] if len(candidates) == 1 else candidates[sample]
        judge = _Claim(self, claim, quantity, dataclasses.replace(context, phase=phase), sample)
        verdict = judge.decide(true)
        self.remember(claim, quantity, phase, sample, verdict)
        return verdict

    def context(self, claim: Claim) -> Context:
        """The claim's own context: a chain that writes w⁺ is about the updated network, one
        that adds up E^{(1)} + E^{(2)} is about the batch, whatever sample came before."""
        context = claim.context
        quantity = claim.quantity
        if quantity is not None and quantity.is_batch and self.names_samples(claim) > 1:
            context = dataclasses.replace(context, sample=None)
        if quantity is None or not quantity.is_forward or context.phase != "before":
            return context
        for link in claim.links[1:]:
            if link.node is not None and any(_marks_update(n) for n in names_in(link.node)):
                return dataclasses.replace(context, phase="after")
        return context

    def names_samples(self, claim: Claim) -> int:
        """How many samples the claim names quantities of: 2 for E^{(1)} + E^{(2)}; 1 for
        ``E = E_1 + E_2`` (one sample's quantities, which sample left open); 0 for none."""
        samples: set[int | None] = set()
        for link in claim.links[1:]:
            for node in names_in(link.node) if link.node is not None else ():
                quantity = _resolve(self.truth, node)
                if quantity is None or quantity.is_batch or quantity.is_parameter:
                    continue
                if quantity.sample is not None:
                    samples.add(quantity.sample)
                elif quantity.is_forward or quantity.kind in ("derivative", "target"):
                    samples.add(None)
        return len(samples)

    def sample(self, quantity: Quantity, context: Context, candidates: list, stated) -> int:
        """The sample a claim is about: named, else the one whose value it states."""
        indices = list(self.truth.sample_indices(quantity, context))
        if len(candidates) == 1:
            return indices[0] if len(indices) == 1 else 0
        if stated is None:
            return 0
        value = ctx.mpf(str(stated.value))
        distances = [abs(ctx.mpf(c) - value) for c in candidates]
        return distances.index(min(distances))

    def unrecognized(self, claim: Claim, context: Context) -> Verdict:
        """A claim about no single quantity: about an expression of them (∂E/∂net · w),
        or about nothing we know, when only its arithmetic can be checked."""
        composite = self.composite(claim, context)
        if composite is not None:
            quantity, sample, value = composite
            return _Claim(self, claim, quantity, context, sample).decide(value)
        judge = _Claim(self, claim, None, context, 0)
        slip = judge.arithmetic()
        if slip is not None:
            index, source, previous = slip
            link = claim.links[index]
            number = link.node if isinstance(link.node, Number) else None
            evidence = Evidence(
                "arithmetic",
                None,
                context,
                number,
                None,
                0,
                link,
                previous,
                source=claim.links[source],
            )
            expected = self.expected(number, ctx.mpf(previous.value)) if number else None
            return Verdict(claim, "arithmetic slip", link.line, None, number, expected, evidence)
        return self.plain(claim, "unrecognized", reason="no quantity of this network")

    def composite(self, claim: Claim, context: Context) -> tuple[Quantity, int, object] | None:
        """The left side as an expression of known quantities, with its true value."""
        node = claim.links[0].node
        if not isinstance(node, Apply) or not names_in(node) or claim.stated is None:
            return None
        stated = ctx.mpf(str(claim.stated.value))
        found = []
        indices = [context.sample - 1] if context.sample else range(self.truth.samples)
        for index in indices:
            value = _Claim(self, claim, None, context, index).values[0]
            if value is not None:
                found.append((abs(ctx.mpf(value.value) - stated), index, ctx.mpf(value.value)))
        if not found:
            return None
        _, index, value = min(found)
        return Quantity("expression", describe(node, self.truth.naming)), index, value

    def plain(self, claim: Claim, verdict: str, reason: str = "") -> Verdict:
        quantity = str(claim.quantity) if claim.quantity else None
        return Verdict(claim, verdict, claim.line, quantity, claim.stated, None, None, reason)

    def remember(
        self, claim: Claim, quantity: Quantity, phase: str, sample: int, verdict: Verdict
    ) -> None:
        """Record the writer's number for this quantity (for later drift and carried errors)."""
        stated = claim.stated
        if stated is None or quantity.key is None:
            return
        key = Symbol(quantity.name) if quantity.kind == "updated" else quantity.key
        ok = verdict.verdict == "ok"
        value = ctx.mpf(str(stated.value))
        self.write(phase, sample, key, value, stated, ok, claim.links[-1].line)

    def write(
        self, phase: str, sample: int, key: Expr, value, stated: Number, ok: bool, line: int
    ) -> None:
        for alias in (key, *self.aliases.get(key, ())):
            self.written.record(phase, sample, alias, value, line, ok, self.written_half(stated))


# -- judging one claim ----------------------------------------------------------------------------
class _Claim:
    """The checks of one claim, sharing its resolved context and values."""

    def __init__(
        self, auditor: _Auditor, claim: Claim, quantity: Quantity | None, context: Context,
        sample: int,
    ) -> None:  # fmt: skip
        self.auditor = auditor
        self.truth = auditor.truth
        self.claim = claim
        self.quantity = quantity
        self.context = context
        self.sample = sample
        self.values = [self.value(link.node) for link in claim.links]

    # -- values of links ----------------------------------------------------------------
    def resolve(self, node: Name | Derivative) -> Quantity | None:
        naming = self.truth.naming
        if isinstance(node, Name):
            return naming.quantity(node.atom)
        return naming.derivative(node.of, node.wrt)

    def name_value(self, node: Name | Derivative) -> object | None:
        """A name's true value in this claim's context (None if unknown or ambiguous)."""
        return name_value(self.truth, node, self.context, self.sample)

    def value(self, node: Node | None, truth: Truth | None = None) -> Value | None:
        """A link's value, its names taking their values in `truth` (this network's, or
        the perturbed copy's)."""
        if node is None:
            return None
        truth = truth or self.truth

        def lookup(name: Name | Derivative) -> Value | None:
            value = name_value(truth, name, self.context, self.sample)
            return None if value is None else Value(float(value), 0.0)

        return evaluate(node, lookup, self.uncertainty)

    def uncertainty(self, number: Number) -> float:
        return self.auditor.precision.uncertainty(number, self.digits)

    @cached_property
    def digits(self) -> int:
        """The most significant digits any number of the claim is written with."""
        numbers = [n for link in self.claim.links if link.node for n in numbers_in(link.node)]
        return max((n.digits for n in numbers), default=1)

    # -- the checks -----------------------------------------------------------------------
    def decide(self, true) -> Verdict:
        claim = self.claim
        formula = self.formula(true)
        if formula is not None:
            return formula
        stated = claim.stated
        if stated is None:
            return self.auditor.plain(claim, "ok")
        substitution = self.substitution()
        slip = self.arithmetic()
        final_ok = self.final_ok(stated, true)
        if slip is not None:
            return self.slip(slip, true, final_ok, substitution)
        if not final_ok:
            return self.wrong_final(stated, true, substitution)
        if substitution is not None:
            return self.wrong_substitution(substitution, result_ok=True)
        return self.verdict("ok", claim.links[-1].line, stated, true, None)

    def verdict(self, verdict: str, line: int, stated, true, evidence) -> Verdict:
        expected = self.auditor.expected(stated, true) if true is not None else None
        name = str(self.quantity) if self.quantity else None
        if evidence is not None and evidence.kind == "substitution" and evidence.name is not None:
            resolved = self.resolve(evidence.name)
            name = str(resolved) if resolved else name
        return Verdict(self.claim, verdict, line, name, stated, expected, evidence)

    def evidence(self, kind: str, stated, true, **more) -> Evidence:
        carried, carried_from = self.carried(only_ok=False)
        return Evidence(
            kind, self.quantity, self.context, stated, true, self.sample,
            carried=carried, carried_from=carried_from, **more,
        )  # fmt: skip

    # formula ---------------------------------------------------------------------------
    def formula(self, true) -> Verdict | None:
        """A link in the network's quantities that is not the quantity (here or perturbed)."""
        for index, link in enumerate(self.claim.links[1:], start=1):
            node = link.node
            if not _symbolic(node) or not names_in(node):
                continue
            value = self.values[index]
            if value is None:
                continue
            if _close(value.value, float(true)) and self.holds_elsewhere(node):
                continue
            evidence = self.evidence("formula", None, true, link=link, previous=value)
            return self.verdict("wrong formula", link.line, None, true, evidence)
        return None

    def holds_elsewhere(self, node: Node) -> bool:
        """The formula also holds in the perturbed copy of the network (if there is one)."""
        other = self.truth.perturbed_truth
        if other is None or self.quantity is None:
            return True
        sample = self.sample + 1 if self.truth.samples > 1 else None
        if self.quantity.is_batch:
            sample = self.context.sample
        values = other.values(self.quantity, dataclasses.replace(self.context, sample=sample))
        written = self.value(node, other)
        if written is None or not values:
            return True
        return any(_close(written.value, float(v)) for v in values)

    # arithmetic ----------------------------------------------------------------------
    def arithmetic(self) -> tuple[int, int, Value] | None:
        """The first numeric link that does not follow from the numeric link before it."""
        previous: tuple[int, Value] | None = None
        for index, link in enumerate(self.claim.links):
            node = link.node
            if node is None or names_in(node):
                previous = None  # a formula or an unreadable link: the arithmetic restarts after it
                continue
            if not numbers_in(node):
                continue
            value = self.values[index]
            if value is None:
                previous = None
                continue
            if isinstance(node, Number):
                half = float(self.auditor.half_unit(node))
                rounded = Value(value.value, max(value.error, half))
                computed = previous is not None and not isinstance(
                    self.claim.links[previous[0]].node, Number
                )
                if computed and not self.rounds(node, previous[1]):
                    return index, previous[0], previous[1]
                if previous is not None and not computed and not _consistent(previous[1], rounded):
                    return index, previous[0], previous[1]
                previous = (index, rounded)
                continue
            if previous is not None and not _consistent(previous[1], value):
                return index, previous[0], previous[1]
            previous = (index, value)
        return None

    def rounds(self, number: Number, previous: Value) -> bool:
        """A number written after a computation is a correct rounding (or truncation) of
        some value the computation's operands allow: ``0.7729 · 0.2271 = 0.17`` is right
        (truncated), ``= 0.18`` too (rounded), ``= 0.16`` is not."""
        low, high = previous.value - previous.error, previous.value + previous.error
        slack = 1e-12 * max(abs(low), abs(high), 1.0)
        return self.auditor.agrees(number, [(low - slack, high + slack)])

    def slip(self, slip, true, final_ok: bool, substitution) -> Verdict:
        index, source, previous = slip
        links = self.claim.links
        link = links[index]
        if substitution is not None and (final_ok or not _close_to(previous, true)):
            return self.wrong_substitution(substitution, result_ok=final_ok)
        stated = link.node if isinstance(link.node, Number) else self.claim.stated
        line = links[source].line if final_ok else link.line
        evidence = self.evidence(
            "arithmetic",
            stated,
            true,
            link=link,
            previous=previous,
            result_ok=final_ok,
            source=links[source],
        )
        return self.verdict("arithmetic slip", line, stated, true, evidence)

    # substituted numbers -------------------------------------------------------------------
    def substitution(self) -> tuple[Name | Derivative, Number, object] | None:
        """The first number put in for a quantity that is not that quantity's value."""
        links = self.claim.links
        for index in range(1, len(links) - 1):
            formula, numbers = links[index].node, links[index + 1].node
            if formula is None or numbers is None or not names_in(formula):
                continue
            if names_in(numbers):
                continue
            for name, number in _align(formula, numbers):
                value = self.name_value(name)
                if value is None:
                    continue
                # the true value, or the writer's own earlier right number copied again
                written = self.written_value(name, only_ok=True)
                candidates = [value] if written is None else [value, written]
                if not self.auditor.agrees(number, candidates):
                    return name, number, value
        return None

    def wrong_substitution(self, substitution, result_ok: bool) -> Verdict:
        name, number, value = substitution
        link = self._link_of(number)
        evidence = self.evidence(
            "substitution",
            number,
            value,
            link=link,
            name=name,
            result_ok=result_ok,
            substituted=number,
        )
        evidence = dataclasses.replace(evidence, earlier=self.earlier(name, number))
        line = link.line if link else self.claim.line
        return self.verdict("wrong value", line, number, value, evidence)

    def earlier(self, name: Name | Derivative, number: Number) -> tuple[str, int] | None:
        """Where the writer wrote `number` as the (wrong) value of `name` before, if so."""
        quantity = self.resolve(name)
        if quantity is None or quantity.key is None:
            return None
        phase = self.truth.phase(quantity, self.context)
        key = Symbol(quantity.name) if quantity.kind == "updated" else quantity.key
        found = self.auditor.written.get(phase, self.sample, key, only_ok=False)
        if found is None or found[2] or not self.auditor.agrees(number, [found[0]]):
            return None
        return str(quantity), found[1]

    def _link_of(self, number: Number) -> Link | None:
        for link in self.claim.links:
            if link.start <= number.start < max(link.end, link.start + 1):
                return link
        return None

    # the final number ------------------------------------------------------------------------
    def final_ok(self, stated: Number, true) -> bool:
        """The result is a correct rounding (or truncation) of the true value, or of the
        value recomputed from the writer's own earlier (right) numbers, their rounding
        carried through the local equation as an interval (not with ``--strict``)."""
        candidates = [true]
        if not self.auditor.precision.strict:
            candidates.append(self.carried_interval())
        extra = 0.0
        pairs = zip(self.claim.links[1:-1], self.values[1:-1], strict=True)
        numeric = [v for link, v in pairs if v is not None and not names_in(link.node)]
        if numeric:
            extra = numeric[-1].error
        if self.unseen_rounding(stated):
            extra += float(self.auditor.half_unit(stated))
        return self.auditor.agrees(stated, candidates, extra)

    def unseen_rounding(self, stated: Number) -> bool:
        """Whether the result may carry the drift of an intermediate the writer rounded
        without writing it down (Mazur's −0.019049119 for −0.0190491184): half a unit
        more, for computed values written to `UNSEEN_ROUNDING_DIGITS` significant digits
        or more, where that unit is a drift of 10⁻⁴ or less. Short numbers get none (a
        unit of 0.58 is 2 %: ``out_h1 = 0.58`` for 0.5933 is wrong), nor does ``--strict``.
        """
        if self.auditor.precision.strict or stated.digits < UNSEEN_ROUNDING_DIGITS:
            return False
        quantity = self.quantity
        if quantity is None:
            return True
        if quantity.kind in ("input", "target", "eta", "alpha"):
            return False
        return not (quantity.is_parameter and self.context.phase == "before")

    def wrong_final(self, stated: Number, true, substitution) -> Verdict:
        """The result is wrong; a wrongly substituted number, if any, is why."""
        name, number, value = substitution if substitution else (None, None, None)
        evidence = self.evidence(
            "final", stated, true, link=self.claim.links[-1], name=name,
            previous=Value(float(value), 0.0) if value is not None else None,
            source=self._link_of(number) if number is not None else None, substituted=number,
        )  # fmt: skip
        if name is not None:
            evidence = dataclasses.replace(evidence, earlier=self.earlier(name, number))
        return self.verdict("wrong value", self.claim.links[-1].line, stated, true, evidence)

    # the writer's own numbers ----------------------------------------------------------------
    def written_value(self, node: Name | Derivative, only_ok: bool) -> object | None:
        quantity = self.resolve(node)
        if quantity is None or quantity.key is None:
            return None
        phase = self.truth.phase(quantity, self.context)
        key = Symbol(quantity.name) if quantity.kind == "updated" else quantity.key
        found = self.auditor.written.get(phase, self.sample, key, only_ok)
        return found[0] if found else None

    def carried(self, only_ok: bool) -> tuple[object | None, tuple[tuple[str, int, bool], ...]]:
        """The quantity recomputed from its local equation with the writer's own numbers."""
        quantity = self.quantity
        if quantity is None or quantity.key is None or quantity.kind == "loss":
            return None, ()
        truth = self.truth
        if quantity.kind == "updated":
            equation = truth.update_equation(quantity.name[:-1])
            phase = "before"
        else:
            equation = truth.equations.get(quantity.key)
            phase = self.context.phase
        if equation is None:
            return None, ()
        written, used = {}, []
        for key in quantities_in(equation):
            found = self._written_for(phase, key, only_ok)
            if found is not None:
                written[key] = found[0]
                used.append((_label(key), found[1], found[2]))
        if not used:
            return None, ()
        context = dataclasses.replace(self.context, phase=phase)
        try:
            base = truth.lookup(context, self.sample)
            value = evaluate_exact(equation, ChainMap(written, base))
        except (ValueError, KeyError, ZeroDivisionError, TypeError):
            return None, ()
        return value, tuple(used)

    def carried_interval(self) -> tuple[object, object] | None:
        """The values the quantity's local equation takes over the writer's own earlier
        right numbers, each standing for the interval its last digit allows.

        First order: value ± Σ |∂f/∂x|·half-unit(x), the partial derivatives by central
        differences at 50 digits; equations are one local step (net = Σ w·out + b,
        out = f(net), a chain-rule product), so the first order is exact to far below
        the last digit of any written number.
        """
        quantity = self.quantity
        if quantity is None or quantity.key is None or quantity.kind == "loss":
            return None
        truth = self.truth
        if quantity.kind == "updated":
            equation, phase = truth.update_equation(quantity.name[:-1]), "before"
        else:
            equation, phase = truth.equations.get(quantity.key), self.context.phase
        if equation is None:
            return None
        written, halves = {}, {}
        for key in quantities_in(equation):
            found = self._written_for(phase, key, only_ok=True)
            if found is not None:
                written[key], halves[key] = found[0], ctx.mpf(str(found[3]))
        if not written:
            return None
        context = dataclasses.replace(self.context, phase=phase)
        try:
            base = truth.lookup(context, self.sample)
            value = evaluate_exact(equation, ChainMap(written, base))
            spread = ctx.mpf(0)
            for key, half in halves.items():
                if half == 0:
                    continue
                step = half / 1000
                up = evaluate_exact(equation, ChainMap({key: written[key] + step}, written, base))
                down = evaluate_exact(equation, ChainMap({key: written[key] - step}, written, base))
                spread += abs((up - down) / (2 * step)) * half
        except (ValueError, KeyError, ZeroDivisionError, TypeError):
            return None
        return value - spread, value + spread

    def _written_for(self, phase: str, key: Expr, only_ok: bool):
        written = self.auditor.written
        found = written.get(phase, self.sample, key, only_ok)
        if found is None and phase == "after" and isinstance(key, Symbol):
            found = written.get("before", self.sample, Symbol(key.name + "+"), only_ok)
        return found


# -- helpers --------------------------------------------------------------------------------------
#: how many verdicts `_Auditor.verdict` keeps for reuse before it starts afresh
_DECIDED = 1 << 15


def claim_shape(claim: Claim) -> tuple:
    """What a verdict depends on in a claim, wherever it is written: its kind, quantity and
    context, and each link's relation, text and expression, their places (offsets and
    lines) taken from the claim's own start."""
    base, line = claim.start, claim.line
    links = tuple(
        (link.relation, link.text, link.start - base, link.end - base, link.line - line,
         node_shape(link.node, base))
        for link in claim.links
    )  # fmt: skip
    return claim.kind, claim.quantity, claim.context, links


def node_shape(node: Node | None, base: int) -> tuple | None:
    """`node` with its offsets taken from `base`: equal for expressions written alike."""
    if node is None:
        return None
    kind = type(node)
    start, end = node.start - base, node.end - base
    if kind is Number:
        return kind, node.text, node.value, node.places, start, end, node.truncated
    if kind is Name:
        return kind, node.atom, start, end
    if kind is Derivative:
        return kind, node.of, node.wrt, start, end
    if kind is Apply:
        args = tuple(node_shape(arg, base) for arg in node.args)
        return kind, node.op, args, start, end, node.juxtaposed
    if kind is Matrix:
        rows = tuple(tuple(node_shape(cell, base) for cell in row) for row in node.rows)
        return kind, rows, node.env, start, end, node.flat
    return kind, node.name if kind is Constant else node.text, start, end  # Constant, Opaque


def describe(node: Node, naming) -> str:
    """An expression of quantities in the classic names: dE_total/dnet_o1 · w5."""
    if isinstance(node, Name):
        quantity = naming.quantity(node.atom)
        return str(quantity) if quantity else str(node.atom)
    if isinstance(node, Derivative):
        quantity = naming.derivative(node.of, node.wrt)
        return str(quantity) if quantity else f"d{node.of}/d{node.wrt}"
    if isinstance(node, Number):
        return node.text
    if isinstance(node, Apply):
        parts = [describe(arg, naming) for arg in node.args]
        joiner = {"add": " + ", "mul": " · ", "div": " / ", "pow": "^"}.get(node.op)
        if joiner is not None:
            return joiner.join(f"({p})" if " " in p and node.op != "add" else p for p in parts)
        return f"{node.op}({', '.join(parts)})"
    return "?"


def _resolve(truth: Truth, node: Name | Derivative) -> Quantity | None:
    if isinstance(node, Name):
        return truth.naming.quantity(node.atom)
    return truth.naming.derivative(node.of, node.wrt)


def name_value(
    truth: Truth, node: Name | Derivative, context: Context, sample: int
) -> object | None:
    """The true value of a name written in a link, in a claim's context and sample.

    Forward quantities and parameters follow the claim's pass (before, after the update,
    trained); gradients and local derivatives are those of the first pass.
    """
    naming = truth.naming
    if isinstance(node, Name):
        quantity = naming.quantity(node.atom)
    else:
        quantity = naming.derivative(node.of, node.wrt)
    if quantity is None:
        return None
    phase = context.phase if quantity.is_forward or quantity.is_parameter else "before"
    if context.phase == "trained" and not (quantity.is_forward or quantity.is_parameter):
        phase = "trained"
    # a batch quantity (E, dE/dw) is one sample's only where the document says so
    one = context.sample if quantity.is_batch or truth.samples == 1 else sample + 1
    values = truth.values(quantity, dataclasses.replace(context, phase=phase, sample=one))
    return values[0] if len(values) == 1 else None


_BARE_CODE = re.compile(r"[A-Za-z]_?\{?\d+\}?")


def _bare_code_is_target(claim: Claim, quantity: Quantity, truth: Truth) -> bool:
    """``o1=0.01`` among the given values: a writer who names the outputs by their bare
    codes may give "the output data" o1, o2 as the targets. Such a claim (the code alone,
    one number, exactly a target of that neuron) is no claim about the output: reading it
    as one would be a false alarm, reading it as the target a guess."""
    if quantity.kind != "out" or len(claim.links) != 2 or claim.stated is None:
        return False
    if not isinstance(claim.links[-1].node, Number) or not _BARE_CODE.fullmatch(
        claim.links[0].text
    ):
        return False
    outputs = [n.name for n in truth.network.output_layer]
    neuron = quantity.name.removeprefix("out_")
    if neuron not in outputs:
        return False
    index = outputs.index(neuron)
    return any(Decimal(str(s.targets[index])) == claim.stated.value for s in truth.spec.samples)


def _bare_integer(number: Number) -> bool:
    """A number written without a decimal point or exponent: it claims that integer."""
    return number.places == 0 and number.text.lstrip("+-−").isdigit()


def _symbolic(node: Node | None) -> bool:
    """A link written in quantities and small constants only (no rounded numbers)."""
    if node is None:
        return False
    return all(n.digits <= 2 and abs(n.value) <= 100 for n in numbers_in(node))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= FORMULA_TOLERANCE * max(1.0, abs(a), abs(b))


def _close_to(value: Value, true) -> bool:
    return abs(value.value - float(true)) <= value.error + 1e-9 * max(1.0, abs(float(true)))


def _consistent(a: Value, b: Value) -> bool:
    """Two links agree when they differ by no more than their combined rounding."""
    scale = max(abs(a.value), abs(b.value), 1e-300)
    return abs(a.value - b.value) <= (a.error + b.error) * (1 + 1e-9) + 1e-12 * scale


def _marks_update(node: Name | Derivative) -> bool:
    if not isinstance(node, Name):
        return False
    from derive.check.names import updated_mark

    return bool(node.atom.sup) and updated_mark(node.atom.sup.replace("{", "").replace("}", ""))


def _align(formula: Node, numbers: Node) -> Iterator[tuple[Name | Derivative, Number]]:
    """Pairs (name, number) where the numeric link puts a number in the formula's place."""
    if isinstance(formula, Name | Derivative):
        if isinstance(numbers, Number):
            yield formula, numbers
        return
    formula, numbers = _unwrap_one(formula), _unwrap_one(numbers)
    if isinstance(formula, Name | Derivative):
        yield from _align(formula, numbers)
        return
    if isinstance(formula, Apply) and formula.op == "neg" and isinstance(numbers, Number):
        yield from _align(formula.args[0], numbers.negated(numbers.start))
        return
    if not (isinstance(formula, Apply) and isinstance(numbers, Apply)):
        return
    if formula.op != numbers.op or len(formula.args) != len(numbers.args):
        return
    for a, b in zip(formula.args, numbers.args, strict=True):
        yield from _align(a, b)


def _unwrap_one(node: Node) -> Node:
    """``b_1 \\cdot 1`` is ``b_1``."""
    if isinstance(node, Apply) and node.op == "mul" and len(node.args) == 2:
        left, right = node.args
        if isinstance(right, Number) and right.value == 1:
            return left
        if isinstance(left, Number) and left.value == 1:
            return right
    return node


def quantities_in(expr: Expr) -> list[Expr]:
    """The quantities a local equation is written in: each derivative as a whole, and the
    symbols outside derivatives (out_o1 inside ∂out_o1/∂net_o1 is not an input by itself)."""
    found: dict[Expr, None] = {}

    def walk(node: Expr) -> None:
        if isinstance(node, SymDerivative | Symbol):
            found[node] = None
        else:
            for arg in node.args:
                walk(arg)

    walk(expr)
    return list(found)


def _label(key: Expr) -> str:
    if isinstance(key, SymDerivative):
        return f"d{key.expr}/d{key.variables[0]}"
    return str(key)


def _aliases(truth: Truth) -> dict[Expr, tuple[Expr, ...]]:
    """Names of the same number: ∂E_total/∂out_o1 and ∂E_o1/∂out_o1, ∂E_total/∂net_o1 and
    ∂E_o1/∂net_o1."""
    table: dict[Expr, list[Expr]] = {}
    derivation = truth.derivation
    for delta in derivation.deltas.values():
        if delta.own_label != delta.label:
            table.setdefault(delta.label, []).append(delta.own_label)
            table.setdefault(delta.own_label, []).append(delta.label)
    for sensitivity in derivation.sensitivities.values():
        if sensitivity.loss is not None:
            own = sensitivity.loss.label
            table.setdefault(sensitivity.label, []).append(own)
            table.setdefault(own, []).append(sensitivity.label)
    return {k: tuple(v) for k, v in table.items()}
