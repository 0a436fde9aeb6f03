"""The one SVG writer of the ladder scripts, standard library only: `bar_chart` (log-scale bars, speedup.svg),
`grouped_bar_chart` (a bar per series in each row: compare's machine chart), `loglog_chart` (the sweeps, fits
dashed). Bars carry `class="bar"` and `data-*` attributes, lines `class="series"`/`"fit"`, for tests and readers."""

import math
import re
from xml.sax import saxutils

# Characters XML 1.0 cannot hold at all, escaped or not (control characters but tab, LF, CR; lone
# surrogates; U+FFFE/U+FFFF): replaced by U+FFFD so that a strange name never makes the file invalid.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text):
    return saxutils.escape(_NOT_XML.sub("\ufffd", str(text)))


def quoteattr(text):
    return saxutils.quoteattr(_NOT_XML.sub("\ufffd", str(text)))

MISSING_COLOUR = "#a00"
PALETTE = ["#1b6ca8", "#d95f02", "#1b9e77", "#7570b3", "#e7298a"]


def _attrs(attrs):
    return "".join(f" {k.replace('_', '-')}={quoteattr(str(v))}" for k, v in (attrs or {}).items())


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


def decades(values, minimum=1):
    """(lo, hi) exponents of the powers of ten around the positive `values`, at least `minimum` apart; None without
    any."""
    values = [v for v in values if _drawable(v)]
    if not values:
        return None
    lo, hi = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
    return lo, max(hi, lo + minimum)


class LogScale:
    """Decade `lo` at pixel `start`, decade `hi` at `start + length`."""

    def __init__(self, lo, hi, start, length):
        self.lo, self.hi, self.start, self.length = lo, hi, start, length

    def __call__(self, v):
        return self.start + self.length * (math.log10(v) - self.lo) / (self.hi - self.lo)


# --- bars --------------------------------------------------------------------------------------


ROW_H, BAR_W, PAD = 24, 460, 16


def _label_width(labels):
    return 7 * max([len(x) for x in labels] + [10]) + PAD


def _grid(out, scale, lo, hi, top, bottom, tick):
    for k in range(lo, hi + 1):
        gx = scale(10 ** k)
        out.append(f'<line x1="{gx:.1f}" y1="{top - 4}" x2="{gx:.1f}" y2="{bottom}" stroke="#ccc"/>')
        out.append(f'<text x="{gx:.1f}" y="{bottom + 16}" text-anchor="middle" '
                   f'fill="#555">{escape(tick(10.0 ** k))}</text>')


def bar_chart(heading, notes, rows, tick):
    """Horizontal log-scale bars, one per row: dicts with `label`, `value` (None: no bar), `colour`, `text` (beside
    the bar), `missing` (instead of it), `attrs`. `notes`: lines under the title; `tick(v)`: the label of the
    power of ten v."""
    span = decades([r["value"] for r in rows]) or (0, 1)
    lo, hi = span
    label_w = _label_width([r["label"] for r in rows])
    top = 2 * PAD + 56
    bottom = top + ROW_H * len(rows)
    height = bottom + 2 * PAD + 12
    width = label_w + BAR_W + 110
    x = LogScale(lo, hi, label_w, BAR_W)
    out = header(width, height) + [title(PAD, PAD + 12, heading)]
    out += [f'<text x="{PAD}" y="{PAD + 32 + 16 * i}" fill="#444">{escape(n)}</text>' for i, n in enumerate(notes)]
    _grid(out, x, lo, hi, top, bottom, tick)
    for i, row in enumerate(rows):
        y = top + i * ROW_H
        out.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{escape(row["label"])}</text>')
        if _drawable(row["value"]):
            bar = max(x(row["value"]) - label_w, 1.0)
            out.append(f'<rect class="bar"{_attrs(row.get("attrs"))} x="{label_w}" y="{y + 4}" '
                       f'width="{bar:.1f}" height="{ROW_H - 8}" fill="{row["colour"]}"/>')
            out.append(f'<text x="{label_w + bar + 6:.1f}" y="{y + 16}">{escape(row["text"])}</text>')
        else:
            out.append(f'<text x="{label_w + 6}" y="{y + 16}" fill="{MISSING_COLOUR}">{escape(row["missing"])}</text>')
    return finish(out)


SUB_H = 14  # one bar of a group


def grouped_bar_chart(heading, notes, series, groups, tick):
    """`bar_chart` with one bar per series in each group: `series` [(name, colour)], the legend; `groups` dicts with
    `label` and `bars` (as `bar_chart`'s rows)."""
    span = decades([b["value"] for g in groups for b in g["bars"]]) or (0, 1)
    lo, hi = span
    label_w = _label_width([g["label"] for g in groups])
    group_h = SUB_H * len(series) + 10
    top = 2 * PAD + 40 + 16 * len(notes) + 18 * len(series)
    bottom = top + group_h * len(groups)
    height = bottom + 2 * PAD + 12
    width = label_w + BAR_W + 130
    x = LogScale(lo, hi, label_w, BAR_W)
    out = header(width, height) + [title(PAD, PAD + 12, heading)]
    out += [f'<text x="{PAD}" y="{PAD + 32 + 16 * i}" fill="#444">{escape(n)}</text>' for i, n in enumerate(notes)]
    legend_y = PAD + 32 + 16 * len(notes)
    for j, (name, colour) in enumerate(series):
        y = legend_y + 18 * j
        out.append(f'<rect class="legend" x="{PAD}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{PAD + 18}" y="{y}">{escape(name)}</text>')
    _grid(out, x, lo, hi, top, bottom, tick)
    for i, group in enumerate(groups):
        y0 = top + i * group_h
        middle = y0 + (group_h - 10) / 2 + 4
        out.append(f'<text x="{label_w - 8}" y="{middle:.1f}" text-anchor="end">{escape(group["label"])}</text>')
        for j, ((_, colour), b) in enumerate(zip(series, group["bars"])):
            y = y0 + j * SUB_H
            if _drawable(b["value"]):
                bar = max(x(b["value"]) - label_w, 1.0)
                out.append(f'<rect class="bar"{_attrs(b.get("attrs"))} x="{label_w}" y="{y + 1}" '
                           f'width="{bar:.1f}" height="{SUB_H - 2}" fill="{colour}"/>')
                out.append(f'<text x="{label_w + bar + 6:.1f}" y="{y + 11}" font-size="10">{escape(b["text"])}</text>')
            else:
                out.append(f'<text x="{label_w + 6}" y="{y + 11}" font-size="10" '
                           f'fill="{MISSING_COLOUR}">{escape(b["missing"])}</text>')
        if i:
            out.append(f'<line x1="{PAD}" y1="{y0 - 3}" x2="{label_w + BAR_W}" y2="{y0 - 3}" stroke="#eee"/>')
    return finish(out)


# --- lines ---------------------------------------------------------------------------------------


def loglog_chart(heading, series, x_label, y_label, x_tick, y_tick, footnote=None):
    """Lines through points on log-log axes, a legend on the right. `series`: dicts with `name`, `colour`, `points`
    [(x, y)] and `fit` (dashed) or None; `x_tick(k)`/`y_tick(k)`: the label of 10**k."""
    W, H, L, R, T, B = 720, 440, 80, 200, 50, 50
    out = header(W, H) + [title(L, 24, heading)]
    xs = [x for s in series for x, _ in s["points"]]
    ys = [y for s in series for _, y in s["points"]]
    if not xs:
        out.append(f'<text x="{L}" y="{T + 20}">no points</text></svg>')
        return "\n".join(out) + "\n"
    x0, x1 = decades(xs)
    y0, y1 = decades(ys)
    px = LogScale(x0, x1, L, W - L - R)

    def py(v):
        return H - B - (H - T - B) * (math.log10(v) - y0) / (y1 - y0)

    for k in range(x0, x1 + 1):
        out.append(f'<line x1="{px(10**k):.1f}" y1="{T}" x2="{px(10**k):.1f}" y2="{H - B}" stroke="#ddd"/>')
        out.append(f'<text x="{px(10**k):.1f}" y="{H - B + 16}" text-anchor="middle" fill="#555">{escape(x_tick(k))}</text>')
    for k in range(y0, y1 + 1):
        out.append(f'<line x1="{L}" y1="{py(10**k):.1f}" x2="{W - R}" y2="{py(10**k):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{L - 6}" y="{py(10**k) + 4:.1f}" text-anchor="end" fill="#555">{escape(y_tick(k))}</text>')
    out.append(f'<text x="{(L + W - R) / 2}" y="{H - 12}" text-anchor="middle">{escape(x_label)}</text>')
    out.append(f'<text x="16" y="{(T + H - B) / 2}" transform="rotate(-90 16 {(T + H - B) / 2})" '
               f'text-anchor="middle">{escape(y_label)}</text>')

    def d(points):
        return " ".join(f"{'M' if j == 0 else 'L'}{px(x):.1f},{py(y):.1f}" for j, (x, y) in enumerate(points))

    for i, s in enumerate(series):
        colour, name = s["colour"], escape(s["name"])
        out.append(f'<path class="series" data-kernel="{name}" d="{d(s["points"])}" fill="none" '
                   f'stroke="{colour}" stroke-width="2"/>')
        for x, y in s["points"]:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>')
        if s.get("fit") and len(s["fit"]) >= 2:
            out.append(f'<path class="fit" d="{d(s["fit"])}" fill="none" stroke="{colour}" '
                       f'stroke-dasharray="5,4" opacity="0.7"/>')
        out.append(f'<rect x="{W - R + 12}" y="{T + 20 * i}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{W - R + 30}" y="{T + 20 * i + 11}">{name}</text>')
    if footnote:
        out.append(f'<text x="{W - R + 12}" y="{T + 20 * len(series) + 14}" fill="#555">{escape(footnote)}</text>')
    return finish(out)
