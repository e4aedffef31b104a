"""The sentences of the report follow the numbers in the runs; the variants they single out are
found by key, and their absence is an error, not a quiet change of subject."""

import pytest
from fake_runs import fake, learning_rate_runs

from tinygrad_lab.data import XOR_SIZE
from tinygrad_lab.lab import findings
from tinygrad_lab.lab.config import GRADCHECK_TOLERANCE


def test_learning_rate_sentences_follow_the_numbers():
    before = findings.learning_rate_findings(learning_rate_runs([100, 120, 140]))
    assert before[1].startswith("On XOR, lr 10 did best")
    assert "in 3 of 3 seeds after a median of 120 epochs" in before[1]
    assert "lr 0.3 reached it in none of 3 seeds within 500 epochs" in before[1]
    # 100 rises in 499 epochs is 20%, against the spec's rate, which never rose.
    assert "20% of the epochs at lr 10, against 0% at lr 0.3" in before[2]
    assert "no run diverged" in before[2]
    runs = learning_rate_runs([100, 160, 140])
    runs[1]["diverged"] = True
    after = findings.learning_rate_findings(runs)
    assert "after a median of 140 epochs" in after[1]
    assert "lr 10 diverged (non-finite loss) in 1 of 6 runs" in after[2]


def test_the_spec_rate_is_the_calm_one_even_when_another_rate_rose_less():
    runs = learning_rate_runs([100, 120, 140])
    runs += [fake("learning_rate", {"learning_rate": 0.01}, dataset, 0, loss_increases=0)
             for dataset in ("linear", "xor")]
    for run in runs:
        if run["config"]["learning_rate"] == 0.3:
            run["loss_increases"] = 5
    assert "against 1% at lr 0.3" in findings.learning_rate_findings(runs)[2]


def activation_runs(none_xor_accuracy, tanh_xor_loss):
    runs = []
    for seed in range(2):
        runs += [fake("activation", {"activation": "tanh"}, "linear", seed),
                 fake("activation", {"activation": "tanh"}, "xor", seed,
                      final_loss=tanh_xor_loss),
                 fake("activation", {"activation": "none"}, "linear", seed,
                      epochs_to_100=10 + seed),
                 fake("activation", {"activation": "none"}, "xor", seed, epochs_to_100=None,
                      seconds_to_100=None, accuracy=none_xor_accuracy[seed])]
    return runs


def test_activation_sentences_follow_the_numbers():
    before = findings.activation_findings(activation_runs([0.52, 0.58], 0.0331))
    assert "its best accuracy was 0.58: no line separates XOR" in before[0]
    assert "after a median of 10.5 epochs" in before[0]  # as the tables write a median
    assert before[2].startswith("tanh never took the XOR loss below 0.0331")
    assert f"{findings.XOR_FLOOR:.4f}" in before[2]
    after = findings.activation_findings(activation_runs([0.52, 0.68], 0.01))
    assert "its best accuracy was 0.68:" in after[0]
    assert len(after) == 2  # tanh's loss is no longer stuck at the floor
    solved = findings.activation_findings(activation_runs([1.0, 1.0], 0.01))
    assert "unexpectedly" in solved[0]


def test_the_xor_floor_is_ln_2_over_the_xor_points():
    assert findings.XOR_FLOOR == pytest.approx(0.6931471805599453 / XOR_SIZE)


def test_optimizer_sentences_give_the_speedup():
    runs = [fake("optimizer", values, dataset, seed, epochs_to_100=epochs)
            for dataset in ("linear", "xor") for seed in range(2)
            for values, epochs in (({"optimizer": "sgd", "learning_rate": 0.3}, 1600),
                                   ({"optimizer": "adam", "learning_rate": 0.05}, 100))]
    sentences = findings.optimizer_findings(runs)
    assert sentences[1].startswith("On XOR, 100% accuracy was reached by Adam, lr 0.05 in 2 of 2")
    assert "Adam, lr 0.05 needed 16× fewer epochs than SGD, lr 0.3" in sentences[1]
    for run in runs:
        if run["config"]["optimizer"] == "sgd":
            run["epochs_to_100"] = 800
    assert "needed 8× fewer epochs than SGD, lr 0.3" in findings.optimizer_findings(runs)[1]


def init_runs(lecun_hits):
    """The init study with 2 seeds: standard normal reaches 100% in 1 of 4 runs (linear, seed
    0), the scaled init in ``lecun_hits``."""
    runs = []
    for init, std in (("normal", 17.0), ("lecun", 0.5)):
        for dataset in ("linear", "xor"):
            for seed in range(2):
                reached = seed == 0 and dataset == "linear" if init == "normal" \
                    else 2 * (dataset == "xor") + seed < lecun_hits
                stats = {"preactivation_std": [0.8, std], "saturated": [0.0, 0.78 * (std > 1)],
                         "output_rms": 10.0 if std > 1 else 0.01, "loss": 7.0,
                         "gradient_norm": [3.0 if std > 1 else 0.006, 1.0, 1.0]}
                runs.append(fake("init", {"init": init}, dataset, seed, init_stats=stats,
                                 epochs_to_100=10 if reached else None))
    return runs


def test_init_sentences_follow_the_numbers():
    worse = findings.init_findings(init_runs(lecun_hits=0))
    assert "standard normal weights give the last hidden layer pre-activations of standard " \
           "deviation 17.00 (78% beyond" in worse[0]
    assert "1/sqrt(fan_in) weights give the last hidden layer pre-activations of standard " \
           "deviation 0.50 (0% beyond" in worse[0]
    assert "with standard normal in 1 of 2 seeds after a median of 10 epochs" in worse[1]
    assert "with 1/sqrt(fan_in) in none of 2 seeds" in worse[1]
    assert worse[3].startswith("So removing the saturation is not what the wide network needs")
    assert findings.init_findings(init_runs(lecun_hits=1))[3].startswith("Neither init")
    assert findings.init_findings(init_runs(lecun_hits=3))[3].startswith(
        "So 1/sqrt(fan_in) weights, which remove the saturation, are what lets")


def batch_runs():
    runs = learning_rate_runs([100, 120])
    for values, ms in (({"batch_size": 1}, 9.0), ({"batch_size": None}, 0.5)):
        runs += [fake("batch_size", values, dataset, seed, seconds=ms * 500 / 1000)
                 for dataset in ("linear", "xor") for seed in range(2)]
    return runs


def test_batch_size_sentences_count_updates_and_point_to_the_longer_spec_run():
    sentences = findings.batch_size_findings(batch_runs())
    assert "by batch 1 (100 updates per epoch)" in sentences[0]
    assert f"by batch 1 ({XOR_SIZE} updates per epoch)" in sentences[1]
    assert "by full batch (1 update per epoch)" in sentences[1]
    assert "9.00 ms with batch 1 on the linear data against 0.50 ms with full batch" \
        in sentences[2]
    assert "the learning-rate study's lr 0.3 reached 100% on XOR in none of 2 seeds" \
        in sentences[3]


@pytest.mark.parametrize("study, runs, missing", [
    ("learning_rate", [r for r in learning_rate_runs([100]) if r["label"] != "lr 0.3"],
     "lr 0.3"),
    ("activation", [r for r in activation_runs([0.5, 0.5], 0.01)
                    if r["config"]["activation"] != "none"], "none"),
    ("batch_size", [r for r in batch_runs() if r["study"] != "learning_rate"], "lr 0.3"),
])
def test_a_missing_variant_that_a_sentence_needs_is_an_error(study, runs, missing):
    with pytest.raises(KeyError, match=missing):
        findings.FINDINGS[study](runs)


def gradcheck(error):
    return {"seed": 0, "hidden": [10, 10], "samples": 100, "weights": 130,
            "max_abs_error": 2e-10, "max_relative_error": error,
            "layers": [{"name": "W1", "shape": [2, 10], "max_abs_error": 2e-10,
                        "max_relative_error": error}]}


def test_gradcheck_sentence_follows_the_error():
    sentence = findings.gradcheck_findings(gradcheck(3e-9))[0]
    assert "3.0e-09 (in W1)" in sentence and "far below the tolerance" in sentence
    assert "below the tolerance" in findings.gradcheck_findings(
        gradcheck(GRADCHECK_TOLERANCE / 2))[0]
    sentence = findings.gradcheck_findings(gradcheck(GRADCHECK_TOLERANCE * 20))[0]
    assert "2.0e-04" in sentence and "ABOVE" in sentence and "disagree" in sentence
