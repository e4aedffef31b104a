"""The report's blocks written out: as Markdown, and laid out on A4 pages of a PDF.

A block is a tuple: ("title", text), ("h2", text), ("h3", text[, new_page]), ("p", text),
("math", tex), ("code", text), ("table", headers, rows) or ("figure", path, caption), with
``path`` relative to the report's folder. matplotlib is imported inside the functions.
"""

import os
import textwrap

from ..files import atomic_write
from ..plot import new_figure


def to_markdown(blocks):
    """The blocks as GitHub-flavoured Markdown (math between $$)."""
    parts = []
    for kind, *content in blocks:
        if kind == "title":
            parts.append(f"# {content[0]}")
        elif kind in ("h2", "h3"):  # an h3's second item says whether the PDF breaks the page
            parts.append(f"{'#' * int(kind[1])} {content[0]}")
        elif kind == "p":
            parts.append(content[0])
        elif kind == "math":
            parts.append(f"$$\n{content[0]}\n$$")
        elif kind == "code":
            parts.append(f"```\n{content[0]}\n```")
        elif kind == "table":
            headers, rows = content
            lines = [headers, ["---"] * len(headers), *rows]
            parts.append("\n".join("| " + " | ".join(cells) + " |" for cells in lines))
        elif kind == "figure":
            path, caption = content
            parts.append(f"![{caption}]({path})\n\n*{caption}*")
    return "\n\n".join(parts) + "\n"


# ---- PDF ------------------------------------------------------------------------------------

def write_pdf(blocks, path, base_dir):
    """Lay the blocks out on A4 pages with matplotlib's PdfPages; each section starts a page."""
    from matplotlib.backends.backend_pdf import PdfPages

    with atomic_write(path) as file, PdfPages(file, metadata={"Title": "Lab 1 report"}) as pdf:
        layout = PdfLayout(pdf, base_dir)
        for kind, *content in blocks:
            getattr(layout, kind)(*content)
        layout.finish()


class PdfLayout:
    """Places blocks top to bottom on A4 pages (sizes in inches, from the top of the page)."""

    WIDTH, HEIGHT, MARGIN = 8.27, 11.69, 0.7
    PIXELS_PER_INCH = 150  # a figure is shown at most this small, so narrow ones stay narrow

    def __init__(self, pdf, base_dir):
        self.pdf, self.base_dir = pdf, base_dir
        self.page, self.y, self.number = None, 0.0, 0

    def new_page(self):
        self.finish()
        self.page = new_figure(False, figsize=(self.WIDTH, self.HEIGHT))
        self.page.set_layout_engine("none")
        self.number += 1
        self.y = self.MARGIN

    def finish(self):
        if self.page is not None:
            self.page.text(0.5, 0.4 / self.HEIGHT, str(self.number), ha="center",
                           fontsize=8, color="grey")
            self.pdf.savefig(self.page)
            self.page = None

    def room(self, height):
        """Start a new page unless ``height`` inches fit on this one."""
        if self.page is None or self.y + height > self.HEIGHT - self.MARGIN:
            self.new_page()

    def write(self, text, size, height=None, x=None, **style):
        self.page.text((x if x is not None else self.MARGIN) / self.WIDTH,
                       1 - self.y / self.HEIGHT, text, fontsize=size, va="top", **style)
        self.y += height if height is not None else size * 1.45 / 72

    def lines(self, lines, size, **style):
        for line in lines:
            self.room(size * 1.45 / 72)
            self.write(line, size, **style)

    def title(self, text):
        self.new_page()
        self.write(text, 17, height=0.45, weight="bold")

    def h2(self, text):
        self.new_page()
        self.write(text, 15, height=0.4, weight="bold")

    def h3(self, text, new_page=False):
        if new_page or self.page is None:
            self.new_page()
        else:
            self.room(1.5)
        self.y += 0.1
        self.write(text, 12, height=0.3, weight="bold")

    def p(self, text):
        plain = text.replace("**", "").replace("`", "").replace("$", r"\$")
        width = int((self.WIDTH - 2 * self.MARGIN) * 72 / (9.5 * 0.56))
        self.lines(textwrap.wrap(plain, width), 9.5)
        self.y += 0.08

    def math(self, tex):
        self.room(0.5)
        self.write(f"${tex}$", 11, height=0.5, x=self.MARGIN + 0.3)

    def code(self, text):
        self.lines(text.splitlines(), 7.5, family="monospace")
        self.y += 0.1

    def table(self, headers, rows):
        cells = [headers, *rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
                 for row in cells]
        lines.insert(1, "─" * len(lines[0]))
        size = min(8.0, (self.WIDTH - 2 * self.MARGIN) * 72 / (0.61 * len(lines[0])))
        self.room(min(len(lines), 8) * size * 1.45 / 72)
        self.lines(lines, size, family="monospace")
        self.y += 0.12

    def figure(self, path, caption):
        import matplotlib.image

        image = matplotlib.image.imread(os.path.join(self.base_dir, path))
        width = min(self.WIDTH - 2 * self.MARGIN, image.shape[1] / self.PIXELS_PER_INCH)
        height = width * image.shape[0] / image.shape[1]
        if height > 4.8:
            width, height = width * 4.8 / height, 4.8
        free = self.HEIGHT - self.MARGIN - self.y - 0.3
        if self.page is not None and height > free >= 0.6 * height:
            width, height = width * free / height, free  # shrink a little rather than break
        self.room(height + 0.3)
        left = (self.WIDTH - width) / 2
        ax = self.page.add_axes((left / self.WIDTH, 1 - (self.y + height) / self.HEIGHT,
                                 width / self.WIDTH, height / self.HEIGHT))
        ax.imshow(image, interpolation="antialiased")
        ax.set_axis_off()
        self.y += height + 0.05
        self.write(caption, 8.5, height=0.3, style="italic", x=left)
