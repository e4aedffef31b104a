"""The report's blocks written out: as Markdown, and as Typst compiled to a PDF.

A document is a list of blocks, each a tuple:
    ("title", title, meta)             meta: optional "subtitle", "author", "student_id", "date"
    ("h2", text, label[, options])     a section, numbered 1., 2., ...; options {"numbered": False}
    ("h3", text, label[, options])     a subsection, lettered A., B., ... within its section
    ("p", text)                        a paragraph of inline markup (below)
    ("list", items) / ("enum", items)  a bullet / numbered list of inline markup
    ("math", latex, label)             a display equation, numbered when it has a label
    ("code", text, caption, label)     a listing, numbered "Listing N" when it has a caption
    ("table", headers, rows, caption, label)
    ("figure", path, caption, label)   path relative to the report's folder
    ("pagebreak",)
A label (or None) is a name such as "sec-results", "fig-sigmoid", "tab-budget", "eq-backprop".
Inline markup: `code`, **bold**, *italic*, $LaTeX math$, and references @fig-NAME, @tab-NAME,
@sec-NAME, @eq-NAME, @lst-NAME; a backslash before ` * $ @ or \\ makes it literal. All other text
is literal. Both outputs number headings, figures, tables, listings and equations the same way,
and a reference says the same words in both ("Figure 3", "Section 2.C", "Equation (1)").
"""

import importlib.util
import os
import re
import textwrap

from ..files import atomic_write
from .latex import to_typst_math

TYPST_HINT = 'the report needs Typst: pip install "tinygrad-lab[report]"'
# A pip-installable Noto Serif SC (SIL OFL): Typst's own fonts have no Chinese glyphs.
CJK_FONT_PACKAGE = "pylopdf_fonts_zh_cn"
CODE_COLUMNS = 90  # 8pt DejaVu Sans Mono (4.82pt a character) in A4's 16cm less the inset
# A listing or table of more lines may break across pages; a shorter one moves whole, so its
# caption stays with it.
BREAKABLE_LINES = 15
LABEL_POSITION = {"h2": 2, "h3": 2, "math": 2, "code": 3, "figure": 3, "table": 4}
REFERENCE_WORDS = {"figure": "Figure {}", "table": "Table {}", "code": "Listing {}",
                   "math": "Equation ({})"}
INLINE = re.compile(r"\\(?P<escaped>[`*$@\\])|`(?P<code>[^`]+)`|\*\*(?P<bold>.+?)\*\*"
                    r"|\*(?P<italic>[^\s*](?:[^*]*[^\s*])?)\*|\$(?P<math>[^$]+)\$"
                    r"|@(?P<ref>(?:fig|tab|sec|eq|lst)-[\w-]*\w)")
TYPST_SPECIAL = set("\\#$*_@<>[]`~=-+/'\".:")


def check_typst():
    """Raise ImportError with the install hint when the ``typst`` package is missing."""
    try:
        import typst  # noqa: F401
    except ImportError:
        raise ImportError(TYPST_HINT) from None


# ---- numbering, shared by both outputs -------------------------------------------------------

def numbering(blocks):
    """({block index: its number as printed: "2.", "C.", "3" or "(1)"}, {label: the words a
    reference to it says, or None for a thing without a number (an unnumbered heading, a listing
    without a caption)}). Raises ValueError for a label used twice or not a name."""
    numbers, words = {}, {}
    section = subsection = 0
    counts = dict.fromkeys(REFERENCE_WORDS, 0)
    for index, block in enumerate(blocks):
        kind, label, said = block[0], _label(block), None
        if kind in ("h2", "h3") and _numbered(block):
            if kind == "h2":
                section, subsection = section + 1, 0
                numbers[index], said = f"{section}.", f"Section {section}"
            else:
                subsection += 1
                letter = _letters(subsection)
                numbers[index], said = f"{letter}.", f"Section {section}.{letter}"
        elif kind in ("figure", "table") or (kind in ("code", "math") and block[2] is not None):
            counts[kind] += 1
            numbers[index] = f"({counts[kind]})" if kind == "math" else str(counts[kind])
            said = REFERENCE_WORDS[kind].format(counts[kind])
        if label is None:
            continue
        if not isinstance(label, str) or not re.fullmatch(r"[A-Za-z][\w-]*", label) \
                or label in words:
            raise ValueError(f"block {index} ({kind}): label {label!r} is not a name or is used "
                             "twice")
        words[label] = said
    return numbers, words


def _label(block):
    position = LABEL_POSITION.get(block[0], len(block))
    return block[position] if position < len(block) else None


def _numbered(block):
    return len(block) < 4 or block[3].get("numbered", True)


def _letters(number):
    """1 -> A, 26 -> Z, 27 -> AA, as Typst's "A" numbering counts."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def inline(text, labels):
    """Inline markup as segments: ("text"|"code"|"math"|"ref", str) or ("bold"|"italic", [...]).
    Raises ValueError for a reference to a label not in ``labels`` or to one without a number."""
    segments, end = [], 0
    for match in INLINE.finditer(text):
        segments.append(("text", text[end:match.start()]))
        kind, value = next((k, v) for k, v in match.groupdict().items() if v is not None)
        if kind == "ref" and labels.get(value) is None:
            raise ValueError(f"@{value}: " + ("it has no number to refer to (an unnumbered "
                             "heading, or a listing without a caption)" if value in labels
                             else "no such label in the document"))
        segments.append(("text", value) if kind == "escaped" else
                        (kind, inline(value, labels) if kind in ("bold", "italic") else value))
        end = match.end()
    segments.append(("text", text[end:]))
    return [segment for segment in segments if segment != ("text", "")]


# ---- Markdown --------------------------------------------------------------------------------

def to_markdown(blocks):
    """The blocks as GitHub-flavoured Markdown (math between $$), numbered as the PDF is."""
    numbers, words = numbering(blocks)

    def md(text, plain=False):
        return _markdown_inline(inline(text, words), words, plain)

    def caption(text):
        return f": {md(text)}" if text else ""

    slugs, anchors, parts = {}, {}, []
    for index, block in enumerate(blocks):
        if block[0] in ("h2", "h3"):
            anchors[index] = _slug(f"{numbers.get(index, '')} {md(block[1], plain=True)}", slugs)
    for index, (kind, *content) in enumerate(blocks):
        number = numbers.get(index, "")
        if kind == "title":
            title, meta = content
            parts.append(f"# {md(title)}")
            if meta.get("subtitle"):
                parts.append(f"*{md(meta['subtitle'])}*")
            facts = [f"**{name}:** {md(meta[key])}" for key, name in
                     (("author", "Author"), ("student_id", "Student ID"), ("date", "Date"))
                     if meta.get(key)]
            if facts:
                parts.append("  \n".join(facts))
            parts.append("**Contents**\n\n" + "\n".join(
                f"{'  ' * (blocks[i][0] == 'h3')}- [{f'{numbers[i]} ' if i in numbers else ''}"
                f"{md(blocks[i][1], plain=True)}](#{anchor})" for i, anchor in anchors.items()))
        elif kind in ("h2", "h3"):
            parts.append(f"{'#' * int(kind[1])} {f'{number} ' if number else ''}{md(content[0])}")
        elif kind == "p":
            parts.append(md(content[0]))
        elif kind in ("list", "enum"):
            parts.append("\n".join(f"{f'{i}.' if kind == 'enum' else '-'} {md(item)}"
                                   for i, item in enumerate(content[0], 1)))
        elif kind == "math":
            tag = f" \\tag{{{number[1:-1]}}}" if number else ""
            parts.append(f"$$\n{content[0]}{tag}\n$$")
        elif kind == "code":
            fence = "~~~~" if "```" in content[0] else "```"
            parts.append(f"{fence}\n{content[0]}\n{fence}")
            if content[1] is not None:
                parts.append(f"*Listing {number}{caption(content[1])}*")
        elif kind == "table":
            lines = [[md(cell).replace("|", "\\|") for cell in cells]
                     for cells in [content[0], *content[1]]]
            lines.insert(1, ["---"] * len(content[0]))
            parts.append("\n".join("| " + " | ".join(cells) + " |" for cells in lines))
            parts.append(f"*Table {number}{caption(content[2])}*")
        elif kind == "figure":
            parts.append(f"![{md(content[1] or '', plain=True)}]({content[0]})")
            parts.append(f"*Figure {number}{caption(content[1])}*")
        elif kind != "pagebreak":
            raise ValueError(f"block {index}: unknown kind {kind!r}")
    return "\n\n".join(parts) + "\n"


def _markdown_inline(segments, words, plain):
    out = []
    for kind, value in segments:
        if kind == "text":
            out.append(value if plain else re.sub(r"([`*$@\\])", r"\\\1", value))
        elif kind == "ref":
            out.append(words[value])
        elif kind in ("bold", "italic"):
            inner, marker = _markdown_inline(value, words, plain), "**"[:2 if kind == "bold" else 1]
            out.append(inner if plain else f"{marker}{inner}{marker}")
        else:
            out.append(value if plain else ("`{}`" if kind == "code" else "${}$").format(value))
    return "".join(out)


def _slug(text, seen):
    """GitHub's anchor for a heading's text: lower case, punctuation dropped, spaces to '-'."""
    slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return f"{slug}-{count}" if count else slug


# ---- Typst -----------------------------------------------------------------------------------

PREAMBLE = """\
#set page(paper: "a4", margin: (x: 2.5cm, y: 2.5cm), numbering: "1")
#set text(font: ("Libertinus Serif", "Noto Serif SC"), size: 10.5pt)
#set par(justify: true)
#set heading(supplement: [Section], numbering: (..n) =>
  numbering(if n.pos().len() == 1 { "1." } else { "A." }, n.pos().last()))
#show heading: set block(above: 1.6em, below: 0.9em)
#show heading.where(level: 1): set text(size: 14pt)
#show heading.where(level: 2): set text(size: 12pt)
#show raw: set text(font: ("DejaVu Sans Mono", "Noto Sans SC"), size: 8pt)
#show raw.where(block: false): set text(size: 9pt)
#show raw.where(block: true): block.with(width: 100%, fill: luma(246), inset: 6pt, radius: 2pt)
#show table: set par(justify: false)
#show figure.where(kind: table): set figure.caption(position: top)
#show figure.caption: set text(size: 9.5pt)
#show ref: it => {
  let target = it.element
  if target == none or target.numbering == none { return it }
  if target.func() == heading {
    link(target.location(), [Section #numbering("1.A", ..counter(heading).at(target.location()))])
  } else if target.func() == math.equation {
    let n = counter(math.equation).at(target.location())
    link(target.location(), [Equation #numbering(target.numbering, ..n)])
  } else { it }
}
// A table at the largest size at which it fits unwrapped; else wrapped at the largest at which
// each column's longest word fits; else at 7pt, scaled down to the text's width.
#let fit-table(words, body) = layout(room => {
  let natural(size) = measure(text(size: size, body)).width
  let longest(size) = words.map(column => calc.max(
    ..column.map(w => measure(text(size: size, strong(w))).width)) + 10pt).sum()
  let size = (10pt, 9pt, 8pt, 7.5pt).find(s => natural(s) <= room.width)
  if size == none { size = (8pt, 7pt).find(s => longest(s) <= room.width) }
  if size != none { text(size: size, body) } else {
    scale(room.width / natural(7pt) * 100%, reflow: true, text(size: 7pt, body))
  }
})
// An image at most as wide as the text, as its own size, and 10cm tall: two fit on a page.
#let fit-image(path) = layout(size => {
  let natural = measure(image(path))
  image(path, width: calc.min(size.width, natural.width,
                              natural.width / natural.height * 10cm))
})
"""


def to_typst(blocks):
    """The blocks as a complete Typst source (A4, numbered headings, title block, contents)."""
    numbers, words = numbering(blocks)

    def ty(text):
        return _typst_inline(inline(text, words))

    def plain(text):
        return _markdown_inline(inline(text, words), words, plain=True)

    title = next((block for block in blocks if block[0] == "title"), None)
    meta = title[2] if title else {}
    head = [f"#set document(title: {_string(plain(title[1]) if title else '')}"
            + (f", author: {_string(plain(meta['author']))})" if meta.get("author") else ")"),
            PREAMBLE]
    parts = []
    for index, (kind, *content) in enumerate(blocks):
        label = f" <{_label(blocks[index])}>" if _label(blocks[index]) else ""
        if kind == "title":
            facts = [ty(meta[key]) if key != "student_id" else f"Student ID: {ty(meta[key])}"
                     for key in ("author", "student_id", "date") if meta.get(key)]
            parts.append("#align(center)[\n"
                         f"  #text(size: 18pt, weight: \"bold\")[{ty(content[0])}]\n"
                         + (f"  #v(0.3em)\n  #text(size: 12pt)[{ty(meta['subtitle'])}]\n"
                            if meta.get("subtitle") else "")
                         + "  #v(0.8em)\n" + "".join(f"  {fact} \\\n" for fact in facts)
                         + "]\n#v(1em)\n#outline(depth: 2)\n#v(1em)")
        elif kind in ("h2", "h3"):
            level = int(kind[1]) - 1
            if _numbered(blocks[index]):
                parts.append(f"{'=' * level} {ty(content[0])}{label}")
            else:
                parts.append(f"#heading(level: {level}, numbering: none)[{ty(content[0])}]{label}")
        elif kind == "p":
            parts.append(ty(content[0]))
        elif kind in ("list", "enum"):
            marker = "+" if kind == "enum" else "-"
            parts.append("\n".join(f"{marker} {ty(item)}" for item in content[0]))
        elif kind == "math":
            equation = f"$ {to_typst_math(content[0])} $"
            parts.append(f'#[#set math.equation(numbering: "(1)")\n{equation}{label}\n]'
                         if label else equation)
        elif kind == "code":
            raw = f"raw({_string(_wrap_code(content[0]))}, block: true)"
            parts.append(_breakable(f"#figure({raw}, kind: raw, caption: [{ty(content[1])}])"
                                    f"{label}", content[0].count("\n"))
                         if content[1] is not None else f"#{raw}{label}")
        elif kind == "table":
            parts.append(_breakable(_typst_table(*content[:3], ty, plain) + label,
                                    len(content[1])))
        elif kind == "figure":
            caption = f", caption: [{ty(content[1])}]" if content[1] else ""
            parts.append(f"#figure(fit-image({_string(content[0])}), kind: image, "
                         f"placement: auto{caption}){label}")
        elif kind == "pagebreak":
            parts.append("#pagebreak(weak: true)")
        else:
            raise ValueError(f"block {index}: unknown kind {kind!r}")
    return "\n".join(head) + "\n" + "\n\n".join(parts) + "\n"


def _typst_table(headers, rows, caption, ty, plain):
    # Each column's two longest words (by characters): Typst measures them to choose the size.
    # sorted by length, then by the words themselves: a set's order changes from run to run
    words = [sorted({w for cell in column for w in plain(cell).split()} or {""},
                    key=lambda word: (len(word), word))[-2:]
             for column in zip(headers, *rows, strict=True)]
    columns = "".join(f"({', '.join(map(_string, column))},), " for column in words)
    cells = lambda row: ", ".join(f"[{ty(cell)}]" for cell in row)  # noqa: E731
    body = "".join(f"    {cells(row)},\n" for row in rows)
    caption = f", caption: [{ty(caption)}]" if caption else ""
    return (f"#figure(kind: table{caption}, fit-table(({columns}), table(\n"
            f"    columns: {len(headers)}, align: left, stroke: none, inset: (x: 5pt, y: 3.5pt),\n"
            "    table.hline(stroke: 0.8pt),\n"
            f"    table.header({', '.join(f'[#strong[{ty(cell)}];]' for cell in headers)}),\n"
            f"    table.hline(stroke: 0.5pt),\n{body}    table.hline(stroke: 0.8pt),\n  )))")


def _breakable(figure, lines):
    if lines <= BREAKABLE_LINES:
        return figure
    return f"#[#show figure: set block(breakable: true)\n{figure}\n]"


def _typst_inline(segments):
    out = []
    for kind, value in segments:
        if kind == "text":
            text = re.sub(r"\s*\n\s*", " ", value)  # a blank line would end the paragraph
            out.append("".join("\\" + c if c in TYPST_SPECIAL else c for c in text))
        elif kind == "code":
            out.append(f"#raw({_string(value)});")
        elif kind == "math":
            out.append(f"${to_typst_math(value)}$")
        elif kind == "ref":
            out.append(f"#ref(<{value}>);")
        else:
            out.append(f"#{'strong' if kind == 'bold' else 'emph'}[{_typst_inline(value)}];")
    return "".join(out)


def _string(text):
    """A Typst string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _wrap_code(text):
    """Lines longer than the listing is wide, broken (at a space where one is near) with the
    continuation indented, so no line can run past the margin, not even one without spaces."""
    lines = []
    for line in text.expandtabs(4).splitlines():
        indent = " " * min(len(line) - len(line.lstrip()) + 4, CODE_COLUMNS // 2)
        lines += textwrap.wrap(line, CODE_COLUMNS, subsequent_indent=indent,
                               drop_whitespace=False, break_on_hyphens=False) or [""]
    return "\n".join(line.rstrip() for line in lines)


# ---- PDF -------------------------------------------------------------------------------------

def font_folders():
    """Folders of fonts Typst should read beside its own and the system's: the CJK package's."""
    spec = importlib.util.find_spec(CJK_FONT_PACKAGE)
    return list(getattr(spec, "submodule_search_locations", None) or [])


def compile_pdf(typst_path, pdf_path):
    """Compile the Typst file ``typst_path`` to ``pdf_path`` (written whole), with the file's
    folder as Typst's root, so figure paths are relative to it.

    Raises ImportError with the install hint without ``typst``; RuntimeError naming the file and
    Typst's message when it does not compile.
    """
    check_typst()
    import typst

    typst_path = os.path.abspath(os.fspath(typst_path))
    try:
        pdf = typst.compile(typst_path, root=os.path.dirname(typst_path),
                            font_paths=font_folders())
    except RuntimeError as error:  # typst.TypstError is one; older versions raise it plain
        detail = (getattr(error, "diagnostic", "") or str(error)).strip()
        raise RuntimeError(f"Typst could not compile {typst_path}:\n{detail}") from error
    with atomic_write(pdf_path) as file:
        file.write(pdf)
