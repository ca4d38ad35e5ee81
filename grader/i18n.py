"""The language the grader speaks: English or Korean.

One language per process. The command line chooses it (`choose`: ``--lang``, else
``GRADER_LANG``, else the locale) and passes it on to the judges it starts, which `use` it
before any check runs. Check files give their Korean next to their English (`grader.checklib.say`
and `grader.checklib.title`); the engine's own messages come from its catalogues.
"""

from __future__ import annotations

import os

__all__ = ["DEFAULT", "LANGUAGES", "choose", "current", "pick", "use"]

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
