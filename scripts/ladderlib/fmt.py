"""Number formatting and the table renderer of scripts/compare's and scripts/ab's outputs (console text and markdown).
summary.md and the ladder's console table are crates/report's (`mandel-report summary`: figures.rs and table.rs
spell the same figures)."""

import math
import re

DASH = "—"


def _sig(v):
    # compare the rounded value, so 99.98 reads "100", not "100.0"
    return f"{v:.0f}" if round(v, 1) >= 100 else f"{v:.1f}" if round(v, 2) >= 10 else f"{v:.2f}"


_UNITS = (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9))


def _unit(seconds):
    """The largest unit `seconds` reaches, or the next one up where it rounds to 1000: 0.9996 s is `1.00 s`,
    not `1000 ms`."""
    i = next((i for i, (_, scale) in enumerate(_UNITS) if seconds >= scale), len(_UNITS) - 1)
    return _UNITS[i - 1 if i and float(_sig(seconds / _UNITS[i][1])) >= 1000 else i]


def time(seconds):
    """3 significant figures in the unit that suits: `6.55 s`, `121 ms`, `9.87 ms`, `512 µs`."""
    if seconds is None:
        return DASH
    name, scale = _unit(seconds)
    return f"{_sig(seconds / scale)} {name}"


def span(low, high):
    """A confidence interval or min-max range in one unit: `121–122 ms`."""
    if low is None or high is None:
        return DASH
    name, scale = _unit(high)
    return f"{_sig(low / scale)}–{_sig(high / scale)} {name}"


def speedup(x):
    """`1.03`, `10.58`, `46.48`, `1,234`: two decimals below 100, like the article; below 0.01 three significant
    figures (`0.00440`), since two decimals would print a real slowdown as `0.00`."""
    if x is None:
        return DASH
    if 0 < x < 0.01:
        text = f"{x:.{2 - math.floor(math.log10(x))}f}"
        if float(text) < 0.01:  # 0.009996 rounds up: it reads "0.01" as above
            return text
    return f"{x:,.0f}" if round(x, 2) >= 100 else f"{x:.2f}"


def agreement(row):
    """`0/0 ok`, `1,368/9,218 ok`, `FAIL 20,000/923`: pixels differing from the reference / allowed."""
    if row.get("differing") is None:  # a failure without a count: the output could not be compared
        return "FAIL" if row.get("verified_ok") is False else DASH
    allowed = DASH if row.get("allowed") is None else f"{row['allowed']:,}"
    return f"{row['differing']:,}/{allowed} ok" if row.get("verified_ok") else f"FAIL {row['differing']:,}/{allowed}"


def threads(row):
    t = row.get("threads")
    return DASH if t is None else str(t)


def text_table(header, body, right):
    """Aligned plain text for the console."""
    widths = [max(len(str(x)) for x in col) for col in zip(header, *body)]

    def line(values):
        return "  ".join(str(v).rjust(w) if h in right else str(v).ljust(w)
                         for v, w, h in zip(values, widths, header)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, body)])


# Markdown text from data (a rung label, a CPU model, a note): a line break would end a table row or start a
# heading, a '|' would split a cell, '<' before a letter, '/', '!' or '?' would open HTML or an autolink ('p < 0.01'
# stays as written); '&' is escaped so that an entity in the data reads as text.
# Control characters (a terminal's escapes among them) as spaces; pipes, ampersands and tags escaped.
_MD = str.maketrans({**{c: " " for c in [*range(0x20), *range(0x7f, 0xa0)]}, "|": "\\|", "&": "&amp;"})
_TAG = re.compile(r"<(?=[A-Za-z/!?])")


def md(value):
    """`value` as text safe in a Markdown table cell or on one Markdown line."""
    return _TAG.sub("&lt;", str(value).translate(_MD))


def md_table(header, body, right):
    rule = ["---:" if h in right else "---" for h in header]
    return "\n".join("| " + " | ".join(map(md, r)) + " |" for r in [header, rule, *body])
