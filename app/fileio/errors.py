"""The one error a .cgraph file can be refused with."""

from __future__ import annotations


class FileFormatError(ValueError):
    """The file is not a valid .cgraph document; the message names the place and the problem.

    The message is meant for the user as it is (a status bar, a dialog, one stderr line).
    """
