"""The SVG writer of the ladder scripts, standard library only: `grouped_bar_chart` (a bar per series in each row:
compare's machine chart); speedup.svg's bars and the sweeps' log-log chart are crates/report's (src/svg.rs, the
same rules). Bars carry `class="bar"` and `data-*` attributes, for tests and
readers."""

import math
import re
from xml.sax import saxutils

# Characters XML 1.0 cannot hold at all, escaped or not (control characters but tab, LF, CR; lone
# surrogates; U+FFFE/U+FFFF): replaced by U+FFFD so that a strange name never makes the file invalid.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text):
    return saxutils.escape(_NOT_XML.sub("\ufffd", str(text)))


def quoteattr(text):  # numbers too
    return saxutils.quoteattr(_NOT_XML.sub("\ufffd", str(text)))


MISSING_COLOUR = "#a00"
# Ten distinct colours: compare draws a series per result set, and sets past the tenth repeat a colour.
PALETTE = ["#1b6ca8", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#17becf",
           "#666666"]


def _attrs(attrs):
    return "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in (attrs or {}).items())


def header(width, height):
    return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
            f'<rect width="{width}" height="{height}" fill="white"/>']


def title(x, y, text):
    return f'<text x="{x}" y="{y}" font-size="15" font-weight="bold">{escape(text)}</text>'


def finish(parts):
    return "\n".join(parts + ["</svg>"]) + "\n"


def _drawable(v):
    """A positive, finite number: what a log scale can place."""
    return isinstance(v, (int, float)) and math.isfinite(v) and v > 0


def decades(values):
    """(lo, hi) exponents of the powers of ten around the positive `values`, at least one apart; None without any."""
    values = [v for v in values if _drawable(v)]
    if not values:
        return None
    # within 1e-300..1e300, so that every grid line's 10**k is itself a positive, finite float (a denormal
    # time such as 5e-324 would otherwise ask for 10**-324, which is 0.0, and its log a domain error)
    lo = min(max(math.floor(math.log10(min(values))), -300), 299)
    return lo, min(max(math.ceil(math.log10(max(values))), lo + 1), 300)


def log_scale(lo, hi, start, length):
    """Decade `lo` at pixel `start`, decade `hi` at `start + length`."""
    return lambda v: start + length * (math.log10(v) - lo) / (hi - lo)


# --- bars --------------------------------------------------------------------------------------


SUB_H, BAR_W, PAD = 14, 460, 16  # SUB_H: one bar of a group


def _frame(heading, notes, labels, values, bottom, margin):
    """A bar chart's page, title and notes: (its lines, the scale, the labels' width, its decades)."""
    lo, hi = decades(values) or (0, 1)
    label_w = 7 * max([len(x) for x in labels] + [10]) + PAD
    out = header(label_w + BAR_W + margin, bottom + 2 * PAD + 12) + [title(PAD, PAD + 12, heading)]
    out += [f'<text x="{PAD}" y="{PAD + 32 + 16 * i}" fill="#444">{escape(n)}</text>' for i, n in enumerate(notes)]
    return out, log_scale(lo, hi, label_w, BAR_W), label_w, (lo, hi)


def _grid(out, scale, span, top, bottom, tick):
    for k in range(span[0], span[1] + 1):
        gx = scale(10 ** k)
        out.append(f'<line x1="{gx:.1f}" y1="{top - 4}" x2="{gx:.1f}" y2="{bottom}" stroke="#ccc"/>')
        out.append(f'<text x="{gx:.1f}" y="{bottom + 16}" text-anchor="middle" '
                   f'fill="#555">{escape(tick(10.0 ** k))}</text>')


def _bar(out, b, x, label_w, y, height, colour, text_y, font=""):
    """One bar from `label_w` and its text, or without a value the reason in its place."""
    if not _drawable(b["value"]):
        out.append(f'<text x="{label_w + 6}" y="{text_y}"{font} fill="{MISSING_COLOUR}">{escape(b["missing"])}</text>')
        return
    bar = max(x(b["value"]) - label_w, 1.0)
    out.append(f'<rect class="bar"{_attrs(b.get("attrs"))} x="{label_w}" y="{y}" width="{bar:.1f}" '
               f'height="{height}" fill="{colour}"/>')
    out.append(f'<text x="{label_w + bar + 6:.1f}" y="{text_y}"{font}>{escape(b["text"])}</text>')


def grouped_bar_chart(heading, notes, series, groups, tick):
    """Horizontal log-scale bars, one per series in each group: `series` [(name, colour)], the legend; `groups`
    dicts with `label` and `bars`: dicts with `value` (None: no bar), `text` (beside the bar), `missing` (instead of
    it), `attrs`. `notes`: lines under the title; `tick(v)`: the label of the power of ten v."""
    group_h = SUB_H * len(series) + 10
    top = 2 * PAD + 40 + 16 * len(notes) + 18 * len(series)
    bottom = top + group_h * len(groups)
    out, x, label_w, span = _frame(heading, notes, [g["label"] for g in groups],
                                   [b["value"] for g in groups for b in g["bars"]], bottom, 130)
    legend_y = PAD + 32 + 16 * len(notes)
    for j, (name, colour) in enumerate(series):
        y = legend_y + 18 * j
        out.append(f'<rect class="legend" x="{PAD}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{PAD + 18}" y="{y}">{escape(name)}</text>')
    _grid(out, x, span, top, bottom, tick)
    for i, group in enumerate(groups):
        y0 = top + i * group_h
        middle = y0 + (group_h - 10) / 2 + 4
        out.append(f'<text x="{label_w - 8}" y="{middle:.1f}" text-anchor="end">{escape(group["label"])}</text>')
        for j, ((_, colour), b) in enumerate(zip(series, group["bars"])):
            y = y0 + j * SUB_H
            _bar(out, b, x, label_w, y + 1, SUB_H - 2, colour, y + 11, ' font-size="10"')
        if i:
            out.append(f'<line x1="{PAD}" y1="{y0 - 3}" x2="{label_w + BAR_W}" y2="{y0 - 3}" stroke="#eee"/>')
    return finish(out)
