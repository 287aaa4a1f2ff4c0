"""The evaluator's messages in the interface's language.

``app.evaluate`` words its own notes in English from templates (``app.evaluate.messages``): the
command line and the .cgraph-facing code stay English. Where the interface shows such a note (a
card, the inspector, a tooltip, the walkthrough), :func:`localised` finds the template it came
from, translates the template (context "evaluator" of the .ts) and fills the same fields in again.
A text from no template, such as an error of the engine in torch's own words, is shown as it is.
"""

from __future__ import annotations

import re
from functools import lru_cache

from PySide6.QtCore import QCoreApplication

from app.evaluate.messages import TEMPLATES

_FIELD = re.compile(r"\\\{(\w+)\\\}")  # a "{name}" field, as re.escape writes it


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """One pattern per template: its text, with each field matching anything."""
    return tuple((re.compile(_FIELD.sub(r"(?P<\1>.+?)", re.escape(template)) + r"\Z", re.DOTALL),
                  template) for template in TEMPLATES)


def localised(text: str) -> str:
    """``text`` in the interface's language when it comes from an evaluator template."""
    if not text:
        return text
    for pattern, template in _patterns():
        match = pattern.match(text)
        if match is not None:
            translated = QCoreApplication.translate("evaluator", template)
            try:
                return translated.format(**match.groupdict())
            except (KeyError, IndexError, ValueError):  # a translation with other fields
                return text
    return text
