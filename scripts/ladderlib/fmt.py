"""Number formatting and the one table renderer every output uses (console text and markdown)."""

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


def rate(per_s):
    return DASH if per_s is None else f"{per_s / 1e6:,.1f} M/s"


def percent(share):
    return DASH if share is None else f"{share * 100:.2f}%" if share < 0.1 else f"{share * 100:.1f}%"


def agreement(row):
    """`0/0 ok`, `1,368/9,218 ok`, `FAIL 20,000/923`: pixels differing from the reference / allowed."""
    if row.get("differing") is None:  # a failure without a count: the output could not be compared
        return "FAIL" if row.get("verified_ok") is False else DASH
    allowed = DASH if row.get("allowed") is None else f"{row['allowed']:,}"
    return f"{row['differing']:,}/{allowed} ok" if row.get("verified_ok") else f"FAIL {row['differing']:,}/{allowed}"


def threads(row):
    t = row.get("threads")
    return DASH if t is None else str(t)


# The summary table: (header, cell) in the order shown. The article's three columns come first.
COLUMNS = [
    ("method", lambda r: r["method"]),
    ("time (median)", lambda r: "missing" if r["status"] == "missing" else time(r["median_s"])),
    ("speedup", lambda r: "no (failed verification)" if r["status"] == "failed" else speedup(r["speedup_vs_python"])),
    ("vs previous", lambda r: speedup(r["speedup_vs_previous"])),
    ("spread", lambda r: span(r["spread_low_s"], r["spread_high_s"])),
    ("language", lambda r: r["language"] or DASH),
    ("precision", lambda r: r["precision"] or DASH),
    ("ISA", lambda r: r["isa"] or DASH),
    ("threads", threads),
    ("iterations/s", lambda r: rate(r["iterations_per_s"])),
    ("of step ceiling", lambda r: percent(r["step_share"])),
    ("of FMA peak", lambda r: percent(r["peak_share"])),
    ("agreement", agreement),
]

RIGHT = {"time (median)", "speedup", "vs previous", "spread", "iterations/s", "of step ceiling", "of FMA peak"}


def cells(rows):
    return [h for h, _ in COLUMNS], [[cell(r) for _, cell in COLUMNS] for r in rows]


def text_table(header, body, right=RIGHT):
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


def md_table(header, body, right=RIGHT):
    rule = ["---:" if h in right else "---" for h in header]
    return "\n".join("| " + " | ".join(map(md, r)) + " |" for r in [header, rule, *body])
