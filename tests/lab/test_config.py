"""The lab's configurations have one home: the command line, demos and report take them from it."""

import numpy as np

from tinygrad_lab import Tensor, optim
from tinygrad_lab.cli import build_parser
from tinygrad_lab.lab import config


def test_the_lab_default_is_the_spec_network_trained_with_adam():
    lab, spec = config.LAB_CONFIG, config.SPEC_CONFIG
    assert {key: lab[key] for key in spec if key not in ("optimizer", "learning_rate")} == \
        {key: spec[key] for key in spec if key not in ("optimizer", "learning_rate")}
    assert (lab["optimizer"], lab["learning_rate"], lab["epochs"]) == ("adam", 0.05, 20000)
    assert (spec["optimizer"], spec["learning_rate"], spec["hidden"]) == ("sgd", 0.3, [10, 10])


def test_each_optimizer_has_a_default_learning_rate():
    assert set(config.DEFAULT_LEARNING_RATES) == set(config.OPTIMIZERS)
    assert config.DEFAULT_LEARNING_RATES[config.LAB_CONFIG["optimizer"]] == \
        config.LAB_CONFIG["learning_rate"]
    assert config.DEFAULT_LEARNING_RATES[config.SPEC_CONFIG["optimizer"]] == \
        config.SPEC_CONFIG["learning_rate"]


def test_the_command_line_defaults_are_the_lab_config():
    parser = build_parser()
    for command in (["lab"], ["train", "--dataset", "xor"]):
        args = parser.parse_args(command)
        assert {"learning_rate": config.DEFAULT_LEARNING_RATES[args.optimizer],
                "hidden": args.hidden, "activation": args.activation,
                "optimizer": args.optimizer, "batch_size": args.batch_size, "init": args.init,
                "epsilon": args.epsilon, "epochs": args.epochs} == config.LAB_CONFIG
        assert args.lr is None and args.log_every == config.LOG_EVERY
    check = parser.parse_args(["gradcheck"])
    assert (check.hidden, check.activation) == (config.SPEC_CONFIG["hidden"],
                                                config.SPEC_CONFIG["activation"])


def test_the_saturation_threshold_is_where_the_sigmoid_slope_falls_below_its_limit():
    def slope(a):
        s = 1 / (1 + np.exp(-a))
        return s * (1 - s)

    assert slope(config.SATURATED) < config.SATURATED_SLOPE < slope(config.SATURATED - 0.1)


def test_make_optimizer_builds_each_named_optimizer():
    parameters = [Tensor(np.zeros(2), requires_grad=True)]
    adam = config.make_optimizer("adam", parameters, 0.05)
    momentum = config.make_optimizer("momentum", parameters, 0.05)
    sgd = config.make_optimizer("sgd", parameters, 0.3)
    assert isinstance(adam, optim.Adam) and adam.lr == 0.05
    assert (momentum.momentum, momentum.lr) == (config.MOMENTUM, 0.05)
    assert (sgd.momentum, sgd.lr) == (0, 0.3)
