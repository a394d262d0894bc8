"""Rows of the hyperparameter tests: for each optimizer and scheduler, invalid options with the
error PyTorch raises (test_optim.py checks minigrad's, test_optim_torch.py PyTorch's, live), and
options at the edges of their range, which both take."""
from typing import NamedTuple

NAN, INF = float("nan"), float("inf")
SAME = "same"            # PyTorch raises this type with this very message
SAME_TYPE = "same type"  # PyTorch raises this type, with its own words (or only at the first step)
ACCEPTS = "accepts"      # PyTorch takes it, and a wrong run follows (NaN or infinite weights, a
                         # negative lr, a schedule unlike its formula): refused here


class Bad(NamedTuple):
    owner: str      # an optimizer, or a scheduler (of an SGD with lr=0.5)
    options: dict
    errors: tuple   # the error raised is an instance of each
    message: str    # PyTorch's, measured on torch 2.13, or in its style where it raises nothing
    torch: str      # what PyTorch does with these options: SAME, SAME_TYPE or ACCEPTS


def bad(owner, options, message, torch=SAME, errors=(ValueError,)):
    return Bad(owner, options, errors, message, torch)


def bad_adam(owner):
    return [
        bad(owner, {"lr": -1.0}, "Invalid learning rate: -1.0"),
        bad(owner, {"lr": NAN}, "Invalid learning rate: nan"),
        bad(owner, {"lr": INF}, "Invalid learning rate: inf", ACCEPTS),
        bad(owner, {"eps": -1.0}, "Invalid epsilon value: -1.0"),
        bad(owner, {"eps": NAN}, "Invalid epsilon value: nan"),
        bad(owner, {"eps": INF}, "Invalid epsilon value: inf", ACCEPTS),
        bad(owner, {"betas": (1.0, 0.9)}, "Invalid beta parameter at index 0: 1.0"),
        bad(owner, {"betas": (-0.1, 0.9)}, "Invalid beta parameter at index 0: -0.1"),
        bad(owner, {"betas": (NAN, 0.9)}, "Invalid beta parameter at index 0: nan"),
        bad(owner, {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
        bad(owner, {"betas": (0.9, NAN)}, "Invalid beta parameter at index 1: nan"),
        bad(owner, {"betas": (0.9,)}, "tuple index out of range", errors=(IndexError,)),
        bad(owner, {"weight_decay": -1.0}, "Invalid weight_decay value: -1.0"),
        bad(owner, {"weight_decay": NAN}, "Invalid weight_decay value: nan"),
        # several invalid: the first in PyTorch's order of checks (lr, eps, betas, weight_decay)
        bad(owner, {"betas": (2.0, 0.9), "eps": -1.0, "weight_decay": -1.0}, "Invalid epsilon value: -1.0"),
        bad(owner, {"betas": (0.9, 2.0), "weight_decay": -1.0}, "Invalid beta parameter at index 1: 2.0"),
    ]


def bad_non_negative(owner, *names):
    rows = []
    for name in names:
        label = {"lr": "learning rate", "eps": "epsilon value"}.get(name, f"{name} value")
        rows += [bad(owner, {name: -1.0}, f"Invalid {label}: -1.0"),
                 bad(owner, {name: NAN}, f"Invalid {label}: nan"),
                 bad(owner, {name: INF}, f"Invalid {label}: inf", ACCEPTS)]
    return rows


BAD_OPTIONS = [
    bad("SGD", {"lr": -1.0}, "Invalid learning rate: -1.0"),
    bad("SGD", {"lr": -1}, "Invalid learning rate: -1"),
    bad("SGD", {"lr": NAN}, "Invalid learning rate: nan", ACCEPTS),  # PyTorch's `lr < 0.0`
    bad("SGD", {"lr": INF}, "Invalid learning rate: inf", ACCEPTS),
    bad("SGD", {"lr": "0.1"}, "Invalid learning rate: '0.1' (a number is needed, not str)",
        SAME_TYPE, errors=(TypeError,)),
    bad("SGD", {"lr": None}, "Invalid learning rate: None (a number is needed, not NoneType)",
        SAME_TYPE, errors=(TypeError,)),
    bad("SGD", {"lr": 0.1, "momentum": -0.5}, "Invalid momentum value: -0.5"),
    bad("SGD", {"lr": 0.1, "momentum": NAN}, "Invalid momentum value: nan", ACCEPTS),
    bad("SGD", {"lr": 0.1, "weight_decay": -1.0}, "Invalid weight_decay value: -1.0"),
    bad("SGD", {"lr": 0.1, "weight_decay": NAN}, "Invalid weight_decay value: nan", ACCEPTS),
    bad("SGD", {"lr": 0.1, "dampening": NAN}, "Invalid dampening value: nan", ACCEPTS),
    bad("SGD", {"lr": 0.1, "dampening": -INF}, "Invalid dampening value: -inf", ACCEPTS),
    bad("SGD", {"lr": 0.1, "nesterov": True},
        "Nesterov momentum requires a momentum and zero dampening"),
    bad("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
        "Nesterov momentum requires a momentum and zero dampening"),
    bad("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": NAN, "nesterov": True},
        "Nesterov momentum requires a momentum and zero dampening"),
    bad("SGD", {"lr": -1.0, "momentum": -1.0, "nesterov": True}, "Invalid learning rate: -1.0"),
    *bad_adam("Adam"),
    *bad_adam("AdamW"),
    *bad_non_negative("RMSprop", "lr", "eps", "momentum", "weight_decay", "alpha"),
    # alpha above 1 makes the running mean of g^2 negative at the first step: sqrt gives NaN
    bad("RMSprop", {"alpha": 1.5}, "Invalid alpha value: 1.5", ACCEPTS),
    *bad_non_negative("Adagrad", "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"),
    *bad_non_negative("Adadelta", "lr", "eps", "weight_decay"),
    bad("Adadelta", {"rho": -0.1}, "Invalid rho value: -0.1"),
    bad("Adadelta", {"rho": 1.5}, "Invalid rho value: 1.5"),
    bad("Adadelta", {"rho": NAN}, "Invalid rho value: nan"),
    bad("Adadelta", {"rho": 2.0, "eps": -1.0}, "Invalid rho value: 2.0"),  # lr, rho, eps, wd
    *bad_adam("Adamax"),
    *bad_adam("NAdam"),
    *bad_non_negative("NAdam", "momentum_decay"),
    bad("NAdam", {"weight_decay": -1.0, "momentum_decay": -1.0}, "Invalid weight_decay value: -1.0"),
    *bad_adam("RAdam"),
    *bad_non_negative("ASGD", "lr", "weight_decay"),
    # lambd scales the weight decay term of ASGD: negative or NaN grows the weights or NaNs them
    bad("ASGD", {"lambd": -1.0}, "Invalid lambd value: -1.0", ACCEPTS),
    bad("ASGD", {"lambd": NAN}, "Invalid lambd value: nan", ACCEPTS),
    bad("ASGD", {"alpha": NAN}, "Invalid alpha value: nan", ACCEPTS),  # an exponent: any finite
    bad("Rprop", {"lr": -1.0}, "Invalid learning rate: -1.0"),
    bad("Rprop", {"lr": NAN}, "Invalid learning rate: nan"),
    bad("Rprop", {"etas": (0.5, 1.0)}, "Invalid eta values: 0.5, 1.0"),
    bad("Rprop", {"etas": (0.0, 1.2)}, "Invalid eta values: 0.0, 1.2"),
    bad("Rprop", {"etas": (1.5, 2.0)}, "Invalid eta values: 1.5, 2.0"),
    bad("Rprop", {"etas": (NAN, 1.2)}, "Invalid eta values: nan, 1.2"),
    bad("Rprop", {"lr": -1.0, "etas": (2.0, 1.0)}, "Invalid learning rate: -1.0"),
    # PyTorch checks no step size: a negative one steps uphill, an infinite one overflows
    bad("Rprop", {"step_sizes": (-1.0, 50)}, "Invalid step_sizes values: -1.0, 50 (0 <= min <= max "
        "is needed)", ACCEPTS),
    bad("Rprop", {"step_sizes": (1.0, 0.5)}, "Invalid step_sizes values: 1.0, 0.5 (0 <= min <= max "
        "is needed)", ACCEPTS),
    bad("Rprop", {"step_sizes": (1e-6, INF)}, "Invalid step_sizes values: 1e-06, inf (0 <= min <= "
        "max is needed)", ACCEPTS),
    *bad_non_negative("LBFGS", "lr"),
    bad("LBFGS", {"history_size": 0}, "Invalid history_size value: 0", ACCEPTS),
    bad("LBFGS", {"max_iter": 0}, "Invalid max_iter value: 0", ACCEPTS),
    bad("LBFGS", {"max_iter": 2.5}, "Invalid max_iter value: 2.5", ACCEPTS),
    bad("LBFGS", {"max_eval": 0}, "Invalid max_eval value: 0", ACCEPTS),
    # PyTorch raises this at the first step, with its own words (here: at construction)
    bad("LBFGS", {"line_search_fn": "armijo"}, "only 'strong_wolfe' is supported (got "
        "line_search_fn='armijo'; use None or 'strong_wolfe')", SAME_TYPE,
        errors=(ValueError, RuntimeError)),
    # flags that need a GPU or a differentiable step: PyTorch fails at the first step on the CPU
    bad("Adam", {"capturable": True}, "Adam(capturable=True) needs a CUDA device (it is for CUDA "
        "graph capture); minigrad runs on the CPU, where PyTorch fails at the first step; leave "
        "capturable=False", SAME_TYPE, errors=(ValueError, AssertionError)),
    bad("SGD", {"lr": 0.1, "differentiable": True}, "SGD(differentiable=True) is not supported: "
        "minigrad's optimizers update the parameters' arrays outside the graph, so a step cannot be "
        "differentiated (PyTorch fails at the first step on leaf parameters too); leave "
        "differentiable=False", SAME_TYPE, errors=(ValueError, RuntimeError)),
    bad("Adam", {"fused": True, "foreach": True}, "`fused` and `foreach` cannot be `True` together.",
        errors=(RuntimeError,)),
    # PyTorch's schedulers check nothing; a zero period fails at their first step()
    bad("StepLR", {"step_size": 0}, "Invalid step_size value: 0", SAME_TYPE,
        errors=(ValueError, ZeroDivisionError)),
    bad("StepLR", {"step_size": -1}, "Invalid step_size value: -1", ACCEPTS,
        errors=(ValueError, ZeroDivisionError)),
    bad("StepLR", {"step_size": 2.5}, "Invalid step_size value: 2.5", ACCEPTS,
        errors=(ValueError, ZeroDivisionError)),
    bad("StepLR", {"step_size": NAN}, "Invalid step_size value: nan", ACCEPTS,
        errors=(ValueError, ZeroDivisionError)),
    bad("StepLR", {"step_size": 2, "gamma": NAN}, "Invalid gamma value: nan", ACCEPTS),
    bad("StepLR", {"step_size": 2, "gamma": -0.5}, "Invalid gamma value: -0.5", ACCEPTS),
    bad("ExponentialLR", {"gamma": NAN}, "Invalid gamma value: nan", ACCEPTS),
    bad("ExponentialLR", {"gamma": -0.5}, "Invalid gamma value: -0.5", ACCEPTS),
    bad("ExponentialLR", {"gamma": INF}, "Invalid gamma value: inf", ACCEPTS),
    bad("CosineAnnealingLR", {"T_max": 0}, "Invalid T_max value: 0", SAME_TYPE,
        errors=(ValueError, ZeroDivisionError)),
    bad("CosineAnnealingLR", {"T_max": -1}, "Invalid T_max value: -1", ACCEPTS,
        errors=(ValueError, ZeroDivisionError)),
    bad("CosineAnnealingLR", {"T_max": NAN}, "Invalid T_max value: nan", ACCEPTS,
        errors=(ValueError, ZeroDivisionError)),
    bad("CosineAnnealingLR", {"T_max": 10, "eta_min": NAN}, "Invalid eta_min value: nan", ACCEPTS),
    bad("CosineAnnealingLR", {"T_max": 10, "eta_min": -1.0}, "Invalid eta_min value: -1.0", ACCEPTS),
    bad("CosineAnnealingLR", {"T_max": 10, "eta_min": INF}, "Invalid eta_min value: inf", ACCEPTS),
]
BAD_IDS = [f"{row.owner}-{row.options}" for row in BAD_OPTIONS]

# Values at the edges of each range, which PyTorch takes and so must minigrad
GOOD_OPTIONS = [
    ("SGD", {"lr": 0.0}), ("SGD", {"lr": 0.1, "momentum": 1.5, "dampening": 2.0}),
    ("SGD", {"lr": 0.1, "dampening": -0.5}), ("SGD", {"lr": 1, "momentum": 1, "nesterov": True}),
    ("Adam", {"lr": 0.0, "betas": (0.0, 0.0), "eps": 0.0, "weight_decay": 0.0}),
    ("AdamW", {"betas": (0.999999, 0.5), "weight_decay": 0.0}), ("RMSprop", {"alpha": 0.0}),
    ("RMSprop", {"alpha": 1.0, "eps": 0.0}), ("Adagrad", {"lr": 0.0, "lr_decay": 0.0, "eps": 0.0}),
    ("Adadelta", {"rho": 0.0}), ("Adadelta", {"lr": 0.0, "rho": 1.0, "eps": 0.0}),
    ("Adamax", {"betas": (0.0, 0.0), "eps": 0.0}), ("NAdam", {"momentum_decay": 0.0}),
    ("RAdam", {"lr": 0.0, "betas": (0.0, 0.0)}), ("ASGD", {"lambd": 0.0, "alpha": -1.0, "t0": 0.0}),
    ("ASGD", {"t0": INF}), ("Rprop", {"etas": (0.01, 1.01), "step_sizes": (0.0, 0.0)}),
    ("LBFGS", {"lr": 0.0, "max_iter": 1, "history_size": 1}), ("LBFGS", {"max_eval": 1}),
    ("SGD", {"lr": 0.1, "foreach": True, "fused": False}), ("Adam", {"fused": True}),
    ("StepLR", {"step_size": 1, "gamma": 0.0}), ("StepLR", {"step_size": 2.0, "gamma": 2.0}),
    ("ExponentialLR", {"gamma": 0.0}), ("ExponentialLR", {"gamma": 1.5}),
    ("CosineAnnealingLR", {"T_max": 1}), ("CosineAnnealingLR", {"T_max": 2.5, "eta_min": 1.0}),
]


def build(library, owner: str, options: dict, parameter):
    """``library.optim.<owner>`` (or a scheduler of an SGD) over ``[parameter]``, for
    ``library`` minigrad (``nn``) or torch (``torch``), whose ``optim`` packages are alike."""
    optim = library.optim
    if hasattr(optim, owner):
        return getattr(optim, owner)([parameter], **options)
    return getattr(optim.lr_scheduler, owner)(optim.SGD([parameter], lr=0.5), **options)
