"""The figure and the table renderer of scripts/ab's report (console text). Every other report's figures are
crates/report's (figures.rs, table.rs), which spell a time as `time` does here."""

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


def text_table(header, body, right):
    """Aligned plain text for the console."""
    widths = [max(len(str(x)) for x in col) for col in zip(header, *body)]

    def line(values):
        return "  ".join(str(v).rjust(w) if h in right else str(v).ljust(w)
                         for v, w, h in zip(values, widths, header)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, body)])
