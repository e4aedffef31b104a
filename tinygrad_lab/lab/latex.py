"""LaTeX math to Typst math, for the subset the report writes: ``to_typst_math(latex)``.

Typst's math syntax is not LaTeX, and Typst packages that convert it cannot be downloaded offline.
The converter knows a fixed set of commands and raises ValueError naming any other, so a new
formula can never render silently wrong. Every atom is written apart from the next (Typst reads
``xy`` as one name, and ``-`` ``>`` side by side as an arrow), symbols as Unicode characters
(whose names changed between Typst versions), and a comma or semicolon escaped (inside a call such
as ``frac(..)`` it would split the arguments).
"""

import re

GREEK = ("alpha beta gamma delta zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau "
         "upsilon chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega")
_GREEK_LETTERS = "αβγδζηθικλμνξπρστυχψωΓΔΘΛΞΠΣΥΦΨΩ"
SYMBOLS = {
    **dict(zip(GREEK.split(), _GREEK_LETTERS, strict=True)),
    "epsilon": "ϵ", "varepsilon": "ε", "phi": "ϕ", "varphi": "φ", "vartheta": "ϑ",
    "times": "×", "cdot": "⋅", "cdots": "⋯", "ldots": "…", "dots": "…", "odot": "⊙",
    "otimes": "⊗", "oplus": "⊕", "pm": "±", "mp": "∓", "le": "≤", "leq": "≤", "ge": "≥",
    "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼", "equiv": "≡", "propto": "∝",
    "infty": "∞", "partial": "∂", "nabla": "∇", "top": "⊤", "in": "∈", "ell": "ℓ",
    "leftarrow": "←", "rightarrow": "→", "to": "→", "Rightarrow": "⇒", "mapsto": "↦",
    "mid": "∣", "forall": "∀", "exists": "∃", "langle": "⟨", "rangle": "⟩", "|": "‖",
    "sum": "sum", "prod": "product", "int": "integral",
    ",": "thin", ":": "med", ";": "thick", "!": "#h(-1em/6)", " ": "space", "quad": "quad",
    "qquad": "wide", "{": "\\{", "}": "\\}", "%": "%", "#": "\\#", "_": "\\_", "&": "\\&",
    "$": "\\$",
}
# Typst's predefined operators, written upright with operator spacing.
OPERATORS = set("log ln exp max min sin cos tan tanh sinh cosh arg det sup inf lim gcd".split())
ACCENTS = {"hat": "hat", "bar": "macron", "tilde": "tilde", "vec": "arrow", "dot": "dot",
           "ddot": "dot.double", "overline": "overline", "underline": "underline",
           "mathbf": "bold", "boldsymbol": "bold", "mathit": "italic", "mathcal": "cal",
           "mathbb": "bb", "mathsf": "sans", "mathtt": "mono"}
TEXTS = {"text": "{}", "mathrm": "upright({})", "operatorname": "op({})"}
FENCES = {"lVert": ("rVert", "‖"), "lvert": ("rvert", "|")}
DELIMITERS = {"(": "(", ")": ")", "[": "[", "]": "]", "|": "|", "\\|": "‖", "\\{": "\\{",
              "\\}": "\\}", "\\lVert": "‖", "\\rVert": "‖", "\\langle": "⟨", "\\rangle": "⟩"}
PLAIN = set("+-=<>()[]|!:.")  # ASCII characters Typst math shows as they are, when spaced
TOKEN = re.compile(r"\\([A-Za-z]+)\s*|\\(.)|(\d+(?:\.\d+)?)|(\s+)|(.)", re.DOTALL)


def to_typst_math(latex):
    """The Typst math (without the $ signs) for a LaTeX formula.

    Raises ValueError naming an unsupported command or character, or an unbalanced brace.
    """
    parser = _Parser(latex)
    atoms = parser.sequence(stop=None)
    return " ".join(atoms)


class _Parser:
    def __init__(self, latex):
        self.latex = latex
        matches = [m for m in TOKEN.finditer(latex) if m.group(4) is None]  # spaces mean nothing
        self.tokens = [_token(match) for match in matches]
        self.spans = [match.span() for match in matches]
        self.position = 0

    def fail(self, what):
        raise ValueError(f"LaTeX math: {what} in {self.latex!r}")

    def next(self):
        if self.position >= len(self.tokens):
            self.fail("the formula ends too early")
        self.position += 1
        return self.tokens[self.position - 1]

    def peek(self):
        return self.tokens[self.position] if self.position < len(self.tokens) else (None, None)

    def sequence(self, stop):
        """Atoms up to the token ``stop`` (consumed), or to the end when ``stop`` is None."""
        atoms = []
        while True:
            token = self.peek()
            if token == (None, None):
                if stop is not None:
                    self.fail(f"no closing {stop[1]}")
                return atoms
            if token == stop:
                self.position += 1
                return atoms
            if token[1] in ("^", "_"):
                self.position += 1
                if not atoms:
                    self.fail(f"{token[1]} with nothing before it")
                atoms[-1] += f"{token[1]}({self.argument()})"
            elif token[1] == "'":
                self.position += 1
                if not atoms:
                    self.fail("' with nothing before it")
                atoms[-1] += "'"
            else:
                atoms.append(self.atom())

    def argument(self):
        """One argument: a braced group or a single atom, as Typst math."""
        if self.peek() == ("char", "{"):
            self.position += 1
            return " ".join(self.sequence(("char", "}")))
        return self.atom()

    def braced_text(self, command):
        if self.next() != ("char", "{"):
            self.fail(f"\\{command} needs a {{...}} argument")
        depth, start = 1, self.spans[self.position - 1][1]
        while depth:
            kind, value = self.next()
            depth += {"{": 1, "}": -1}.get(value, 0) if kind == "char" else 0
        return self.latex[start:self.spans[self.position - 1][0]]

    def atom(self):
        kind, value = self.next()
        if kind == "number":
            return value
        if kind == "char":
            if value == "{":
                return " ".join(self.sequence(("char", "}")))
            if value.isalpha() or not value.isascii():
                return value
            if value == ",":
                return "\\,"
            if value == ";":
                return "\\;"
            if value == "/":
                return "\\/"
            if value in PLAIN:
                return value
            self.fail(f"unsupported character {value!r}")
        return self.command(value)

    def command(self, name):
        if name in SYMBOLS:
            return SYMBOLS[name]
        if name in OPERATORS:
            return name
        if name in ACCENTS:
            return f"{ACCENTS[name]}({self.argument()})"
        if name in TEXTS:
            text = self.braced_text(name)
            if name == "mathrm" and not re.fullmatch(r"[A-Za-z0-9 ]+", text):
                return f"upright({to_typst_math(text)})"
            if name == "mathrm" and re.fullmatch(r"[A-Za-z]{2,}", text):
                name = "operatorname"  # a word: no gap before its "(" (as LaTeX sets it)
            return TEXTS[name].format('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
        if name in ("frac", "dfrac", "tfrac"):
            return f"frac({self.argument()}, {self.argument()})"
        if name == "sqrt":
            if self.peek() == ("char", "["):
                self.position += 1
                index = " ".join(self.sequence(("char", "]")))
                return f"root({index}, {self.argument()})"
            return f"sqrt({self.argument()})"
        if name == "left":
            opening = self.delimiter("left")
            inner = self.sequence(("command", "right"))
            return f"lr({opening} {' '.join(inner)} {self.delimiter('right')})"
        if name in FENCES:
            closing, fence = FENCES[name]
            return f"lr({fence} {' '.join(self.sequence(('command', closing)))} {fence})"
        self.fail(f"unsupported command \\{name}")

    def delimiter(self, command):
        kind, value = self.next()
        text = value if kind == "char" else "\\" + value
        if text not in DELIMITERS:
            self.fail(f"unsupported delimiter {text!r} after \\{command}")
        return DELIMITERS[text]


def _token(match):
    name, symbol, number, _, char = match.groups()
    if name is not None or symbol is not None:
        return ("command", name or symbol)
    return ("number", number) if number is not None else ("char", char)
