"""How every command tells an error: on one line.

DuckDB's messages run over several lines: what went wrong, sometimes a hint on the next line
(``Did you mean "t"?``, ``Candidate bindings: ...``), then, after a blank line, context that is
useful in a console and noise in a one-line error: the statement with a ``^^^`` pointer under
it, the CSV reader's settings, possible fixes.
"""

from __future__ import annotations

__all__ = ["one_line"]


def one_line(error: BaseException) -> str:
    """The first paragraph of the error's message (up to its first blank line), on one line; the
    exception's type name when the message is empty."""
    lines = []
    for line in str(error).strip().splitlines():
        if not line.strip():
            break
        lines.append(line.strip())
    return " ".join(lines) or type(error).__name__
