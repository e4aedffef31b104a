"""The report's content (``report.document``) from a results.json, without training: the spec's
sections, the main run's setting, the prediction tables, references that resolve, and numbers in
the prose that are the numbers in the tables.

The results are fake (``fake_runs.fake_results``): every study run, the Results section's runs
with their points and full curves, and a gradient check. ``trained`` is None, as when the report
is re-rendered from results.json, so no figure may be scheduled.
"""

import copy
import json
import re
import time

import numpy as np
import pytest
from fake_runs import MISCLASSIFIED, fake_results

from tinygrad_lab.data import DATASETS, LINEAR_SIZE, XOR_SIZE
from tinygrad_lab.lab import report
from tinygrad_lab.lab.config import SPEC_CONFIG
from tinygrad_lab.lab.document import numbering, to_markdown
from tinygrad_lab.lab.studies import STUDY

META = {"author": "李美慧", "student_id": "313551042", "date": "2025-03-14"}
# The Report Spec (lab1-spec.txt): each section and its subsections, in order.
SPEC_SECTIONS = [
    ("Introduction", []),
    ("Experiment setups", ["Sigmoid functions", "Neural network", "Backpropagation"]),
    ("Results of your testing", ["Screenshot and comparison figure",
                                 "Show the accuracy of your prediction",
                                 "Learning curve (loss, epoch curve)",
                                 "anything you want to present"]),
    ("Discussion", ["Try different learning rates", "Try different numbers of hidden units",
                    "Try without activation functions", "Anything you want to share"]),
    ("Conclusion", []),
    ("References", []),
]
SENTENCE_DATASET = {"On the linear data": "linear", "On XOR": "xor"}  # how a sentence opens
LABEL_POSITION = {"h2": 2, "h3": 2, "math": 2, "code": 3, "figure": 3, "table": 4}
REFERENCE = re.compile(r"(?<!\\)@((fig|tab|sec|eq|lst)-[\w-]*\w)")
REFERRED_KINDS = {"fig": {"figure"}, "tab": {"table"}, "sec": {"h2", "h3"}, "eq": {"math"},
                  "lst": {"code"}}


def no_schedule(name, thunk):
    raise AssertionError(f"figure {name!r} was scheduled although trained is None")


@pytest.fixture(scope="module")
def results():
    return fake_results(seeds=3)


@pytest.fixture(scope="module")
def blocks(results):
    return report.document(results, None, no_schedule, META)


# ---- helpers ----------------------------------------------------------------------------------

def label_of(block):
    position = LABEL_POSITION.get(block[0])
    return block[position] if position is not None and position < len(block) else None


def table(blocks, label):
    """(headers, rows) of the table labelled ``label``; exactly one must exist."""
    found = [block for block in blocks if block[0] == "table" and block[4] == label]
    assert len(found) == 1, label
    return found[0][1], found[0][2]


def cells(blocks, study, variant, dataset):
    """{header: cell} of the study table's row for ``variant`` (a label) on ``dataset``."""
    headers, rows = table(blocks, f"tab-{study}")
    found = [row for row in rows if row[:2] == [variant, dataset]]
    assert len(found) == 1, (study, variant, dataset, rows)
    return dict(zip(headers, found[0], strict=True))


def median_of(cell):
    """'1586 (1431–2009)' -> '1586': a median_range cell's median."""
    return cell.split(" (")[0]


def top_of(cell):
    """'0.75 (0.55–0.99)' -> '0.99', '1.00' -> '1.00': an accuracy cell's highest value."""
    spread = re.search(r"\((\S+)–(\S+)\)", cell)
    return spread.group(2) if spread else cell


def budget(blocks, study):
    """The study's epoch budgets as the budgets table gives them."""
    _, rows = table(blocks, "tab-budgets")
    found = [row for row in rows if row[0] == STUDY[study].title]
    assert len(found) == 1, study
    return found[0][3].split(" / ")


def study_sentences(blocks, study):
    """The paragraphs between the study's table and its figure: what its runs say."""
    start = next(i for i, b in enumerate(blocks) if b[0] == "table" and b[4] == f"tab-{study}")
    end = next(i for i, b in enumerate(blocks) if b[0] == "figure" and b[3] == f"fig-{study}")
    assert start < end, study
    sentences = [block[1] for block in blocks[start + 1:end] if block[0] == "p"]
    assert sentences, study
    return sentences


def dataset_of(sentence):
    return next((d for opening, d in SENTENCE_DATASET.items() if sentence.startswith(opening)),
                None)


def clauses(sentence, labels):
    """{label: the text from the label to the next label named} for each label ``sentence``
    names, so that 'lr 1' is not found inside 'lr 10'."""
    spans = []
    for label in labels:
        for match in re.finditer(rf"(?<!\w){re.escape(label)}(?!\d|\.\d)", sentence):
            spans.append((match.start(), match.end(), label))
    spans.sort()
    found = {}
    for (_, end, label), following in zip(spans, spans[1:] + [(len(sentence),)], strict=True):
        found.setdefault(label, sentence[end:following[0]])
    return found


def check_reach(clause, row, budgets):
    """The numbers of a 'in 3 of 5 seeds after a median of 120 epochs' / 'in none of 5 seeds
    within 500 epochs, with an accuracy of 0.7 (0.6–0.8)' clause against the table row; returns
    how many numbers were checked."""
    checked = 0
    seeds = re.search(r"in (\d+|none) of (\d+) seeds", clause)
    if seeds:
        count = "0" if seeds.group(1) == "none" else seeds.group(1)
        assert f"{count}/{seeds.group(2)}" == row["100% reached"], (clause, row)
        checked += 1
    median = re.search(r"after a median of (\S+) epochs", clause)
    if median:
        assert "epochs to 100%" in row, ("the sentence quotes a median epoch count the table "
                                         f"does not show: {clause!r}; columns {list(row)}")
        assert median.group(1) == median_of(row["epochs to 100%"]), (clause, row)
        checked += 1
    within = re.search(r"within (\d+) epochs", clause)
    if within:
        assert within.group(1) in budgets, (clause, budgets)
        checked += 1
    accuracy = re.search(r"with an accuracy of (\d\.\d\d(?: \(\S+–\S+\))?)", clause)
    if accuracy:
        assert accuracy.group(1) == row["accuracy"], (clause, row)
        checked += 1
    seconds = re.search(r"\((\d+\.\d+) s\)", clause)
    if seconds:
        assert seconds.group(1) == median_of(row["seconds to 100%"]), (clause, row)
        checked += 1
    updates = re.search(r"\((\d+) updates? per epoch\)", clause)
    if updates:
        assert updates.group(1) == row["updates per epoch"], (clause, row)
        checked += 1
    return checked


def check_reach_sentences(blocks, study):
    """Every variant clause of the study's 'On <dataset>, ...' sentences against its row;
    returns the number of numbers checked."""
    labels = [variant.label for variant in STUDY[study].variants]
    budgets, checked = budget(blocks, study), 0
    for sentence in study_sentences(blocks, study):
        dataset = dataset_of(sentence)
        if dataset is None or sentence.startswith("On the linear data at initialisation"):
            continue
        for label, clause in clauses(sentence, labels).items():
            checked += check_reach(clause, cells(blocks, study, label, dataset), budgets)
    return checked


def check_best_and_worst(blocks, study):
    """'On XOR, A did best: ...; B reached it ...': A has the most seeds at 100% in the table,
    B the fewest."""
    pattern = re.compile(r"On (the linear data|XOR), (?P<best>.+?) did best: it reached 100% "
                         r"accuracy in .+?; (?P<worst>.+?) reached it in ")
    matched = [pattern.match(s) for s in study_sentences(blocks, study)]
    matched = [m for m in matched if m]
    assert len(matched) == len(DATASETS), study
    for match in matched:
        dataset = dataset_of(match.group(0))
        _, rows = table(blocks, f"tab-{study}")
        reached = {row[0]: int(row[3].split("/")[0]) for row in rows if row[1] == dataset}
        assert reached[match.group("best")] == max(reached.values()), (match.group(0), reached)
        assert reached[match.group("worst")] == min(reached.values()), (match.group(0), reached)


def search(pattern, sentences):
    """The first match of ``pattern`` in ``sentences``; fails naming it if none."""
    for sentence in sentences:
        match = re.search(pattern, sentence)
        if match:
            return match
    raise AssertionError(f"no sentence matches {pattern!r}: {sentences}")


# ---- the title, the sections and the main run -------------------------------------------------

def test_title_block_carries_author_student_id_and_date(blocks):
    kind, title, meta = blocks[0]
    assert kind == "title" and "Lab 1" in title
    assert meta["author"] == "李美慧" and re.search(r"[\u4e00-\u9fff]", meta["author"])
    assert (meta["student_id"], meta["date"]) == ("313551042", "2025-03-14")


def test_sections_and_subsections_follow_the_report_spec(blocks):
    found = []
    for block in blocks:
        if block[0] == "h2":
            found.append((block[1], []))
        elif block[0] == "h3":
            assert found, f"subsection {block[1]!r} before any section"
            found[-1][1].append(block[1])
    simple = [(h2.casefold(), [h3.casefold() for h3 in h3s]) for h2, h3s in found]
    assert simple == [(h2.casefold(), [h3.casefold() for h3 in h3s])
                      for h2, h3s in SPEC_SECTIONS]


def test_no_figure_is_scheduled_without_what_the_runs_returned(results):
    scheduled = []
    blocks = report.document(results, None, lambda name, thunk: scheduled.append(name), META)
    assert scheduled == []
    figures = [block for block in blocks if block[0] == "figure"]
    assert len(figures) >= 8
    assert all(re.fullmatch(r"figures/[\w-]+\.png", block[1]) for block in figures)


def test_the_main_run_is_the_spec_setting(blocks):
    _, rows = table(blocks, "tab-hyperparameters")
    setting = dict(rows)
    assert setting["hidden units (h1, h2)"] == "({}, {})".format(*SPEC_CONFIG["hidden"])
    assert setting["hidden units (h1, h2)"] == "(10, 10)"
    assert setting["optimizer"] == "SGD, lr 0.3"
    assert setting["activation"].startswith("sigmoid")
    assert "full dataset" in setting["batch"]
    assert setting["stop"].startswith("loss < ε = 0.01,")
    headers, rows = table(blocks, "tab-accuracy")
    main = [dict(zip(headers, row, strict=True)) for row in rows if row[0] == "spec setting"]
    assert [(row["data"], row["optimizer"]) for row in main] == \
        [(dataset, "SGD, lr 0.3") for dataset in DATASETS]
    assert {row[0] for row in rows} == {"spec setting", "program default"}


def test_prediction_tables_show_every_xor_point_and_the_misclassified_linear_ones(results,
                                                                                 blocks):
    _, xor = table(blocks, "tab-predictions-xor")
    assert [row[0] for row in xor] == [str(i) for i in range(XOR_SIZE)] and len(xor) == 21
    assert all(row[-1] == "yes" for row in xor)
    _, linear = table(blocks, "tab-predictions-linear")
    assert [row[0] for row in linear] == [*map(str, range(8)), str(MISCLASSIFIED)]
    wrong = linear[-1]
    points = next(r for r in results["lab"]
                  if (r["label"], r["dataset"]) == ("spec setting", "linear"))["points"]
    assert wrong[3] == str(points["label"][MISCLASSIFIED]) != wrong[5]
    assert wrong[4] == f"{points['probability'][MISCLASSIFIED]:.6f}"
    assert wrong[-1] == "**no**" and all(row[-1] == "yes" for row in linear[:-1])
    caption = next(b[3] for b in blocks if b[0] == "table" and b[4] == "tab-predictions-linear")
    assert f"1 of {LINEAR_SIZE} wrong" in caption


# ---- labels and references ----------------------------------------------------------------------

def inline_texts(blocks):
    """Every piece of inline markup: paragraphs, list items and captions."""
    for block in blocks:
        if block[0] == "p":
            yield block[1]
        elif block[0] in ("list", "enum"):
            yield from block[1]
        elif block[0] in ("figure", "code"):
            yield block[2] or ""
        elif block[0] == "table":
            yield block[3] or ""


def test_every_reference_names_a_label_of_its_kind(blocks):
    kinds = {label_of(block): block[0] for block in blocks if label_of(block) is not None}
    references = [(match.group(1), match.group(2)) for text in inline_texts(blocks)
                  for match in REFERENCE.finditer(text)]
    assert len(references) >= 8
    for label, prefix in references:
        assert label in kinds, f"@{label} names no label of the document"
        assert kinds[label] in REFERRED_KINDS[prefix], (label, kinds[label])
    assert {"tab-hyperparameters", "lst-step", "fig-graph", "tab-gradcheck"} <= \
        {label for label, _ in references}
    to_markdown(blocks)  # the renderer resolves every reference too


def test_figure_labels_and_paths_are_unique(blocks):
    figures = [block for block in blocks if block[0] == "figure"]
    assert len({block[3] for block in figures}) == len(figures)
    assert len({block[1] for block in figures}) == len(figures)
    labels = [label_of(block) for block in blocks if label_of(block) is not None]
    assert len(set(labels)) == len(labels)
    numbering(blocks)  # raises for a label used twice


# ---- numbers in the prose are the numbers in the tables ----------------------------------------

@pytest.mark.parametrize("study", ["learning_rate", "hidden_units"])
def test_best_and_worst_are_the_tables_best_and_worst(blocks, study):
    check_best_and_worst(blocks, study)


@pytest.mark.parametrize("study", ["learning_rate", "hidden_units", "init", "activation",
                                   "optimizer", "batch_size"])
def test_what_a_sentence_says_a_variant_reached_is_in_its_table_row(blocks, study):
    assert check_reach_sentences(blocks, study) >= 4


def test_the_hidden_units_sentences_quote_the_table(blocks):
    sentences = study_sentences(blocks, "hidden_units")
    cost = search(r"An epoch of (?P<wide>.+?) on the linear data cost (?P<wide_ms>\S+) ms against "
                  r"(?P<small_ms>\S+) ms for (?P<small>.+?);", sentences)
    wide, small = cost.group("wide"), cost.group("small")
    assert (wide, small) == ("(1000,1000)", "(10,10)")
    assert cost.group("wide_ms") == cells(blocks, "hidden_units", wide, "linear")["ms per epoch "
                                                                                   "(mean)"]
    assert cost.group("small_ms") == cells(blocks, "hidden_units", small, "linear")[
        "ms per epoch (mean)"]
    accuracy = search(r"its accuracy was (.+?) on the linear data and (.+?) on XOR\.", sentences)
    assert accuracy.groups() == (cells(blocks, "hidden_units", wide, "linear")["accuracy"],
                                 cells(blocks, "hidden_units", wide, "xor")["accuracy"])
    start = search(r"standard deviation (\S+), (\S+) of them beyond .+\(for (.+?): (\S+) and "
                   r"(\S+)\)", sentences)
    for (std, saturated), label in ((start.group(1, 2), wide), (start.group(4, 5), small)):
        row = cells(blocks, "hidden_units", label, "linear")
        assert (std, saturated) == (row["layer-2 std (init, mean)"],
                                    row["saturated (init, mean)"])
    assert start.group(3) == small


def test_the_init_sentences_quote_the_table(blocks):
    sentences = study_sentences(blocks, "init")
    for variant in STUDY["init"].variants:
        start = search(rf"{re.escape(variant.label)} weights give the last hidden layer "
                       r"pre-activations of standard deviation (\S+) \((\S+) beyond [^)]+\), "
                       r"output logits of root-mean-square (.+?) and a loss of (.+?)(?:;|\.$)",
                       sentences)
        row = cells(blocks, "init", variant.label, "linear")
        assert start.groups() == (row["layer-2 std (init, mean)"], row["saturated (init, mean)"],
                                  row["logit rms (init)"], row["loss (init)"])


def test_the_activation_sentences_quote_the_table(blocks):
    sentences = study_sentences(blocks, "activation")
    linear = search(r"on the linear data (in .+?), but on XOR its best accuracy was (\S+):",
                    sentences)
    assert check_reach(linear.group(1), cells(blocks, "activation", "none", "linear"),
                       budget(blocks, "activation")) >= 2
    assert linear.group(2) == top_of(cells(blocks, "activation", "none", "xor")["accuracy"])


def test_the_batch_size_sentences_quote_the_tables_ms_per_epoch(blocks):
    cost = search(r"(\S+) ms with (.+?) on the linear data against (\S+) ms with (.+?)\.$",
                  study_sentences(blocks, "batch_size"))
    for ms, label in (cost.group(1, 2), cost.group(3, 4)):
        assert ms == cells(blocks, "batch_size", label, "linear")["ms per epoch (mean)"], \
            cost.group(0)


def test_the_results_sentences_quote_the_accuracy_table(blocks):
    headers, rows = table(blocks, "tab-accuracy")
    paragraphs = [block[1] for block in blocks if block[0] == "p"]
    names = {"linear": "the linear data", "xor": "XOR"}
    for row in (dict(zip(headers, row, strict=True)) for row in rows):
        sentence = search(rf"^On {names[row['data']]} with the {row['run']} \(", paragraphs)
        text = sentence.string
        first = re.search(r"first reached 100% training accuracy at epoch (\d+)", text)
        assert (first.group(1) if first else "—") == row["epochs to 100%"], text
        assert re.search(r"below ε = \S+ at epoch (\d+)", text).group(1) == \
            row["epochs to loss < ε"]
        assert re.search(r"classifies (\d+)% ", text).group(1) == \
            f"{100 * float(row['accuracy']):.0f}"
        assert re.search(r"final loss (\S+), (\S+) s\)", text).groups() == \
            (row["final loss"], row["seconds"])


def test_the_header_counts_the_distinct_runs(results, blocks):
    def identity(run):  # what determines a run's result: data, seed and config
        return (run["dataset"], run["seed"], json.dumps(run["config"], sort_keys=True))

    every = results["runs"] + results["lab"]
    distinct = len({identity(run) for run in every})
    assert distinct < len(every)  # the spec's SGD runs of two studies are one run
    subtitle = blocks[0][2]["subtitle"]
    assert re.search(r"(\d+) training runs", subtitle).group(1) == str(distinct), subtitle


def test_the_init_figures_legend_gives_the_tables_std(results, blocks):
    from tinygrad_lab.lab import figures

    start = time.perf_counter()
    runs = [run for run in results["runs"] if run["study"] == "init"]
    rng = np.random.default_rng(0)
    preactivations = {variant.label: rng.normal(0, 5, (LINEAR_SIZE, 50))
                      for variant in STUDY["init"].variants}
    figure = figures.init_figure(runs, preactivations)
    legend = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    for variant in STUDY["init"].variants:
        std = cells(blocks, "init", variant.label, "linear")["layer-2 std (init, mean)"]
        assert f"{variant.label} (std {std})" in legend, legend
    assert time.perf_counter() - start < 5  # cheap enough to stay among the fast tests


def test_document_is_deterministic_and_leaves_the_results_alone(results):
    before = copy.deepcopy(results)
    first = report.document(results, None, no_schedule, META)
    assert report.document(results, None, no_schedule, META) == first
    assert results == before
