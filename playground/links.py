"""What a link to a lab page may say besides settings: ``preset=NAME`` (start from a preset, the
link's settings on top of it) and a teacher's ``hide=`` and ``lock=`` (controls left out of the
sidebar; settings fixed for the whole session, whatever the student does).

Names are checked against the lab's config like any setting, and unknown ones get the usual
notice. Hiding and locking are a classroom convenience, not security: a student can always edit
the link itself.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence, TypeVar

from . import config as cfg

PRESET, HIDE, LOCK = "preset", "hide", "lock"
LESSON = "lesson"  # a shipped lesson to open (playground.ui.lesson reads it)
PARAMS = (PRESET, HIDE, LOCK, LESSON)  # link parameters that are not settings
HIDEABLE_CONTROLS = (PRESET,)  # controls that are not settings but may be hidden: the preset box

C = TypeVar("C")


@dataclass(frozen=True)
class Restrictions:
    """A teacher's link: the controls hidden, and the settings fixed at the values they had when
    the session started."""

    hidden: tuple[str, ...] = ()
    locked: Mapping[str, Any] = field(default_factory=dict)  # setting -> the value it is fixed at

    def __bool__(self) -> bool:
        return bool(self.hidden or self.locked)

    def overridden(self, config: Any) -> list[str]:
        """The locked settings that ``config`` would change."""
        return [name for name, value in self.locked.items() if getattr(config, name) != value]

    def enforce(self, config: C, base: C) -> tuple[C, list[str]]:
        """``config`` with every locked setting back at its fixed value, and the names put back.

        ``base`` is the config in use (it keeps the locks): if putting a lock back makes the
        settings too much work together, the other settings involved keep base's values.
        """
        kept = self.overridden(config)
        if not kept:
            return config, []
        fixed = dataclasses.replace(config, **{name: self.locked[name] for name in kept})
        fixed, _, undone = cfg.within_limits(fixed, base)
        return fixed, kept + [name for name in undone if name not in kept]

    def to_params(self) -> dict[str, str]:
        """The link parameters that recreate these restrictions (none when there are none)."""
        params = {}
        if self.hidden:
            params[HIDE] = ",".join(self.hidden)
        if self.locked:
            params[LOCK] = ",".join(self.locked)
        return params

    def locked_items(self, config_cls: type, names: Sequence[str] | None = None) -> list[str]:
        """'k — D steps per G step: 1', 'Optimizer: SGD with momentum' for the locked settings."""
        specs = cfg.specs(config_cls)
        return [f"{specs[name].label}: {display_value(specs[name], self.locked[name])}"
                for name in (self.locked if names is None else names)]

    def describe_locked(self, config_cls: type, names: Sequence[str] | None = None) -> str:
        """The locked settings in one line: 'k — D steps per G step: 1; Optimizer: SGD with momentum'."""
        return "; ".join(self.locked_items(config_cls, names))

    def describe_hidden(self, config_cls: type) -> str:
        """The hidden controls by their labels."""
        specs = cfg.specs(config_cls)
        return ", ".join("Preset" if name == PRESET else specs[name].label for name in self.hidden)


def display_value(spec: cfg.Spec, value: Any) -> str:
    """A setting's value as the sidebar shows it."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return f"a table of {len(value)} row{'s' if len(value) != 1 else ''}"
    return str(spec.choice_labels.get(value, value))


def preset_config(config_cls: type[C], params: Mapping[str, str],
                  presets: Mapping[str, Mapping[str, Any]]) -> tuple[C, list[str]]:
    """The config a link starts from: its ``preset=`` applied to the defaults, or the defaults
    (with a notice listing the lab's presets when the name is not one of them)."""
    if PRESET not in params:
        return config_cls(), []
    name = str(params[PRESET]).strip()
    if name in presets:
        return cfg.replace_fields(config_cls(), presets[name]), []
    return config_cls(), [f"Unknown preset {name[:40]!r} ignored; this lab's presets are {', '.join(presets)}."]


def restrictions_from(config_cls: type, params: Mapping[str, str], config: Any) -> tuple[Restrictions, list[str]]:
    """The link's ``hide=`` and ``lock=`` (comma-separated setting names), locks at ``config``'s
    values; a notice for each name that is not a setting of this lab."""
    settings = list(cfg.specs(config_cls))
    hidden, notices = _names(params, HIDE, settings + list(HIDEABLE_CONTROLS))
    locked, more = _names(params, LOCK, settings)
    return Restrictions(hidden, {name: getattr(config, name) for name in locked}), notices + more


def _names(params: Mapping[str, str], key: str, allowed: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """The known names in a comma-separated parameter, in the order the lab declares them."""
    if key not in params:
        return (), []
    text = str(params[key])
    if len(text) > cfg.MAX_TEXT:
        return (), [f"Ignored {key}=: too long."]
    names, notices = set(), []
    for name in filter(None, (part.strip() for part in text.split(","))):
        if name in allowed:
            names.add(name)
        elif key == LOCK and name in HIDEABLE_CONTROLS:
            notices.append(f"Ignored lock={name}: only settings can be locked (hide={name} hides it).")
        else:
            notices.append(f"Unknown setting {name[:40]!r} in {key}= ignored.")
    return tuple(n for n in allowed if n in names), notices
