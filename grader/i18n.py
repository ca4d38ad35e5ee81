"""The language the grader speaks: English or Korean.

One language per process. The command line chooses it (`choose`: ``--lang``, else
``GRADER_LANG``, else the locale) and passes it on to the judges it starts, which `use` it
before any check runs. Check files give their Korean next to their English (`grader.checklib.say`
and `grader.checklib.title`); the engine's own messages come from its catalogues,
``grader/locales/en.toml`` and ``ko.toml``: one key per message (``section.name``), the same
keys and the same named ``{parameters}`` in both, whole sentences (Korean orders a sentence
differently, so no message is glued together from translated parts). `text` looks one up.
"""

from __future__ import annotations

import os

__all__ = ["DEFAULT", "LANGUAGES", "catalogue", "choose", "current", "pick", "template", "text", "use"]

LANGUAGES = ("en", "ko")
DEFAULT = "en"
_ENV = "GRADER_LANG"
_LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")

_current = DEFAULT


def choose(explicit: str | None = None) -> str:
    """The language to speak: `explicit` (``--lang``), else ``GRADER_LANG``, else the locale
    (Korean when it names Korean), else English. An unknown explicit value is a `ValueError`."""
    if explicit:
        lang = explicit.strip().lower()
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {explicit!r}: choose one of {', '.join(LANGUAGES)}")
        return lang
    configured = os.environ.get(_ENV, "").strip().lower()
    if configured in LANGUAGES:
        return configured
    for name in _LOCALE_VARS:
        value = os.environ.get(name, "")
        if value:
            return "ko" if value.lower().startswith("ko") else DEFAULT
    return _system_locale()


def _system_locale() -> str:
    """Korean when the system's locale is (Windows and macOS keep it outside the environment)."""
    import locale

    try:
        name = locale.getlocale()[0] or ""
    except ValueError:
        name = ""
    return "ko" if name.lower().startswith(("ko", "korean")) else DEFAULT


def use(lang: str) -> None:
    """Speak `lang` from now on, in this process."""
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    _current = lang


def current() -> str:
    return _current


def pick(en: str, ko: str) -> str:
    """`en` or `ko`, whichever this process speaks."""
    return ko if _current == "ko" else en


_CATALOGUES: dict[str, dict[str, str]] = {}


def catalogue(lang: str) -> dict[str, str]:
    """The engine's messages in `lang`, by key (``section.name``), read once from
    ``grader/locales/LANG.toml``."""
    if lang not in _CATALOGUES:
        import tomllib
        from pathlib import Path

        with (Path(__file__).parent / "locales" / f"{lang}.toml").open("rb") as fh:
            data = tomllib.load(fh)
        flat: dict[str, str] = {}
        for section, entries in data.items():
            for name, value in entries.items():
                flat[f"{section}.{name}"] = value
        _CATALOGUES[lang] = flat
    return _CATALOGUES[lang]


def text(key: str, /, lang: str | None = None, **params: object) -> str:
    """The engine's message `key` in `lang` (default: the one this process speaks), its
    ``{parameters}`` filled in. A key the Korean catalogue lacks falls back to English."""
    return template(key, lang).format_map(params)


def template(key: str, lang: str | None = None) -> str:
    """The message `key` in `lang` as written in the catalogue, its ``{parameters}`` not filled in."""
    lang = lang or _current
    found = catalogue(lang).get(key) if lang != DEFAULT else None
    return found if found is not None else catalogue(DEFAULT)[key]
