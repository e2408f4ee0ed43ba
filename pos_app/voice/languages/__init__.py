"""The spoken languages, by code. To add one (Tamil, Telugu, Bengali, Marathi, Kannada all
have espeak-ng voices): write a ``Language`` subclass beside these and list it here."""

from __future__ import annotations

from pos_app.voice.languages.base import Language
from pos_app.voice.languages.en import English
from pos_app.voice.languages.hi import Hindi

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "Language", "language"]

LANGUAGES: dict[str, Language] = {lang.code: lang for lang in (English(), Hindi())}
DEFAULT_LANGUAGE = "en"


def language(code: str) -> Language:
    """The language for a code from the settings or the command line."""
    try:
        return LANGUAGES[code]
    except KeyError:
        known = ", ".join(sorted(LANGUAGES))
        raise ValueError(f"no spoken language {code!r}; choose one of {known}") from None
