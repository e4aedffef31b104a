"""The report's renderer: one document, the same numbers and words in Markdown and in the PDF."""

import io
import re
import struct
import sys
import zlib

import pytest

from tinygrad_lab.lab.document import (
    TYPST_HINT,
    check_typst,
    compile_pdf,
    font_folders,
    to_markdown,
    to_typst,
)
from tinygrad_lab.lab.latex import to_typst_math

typst = pytest.importorskip("typst")
pypdf = pytest.importorskip("pypdf")

TRICKY = "σ' < 0.01 at |x| > 4.6, lr=10 (10,10) 50% #3 a_b"
AUTHOR = "李美慧"
STUDENT_ID = "313551042"
SAMPLE = [
    ("title", "Lab 1: back-propagation", {"subtitle": "Deep learning, spring 2025",
                                          "author": AUTHOR, "student_id": STUDENT_ID,
                                          "date": "2025-03-14"}),
    ("h2", "Introduction", "sec-intro"),
    ("p", "See @fig-first, @fig-second, @tab-budget, @lst-log, @sec-setup-network, @sec-setup "
          "and @eq-update. With `code`, **bold**, *italic* and $\\sigma(x)$."),
    ("list", ["one", "two"]),
    ("h2", "Experiment setups", "sec-setup"),
    ("h3", "Sigmoid functions", None),
    ("math", r"\sigma(x) = \frac{1}{1 + e^{-x}}", None),
    ("figure", "figures/first.png", "The first figure.", "fig-first"),
    ("h3", "Neural network", "sec-setup-network"),
    ("table", ["study", "epoch budget"], [["learning rate", "5000"]], "Budgets.", "tab-budget"),
    ("math", r"W_k \leftarrow W_k - \eta \, \frac{\partial L}{\partial W_k}", "eq-update"),
    ("code", "epoch 1 loss 0.69", "A training log.", "lst-log"),
    ("h2", "Results", None),
    ("h3", "Comparison", None),
    ("figure", "figures/second.png", "The second figure.", "fig-second"),
    ("pagebreak",),
    ("h2", "References", "sec-references", {"numbered": False}),
    ("enum", ["Rumelhart et al., 1986."]),
]
REFERENCES = ("See Figure 1, Figure 2, Table 1, Listing 1, Section 2.B, Section 2 and "
              "Equation (1).")
HEADINGS = ["1. Introduction", "2. Experiment setups", "A. Sigmoid functions",
            "B. Neural network", "3. Results", "A. Comparison", "References"]
REPORT_FORMULAS = [
    r"\sigma(x) = \frac{1}{1 + e^{-x}}",
    r"\sigma'(x) = \sigma(x)\,(1 - \sigma(x))",
    r"Z_1 = \sigma(X W_1), \quad Z_2 = \sigma(Z_1 W_2), \quad y = \sigma(Z_2 W_3)",
    r"L = -\frac{1}{n} \sum_{i=1}^{n} \left[\hat{y}_i \log y_i + (1 - \hat{y}_i) "
    r"\log (1 - y_i)\right]",
    r"\delta_3 = \frac{\partial L}{\partial (Z_2 W_3)} = \frac{1}{n}(y - \hat{y}), \quad "
    r"\frac{\partial L}{\partial W_3} = Z_2^{\top} \delta_3",
    r"\delta_2 = (\delta_3 W_3^{\top}) \odot Z_2 \odot (1 - Z_2)",
    r"W_k \leftarrow W_k - \eta \, \frac{\partial L}{\partial W_k}",
    r"\frac{\partial L}{\partial W_1} = \frac{\partial L}{\partial y} \cdot "
    r"\frac{\partial y}{\partial (Z_2 W_3)} \cdots",
    r"\hat{p} = \mathrm{clip}(y, \epsilon, 1 - \epsilon)",
    r"\mathrm{Var}[a] \approx \sum_j z_j^2",
    r"\frac{1}{\sqrt{n_{in}}}",
    r"\left(\frac{\partial L}{\partial y}\right)",
    r"\lVert g \rVert",
    r"\operatorname{std}",
    r"a \times b \le c \ge d \ne \infty \cdot e \ldots",
    r"10 \text{epochs}",
    r"\mathbf{1}",
    r"\alpha \beta \gamma \delta \epsilon \eta \lambda \mu \sigma \Sigma \pi \theta",
    r"\log x + \exp(x) - \max(0, x)",
]


def write_png(path, width=300, height=150):
    """A plain grey PNG (no pHYs chunk, so Typst takes it as 72 dpi)."""
    def chunk(kind, data):
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum
    rows = b"".join(b"\x00" + bytes([180]) * width for _ in range(height))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def build(folder, blocks):
    """Write blocks as report.typ in ``folder`` and compile it; return the PDF's reader."""
    (folder / "report.typ").write_text(to_typst(blocks), encoding="utf-8")
    compile_pdf(folder / "report.typ", folder / "report.pdf")
    return pypdf.PdfReader(folder / "report.pdf")


def text_of(reader):
    """The PDF's text with its runs of white space (and Typst's no-break spaces) as one space."""
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    write_png(folder / "figures" / "first.png")
    write_png(folder / "figures" / "second.png", 200, 200)
    reader = build(folder, SAMPLE)
    return to_markdown(SAMPLE), reader, text_of(reader)


def test_markdown_numbers_headings_figures_and_tables_and_resolves_references(sample):
    markdown = sample[0]
    headings = re.findall(r"^#{2,3} (.*)$", markdown, re.MULTILINE)
    assert headings == HEADINGS
    assert REFERENCES in markdown
    for caption in ("*Figure 1: The first figure.*", "*Figure 2: The second figure.*",
                    "*Table 1: Budgets.*", "*Listing 1: A training log.*"):
        assert caption in markdown
    assert "![The first figure.](figures/first.png)" in markdown
    assert "| study | epoch budget |\n| --- | --- |\n| learning rate | 5000 |" in markdown
    assert "$$\n\\sigma(x) = \\frac{1}{1 + e^{-x}}\n$$" in markdown  # the LaTeX kept
    assert "[B. Neural network](#b-neural-network)" in markdown  # the table of contents
    assert "1. Rumelhart et al., 1986." in markdown


def test_pdf_says_the_same_numbers_and_words(sample):
    _, reader, text = sample
    assert REFERENCES in text
    for heading in HEADINGS:
        assert heading in text
    for caption in ("Figure 1: The first figure.", "Figure 2: The second figure.",
                    "Table 1: Budgets.", "Listing 1: A training log.", "(1)"):
        assert caption in text
    assert text.index("Contents") < text.index("1. Introduction")


def test_pdf_has_title_block_and_typst_metadata(sample):
    _, reader, text = sample
    for fact in ("Lab 1: back-propagation", "Deep learning, spring 2025", AUTHOR,
                 f"Student ID: {STUDENT_ID}", "2025-03-14"):
        assert fact in text
    metadata = reader.metadata
    assert "Typst" in (metadata.producer or "") + (metadata.creator or "")
    assert metadata.title == "Lab 1: back-propagation"
    assert metadata.author == AUTHOR
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.1)  # A4


def test_chinese_name_is_set_in_a_font_that_has_it(sample):
    if not font_folders():
        pytest.skip("no CJK font package installed: the name is in the text layer only")
    fonts = {str(font.get_object()["/BaseFont"]) for page in sample[1].pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("NotoSerifSC" in font for font in fonts), fonts


def test_text_comes_out_literally(tmp_path):
    blocks = [("p", TRICKY), ("list", [TRICKY]),
              ("table", ["a_b", "#3"], [[TRICKY, "50%"]], TRICKY, None),
              ("p", "1. not a list, - nor this, = nor a heading, // nor a comment, "
                    "https://example.org/x, \\$5 \\*literal\\* \\@fig-x \\`x\\`")]
    text = text_of(build(tmp_path, blocks))
    assert text.count(TRICKY) == 4
    assert ("1. not a list, - nor this, = nor a heading, // nor a comment, "
            "https://example.org/x, $5 *literal* @fig-x `x`") in text
    assert TRICKY in to_markdown(blocks)


@pytest.mark.parametrize("latex", REPORT_FORMULAS)
def test_report_formula_converts_and_compiles(latex):
    math = to_typst_math(latex)
    pdf = typst.compile(f"$ {math} $\n\ninline ${math}$".encode())
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    words = re.findall(r"\\(?:mathrm|text|operatorname)\{(\w+)\}|\\(log|exp|max)\b", latex)
    for word in filter(None, sum(words, ())):
        assert word in text  # set upright, as a word


@pytest.mark.parametrize("latex, command", [(r"\frac{1}{2} \foo x", r"\foo"),
                                            (r"\begin{align} x \end{align}", r"\begin"),
                                            (r"\left< x \right>", "<")])
def test_unsupported_latex_raises_naming_it(latex, command):
    with pytest.raises(ValueError, match=re.escape(command)):
        to_typst_math(latex)
    with pytest.raises(ValueError, match=re.escape(command)):
        to_typst([("math", latex, None)])


def test_long_code_lines_and_wide_tables_stay_within_the_margins(tmp_path):
    wide = [[f"{i * j:.3e}±{j:.2e}" for i in range(11)] for j in range(4)]
    report_like = [["hidden units", "(1000,1000)", "0.93 ± 0.04", "0.51 ± 0.02", "1200 (800–1500)",
                    "0.0123 ± 0.0040", "12.3 ± 1.2"]] * 3
    blocks = [("code", "x = " + "+".join(f"w{i}" for i in range(90)) + "\n" + "y" * 300
               + "\n\tindented " + "word " * 60, "Long lines.", None),
              ("code", "z" * 200, None, None),
              ("table", [f"column {i}" for i in range(11)], wide, "Wide.", None),
              ("table", ["study", "variant", "accuracy", "loss", "epochs to 100%",
                         "final loss", "seconds"], report_like, "Report-like.", None)]
    from PIL import Image

    assert text_of(build(tmp_path, blocks)).count("z") == 200  # wrapped, nothing lost
    pages = typst.compile(to_typst(blocks).encode(), format="png", ppi=72)
    pages = pages if isinstance(pages, list) else [pages]
    margin = round(2.5 / 2.54 * 72)  # points, and pixels at 72 ppi
    for png in pages:
        image = Image.open(io.BytesIO(png)).convert("L")
        width, height = image.size
        for box in ((0, 0, margin - 2, height), (width - margin + 2, 0, width, height)):
            assert image.crop(box).getextrema()[0] >= 250, "ink in the margin"


def test_numbering_skips_unnumbered_sections_and_letters_restart():
    blocks = [("h2", "One", None), ("h3", "a", None), ("h3", "b", None),
              ("h2", "Aside", None, {"numbered": False}), ("h2", "Two", None),
              ("h3", "c", "sec-c"), ("p", "See @sec-c.")]
    markdown = to_markdown(blocks)
    assert re.findall(r"^#+ (.*)$", markdown, re.MULTILINE) == [
        "1. One", "A. a", "B. b", "Aside", "2. Two", "A. c"]
    assert "See Section 2.A." in markdown


@pytest.mark.parametrize("blocks, message", [
    ([("p", "See @fig-missing.")], "fig-missing"),
    ([("h2", "Refs", "sec-refs", {"numbered": False}), ("p", "@sec-refs")], "sec-refs"),
    ([("figure", "a.png", "A.", "fig-a"), ("figure", "b.png", "B.", "fig-a")], "fig-a"),
    ([("code", "x", None, "lst-x"), ("p", "See @lst-x.")], "lst-x"),
    ([("h2", "A", True)], "True"),  # a label must be a name
    ([("quote", "x")], "quote"),
])
def test_bad_documents_raise_naming_the_problem(blocks, message):
    for render in (to_markdown, to_typst):
        with pytest.raises(ValueError, match=message):
            render(blocks)


def test_typst_error_names_the_file(tmp_path):
    source = tmp_path / "broken.typ"
    source.write_text("#let x = (\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match=re.escape(str(source))):
        compile_pdf(source, tmp_path / "broken.pdf")
    assert list(tmp_path.iterdir()) == [source]  # no PDF, whole or partial


def test_check_typst_gives_the_install_hint_without_typst(monkeypatch, tmp_path):
    check_typst()
    monkeypatch.setitem(sys.modules, "typst", None)  # makes "import typst" fail
    with pytest.raises(ImportError) as error:
        check_typst()
    assert str(error.value) == TYPST_HINT
    assert str(error.value) == 'the report needs Typst: pip install "tinygrad-lab[report]"'
    with pytest.raises(ImportError, match=re.escape(TYPST_HINT)):
        compile_pdf(tmp_path / "report.typ", tmp_path / "report.pdf")
