"""links: a link's preset=, hide= and lock= parsed against the lab's config, and locks enforced
on every config a session is given."""

import pytest

from playground import config as cfg
from playground import links
from playground.labs import LABS
from playground.links import Restrictions

CONFIG_2D = LABS["2d"].config_cls
PRESETS_2D = {name: preset.settings for name, preset in LABS["2d"].presets.items()}


def restrictions(params, config=None):
    return links.restrictions_from(CONFIG_2D, params, config or CONFIG_2D())


def test_hide_and_lock_take_setting_names_in_the_labs_order_once_each():
    """Whitespace and repeats are tolerated; the result lists names in declaration order, locks at
    the config's values."""
    config = cfg.replace_fields(CONFIG_2D(), {"k": 3})
    found, notices = restrictions({"hide": " lr_g, optimizer,,lr_g ", "lock": "k,optimizer"}, config)
    assert found.hidden == ("optimizer", "lr_g") and found.locked == {"k": 3, "optimizer": "adam"}
    assert notices == []


def test_unknown_names_are_skipped_with_the_usual_notice():
    found, notices = restrictions({"hide": "optimizer,colour", "lock": "k,Momentum,preset"})
    assert found.hidden == ("optimizer",) and list(found.locked) == ["k"]
    assert notices == ["Unknown setting 'colour' in hide= ignored.",
                       "Unknown setting 'Momentum' in lock= ignored.",
                       "Ignored lock=preset: only settings can be locked (hide=preset hides it)."]


def test_the_preset_box_can_be_hidden_and_an_overlong_list_is_refused():
    assert restrictions({"hide": "preset"})[0].hidden == ("preset",)
    found, notices = restrictions({"hide": "k," * 2000})
    assert not found and notices == ["Ignored hide=: too long."]


def test_restrictions_survive_their_own_link():
    """to_params, parsed again, gives the same restrictions (the address bar and the share link)."""
    config = cfg.replace_fields(CONFIG_2D(), {"momentum": 0.7})
    found, _ = restrictions({"hide": "preset,lr_g", "lock": "momentum"}, config)
    assert found.to_params() == {"hide": "lr_g,preset", "lock": "momentum"}
    assert restrictions(found.to_params(), config) == (found, [])
    assert Restrictions().to_params() == {} and not Restrictions()


def test_enforce_puts_locked_settings_back_and_names_them():
    base = cfg.replace_fields(CONFIG_2D(), {"k": 2})
    lock = Restrictions(locked={"k": 2, "optimizer": "adam"})
    wanted = cfg.replace_fields(base, {"k": 5, "optimizer": "sgd", "seed": 9})
    config, kept = lock.enforce(wanted, base)
    assert (config.k, config.optimizer, config.seed) == (2, "adam", 9) and kept == ["k", "optimizer"]
    assert lock.enforce(cfg.replace_fields(base, {"seed": 9}), base) == (cfg.replace_fields(base, {"seed": 9}), [])


def test_enforce_keeps_the_work_limit():
    """A file that shrinks a locked network and raises m would be too much once the lock holds:
    m keeps the session's value too."""
    base = cfg.replace_fields(CONFIG_2D(), {"width": 256, "depth": 6})
    lock = Restrictions(locked={"width": 256})
    config, kept = lock.enforce(cfg.replace_fields(base, {"width": 8, "batch": 4096, "seed": 4}), base)
    assert (config.width, config.batch, config.seed) == (256, base.batch, 4) and kept == ["width", "batch"]
    cfg.validate(config)


def test_a_preset_link_starts_from_the_preset():
    config, notices = links.preset_config(CONFIG_2D, {"preset": "collapse"}, PRESETS_2D)
    assert config == cfg.replace_fields(CONFIG_2D(), PRESETS_2D["collapse"]) and notices == []
    assert links.preset_config(CONFIG_2D, {}, PRESETS_2D) == (CONFIG_2D(), [])


def test_an_unknown_preset_lists_the_labs_presets():
    config, [notice] = links.preset_config(CONFIG_2D, {"preset": "colapse"}, PRESETS_2D)
    assert config == CONFIG_2D()
    assert notice == "Unknown preset 'colapse' ignored; this lab's presets are all_modes, collapse, grid25, spiral."


@pytest.mark.parametrize("value, shown", [(True, "on"), (0.001, "0.001"), (3, "3"), ("sgd", "SGD with momentum"),
                                           (((1.0, 0.0, 1.0),), "a table of 1 row")])
def test_locked_values_read_as_the_sidebar_shows_them(value, shown):
    spec = cfg.specs(CONFIG_2D)["optimizer"]
    assert links.display_value(spec, value).startswith(shown)
