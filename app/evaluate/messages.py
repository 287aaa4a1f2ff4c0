"""The evaluator's own messages, as templates with ``{named}`` fields (no Qt here).

These are the notes the editor adds on a node (an unwired input, why a value became nan, a
result too large to compute, a graph past the evaluation's budget). The engine's own errors are
not here: they keep PyTorch's English wording, as a student sees it from torch. The templates
are extracted for translation (tools/update_translations.py, context "evaluator"), and
:func:`app.display.messages.localised` shows a filled-in message in the interface's language.
"""

from __future__ import annotations

NOT_CONNECTED = "input '{port}' is not connected"
SCALAR_NOT_A_NUMBER = "a scalar node holds one number, not {value}"
NUMBER_OUTPUT = "a python number has no backward(); choose a tensor node as the output"
NOT_A_TENSOR = "{op} did not return a tensor"
TOO_BIG = ("the result would have {count} elements (shape {shape}); the editor computes at most "
           "{limit}")
OVER_MEMORY = ("the graph's values and gradients would take {total} with this result ({this}); "
               "the editor evaluates at most {limit} at once")
OVER_WORK = ("the graph would take {total} element operations with this result ({this}); the "
             "editor evaluates at most {limit} at once")
#: retain_grad() on a tensor that does not require grad is an error in torch; here it is a
#: warning, so that ticking a checkbox never blocks the rest of the graph.
RETAIN_WITHOUT_GRAD = ("retain_grad() needs a tensor that requires grad; torch raises \"can't "
                       "retain_grad on Tensor that has requires_grad=False\"")
#: Why an operation can turn finite inputs into nan or inf (shown as a node warning).
NONFINITE_REASONS: dict[str, str] = {
    "log": "log of a negative number is nan, and log(0) is -inf",
    "sqrt": "sqrt of a negative number is nan",
    "div": "dividing by zero gives inf (and 0/0 gives nan)",
    "pow": "a negative number to a fractional power is nan; 0 to a negative power is inf",
    "exp": "exp of a large number overflows to inf",
}
NONFINITE = "{op} gave nan or inf"
#: A node on the side of a branch (Python's if) that did not run.
NOT_TAKEN = "not evaluated: the if {branch} took the {side} branch"
NOT_DECIDED = "not evaluated: the if {branch} could not decide which branch to take"
#: A static graph (define, then run) computes nothing until Run.
NOT_RUN = "not run yet: a static graph runs only when you press Run"

#: Every template, for translation.
TEMPLATES: tuple[str, ...] = (NOT_CONNECTED, SCALAR_NOT_A_NUMBER, NUMBER_OUTPUT, NOT_A_TENSOR,
                              TOO_BIG, OVER_MEMORY, OVER_WORK, RETAIN_WITHOUT_GRAD,
                              *NONFINITE_REASONS.values(), NONFINITE, NOT_TAKEN, NOT_DECIDED,
                              NOT_RUN)
