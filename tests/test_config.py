"""The config machinery: parsing, validation, text round trips and change classification."""

import math

import pytest

from playground import config as cfg
from playground.config import Effect
from playground.labs import LABS
from playground.labs.one_d import PRESETS_1D, Config1D


def test_every_field_has_a_spec_and_valid_default():
    """Each field of the 1-D config declares a spec, and the defaults pass their own validation."""
    assert set(cfg.specs(Config1D)) == set(cfg.defaults(Config1D))
    cfg.validate(Config1D())


@pytest.mark.parametrize("name", sorted(PRESETS_1D))
def test_presets_are_valid_configs(name):
    """Every preset only names real fields with in-range values."""
    config = cfg.replace_fields(Config1D(), PRESETS_1D[name].settings)
    cfg.validate(config)


def test_from_text_applies_valid_values():
    config, notices = cfg.from_text(Config1D, {"k": "5", "lr_d": "0.003", "loss": "minimax", "link_lr": "false"})
    assert notices == []
    assert (config.k, config.lr_d, config.loss, config.link_lr) == (5, 0.003, "minimax", False)


@pytest.mark.parametrize("name,text", [
    ("k", "0"), ("k", "21"), ("k", "2.5"), ("k", "abc"), ("lr_d", "nan"), ("lr_d", "inf"), ("lr_d", "2"),
    ("momentum", "-0.1"), ("loss", "hinge"), ("link_lr", "maybe"), ("batch", "9" * 50), ("k", "1" * 5000),
    ("custom", "1:0:0"), ("custom", "1:0"), ("custom", "x:y:z"), ("custom", "0:0:1;0:1:1"),
    ("custom", ";".join(["1:0:1"] * 11)), ("custom", "-1:0:1;2:0:1"), ("custom", "1:nan:1"),
])
def test_from_text_rejects_bad_values_with_a_notice(name, text):
    """A bad value is skipped with a message naming the setting; the base value stays."""
    base = Config1D()
    config, notices = cfg.from_text(Config1D, {name: text}, base=base)
    assert getattr(config, name) == getattr(base, name)
    assert len(notices) == 1 and name in notices[0]


def test_unknown_names_are_reported_and_ignored():
    config, notices = cfg.from_text(Config1D, {"nonsense": "1", "k": "3"})
    assert config.k == 3
    assert notices == ["Unknown setting 'nonsense' ignored."]


def test_text_round_trip_reproduces_the_config():
    """to_text → from_text gives back the same config (what a shared link relies on)."""
    config = cfg.replace_fields(Config1D(), dict(
        target="custom", custom=((0.25, -1.5, 0.3), (0.75, 2.0, 1.0 / 3)), k=7, lr_d=3e-4, link_lr=False,
        lr_g=1.234e-3, momentum=0.95, loss="minimax", optimizer="adam", batch=100, seed=12345, density="hist"))
    text = cfg.to_text(config)
    assert "width" not in text  # defaults are left out of links
    again, notices = cfg.from_text(Config1D, text)
    assert notices == [] and again == config


def test_mixture_messages_name_the_problem():
    spec = cfg.specs(Config1D)["custom"]
    with pytest.raises(cfg.InvalidValue, match="std must be greater than 0"):
        cfg.check_mixture(spec, [[1, 0, 0]])
    with pytest.raises(cfg.InvalidValue, match="weights must sum to more than 0"):
        cfg.check_mixture(spec, [[0, 0, 1]])
    with pytest.raises(cfg.InvalidValue, match="weight must be at least 0"):
        cfg.check_mixture(spec, [[-1, 0, 1], [2, 1, 1]])
    with pytest.raises(cfg.InvalidValue, match="at most 10 rows"):
        cfg.check_mixture(spec, [[1, 0, 1]] * 11)
    with pytest.raises(cfg.InvalidValue, match="missing or not a finite number"):
        cfg.check_mixture(spec, [[1, math.nan, 1]])
    assert cfg.check_mixture(spec, [[1, 0, 1]]) == ((1.0, 0.0, 1.0),)


def test_change_classification():
    """Live changes retune, optimizer changes restart its state, architecture changes rebuild."""
    old = Config1D()
    assert cfg.strongest_effect(Config1D, cfg.changed_fields(old, cfg.replace_fields(old, {"k": 3}))) is Effect.LIVE
    assert cfg.strongest_effect(Config1D, ["optimizer", "k"]) is Effect.OPTIMIZER
    assert cfg.strongest_effect(Config1D, ["width", "k"]) is Effect.REBUILD
    assert cfg.strongest_effect(Config1D, ["density"]) is Effect.VIEW
    assert cfg.strongest_effect(Config1D, []) is None


def test_log_grid_is_1_2_5_within_bounds():
    assert cfg.log_grid(1e-5, 1.0)[:4] == (1e-5, 2e-5, 5e-5, 1e-4)
    assert cfg.log_grid(1e-5, 1.0)[-1] == 1.0


def test_a_linked_field_uses_the_value_it_follows():
    """While linked, lr_g is disabled and lr_d is in effect (the trainer's rate); unlinked, its own."""
    linked = Config1D(link_lr=True, lr_d=0.01, lr_g=0.0004)
    assert cfg.disabled(Config1D, "lr_g", vars(linked)) and not cfg.disabled(Config1D, "lr_d", vars(linked))
    assert cfg.in_effect(linked, "lr_g") == linked.hyper().lr_g == 0.01
    unlinked = cfg.replace_fields(linked, {"link_lr": False})
    assert cfg.in_effect(unlinked, "lr_g") == unlinked.hyper().lr_g == 0.0004


@pytest.mark.parametrize("key", sorted(LABS))
def test_following_fields_are_declared_consistently(key):
    """A field that follows another is disabled by a condition and follows a field of its own kind."""
    config_cls = LABS[key].config_cls
    following = {name: spec for name, spec in cfg.specs(config_cls).items() if spec.follows}
    assert "lr_g" in following
    for name, spec in following.items():
        assert spec.disabled_if is not None and spec.disabled_if[0] in cfg.specs(config_cls)
        assert cfg.kind_of(config_cls, spec.follows) == cfg.kind_of(config_cls, name)


# --- the limit on one iteration's work ------------------------------------------------------

from playground.fields import MAX_ITERATION_WORK  # noqa: E402
from playground.labs import LABS  # noqa: E402


@pytest.mark.parametrize("lab,preset", [(k, p) for k, lab in LABS.items() for p in [None, *lab.presets]])
def test_defaults_and_presets_are_within_the_work_limit(lab, preset):
    config_cls = LABS[lab].config_cls
    settings = LABS[lab].presets[preset].settings if preset else {}
    cfg.validate(cfg.replace_fields(config_cls(), settings))


def test_multiply_adds_are_counted_from_the_layers():
    """Against hand counts: an MLP is the sum of its layers' in × out; a convolution is in-channels ×
    kernel area per output value; a transposed convolution is the whole kernel per input pixel."""
    from playground.mnist.models import DCGAN_BASE as b
    from playground.mnist.models import pair_multiply_adds
    from playground.models import mlp_pair_multiply_adds

    assert mlp_pair_multiply_adds(2, 2, 256, 6) == (2 * 256 + 5 * 256**2 + 256 * 2) + (2 * 256 + 5 * 256**2 + 256)
    assert pair_multiply_adds("mlp", 64, False) == (64 * 256 + 256 * 512 + 512 * 784) + (784 * 512 + 512 * 256 + 256)
    g = 64 * 2 * b * 49 + 2 * b * b * 16 * 49 + b * 1 * 16 * 196
    d = 11 * b * 16 * 196 + b * 2 * b * 16 * 49 + 2 * b * 49
    assert pair_multiply_adds("dcgan", 54, True) == g + d  # z 54 + 10 label inputs = 64


@pytest.mark.parametrize("lab,query,refused", [
    ("2d", {"batch": "4096", "width": "256", "depth": "6", "k": "20"}, ("batch", "k", "width", "depth")),
    ("1d", {"batch": "4096", "width": "256", "depth": "6", "k": "10"}, ("batch", "k", "width", "depth")),
    ("mnist", {"model": "dcgan", "batch": "1024", "k": "10"}, ("batch", "k", "model")),
    ("mnist", {"batch": "1024", "k": "10"}, ("batch", "k")),
    ("2d", {"method": "mmd", "batch": "4096"}, ("batch", "method")),  # MMD's 4096 × 4096 kernels: ~2 s
    ("1d", {"objective": "wgan-gp", "batch": "1024", "width": "256", "depth": "3", "k": "8"},
     ("batch", "k", "objective", "width", "depth")),  # fits as BCE, not with the penalty's double cost
    ("mnist", {"g_steps": "10", "batch": "1024", "k": "10"}, ("batch", "k", "g_steps")),
])
def test_settings_too_much_work_together_are_refused_with_one_notice(lab, query, refused):
    """Each value is in range, together one iteration would take seconds: the settings involved keep
    their previous values, one notice names them with what is allowed, the rest of the link applies."""
    config_cls = LABS[lab].config_cls
    config, notices = cfg.from_text(config_cls, {**query, "seed": "7"})
    assert config == cfg.replace_fields(config_cls(), {"seed": 7})
    [notice] = notices
    assert notice.startswith("Ignored " + ", ".join(f"{n}={query[n]}" for n in refused) + ": one iteration")
    assert "over the limit of 2.5e9" in notice and "Minibatch size m" in notice and "m up to" in notice
    assert config_cls(**{n: cfg.parse_text(config_cls, n, v) for n, v in query.items()}).iteration_work() > MAX_ITERATION_WORK


def test_wgan_gp_fits_where_bce_does_with_twice_the_critic_cost():
    config_cls = LABS["1d"].config_cls
    query = {"batch": "1024", "width": "256", "depth": "3", "k": "8"}
    config, notices = cfg.from_text(config_cls, query)
    assert not notices and config.batch == 1024
    wgan = cfg.replace_fields(config, {"objective": "wgan-gp"})
    assert wgan.iteration_work() == config.iteration_work() * (2 * 8 + 1) // (8 + 1)


def test_work_limit_keeps_what_fits_and_applies_to_settings_files():
    """A link that changes only m keeps the base's networks; a settings file gets the same check."""
    config_cls = LABS["2d"].config_cls
    base = cfg.replace_fields(config_cls(), {"width": 256, "depth": 6})
    config, notices = cfg.from_text(config_cls, {"batch": "4096"}, base=base)
    assert config == base and notices[0].startswith("Ignored batch=4096: one iteration")
    assert cfg.from_text(config_cls, {"batch": "1024"}, base=base) == (cfg.replace_fields(base, {"batch": 1024}), [])
    doc = cfg.to_json(cfg.replace_fields(base, {"batch": 4096, "k": 3, "seed": 5}), "2d")
    config, notices = cfg.from_json(config_cls, doc, "2d", base=base)
    assert config == cfg.replace_fields(base, {"seed": 5}) and notices[0].startswith("Ignored batch=4096, k=3: one")
    with pytest.raises(cfg.TooMuchWork):
        cfg.validate(cfg.replace_fields(base, {"batch": 4096}))
