"""The action catalogue: a TOML file ops can edit, validated on load with errors that name the
entry and the field (``actions/catalogue.toml`` is the shipped default, in German and English).

>>> cat = Catalogue.load()
>>> [a.id for a in cat.actions if "red" in a.levels and "callcenter" in a.channels][0]
'retention_script'
>>> try:
...     Catalogue.parse('[[action]]\\nid = "x"\\nchannels = ["fax"]\\nkind = "greet"\\n'
...                     'text.en = "a"\\ntext.de = "b"', "ops.toml")
... except CatalogueError as exc:
...     print(exc)
ops.toml: action 1 ('x'): channels.0: Input should be 'web', 'app', 'callcenter', 'terminal' or 'email'
"""

from __future__ import annotations

import functools
import itertools
import string
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from schemas.events import MomentName
from schemas.profiles import PROFILE_CHANNELS, Level, ProfileChannel

DEFAULT_PATH = Path(__file__).with_name("catalogue.toml")
LEVELS: tuple[str, ...] = ("green", "amber", "red")
MOMENT_CASES: tuple[str, ...] = ("know", "go", "do", "buy", "none")
Need = Literal["interests", "venue", "venue_open_in_stock"]
#: the placeholders a text may use, and the need that makes each one known
PLACEHOLDERS = {"venue": "venue", "distance": "venue", "wait": "venue", "stock": "venue", "topics": "interests"}


class CatalogueError(ValueError):
    """The catalogue file cannot be used; the message names the file, the entry and the field."""


class Cap(BaseModel):
    model_config = ConfigDict(extra="forbid")
    times: int = Field(ge=1, description="at most this many times per user and channel ...")
    hours: float = Field(gt=0, description="... within this many hours")


class Texts(BaseModel):
    model_config = ConfigDict(extra="forbid")
    en: str = Field(min_length=1, max_length=500)
    de: str = Field(min_length=1, max_length=500)


class ActionSpec(BaseModel):
    """One entry: when the action is eligible and what it says."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    channels: list[ProfileChannel] = Field(min_length=1)
    levels: list[Level] = Field(default_factory=lambda: list(LEVELS), min_length=1)
    moments: list[MomentName | Literal["none"]] = Field(default_factory=lambda: list(MOMENT_CASES), min_length=1)
    needs: list[Need] = Field(default_factory=list)
    kind: Literal["retention", "service", "offer", "content", "route", "greet"]
    priority: int = 0
    cap: Cap | None = None
    text: Texts

    @field_validator("text")
    @classmethod
    def _placeholders_known(cls, text: Texts) -> Texts:
        for t in (text.en, text.de):
            for _, name, _, _ in string.Formatter().parse(t):
                if name is not None and name not in PLACEHOLDERS:
                    raise ValueError(f"unknown placeholder {{{name}}} (known: {', '.join(PLACEHOLDERS)})")
        return text

    def placeholders(self) -> set[str]:
        return {name for t in (self.text.en, self.text.de)
                for _, name, _, _ in string.Formatter().parse(t) if name}


class Catalogue:
    """The validated actions in file order."""

    def __init__(self, actions: list[ActionSpec], source: str) -> None:
        self.actions = actions
        self.source = source
        self.by_id = {a.id: a for a in actions}
        self.memo: dict[tuple, dict[str, dict[str, str]]] = {}  # actions.choose.per_channel's answers
        #: (channel, level, moment or "none") -> the actions for it, best first (priority, then file order)
        self.index: dict[tuple[str, str, str], list[ActionSpec]] = {
            case: sorted((a for a in actions if case[0] in a.channels and case[1] in a.levels and case[2] in a.moments),
                         key=lambda a: -a.priority)
            for case in itertools.product(PROFILE_CHANNELS, LEVELS, MOMENT_CASES)}

    @classmethod
    def load(cls, path: Path | str | None = None) -> Catalogue:
        """The catalogue at ``path`` (default: the shipped one, read once)."""
        if path is None:
            return _shipped()
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise CatalogueError(f"{p}: cannot read the action catalogue: {exc.strerror or exc}") from exc
        return cls.parse(text, str(p))

    @classmethod
    def parse(cls, text: str, source: str = "<catalogue>") -> Catalogue:
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CatalogueError(f"{source}: not valid TOML: {exc}") from exc
        unknown = set(doc) - {"action"}
        if unknown:
            raise CatalogueError(f"{source}: unknown top-level key(s) {sorted(unknown)}; entries are [[action]] tables")
        entries = doc.get("action")
        if not isinstance(entries, list) or not entries:
            raise CatalogueError(f"{source}: no [[action]] entries")
        actions = [_validated(e, i, source) for i, e in enumerate(entries, 1)]
        _check_whole(actions, source)
        return cls(actions, source)


def _validated(entry: object, i: int, source: str) -> ActionSpec:
    name = entry.get("id", "?") if isinstance(entry, dict) else "?"
    try:
        spec = ActionSpec.model_validate(entry)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "entry"
        raise CatalogueError(f"{source}: action {i} ({name!r}): {where}: {first['msg']}") from exc
    for placeholder in spec.placeholders():
        need = PLACEHOLDERS[placeholder]
        if not any(n.startswith(need) for n in spec.needs):
            raise CatalogueError(f"{source}: action {i} ({name!r}): text uses {{{placeholder}}} "
                                 f"but needs does not name {need!r}")
    if spec.kind == "offer" and "red" in spec.levels:
        raise CatalogueError(f"{source}: action {i} ({name!r}): an offer is never allowed for red customers "
                             "(retention first): remove 'red' from levels")
    return spec


def _check_whole(actions: list[ActionSpec], source: str) -> None:
    seen: set[str] = set()
    for a in actions:
        if a.id in seen:
            raise CatalogueError(f"{source}: action id {a.id!r} is used twice")
        seen.add(a.id)
    for channel, level, moment in itertools.product(PROFILE_CHANNELS, LEVELS, MOMENT_CASES):
        if not any(channel in a.channels and level in a.levels and moment in a.moments and not a.needs
                   and a.cap is None for a in actions):
            raise CatalogueError(f"{source}: no fallback for channel {channel}, level {level}, moment {moment}: "
                                 "add an action without needs and cap that covers it (e.g. a greet for all)")


@functools.lru_cache(maxsize=1)
def _shipped() -> Catalogue:
    return Catalogue.parse(DEFAULT_PATH.read_text(encoding="utf-8"), str(DEFAULT_PATH))
