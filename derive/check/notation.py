"""The document's own notation, learned from the whole document: its names → the network's.

People name things their own way: ``O1`` and ``H21`` for neurons (the first neuron of
the second hidden layer), ``net_{H21}``, ``w_{O1.H21}`` (destination, then source) or
``w14`` (source unit 1 to unit 4, units numbered across the layers), ``w_{04}`` for a
bias, ``O_6`` for the output of unit 6, ``y_{o1}`` for an output where others mean the
target. The classic names (`derive.check.names`) read derive's own dialect; this module
finds, for the names they do not read, the one reading of the whole document that its
numbers support.

A `Scheme` is one document-wide choice along each open question of notation (how a
neuron is coded, which index of a weight is the destination, whether ``y`` is the output
or the target, which layer a bare array is, the sign of δ): 2⁵ candidates, never a search
over names. Each scheme is scored on
every claim that uses a name the classic reading leaves open: +1 when the claim's
numbers and formulas agree with the true values under that reading, −1 when they do not.
The best scheme wins only where it is the best alone; a name is read only when the
evidence for it is not thin: it agrees at least once, more often than it disagrees, or it
belongs to a family of names (``H11, H12, H21``: one pattern) that does. A number that is
wrong agrees with nothing, so it never maps a name; a name read only through one wrong
value stays unrecognized.

`--names FILE` (`names_file`) overrides or completes what is learned.
"""

from __future__ import annotations

import copy
import itertools
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from derive.check.expression import Derivative, Name, Node, Number, Value, evaluate, names_in
from derive.check.names import Atom, Naming, Quantity, flatten, updated_mark
from derive.errors import UsageError

#: letters that code a neuron's layer: input, hidden, output
_LETTERS = {"i": "i", "x": "i", "h": "h", "o": "o", "y": "o", "z": "o"}
_CODE = re.compile(r"([A-Za-z])(\d+)")
_CODES = re.compile(r"(?:[A-Za-z]\d+[.,;:|]?){1,2}")
_UNITS = re.compile(r"(\d+)(?:[.,;:|](\d+))?")
#: base words that name a neuron's quantity, by what they name under unit numbering
_UNIT_WORDS = {"O": "out", "o": "out", "I": "net", "net": "net", "out": "out", "a": "out",
               "z": "net", "theta": "bias", "θ": "bias", "Err": "signal", "err": "signal",
               "delta": "delta"}  # fmt: skip
#: dE_total/dw9, ∂E/∂w9 in a diagnosis: both names translated
_DERIVATIVE_WORDS = re.compile(r"(d|∂)([A-Za-z][\w]*)/(d|∂)([A-Za-z][\w]*)")
_FUSED_WEIGHT = re.compile(r"[wW](\d{2})")
#: words for a layer's arrays: scores and logits are its net inputs, probabilities its outputs
_ARRAY_WORDS = {"yhat": "a", "haty": "a", "p": "a", "probs": "a", "scores": "z", "logits": "z",
                "x": "X", "t": "y", "T": "Y"}  # fmt: skip
#: bare words for the target of a network with one output
_BARE_TARGETS = frozenset(("t", "T", "target", "Target", "d"))
#: bare words for the output of a network with one output (ŷ, the prediction)
_BARE_OUTPUTS = frozenset(("yhat", "haty", "ypred", "prediction", "pred", "Prediction"))
#: a claim's verdicts while learning: right exactly, right within one unit of drift
AGREE, NEAR = 2, 1
#: claims looked at per name while learning (bounds the work on long documents)
EVIDENCE_PER_NAME = 40
#: agreement needed before a name is read: its own, or its family's
FAMILY_SUPPORT = 2
#: claims about δ that must agree exactly before δ is read as −∂E/∂net (the error signal)
SIGNAL_SUPPORT = 2


@dataclass(frozen=True)
class Scheme:
    """One document-wide answer to each open question of notation.

    `codes`: ``letters`` (``H21``, ``O1``, ``I2``) or ``units`` (``O_6``, ``w14``: units
    numbered 1, 2, … across the layers, inputs first); `weights`: which index of a weight
    is its ``destination`` first or its ``source`` first; `y`: whether ``y`` names the
    ``target`` or the ``out`` of an output neuron; `arrays`: which layer a vector or a
    matrix written without one is (``z``, ``W``, ``\\hat{y}`` of a one-layer classifier):
    the ``last`` or the ``first`` of the network; `delta`: whether the document's δ_j is
    the ``gradient`` ∂E/∂net_j or the error ``signal`` −∂E/∂net_j (Mitchell's and Haykin's
    δ_k = (t_k − o_k) o_k (1 − o_k), which the update adds: w + η δ x).
    """

    codes: str = "letters"
    weights: str = "destination"
    y: str = "target"
    arrays: str = "last"
    delta: str = "gradient"


SCHEMES = tuple(
    Scheme(c, w, y, a, d)
    for c, w, y, a, d in itertools.product(("letters", "units"), ("destination", "source"),
                                           ("target", "out"), ("last", "first"),
                                           ("gradient", "signal"))
)  # fmt: skip


class LearnedNaming(Naming):
    """The classic names, completed by a scheme for the names they leave open.

    `allowed` restricts the open names read to those learned (None: all, while scoring);
    `forced` maps names outright (from ``--names``).
    """

    def __init__(
        self,
        network,
        scheme: Scheme,
        allowed: frozenset[Atom] | None = None,
        forced: Mapping[Atom, Quantity] | None = None,
        codes: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(network)
        self.scheme = scheme
        self.allowed = allowed
        self.forced = dict(forced or {})
        self.codes = dict(codes or {})
        self.units = [n.name for layer in network.layers for n in layer]
        self.refused: frozenset[Atom] = frozenset()
        self._classic_cache: dict[Atom, Quantity | None] = {}

    def _quantity(self, atom: Atom) -> Quantity | None:
        if atom in self.forced:
            return self.forced[atom]
        if not is_open(atom, self):
            return super()._quantity(atom)
        if self.allowed is not None and atom not in self.allowed:
            unmarked = replace(atom, sup="")
            if atom.sup and unmarked in self.forced:
                return self._marked(self.forced[unmarked], flatten(atom.sup))
            if atom.sup and unmarked in self.allowed:  # w_{O1.H21}^+: read as w_{O1.H21} is
                return self._marked(self.read(unmarked), flatten(atom.sup))
            # unlearned: y keeps the classic reading (the target) unless the document
            # contradicts it; anything else is unread
            if atom.base in ("y", "Y") and atom not in self.refused:
                return super()._quantity(atom)
            if is_classic_delta(atom, self):  # δ_{o1}: ∂E/∂net_o1 unless the document says
                return super()._quantity(atom)
            return None
        return self.read(atom)

    def classic(self, atom: Atom) -> Quantity | None:
        """The reading of derive's own names alone (for telling which names are open)."""
        if atom not in self._classic_cache:
            self._classic_cache[atom] = super()._quantity(atom)
        return self._classic_cache[atom]

    def read(self, atom: Atom) -> Quantity | None:
        """An open name under this scheme."""
        base, sub = atom.base, flatten(atom.sub)
        if atom.element or atom.index:
            return self.array(atom)
        if is_classic_delta(atom, self):  # δ_{o1}: the scheme says which sign
            return self._signed(self.classic(atom))
        if atom.sup and not (base in ("y", "Y") or base in _UNIT_WORDS):
            return self._marked(self.read(replace(atom, sup="")), flatten(atom.sup))
        if not sub and base in _BARE_TARGETS:  # t, target: the one output's target
            neuron = self._only_output()
            return super()._quantity(Atom("target", neuron)) if neuron else None
        if not sub and base in _BARE_OUTPUTS:  # ŷ: the one output's output
            neuron = self._only_output()
            return super()._quantity(Atom("out", neuron)) if neuron else None
        if base in ("y", "Y") and atom.sup == "":
            neuron = (self._neuron(sub, "o") or self.neuron(sub)) if sub else self._only_output()
            if neuron is None or neuron.startswith("i"):
                return None
            # a hidden unit has no target: its y_j (y_3 in unit numbering) is its output
            kind = self.scheme.y if neuron.startswith("o") else "out"
            return super()._quantity(Atom(kind, neuron))
        fused = _FUSED_WEIGHT.fullmatch(base)
        if fused and not sub and not atom.sup:  # w14, w04: the indices written on the line
            return self.weight(fused.group(1))
        if base in ("w", "W") and not atom.sup:
            return self.weight(sub)
        if not sub:  # a neuron's bare code: O1, H21 → its output
            neuron = self.neuron(base)
            return super()._quantity(Atom("out", neuron)) if neuron else None
        if self.scheme.codes == "units" and base in _UNIT_WORDS and sub.isdigit():
            return self.unit_quantity(_UNIT_WORDS[base], sub)
        if base.lower() in _LETTERS and sub.isdigit() and self.scheme.codes == "letters":
            neuron = self.neuron(base + sub)  # O_1, H_{21}
            return super()._quantity(Atom("out", neuron)) if neuron else None
        neuron = self.neuron(sub)
        if neuron is None:
            return None
        if base == "delta" and not atom.sup:  # δ_{O1}: the scheme says which sign
            return self._delta_as_written(neuron)
        return super()._quantity(Atom(base, neuron, atom.sup))

    def array(self, atom: Atom) -> Quantity | None:
        """An element of a vector or matrix named without its layer (``z``, ``W_{new}``,
        ``\\hat{y}``, ``scores``): the layer is the scheme's; the names of arrays people use
        for scores and probabilities are read as z and a."""
        sub, sup, mark = flatten(atom.sub), flatten(atom.sup), ""
        if updated_mark(sub):
            mark, sub = sub, ""
        elif updated_mark(sup):
            mark, sup = sup, ""
        base = _ARRAY_WORDS.get(atom.base, atom.base)
        plain = replace(atom, base=base, sub=sub, sup=sup)
        quantity = super()._quantity(plain)
        if quantity is None and not plain.index and base not in ("X", "Y", "y"):
            layer = len(self.network.layers) - 1 if self.scheme.arrays == "last" else 1
            quantity = super()._quantity(replace(plain, index=(str(layer),)))
        return self._marked(quantity, mark) if mark else quantity

    def _only_output(self) -> str | None:
        outputs = self.network.output_layer
        return outputs[0].name if len(outputs) == 1 else None

    # -- neurons ---------------------------------------------------------------------
    def neuron(self, code: str) -> str | None:
        """A neuron's classic name from a code: H21 → h2_1, O1 → o1, 6 → the 6th unit."""
        if code in self.codes:
            return self.codes[code]
        if self.scheme.codes == "units":
            if code.isdigit() and 1 <= int(code) <= len(self.units):
                return self.units[int(code) - 1]
            return None
        match = _CODE.fullmatch(code)
        if match is None:
            return None
        letter, digits = _LETTERS.get(match.group(1).lower()), match.group(2)
        if letter is None or (code[0].islower() and code in self.neurons):
            return None  # h1, o2: derive's own names, read by the classic reading
        for candidate in _neuron_candidates(letter, digits, self.network):
            if candidate in self.neurons:
                return candidate
        return None

    def unit_quantity(self, kind: str, sub: str) -> Quantity | None:
        neuron = self.neuron(sub)
        if neuron is None:
            return None
        if kind == "bias":
            layer, index = self._position(neuron)
            name = self.bias_at.get((layer, index))
            return super()._quantity(Atom("b", name[1:])) if name else None
        if kind == "signal":  # Err_j = O_j(1 − O_j)(T_j − O_j) = −∂E/∂net_j
            if neuron.startswith("i"):
                return None
            delta = self._derivative_quantity("E_total", f"net_{neuron}")
            return Quantity("derivative", f"-{delta.name}", -delta.key)
        if kind == "delta":
            return self._delta_as_written(neuron)
        return super()._quantity(Atom(kind, neuron))

    def _delta_as_written(self, neuron: str) -> Quantity | None:
        """δ_j of a neuron's code under the scheme."""
        return self._signed(super()._quantity(Atom("delta", neuron)))

    def _signed(self, quantity: Quantity | None) -> Quantity | None:
        """∂E/∂net_j, or the error signal −∂E/∂net_j, as the scheme reads δ."""
        if quantity is None or self.scheme.delta == "gradient" or quantity.key is None:
            return quantity
        return Quantity("derivative", f"-{quantity.name}", -quantity.key)

    def _position(self, neuron: str) -> tuple[int, int]:
        for number, layer in enumerate(self.network.layers):
            for n in layer:
                if n.name == neuron:
                    return number, n.index
        raise KeyError(neuron)

    # -- weights ---------------------------------------------------------------------
    def weight(self, sub: str) -> Quantity | None:
        """w_{O1.H21}, w_{H21,I1}, w14, w_{04} (a bias: unit 0 is the bias unit)."""
        pair = self._pair(sub)
        if pair is None:
            return None
        first, second = pair
        destination, source = (first, second) if self.scheme.weights == "destination" else (
            second, first)  # fmt: skip
        if destination is None:
            return None
        layer, j = self._position(destination)
        if source is None:  # the bias unit
            name = self.bias_at.get((layer, j))
        else:
            source_layer, k = self._position(source)
            name = self.weight_at.get((layer, j, k)) if source_layer == layer - 1 else None
        return super()._quantity(Atom(name[0], name[1:])) if name else None

    def _pair(self, sub: str) -> tuple[str | None, str | None] | None:
        if self.scheme.codes == "letters":
            codes = _CODE.findall(sub)
            if len(codes) != 2 or not _CODES.fullmatch(sub):
                return None
            neurons = [self.neuron(letter + digits) for letter, digits in codes]
            return None if None in neurons else (neurons[0], neurons[1])
        match = _UNITS.fullmatch(sub)
        if match is None:
            return None
        first, second = match.groups()
        if second is None:
            if len(first) != 2:
                return None
            first, second = first[0], first[1]
        units = [None if u == "0" else self.neuron(u) for u in (first, second)]
        if all(u is None for u in units) or any(
            u is None and code != "0" for u, code in zip(units, (first, second), strict=True)
        ):
            return None
        return units[0], units[1]


def _neuron_candidates(letter: str, digits: str, network) -> list[str]:
    """h + 21 → h2_1 (layer 2, neuron 1) in a network with several hidden layers, h21 in
    one with one; o + 1 → o1; i + 2 → i2."""
    hidden_layers = len(network.layers) - 2
    plain = f"{letter}{int(digits)}"
    if letter == "h" and len(digits) == 2:
        split = f"h{digits[0]}_{digits[1]}"
        if hidden_layers > 1:
            return [split]
        return [plain, f"h{digits[1]}"] if digits[0] == "1" else [plain]
    if letter in ("i", "o") and len(digits) == 2:
        return [plain, f"{letter}{digits[1]}"]
    return [plain]


class OpenNaming(LearnedNaming):
    """The first reading of a document: every open name stands for a placeholder, so the
    claims that use it (``net_{H21} = w_{H21.I1} i_1 + …``) are kept to learn from."""

    def _quantity(self, atom: Atom) -> Quantity | None:
        if atom in self.forced:
            return self.forced[atom]
        if is_open(atom, self) and _may_name(atom):
            return Quantity("open", written_name(atom))
        return super()._quantity(atom)


def is_open(atom: Atom, naming: LearnedNaming) -> bool:
    """A name the classic reading does not settle: unknown to it, ``y`` (the output
    for some writers, the target for others), or a δ (∂E/∂net for some, −∂E/∂net for
    others)."""
    if atom.base in ("y", "Y") and not atom.sup:
        return True
    return is_classic_delta(atom, naming) or naming.classic(atom) is None


def is_classic_delta(atom: Atom, naming: LearnedNaming) -> bool:
    """δ_{o1}, δ_{h_1}: a δ the classic reading names (its sign is still open)."""
    if atom.base != "delta" or atom.sup or atom.element or atom.index:
        return False
    quantity = naming.classic(atom)
    return quantity is not None and quantity.kind == "derivative"


# -- learning -----------------------------------------------------------------------------------
@dataclass
class Notation:
    """What was learned: each open name → the quantity it is read as."""

    scheme: Scheme = field(default_factory=Scheme)
    mapping: dict[Atom, Quantity] = field(default_factory=dict)
    written: dict[Atom, str] = field(default_factory=dict)
    forced: dict[Atom, Quantity] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    refused: frozenset[Atom] = frozenset()
    pair_bases: frozenset[str] = frozenset()  # letters indexed by neuron pairs (w_{jk})

    def naming(self, network) -> LearnedNaming:
        allowed = frozenset(self.mapping)
        naming = LearnedNaming(network, self.scheme, allowed, self.forced, self.codes)
        naming.refused = self.refused
        naming.pair_bases = self.pair_bases
        return naming

    def as_dict(self) -> dict[str, str]:
        """The document's names as written → derive's, for the report and the JSON."""
        table = {}
        learned = {**self.mapping, **self.forced}
        for atom, quantity in learned.items():
            if atom.sup and replace(atom, sup="") in learned:
                continue  # w_{O1.H21}^+ goes without saying once w_{O1.H21} is said
            table[self.written.get(atom, written_name(atom))] = _display(atom, quantity)
        return table

    def translate(self, text: str) -> str:
        """Words of derive's names put back in the document's: ``out_h2_1 is written where
        out_h2_2 belongs`` → ``H21 is written where H22 belongs``; ``η·∂E/∂w9`` →
        ``η·∂E/∂w_{O1.H21}``; ``the term through h2_2`` → ``the term through H22``."""
        table = self.names_back()
        if not table:
            return text

        def name(word: str) -> str:
            return table.get(word, word)

        def derivative(match: re.Match) -> str:
            return f"{match.group(1)}{name(match.group(2))}/{match.group(3)}{name(match.group(4))}"

        text = _DERIVATIVE_WORDS.sub(derivative, text)
        text = re.sub(r"(?<![\w∂{])([A-Za-z][\w]*\+?)(?![\w{])", lambda m: name(m.group(1)), text)
        return text

    def names_back(self) -> dict[str, str]:
        """derive's name → the document's, for the names learned (bare neurons too)."""
        table: dict[str, str] = {}
        for atom, quantity in {**self.mapping, **self.forced}.items():
            if atom.sup:
                continue
            written = self.written.get(atom, written_name(atom))
            table.setdefault(str(quantity), written)
            if not atom.sub and quantity.kind in ("out", "input"):
                table.setdefault(quantity.name.removeprefix("out_"), written)
        return table

    def surprising(self) -> list[str]:
        """Readings a reader may not expect, said in words: y_{o1} as the target of o1."""
        notes = []
        for atom, quantity in self.mapping.items():
            if atom.base in ("y", "Y") and quantity.kind == "target" and not atom.element:
                neuron = quantity.name.split("_", 1)[1]
                notes.append(f"read {self.written.get(atom, written_name(atom))} as the "
                             f"target of {neuron}")  # fmt: skip
        return notes


def _display(atom: Atom, quantity: Quantity) -> str:
    """h2_1 where a bare neuron's code was read (H21), else the quantity's name."""
    if not (atom.sub or atom.sup or atom.element) and quantity.kind in ("out", "input"):
        return quantity.name.removeprefix("out_")
    return str(quantity)


#: Greek letters the lexer spells out, written back as letters
_GREEK = {"delta": "δ", "Delta": "Δ", "eta": "η", "theta": "θ", "sigma": "σ", "alpha": "α"}


def written_name(atom: Atom) -> str:
    """A name as a reader would write it back: w_{O1.H21}, net_{H21}, H21, δ_{H12}."""
    text = _GREEK.get(atom.base, atom.base)
    if atom.sub:
        text += f"_{atom.sub}" if len(atom.sub) == 1 else f"_{{{atom.sub}}}"
    if atom.sup:
        text += f"^{atom.sup}" if len(atom.sup) == 1 else f"^{{{atom.sup}}}"
    for index in (*atom.index, *atom.element):  # Z[1], dW[2][2][1]: as written, then the element
        text += f"[{index}]"
    return text


def as_written(link) -> str:
    """The claim's first link as the document names it, in plain words: ``∂E/∂w_{O1.H21}``
    for ``\\frac{\\partial E}{\\partial w_{O1.H21}}``, ``net_{h1}`` for ``\\text{net}_{h1}``."""
    node = link.node
    if "\\" not in link.text:
        return " ".join(link.text.split())
    if isinstance(node, Name):
        return written_name(node.atom)
    if isinstance(node, Derivative):
        return f"∂{written_name(node.of)}/∂{written_name(node.wrt)}"
    return " ".join(link.text.split())


class _View:
    """The truth seen through one naming (the values are shared, the names are not)."""

    def __init__(self, truth, naming) -> None:
        self.truth = truth
        self.naming = naming
        self.samples = truth.samples

    def values(self, quantity, context, digits: int = 6):
        return self.truth.values(quantity, context, digits)


def with_naming(truth, naming):
    """A shallow copy of `truth` that names through `naming` (its value caches shared).

    Its perturbed copy (where a formula must hold too) names through `naming` as well: the
    two networks have the same shape and their quantities the same symbols, so a formula
    in the document's names (δ_{h1} = h_1(1 − h_1)(w_5 δ_{o1} + …) with δ the error
    signal) is checked there as it is read here, not in derive's names."""
    view = copy.copy(truth)
    view.naming = naming
    perturbed = truth.perturbed_truth
    if perturbed is not None:
        other = copy.copy(perturbed)
        other.naming = naming
        view.__dict__["perturbed_truth"] = other
    return view


@dataclass
class _Tally:
    agree: int = 0
    disagree: int = 0
    exact: int = 0  # agreements without the allowance for drift

    @property
    def score(self) -> int:
        return self.agree - self.disagree


def learn(claims: Iterable, truth, precision, forced: Notation | None = None) -> Notation:
    """The notation of a document from its claims (read with every open name kept)."""
    from derive.check.audit import name_value

    network = truth.network
    base = forced or Notation()
    probe = LearnedNaming(network, Scheme(), None, base.forced, base.codes)
    probe.pair_bases = base.pair_bases
    evidence = _evidence(claims, probe, base)
    if not evidence:
        return base
    scores: dict[Scheme, int] = {}
    tallies: dict[Scheme, dict[Atom, _Tally]] = {}
    readings: dict[Scheme, dict[Atom, Quantity | None]] = {}
    written: dict[Atom, str] = {}
    judged: dict[tuple, int] = {}  # (claim, readings of its open names) → verdict
    for scheme in SCHEMES:
        naming = LearnedNaming(network, scheme, None, base.forced, base.codes)
        naming.pair_bases = base.pair_bases
        view = _View(truth, naming)
        tally: dict[Atom, _Tally] = defaultdict(_Tally)
        total = 0
        for index, (claim, atoms) in enumerate(evidence):
            key = (index, tuple(naming.quantity(atom) for atom in atoms))
            if key not in judged:  # schemes that read a claim's names alike judge it alike
                judged[key] = _judge(claim, naming, view, precision, name_value)
            verdict = judged[key]
            for atom, text in atoms.items():
                written.setdefault(atom, text)
                if verdict > 0:
                    tally[atom].agree += 1
                    tally[atom].exact += verdict == AGREE
                elif verdict < 0:
                    tally[atom].disagree += 1
            total += min(verdict, 1)
        scores[scheme] = total
        tallies[scheme] = tally
        readings[scheme] = {atom: naming.quantity(atom) for atom in tally}
    candidates = list(SCHEMES)
    if _thin_signal(max(SCHEMES, key=lambda s: scores[s]), tallies):
        candidates = [s for s in SCHEMES if s.delta == "gradient"]
    best = max(scores[s] for s in candidates)
    winners = [s for s in candidates if scores[s] == best]
    scheme = winners[0]
    mapping: dict[Atom, Quantity] = {}
    families: dict[str, _Tally] = defaultdict(_Tally)
    for atom, t in tallies[scheme].items():
        family = families[_family(atom)]
        family.agree += t.agree
        family.disagree += t.disagree
    refused: set[Atom] = set()
    for atom, t in tallies[scheme].items():
        quantity = readings[scheme].get(atom)
        if is_classic_delta(atom, probe) and quantity == probe.classic(atom):
            continue  # δ_{o1} read as derive reads it: nothing learned, nothing to say
        if quantity is None or any(readings[s].get(atom) != quantity for s in winners):
            if not is_classic_delta(atom, probe):
                refused.add(atom)  # (a classic δ keeps the classic reading)
            continue  # the evidence cannot tell two readings apart: not read
        if t.disagree and _read_otherwise(atom, quantity, readings, tallies, scheme):
            refused.add(atom)
            continue  # a name redefined halfway: the claims that contradict one reading fit another
        family = families[_family(atom)]
        own = t.exact >= 1 and t.agree > t.disagree
        shared = family.agree >= FAMILY_SUPPORT and family.agree > family.disagree
        if own or (shared and t.agree >= t.disagree - 1 and t.disagree <= 1):
            mapping[atom] = quantity
    refused -= set(mapping)
    return replace(
        base, scheme=scheme, mapping=mapping, written={**written, **base.written},
        refused=frozenset(refused),
    )  # fmt: skip


def _thin_signal(scheme: Scheme, tallies) -> bool:
    """Whether the δ = −∂E/∂net reading rests on fewer than `SIGNAL_SUPPORT` claims that
    agree exactly: one δ whose sign is flipped is a slip, not a convention."""
    if scheme.delta != "signal":
        return False
    exact = sum(t.exact for atom, t in tallies[scheme].items() if atom.base == "delta")
    return exact < SIGNAL_SUPPORT


def _evidence(claims: Iterable, probe: LearnedNaming, base: Notation) -> list[tuple]:
    """The claims that use open names, each with its open names; at most
    `EVIDENCE_PER_NAME` claims per name, so learning is bounded however long the document
    (a name's reading is settled well before that many claims)."""
    seen: dict[Atom, int] = defaultdict(int)
    found = []
    for claim in claims:
        atoms = open_atoms(claim, probe, base)
        if not atoms or all(seen[a] >= EVIDENCE_PER_NAME for a in atoms):
            continue
        for atom in atoms:
            seen[atom] += 1
        found.append((claim, atoms))
    return found


def _read_otherwise(atom: Atom, quantity: Quantity, readings, tallies, scheme: Scheme) -> bool:
    """Another scheme reads `atom` as another quantity, and some claim agrees with that.

    Only schemes with the winner's sign of δ count: the other sign agrees with every
    formula that has a δ on both sides (δ_{H21} = δ_{O1} · w · …), which says nothing of a
    name redefined halfway."""
    return any(
        readings[s].get(atom) not in (None, quantity) and tallies[s][atom].agree > 0
        for s in readings
        if atom in tallies[s] and s.delta == scheme.delta
    )


def _family(atom: Atom) -> str:
    """Names written with the same code are one family: ``H1``, ``H21``, ``net_{H2}``
    (``H#``); ``w_{O1.H21}`` and ``w_{O2.H11}`` (``O#.H#``); ``O_4`` and ``I_6`` (``#``)."""
    code = atom.sub or atom.base
    return re.sub(r"\d+", "#", code)


def open_atoms(claim, naming: LearnedNaming, notation: Notation) -> dict[Atom, str]:
    """The names of a claim the classic reading leaves open (not forced by --names)."""
    found: dict[Atom, str] = {}
    for link in claim.links:
        if link.node is None:
            continue
        for node in names_in(link.node):
            atoms = (node.atom,) if isinstance(node, Name) else (node.of, node.wrt)
            for atom in atoms:
                if atom in notation.forced or atom.base in ("d", "∂"):
                    continue
                if is_open(atom, naming) and _may_name(atom):
                    found[atom] = written_name(atom)
    return found


def _may_name(atom: Atom) -> bool:
    """Only names a scheme could read are open: codes, words with a code, weights."""
    if atom.element or atom.index:
        return True
    if not atom.sub:
        return _CODE.fullmatch(atom.base) is not None or atom.base in (
            "y",
            "Y",
            *_BARE_TARGETS,
            *_BARE_OUTPUTS,
        )
    return True


def _judge(claim, naming: LearnedNaming, view: _View, precision, name_value) -> int:
    """`AGREE` when the claim holds under the naming, `NEAR` when it holds only with one
    unit of drift in a number, −1 when it does not, 0 when it cannot be told (its quantity
    unread, or no value known)."""
    first = claim.links[0].node
    quantity = _resolve(naming, first)
    if quantity is None:
        return 0
    context = claim.context
    try:
        values = view.values(quantity, context)
    except Exception:
        return 0
    if not values:
        return 0
    verdict, near = 0, False
    for link in claim.links[1:]:
        node = link.node
        if node is None:
            continue
        if isinstance(node, Number):
            # right at the precision written, or one unit off with three digits or more
            # (the drift of the writer's own rounded numbers): a wrong number agrees with
            # nothing, so it is never the evidence for a reading
            drift = float(node.ulp) if node.digits >= 3 else 0.0
            ok = any(precision.agrees(node, [v], drift) for v in values)
            if ok and drift and not any(precision.agrees(node, [v]) for v in values):
                near = True  # right only with the drift: no evidence for a name on its own
            verdict += 1 if ok else -1
            continue
        if not names_in(node):
            continue
        value = _value(node, view, context, name_value)
        if value is None:
            continue
        tolerance = value.error + 1e-9 * max(1.0, abs(value.value))
        ok = any(abs(value.value - float(v)) <= tolerance * 2 + 1e-12 for v in values)
        verdict += 2 if ok else -2  # a formula is strong evidence: no rounding in it
    if verdict > 0:
        return NEAR if near else AGREE
    return -1 if verdict < 0 else 0


def _resolve(naming: LearnedNaming, node: Node | None) -> Quantity | None:
    if isinstance(node, Name):
        return naming.quantity(node.atom)
    if isinstance(node, Derivative):
        return naming.derivative(node.of, node.wrt)
    return None


def _value(node: Node, view: _View, context, name_value) -> Value | None:
    def lookup(name):
        try:
            value = name_value(view, name, context, 0)
        except Exception:
            return None
        return None if value is None else Value(float(value), 0.0)

    try:
        return evaluate(node, lookup, lambda n: float(n.ulp) / 2)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None


# -- --names FILE ---------------------------------------------------------------------------------
def names_file(path: str | Path, truth) -> Notation:
    """A notation given by the reader: TOML ``"document name" = "derive name"`` lines.

    A neuron (``H21 = "h2_1"``) is read wherever its code appears (``net_{H21}``); any
    other name is read as the quantity named. An entry derive cannot read, or that names
    nothing of the network, is an error naming its line.
    """
    from derive.check.expression import parse
    from derive.check.lexer import tokenize

    target = Path(path)
    try:
        text = target.read_text("utf-8")
        table = tomllib.loads(text)
    except FileNotFoundError:
        raise UsageError(f"--names {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"--names {path}: cannot read the file: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"--names {path}: not TOML: {error}") from None
    notation = Notation()
    naming = truth.naming
    for key, value in table.items():
        line = _line_of(text, key)
        where = f"--names {path}:{line}"
        if not isinstance(value, str):
            raise UsageError(f'{where}: {key!r} must name a quantity as a string, like "w9"')
        neuron = value if value in naming.neurons else None
        if (neuron is not None and _CODE.fullmatch(key)) or (neuron and key.isdigit()):
            notation.codes[key] = neuron
            continue
        source = _atom_of(key, tokenize, parse)
        if source is None:
            raise UsageError(f"{where}: cannot read {key!r} as a name")
        quantity = _quantity_of(value, naming, tokenize, parse)
        if quantity is None:
            raise UsageError(f"{where}: {value!r} is no quantity of this network")
        notation.forced[source] = quantity
        notation.written[source] = key
    return notation


def check_names_used(notation: Notation, claims: Iterable, path: str | Path) -> None:
    """Every entry of ``--names`` names something the document writes; else an error."""
    text = Path(path).read_text("utf-8")
    used_atoms: set[Atom] = set()
    used_codes: set[str] = set()
    for claim in claims:
        for link in claim.links:
            if link.node is None:
                continue
            for node in names_in(link.node):
                atoms = (node.atom,) if isinstance(node, Name) else (node.of, node.wrt)
                for atom in atoms:
                    used_atoms.add(atom)
                    used_codes.update(re.findall(r"[A-Za-z]?\d+", f"{atom.base} {atom.sub}"))
    for atom, key in notation.written.items():
        if atom in notation.forced and atom not in used_atoms:
            raise UsageError(f"--names {path}:{_line_of(text, key)}: {key!r} is not used in "
                             "the document")  # fmt: skip
    for code in notation.codes:
        if code not in used_codes:
            raise UsageError(f"--names {path}:{_line_of(text, code)}: {code!r} is not used in "
                             "the document")  # fmt: skip


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith((key, f'"{key}"', f"'{key}'")):
            return number
    return 1


def _atom_of(text: str, tokenize, parse) -> Atom | None:
    tokens = tokenize(text, 0, len(text), math=True)
    parsed = parse(tokens, 0) if tokens else None
    if parsed is None or parsed[1] != len(tokens) or not isinstance(parsed[0], Name):
        return None
    return parsed[0].atom


def _quantity_of(text: str, naming: Naming, tokenize, parse) -> Quantity | None:
    if text in naming.neurons:
        return naming.quantity(Atom("out", text)) if not text.startswith("i") else (
            naming.quantity(Atom("i", text[1:])))  # fmt: skip
    tokens = tokenize(text, 0, len(text), math=True)
    parsed = parse(tokens, 0) if tokens else None
    if parsed is None or parsed[1] != len(tokens):
        return None
    node = parsed[0]
    if isinstance(node, Name):
        return naming.quantity(node.atom)
    if isinstance(node, Derivative):
        return naming.derivative(node.of, node.wrt)
    return None


__all__ = [
    "LearnedNaming",
    "Notation",
    "OpenNaming",
    "Scheme",
    "as_written",
    "learn",
    "names_file",
    "with_naming",
]  # fmt: skip
