"""Names as people write them → the quantities of one network, in the classic names.

``net_{h1}``, ``\\text{net}_{h_1}``, ``neth1``, ``net h₁`` and derive's own
``\\mathrm{net}_{h_{1}}`` all reach the parser as an `Atom` — a base word with a flattened
subscript and superscript (``net``, ``h1``, ``""``) — and `Naming.quantity` maps that to
the `Quantity` ``net_h1`` of the network being checked. The layered notation
(``z^{(l)}_j``, ``a^{(l)}_j``, ``w^{(l)}_{jk}``, ``b^{(l)}_j``, ``δ^{(l)}_j``) is mapped to
the same classic quantities through the network's layers.

`looks_like_name` is network-free: it only tells the parser whether a word can be a
quantity's name at all (``out`` can, ``the`` cannot), so prose never glues onto a claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property

from sympy import Derivative, Expr, Symbol

from derive.model import E_TOTAL, ETA, SymbolicNetwork


@dataclass(frozen=True)
class Atom:
    """A name as written: base word, flattened subscript and superscript.

    The reader also keeps what a name says about arrays, as written, for the notation to
    interpret: `index`, the bracketed indices written after it (``Z[1]`` → ``("1",)``,
    ``dW[3][2][1]`` → ``("3", "2", "1")``); `element`, for one element of a matrix or vector
    written out (``Z[1] = [0.3775, 0.3925]``), its 1-based position in what was written —
    (row, column) in a matrix, (i,) in a flat list — and `shape`, the written shape ((2, 1),
    (1, 2), or (2,) for a flat list); `layout`, how the document multiplies matrices:
    ``column`` when it writes ``W x`` (a weight matrix's rows are destination neurons),
    ``row`` when it writes ``x W`` (its rows are source neurons), ``""`` when it does not
    say. A transposed name (``W^T``) has ``T`` as its superscript; its element positions
    are as written, in the transposed matrix.
    """

    base: str
    sub: str = ""
    sup: str = ""
    index: tuple[str, ...] = ()
    element: tuple[int, ...] = ()
    shape: tuple[int, ...] = ()
    layout: str = ""

    def __str__(self) -> str:
        text = self.base
        if self.sub:
            text += f"_{self.sub}"
        if self.sup:
            text += f"^{self.sup}"
        for index in (*self.index, *self.element):
            text += f"[{index}]"
        return text


@dataclass(frozen=True)
class Quantity:
    """A quantity of the network, named as the design notes name it.

    `kind` is one of ``net``, ``out``, ``input``, ``target``, ``error`` (E_ok),
    ``total`` (E_total of one sample), ``loss`` (the batch loss E), ``eta``, ``alpha``,
    ``weight``, ``bias``, ``updated`` (p⁺), ``derivative``. `key` is the SymPy symbol or
    derivative derive's evaluations are keyed by. `phase` is ``after`` or ``before`` when
    the notation itself says which pass is meant (``out_{o1}^{+}``), and `sample` the
    sample a superscript ``(k)`` names; otherwise the document's context decides.
    """

    kind: str
    name: str
    key: Expr | None = None
    phase: str | None = None
    sample: int | None = None

    @property
    def is_forward(self) -> bool:
        """A quantity of the forward pass: it changes when the parameters change."""
        return self.kind in ("net", "out", "error", "total", "loss")

    @property
    def is_parameter(self) -> bool:
        return self.kind in ("weight", "bias")

    @property
    def is_batch(self) -> bool:
        """The loss of a batch of several samples (E), or its gradient (dE/dw5)."""
        return self.kind == "loss" or (self.kind == "derivative" and self.name.startswith("dE/"))

    def __str__(self) -> str:
        return self.name if self.sample is None else f"{self.name}^({self.sample})"


#: superscripts that mark the value after the update (w_5^+, w_5^{new}, w_{10}^n, w5',
#: E_total (after), out_o1 (nachher); words with accents, "après", are not one token here)
UPDATED_MARKS = frozenset(
    ("+", "new", "n", "*", "'", "updated", "upd", "next", "(new)", "(+)", "(t+1)", "t+1", "+1",
     "after", "nachher", "depois", "dopo")
)  # fmt: skip
#: … and the value before it (w_5^{old}, E_total (before), out_o1 (vorher))
OLD_MARKS = frozenset(
    ("old", "(old)", "orig", "0", "(0)", "before", "vorher", "avant", "antes", "prima")
)
_LAYER = re.compile(r"^\((\d+)\)$")
#: a superscript index with an optional mark: (2) a layer or a sample, [2] a sample, (1)+
_INDEXED_SUP = re.compile(r"^([(\[])(\d+)[)\]](.*)$")

_NEURON = re.compile(r"^([hoi])(\d+)(?:[_,](\d+))?$")
_FORWARD_WORDS = {
    "net": "net", "netinput": "net", "z": "net", "s": "net",
    "out": "out", "output": "out", "outputs": "out", "o": "out", "h": "out", "a": "out",
    "yhat": "out", "ypred": "out", "act": "out", "prediction": "out", "pred": "out",
}  # fmt: skip
_ERROR_WORDS = frozenset(("E", "L", "J", "err", "error", "loss", "cost", "Err", "Error", "Loss",
                          "Cost", "C"))  # fmt: skip
_TOTAL_SUBS = frozenset(("total", "tot", "T", "Total", "t", "all", "sum"))
#: y_k is the target in the layered notation's world (ŷ_k, \hat{y}_k the output)
_TARGET_WORDS = frozenset(("target", "t", "T", "Target", "tgt", "targ", "y"))
_INPUT_WORDS = frozenset(("i", "x", "input", "in"))
_RATE_WORDS = frozenset(("eta", "lr", "learningrate"))
_COMPOUND = re.compile(
    r"^(net|out|output|target|E|err|error)(total|tot|[hoi]\d+(?:_\d+)?)$", re.IGNORECASE
)
_INDEXED = re.compile(r"^([wWbBxitT])(\d+)$")
_PAIR_SUB = re.compile(r"\d[.,]?\d")
#: a weight's general name with two letter indices (w_{jk}, v_ij), or two digits
_PAIR_NAME = re.compile(
    r"(?<![A-Za-z\\])([A-Za-z])_\{?\s*(?:([ijklmn])\s*,?\s*([ijklmn])|(\d)(\d))\s*\}?(?![\w{])"
)


def pair_bases(text: str, weights: int) -> frozenset[str]:
    """The letters `text` indexes by pairs of neurons: written with two letter indices
    (``w_{jk}``, ``v_{ij}``), or with two digits that cannot number one of the network's
    `weights` (``w_{33}`` among 18 weights)."""
    found = set()
    for match in _PAIR_NAME.finditer(text):
        base = match.group(1)
        if base not in "wWvVuU":
            continue
        if match.group(2) or int(match.group(4) + match.group(5)) > weights:
            found.add(base)
    return frozenset(found)


#: words that start a quantity's name in running text; everything else there is prose
_NAME_WORDS = frozenset(
    (*_FORWARD_WORDS, *_ERROR_WORDS, *_TARGET_WORDS, *_INPUT_WORDS, *_RATE_WORDS,
     "w", "W", "b", "B", "delta", "Delta", "alpha", "y", "target")
)  # fmt: skip
_PROSE_SINGLE = frozenset(("a", "i", "o", "s", "t", "h", "x", "y", "A", "I", "C", "T"))


#: a neuron coded by a letter and its numbers, as many documents name them: O1, H21, X2
_CODE_NAME = re.compile(r"^[A-Za-z]\d{1,3}$")

_LAYERED = frozenset(("z", "a", "w", "W", "b", "B", "delta", "Delta"))
_LAYER_ARRAY = re.compile(r"^(?:d?[ZAWHbzaw]|delta)\d$")  # Z1, dW2, delta1


def looks_like_name(atom: Atom, math: bool) -> bool:
    """Whether `atom` can name a quantity (in running text, only the known name words can)."""
    base = atom.base
    if _COMPOUND.match(base) or _INDEXED.match(base) or _NEURON.match(base):
        return True
    if base.lower() == "learning":
        return atom.sub == "rate"
    if atom.index:  # Z[1], dW[3], A[2][1]: a short name hugging its brackets
        return math or len(base) <= 3
    if _LAYER_ARRAY.match(base):  # Z1, dW2: a notebook's arrays
        return True
    if atom.sub or atom.sup:
        return math or base.lower() in _NAME_WORDS or base in _NAME_WORDS or len(base) == 1
    if _CODE_NAME.match(base):
        return math or base[0].isupper()  # O1, H21: a neuron in a document's own code
    if math:
        return len(base) == 1 or base in _NAME_WORDS or base.lower() in _NAME_WORDS
    return (base in _NAME_WORDS or base.lower() in _NAME_WORDS) and base not in _PROSE_SINGLE


def flatten(sub: str) -> str:
    """``h_{1}`` → ``h1``, ``\\mathrm{total}`` → ``total``, ``o 1`` → ``o1``."""
    return re.sub(r"[\s{}_]|\\mathrm|\\text", "", sub)


class Naming:
    """Maps atoms to the quantities of one network (classic and layered notation).

    `pair_bases`: the letters a document indexes by two neurons (``w_{jk}``, so ``w_{11}``
    is the weight between two first neurons, not weight number 11): their two-digit names
    are left to the document's notation."""

    pair_bases: frozenset[str] = frozenset()

    def __init__(self, network: SymbolicNetwork) -> None:
        self.network = network
        self.neurons = {n.name: n for layer in network.layers for n in layer}
        self.samples = len(network.spec.samples)
        self.leaky = "leaky_relu" in network.spec.activations
        self._quantities: dict[Atom, Quantity | None] = {}
        self._derivatives: dict[tuple[Atom, Atom], Quantity | None] = {}

    @cached_property
    def weight_at(self) -> dict[tuple[int, int, int], str]:
        """(layer l, destination j, source k), 1-based j and k → classic weight name."""
        table = {}
        for p in self.network.parameters:
            if p.is_weight:
                table[(p.layer, p.destinations[0].index, p.source.index)] = p.name
        return table

    @cached_property
    def bias_at(self) -> dict[tuple[int, int | None], str]:
        """(layer, neuron index or None for a shared bias) → classic bias name."""
        table: dict[tuple[int, int | None], str] = {}
        for p in self.network.parameters:
            if not p.is_weight:
                if len(p.destinations) > 1 or self.network.spec.bias == "shared":
                    table[(p.layer, None)] = p.name
                for n in p.destinations:
                    table[(p.layer, n.index)] = p.name
        return table

    # -- single quantities ------------------------------------------------------------
    def quantity(self, atom: Atom) -> Quantity | None:
        """The quantity `atom` names, or None (each atom resolved once)."""
        if atom not in self._quantities:
            changed = atom.base.startswith("Δ") and len(atom.base) > 1
            self._quantities[atom] = self._change(atom) if changed else self._quantity(atom)
        return self._quantities[atom]

    def _change(self, atom: Atom) -> Quantity | None:
        """Δw: the change of a parameter in the update, w⁺ − w (= −η ∂E/∂w in every
        convention that adds it: w⁺ = w + Δw)."""
        quantity = self.quantity(replace(atom, base=atom.base[1:]))
        if quantity is None or not quantity.is_parameter:
            return None
        return Quantity("change", "Δ" + quantity.name)

    def _quantity(self, atom: Atom) -> Quantity | None:
        if atom.element or atom.index:
            return self._array_element(atom)
        paired = atom.base in self.pair_bases and _PAIR_SUB.fullmatch(flatten(atom.sub))
        if paired and not re.search(r"[(\[]", atom.sup):  # w^{(2)}_{11} is layered: read
            return None
        if self.samples <= 1 and _BRACKET_LAYER.match(atom.sup) and _ARRAY.match(atom.base):
            return self._array_element(atom)  # b^{[1]}: one sample, so [1] is a layer
        base, sub, sup = atom.base, flatten(atom.sub), flatten(atom.sup)
        if sub.lower() in UPDATED_MARKS - {"n", "t+1"} and sub:
            sub, sup = "", sub
        compound = _COMPOUND.match(base) or _INDEXED.match(base)
        if compound and not sub:
            base, sub = compound.group(1), compound.group(2)
        elif _NEURON.match(base) and not sub:
            return self._marked(self._neuron_value(base), sup)
        indexed = _INDEXED_SUP.match(sup)
        if indexed and indexed.group(1) == "(" and base in _LAYERED:
            _, layer, mark = indexed.groups()
            return self._marked(self._layered(base, int(layer), sub), mark)
        return self._marked(self._classic(base, sub), sup)

    def _marked(self, quantity: Quantity | None, sup: str) -> Quantity | None:
        """Apply a superscript: updated (w5⁺), old, or a sample (E_total^{(2)})."""
        if quantity is None or not sup:
            return quantity
        if sup in UPDATED_MARKS or sup.lower() in UPDATED_MARKS:
            if quantity.is_parameter:
                return Quantity("updated", quantity.name + "+", quantity.key)
            if quantity.is_forward:
                return Quantity(quantity.kind, quantity.name, quantity.key, phase="after")
            return None
        if sup in OLD_MARKS or sup.lower() in OLD_MARKS:
            return Quantity(quantity.kind, quantity.name, quantity.key, phase="before")
        sample = _INDEXED_SUP.match(sup)
        if sample and not sample.group(3) and self.samples > 1:
            k = int(sample.group(2))
            if quantity.kind == "loss":  # E^{(k)}: the error of sample k
                return Quantity("total", "E_total", E_TOTAL, sample=k)
            return Quantity(quantity.kind, quantity.name, quantity.key, sample=k)
        return None

    def _classic(self, base: str, sub: str) -> Quantity | None:
        word = base.lower() if len(base) > 1 else base
        if base in ("h", "o") and sub.isdigit():
            return self._neuron_value(f"{base}{int(sub)}")  # o_1 is out_o1
        if word in _FORWARD_WORDS:
            return self._forward(_FORWARD_WORDS[word], sub)
        if base in _ERROR_WORDS or word in _ERROR_WORDS:
            return self._error(sub)
        if base in _TARGET_WORDS or word in _TARGET_WORDS:
            neuron = self._neuron(sub, "o")
            return self._target(neuron) if neuron else None
        if word in _INPUT_WORDS:
            neuron = self._neuron(sub, "i")
            return Quantity("input", neuron, Symbol(neuron)) if neuron else None
        if word in _RATE_WORDS or (word == "learning" and sub == "rate"):
            return Quantity("eta", "eta", ETA)
        if word == "alpha" and not sub:
            return Quantity("alpha", "alpha", Symbol("alpha")) if self.leaky else self._eta()
        if word in ("w", "b"):
            return self._parameter(f"{word}{sub}") if sub.isdigit() else None
        if word == "delta" and base != "Delta":
            neuron = self._neuron(sub, "")
            return self._delta(neuron) if neuron else None
        return None

    def _eta(self) -> Quantity:
        return Quantity("eta", "eta", ETA)

    def _forward(self, kind: str, sub: str) -> Quantity | None:
        neuron = self._neuron(sub, "")
        if neuron is None:
            return None
        if neuron.startswith("i"):
            return Quantity("input", neuron, Symbol(neuron)) if kind == "out" else None
        return Quantity(kind, f"{kind}_{neuron}", Symbol(f"{kind}_{neuron}"))

    def _neuron_value(self, name: str) -> Quantity | None:
        """A neuron's bare name stands for its value: h1 → out_h1, i1 → the input."""
        neuron = self._neuron(name, "")
        if neuron is None:
            return None
        if neuron.startswith("i"):
            return Quantity("input", neuron, Symbol(neuron))
        return Quantity("out", f"out_{neuron}", Symbol(f"out_{neuron}"))

    def _error(self, sub: str) -> Quantity | None:
        if not sub:
            if self.samples > 1:
                return Quantity("loss", "E")
            return Quantity("total", "E_total", E_TOTAL)
        if sub in _TOTAL_SUBS:
            return Quantity("total", "E_total", E_TOTAL)
        neuron = self._neuron(sub, "o")
        if neuron and neuron.startswith("o"):
            return Quantity("error", f"E_{neuron}", Symbol(f"E_{neuron}"))
        return None

    def _target(self, neuron: str) -> Quantity | None:
        if not neuron.startswith("o"):
            return None
        return Quantity("target", f"target_{neuron}", Symbol(f"target_{neuron}"))

    def _parameter(self, name: str) -> Quantity | None:
        parameter = self.network.by_name.get(name)
        if parameter is None:
            return None
        kind = "weight" if parameter.is_weight else "bias"
        return Quantity(kind, name, parameter.symbol)

    def _delta(self, neuron: str) -> Quantity | None:
        if neuron.startswith("i"):
            return None
        return self._derivative_quantity("E_total", f"net_{neuron}")

    def _neuron(self, sub: str, default_letter: str) -> str | None:
        """A neuron's classic name from a subscript: h1, o_1 → o1, h1,2 → h1_2, 1 → o1."""
        text = sub.replace(",", "_")
        if text in self.neurons:
            return text
        match = _NEURON.match(text)
        if match:
            letter, first, second = match.groups()
            for candidate in (
                f"{letter}{first}_{second}" if second else None,
                f"{letter}{first[0]}_{first[1:]}" if len(first) > 1 else None,
            ):
                if candidate in self.neurons:
                    return candidate
            return None
        if text.isdigit() and default_letter:
            name = f"{default_letter}{int(text)}"
            return name if name in self.neurons else None
        return None

    # -- the layered notation ---------------------------------------------------------
    def _layered(self, base: str, layer: int, sub: str) -> Quantity | None:
        r"""z^{(l)}_j, a^{(l)}_j (a^{(0)}_k: inputs), w^{(l)}_{jk}, b^{(l)}_j, δ^{(l)}_j."""
        layers = self.network.layers
        if not 0 <= layer < len(layers):
            return None
        indices = _indices(sub)
        if base in ("w", "W"):
            if len(indices) != 2:
                return None
            name = self.weight_at.get((layer, indices[0], indices[1]))
            return self._parameter(name) if name else None
        if base in ("b", "B"):
            name = self.bias_at.get((layer, indices[0] if indices else None))
            return self._parameter(name) if name else None
        if len(indices) != 1 or not 1 <= indices[0] <= len(layers[layer]):
            return None
        neuron = layers[layer][indices[0] - 1]
        if base == "a":
            return self._neuron_value(neuron.name)
        if layer == 0:
            return None
        if base == "z":
            return Quantity("net", f"net_{neuron.name}", neuron.net)
        return self._delta(neuron.name)

    # -- arrays: Z[1], A^{[2]}, W1 written out as a matrix, dW[3][2][1] ---------------------
    def _array_element(self, atom: Atom) -> Quantity | None:
        """One element of a layer's array, named by the layer and the element's position.

        The layer is the bracket index (``Z[1]``, Andrew Ng's course), the superscript
        (``z^{(1)}``, ``a^{[1]}``) or the digits of the name (``W1`` of a notebook); layer 0
        is the inputs. A weight matrix's orientation comes from its shape when it is not
        square, else from the document's layout (``W x`` or ``x W``); unsure, it is None.
        """
        found = _ARRAY.match(atom.base)
        if found is None:
            return None
        mark = flatten(atom.sub)
        if mark and updated_mark(mark):  # W1_new[2][1]: the element of the updated matrix
            return self._marked(self._array_element(replace(atom, sub="")), mark)
        gradient, letter, digits = found.groups()
        located = self._array_layer(atom, letter, digits)
        if located is None:
            return None
        layer, element = located
        transposed = flatten(atom.sup).endswith("T")
        kind = _ARRAY_KINDS.get(letter)
        if kind == "bias" and not element and (layer, None) in self.bias_at:
            shared = self._parameter(self.bias_at[(layer, None)])  # db[2] of a shared bias
            return self._derivative_quantity("E_total", shared.name) if gradient else shared
        if kind is None or not 0 <= layer < len(self.network.layers) or not element:
            return None
        if kind == "weight":
            if layer == 0:
                return None
            pair = self._oriented(layer, element, atom.shape, atom.layout, transposed)
            name = self.weight_at.get((layer, *pair)) if pair else None
            quantity = self._parameter(name) if name else None
        else:
            index = _vector_index(element, atom.shape)
            quantity = self._layer_value(kind, layer, index) if index else None
        if quantity is None or not gradient:
            return quantity
        if quantity.kind == "net" and letter.lower() == "z":
            return self._delta(quantity.name.split("_", 1)[1])
        if quantity.kind in ("out", "weight", "bias"):
            return self._derivative_quantity("E_total", quantity.name)
        return None

    def _array_layer(
        self, atom: Atom, letter: str, digits: str
    ) -> tuple[int, tuple[int, ...]] | None:
        """(layer, element position) of an array's element: the layer from the name's digits
        (W1), its superscript (a^{[1]}), its subscript (W_2) or its first bracket (Z[1])."""
        positions = [int(i) for i in atom.index if i.isdigit()]
        layer_sup = _INDEXED_SUP.match(flatten(atom.sup))
        if letter in "XYy" and not digits:  # the inputs, the targets
            positions.insert(0, 0 if letter == "X" else len(self.network.layers) - 1)
        if digits:
            layer = int(digits)
        elif layer_sup:
            layer = int(layer_sup.group(2))
        elif flatten(atom.sub).isdigit():  # W_2 of a document that numbers its layers
            layer = int(flatten(atom.sub))
        elif positions:
            layer, positions = positions[0], positions[1:]
        else:
            return None
        if 0 in positions:  # dW2[1, 0]: indices from 0, as in code
            positions = [p + 1 for p in positions]
        return layer, tuple(positions) + atom.element

    def _layer_value(self, kind: str, layer: int, index: int) -> Quantity | None:
        neurons = self.network.layers[layer]
        if not 1 <= index <= len(neurons):
            return None
        neuron = neurons[index - 1]
        if kind == "bias":
            name = self.bias_at.get((layer, index)) if layer else None
            return self._parameter(name) if name else None
        if kind == "out":
            return self._neuron_value(neuron.name)
        if kind == "target":
            return self._target(neuron.name)
        if layer == 0:
            return None
        if kind == "delta":
            return self._delta(neuron.name)
        return Quantity("net", f"net_{neuron.name}", neuron.net)

    def _oriented(
        self, layer: int, element: tuple[int, ...], shape: tuple[int, ...], layout: str, t: bool
    ) -> tuple[int, int] | None:
        """(destination, source) of a weight matrix's element written at `element`."""
        if len(element) != 2:
            return None
        (r, c), written = element, shape if len(shape) == 2 else ()
        if t:  # W^T written out: its (r, c) is W's (c, r)
            r, c = c, r
            written = written[::-1]
        outs, ins = len(self.network.layers[layer]), len(self.network.layers[layer - 1])
        if written and outs != ins:
            if written == (outs, ins):
                return r, c
            if written == (ins, outs):
                return c, r
            return None
        if layout == "row":
            return c, r
        if layout == "column" or not written:
            return r, c
        return None

    # -- derivatives ----------------------------------------------------------------------
    def derivative(self, of: Atom, wrt: Atom) -> Quantity | None:
        """∂of/∂wrt as a quantity (∂E/∂w5 → dE_total/dw5; δ-style names are handled above)."""
        key = (of, wrt)
        if key not in self._derivatives:
            self._derivatives[key] = self._derivative(of, wrt)
        return self._derivatives[key]

    def _derivative(self, of: Atom, wrt: Atom) -> Quantity | None:
        numerator = self.quantity(of)
        denominator = self.quantity(wrt)
        if numerator is None or denominator is None or numerator.phase or denominator.phase:
            return None
        if numerator.kind not in ("net", "out", "error", "total", "loss"):
            return None
        if denominator.kind not in ("net", "out", "input", "weight", "bias"):
            return None
        quantity = self._derivative_quantity(numerator.name, denominator.name)
        if numerator.sample is not None:
            return Quantity(quantity.kind, quantity.name, quantity.key, sample=numerator.sample)
        return quantity

    def _derivative_quantity(self, of: str, wrt: str) -> Quantity:
        if of == "E":  # the batch loss of several samples
            return Quantity("derivative", f"dE/d{wrt}", Derivative(E_TOTAL, Symbol(wrt)))
        return Quantity("derivative", f"d{of}/d{wrt}", Derivative(Symbol(of), Symbol(wrt)))


#: an array's name: an optional d (its gradient), its letter, an optional layer number
_ARRAY = re.compile(r"^(d|grad_?|∂)?([zZaAhHwWbBδXYy]|delta|Delta)(\d?)$")
_BRACKET_LAYER = re.compile(r"^\[\d+\]T?$")
_ARRAY_KINDS = {
    "z": "net", "Z": "net", "a": "out", "A": "out", "h": "out", "H": "out",
    "w": "weight", "W": "weight", "b": "bias", "B": "bias",
    "δ": "delta", "delta": "delta", "Delta": "delta", "X": "out", "Y": "target", "y": "target",
}  # fmt: skip


def _vector_index(element: tuple[int, ...], shape: tuple[int, ...]) -> int | None:
    """The neuron a vector's element is: (3,) or (3, 1) in a column, (1, 3) in a row."""
    if len(element) == 1:
        return element[0]
    if len(element) == 2:
        r, c = element
        if shape and len(shape) == 2:
            if shape[1] == 1:
                return r
            if shape[0] == 1:
                return c
            return None
        return r if c == 1 else c if r == 1 else None
    return None


def _indices(sub: str) -> tuple[int, ...]:
    """``12`` → (1, 2); ``1,2`` → (1, 2); ``3`` → (3,)."""
    if not sub:
        return ()
    if "," in sub or "_" in sub:
        parts = re.split(r"[,_]", sub)
        return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else ()
    if sub.isdigit():
        return tuple(int(c) for c in sub) if len(sub) == 2 else (int(sub),)
    return ()


def updated_mark(text: str) -> bool:
    """Whether a superscript, subscript or word marks the value after the update."""
    return text in UPDATED_MARKS or text.lower() in UPDATED_MARKS


def old_mark(text: str) -> bool:
    """Whether a superscript or word marks the value before the update."""
    return text in OLD_MARKS or text.lower() in OLD_MARKS
