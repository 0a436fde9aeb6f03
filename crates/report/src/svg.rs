//! The ladder's SVG charts: the log-log chart of the sweeps ([`loglog_chart`]: lines through points, fits
//! dashed, a legend on the right), the log-scale bars of speedup.svg ([`bar_chart`]) and the grouped bars
//! of scripts/compare's chart ([`grouped_bar_chart`], on the same frame and grid). Lines carry
//! `class="series"` (with the kernel in `data-kernel`) or `"fit"`, bars `class="bar"` and their `data-*`
//! attributes, legend boxes `class="legend"`, for tests and readers.

use crate::pyfmt::{fixed, g};
use crate::pymath::{int_pow10, pow};

/// Ten distinct colours: series past the tenth repeat a colour.
pub const PALETTE: [&str; 10] =
    ["#1b6ca8", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#17becf", "#666666"];

/// Characters XML 1.0 cannot hold at all, escaped or not (control characters but tab, LF, CR; U+FFFE,
/// U+FFFF; a Rust string holds no lone surrogate): replaced by U+FFFD, so that a strange name never
/// makes the file invalid.
fn not_xml(c: char) -> bool {
    matches!(u32::from(c), 0..=0x08 | 0x0b | 0x0c | 0x0e..=0x1f | 0xfffe | 0xffff)
}

fn escaped(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' if attribute => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            c if not_xml(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Text content: `xml.sax.saxutils.escape`.
pub fn escape(text: &str) -> String {
    escaped(text, false)
}

/// An attribute's value with its quotes: `xml.sax.saxutils.quoteattr` (single quotes around a value
/// holding `"` but no `'`; `&quot;` where it holds both).
pub fn quoteattr(text: &str) -> String {
    let value = escaped(text, true);
    match (value.contains('"'), value.contains('\'')) {
        (true, true) => format!("\"{}\"", value.replace('"', "&quot;")),
        (true, false) => format!("'{value}'"),
        _ => format!("\"{value}\""),
    }
}

/// The page: its size, font and white background.
pub fn header(width: u32, height: u32) -> Vec<String> {
    vec![
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">"#
        ),
        format!(r#"<rect width="{width}" height="{height}" fill="white"/>"#),
    ]
}

pub fn title(x: u32, y: u32, text: &str) -> String {
    format!(r#"<text x="{x}" y="{y}" font-size="15" font-weight="bold">{}</text>"#, escape(text))
}

fn finish(mut parts: Vec<String>) -> String {
    parts.push("</svg>".into());
    parts.join("\n") + "\n"
}

/// (lo, hi) exponents of the powers of ten around the positive, finite `values`, at least one apart; None
/// without any. Within 1e-300..1e300, so that every grid line's 10^k is itself a positive, finite float.
pub fn decades(values: impl IntoIterator<Item = f64>) -> Option<(i32, i32)> {
    let drawable: Vec<f64> = values.into_iter().filter(|v| v.is_finite() && *v > 0.0).collect();
    let least = crate::pymath::min_by_key(drawable.iter().copied(), |v| v)?;
    let most = crate::pymath::max(drawable.iter().copied())?;
    // floor and ceil of a positive, finite float's log10 lie within -324..309
    let lo = (least.log10().floor() as i32).clamp(-300, 299);
    Some((lo, (most.log10().ceil() as i32).max(lo + 1).min(300)))
}

/// Decade `lo` at pixel `start`, decade `hi` at `start + length`.
pub fn log_scale(lo: i32, hi: i32, start: i32, length: i32) -> impl Fn(f64) -> f64 {
    move |v| f64::from(start) + f64::from(length) * (v.log10() - f64::from(lo)) / f64::from(hi - lo)
}

/// Where a bar that has no value says why.
const MISSING_COLOUR: &str = "#a00";

/// One bar of [`bar_chart`]: its label, its value (None, or one a log scale cannot place: no bar, and
/// `missing` in its place), its colour, the text beside it, and `data-*` attributes (name, value).
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub colour: &'static str,
    pub text: String,
    pub missing: String,
    pub attrs: Vec<(&'static str, String)>,
}

const BAR_W: i32 = 460;
const PAD: i32 = 16;

/// A bar chart's page, title and notes (a line each), for bars whose labels are `labels` long (in
/// characters) and whose values are `values`: its lines, its scale, the labels' width and its decades.
fn frame(
    heading: &str,
    notes: &[String],
    labels: impl Iterator<Item = usize>,
    values: impl Iterator<Item = f64>,
    bottom: i32,
    margin: i32,
) -> (Vec<String>, impl Fn(f64) -> f64, i32, (i32, i32)) {
    let (lo, hi) = decades(values).unwrap_or((0, 1));
    let label_w = 7 * labels.max().unwrap_or(0).max(10) as i32 + PAD;
    let mut out = header((label_w + BAR_W + margin) as u32, (bottom + 2 * PAD + 12) as u32);
    out.push(title(PAD as u32, (PAD + 12) as u32, heading));
    for (i, note) in notes.iter().enumerate() {
        out.push(format!(r##"<text x="{PAD}" y="{}" fill="#444">{}</text>"##, PAD + 32 + 16 * i as i32, escape(note)));
    }
    (out, log_scale(lo, hi, label_w, BAR_W), label_w, (lo, hi))
}

/// A line per power of ten from `top` to `bottom`, labelled `tick(v)` under it.
fn grid(
    out: &mut Vec<String>,
    x: &impl Fn(f64) -> f64,
    (lo, hi): (i32, i32),
    top: i32,
    bottom: i32,
    tick: impl Fn(f64) -> String,
) {
    for k in lo..=hi {
        let gx = fixed(x(int_pow10(k)), 1);
        out.push(format!(r##"<line x1="{gx}" y1="{}" x2="{gx}" y2="{bottom}" stroke="#ccc"/>"##, top - 4));
        out.push(format!(
            r##"<text x="{gx}" y="{}" text-anchor="middle" fill="#555">{}</text>"##,
            bottom + 16,
            escape(&tick(pow(10.0, f64::from(k))))
        ));
    }
}

/// One bar from `label_w`, `height` high at `y`, and its text at `text_y` (in `font`, an attribute or
/// nothing); without a value a log scale can place, the reason in its place.
fn bar(
    out: &mut Vec<String>,
    b: &Bar,
    x: &impl Fn(f64) -> f64,
    label_w: i32,
    (y, height, text_y): (i32, i32, i32),
    font: &str,
) {
    let Some(value) = b.value.filter(|v| v.is_finite() && *v > 0.0) else {
        out.push(format!(
            r#"<text x="{}" y="{text_y}"{font} fill="{MISSING_COLOUR}">{}</text>"#,
            label_w + 6,
            escape(&b.missing)
        ));
        return;
    };
    let width = (x(value) - f64::from(label_w)).max(1.0);
    let attrs: String = b.attrs.iter().map(|(k, v)| format!(" {k}={}", quoteattr(v))).collect();
    out.push(format!(
        r#"<rect class="bar"{attrs} x="{label_w}" y="{y}" width="{}" height="{height}" fill="{}"/>"#,
        fixed(width, 1),
        b.colour
    ));
    out.push(format!(
        r#"<text x="{}" y="{text_y}"{font}>{}</text>"#,
        fixed(f64::from(label_w) + width + 6.0, 1),
        escape(&b.text)
    ));
}

/// Horizontal log-scale bars, one per row, under a title and `notes` (a line each). `tick(v)` labels the
/// power of ten v.
pub fn bar_chart(heading: &str, notes: &[String], bars: &[Bar], tick: impl Fn(f64) -> String) -> String {
    const ROW_H: i32 = 24;
    let top = 2 * PAD + 56;
    let bottom = top + ROW_H * bars.len() as i32;
    let labels = bars.iter().map(|b| b.label.chars().count());
    let (mut out, x, label_w, span) = frame(heading, notes, labels, bars.iter().filter_map(|b| b.value), bottom, 110);
    grid(&mut out, &x, span, top, bottom, tick);
    for (i, b) in bars.iter().enumerate() {
        let y = top + i as i32 * ROW_H;
        out.push(format!(r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#, label_w - 8, y + 16, escape(&b.label)));
        bar(&mut out, b, &x, label_w, (y + 4, ROW_H - 8, y + 16), "");
    }
    finish(out)
}

/// A group of [`grouped_bar_chart`]: its label and a bar per series (their `label` unused, their colour
/// the series').
pub struct BarGroup {
    pub label: String,
    pub bars: Vec<Bar>,
}

/// Horizontal log-scale bars, one per series in each group, under a title, `notes` (a line each) and the
/// legend of `series` (name, colour). `tick(v)` labels the power of ten v.
pub fn grouped_bar_chart(
    heading: &str,
    notes: &[String],
    series: &[(String, &'static str)],
    groups: &[BarGroup],
    tick: impl Fn(f64) -> String,
) -> String {
    const SUB_H: i32 = 14; // one bar of a group
    let group_h = SUB_H * series.len() as i32 + 10;
    let top = 2 * PAD + 40 + 16 * notes.len() as i32 + 18 * series.len() as i32;
    let bottom = top + group_h * groups.len() as i32;
    let labels = groups.iter().map(|g| g.label.chars().count());
    let values = groups.iter().flat_map(|g| g.bars.iter().filter_map(|b| b.value));
    let (mut out, x, label_w, span) = frame(heading, notes, labels, values, bottom, 130);
    let legend_y = PAD + 32 + 16 * notes.len() as i32;
    for (j, (name, colour)) in series.iter().enumerate() {
        let y = legend_y + 18 * j as i32;
        out.push(format!(r#"<rect class="legend" x="{PAD}" y="{}" width="12" height="12" fill="{colour}"/>"#, y - 10));
        out.push(format!(r#"<text x="{}" y="{y}">{}</text>"#, PAD + 18, escape(name)));
    }
    grid(&mut out, &x, span, top, bottom, tick);
    for (i, group) in groups.iter().enumerate() {
        let y0 = top + i as i32 * group_h;
        // a float, as the scripts wrote it (`118.0`)
        let middle = fixed(f64::from(y0) + f64::from(group_h - 10) / 2.0 + 4.0, 1);
        out.push(format!(
            r#"<text x="{}" y="{middle}" text-anchor="end">{}</text>"#,
            label_w - 8,
            escape(&group.label)
        ));
        for (j, b) in group.bars.iter().enumerate().take(series.len()) {
            let y = y0 + j as i32 * SUB_H;
            bar(&mut out, b, &x, label_w, (y + 1, SUB_H - 2, y + 11), r#" font-size="10""#);
        }
        if i > 0 {
            out.push(format!(
                r##"<line x1="{PAD}" y1="{}" x2="{}" y2="{}" stroke="#eee"/>"##,
                y0 - 3,
                label_w + BAR_W,
                y0 - 3
            ));
        }
    }
    finish(out)
}

/// A power of ten as a tick label, `f"{v:g}"` and a suffix: `0.01×`, `1e+06×`.
pub fn g_tick(suffix: &'static str) -> impl Fn(f64) -> String {
    move |v| format!("{}{suffix}", g(v, 6))
}

/// One line of a log-log chart: its points, and its fit (dashed) where it has one.
pub struct Series {
    pub name: String,
    pub colour: &'static str,
    pub points: Vec<(f64, f64)>,
    pub fit: Option<Vec<(f64, f64)>>,
}

/// Lines through points on log-log axes, a legend on the right: `x_tick(k)` and `y_tick(k)` label 10^k;
/// `footnote` goes under the legend.
pub fn loglog_chart(
    heading: &str,
    series: &[Series],
    x_label: &str,
    y_label: &str,
    x_tick: impl Fn(i32) -> String,
    y_tick: impl Fn(i32) -> String,
    footnote: Option<&str>,
) -> String {
    const W: i32 = 720;
    const H: i32 = 440;
    const L: i32 = 80;
    const R: i32 = 200;
    const T: i32 = 50;
    const B: i32 = 50;
    let mut out = header(W as u32, H as u32);
    out.push(title(L as u32, 24, heading));
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let ys = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let (Some((x0, x1)), Some((y0, y1))) = (decades(xs), decades(ys)) else {
        out.push(format!(r#"<text x="{L}" y="{}">no points</text></svg>"#, T + 20));
        return out.join("\n") + "\n";
    };
    let px = log_scale(x0, x1, L, W - L - R);
    let py = log_scale(y0, y1, H - B, -(H - T - B));
    let at = |v: f64| fixed(v, 1);

    for k in x0..=x1 {
        let gx = at(px(int_pow10(k)));
        out.push(format!(r##"<line x1="{gx}" y1="{T}" x2="{gx}" y2="{}" stroke="#ddd"/>"##, H - B));
        out.push(format!(
            r##"<text x="{gx}" y="{}" text-anchor="middle" fill="#555">{}</text>"##,
            H - B + 16,
            escape(&x_tick(k))
        ));
    }
    for k in y0..=y1 {
        let gy = py(int_pow10(k));
        out.push(format!(r##"<line x1="{L}" y1="{}" x2="{}" y2="{}" stroke="#ddd"/>"##, at(gy), W - R, at(gy)));
        out.push(format!(
            r##"<text x="{}" y="{}" text-anchor="end" fill="#555">{}</text>"##,
            L - 6,
            at(gy + 4.0),
            escape(&y_tick(k))
        ));
    }
    // Python's `/` of two ints is a float: 300.0, 220.0
    let (mid_x, mid_y) = (fixed(f64::from(L + W - R) / 2.0, 1), fixed(f64::from(T + H - B) / 2.0, 1));
    out.push(format!(r#"<text x="{mid_x}" y="{}" text-anchor="middle">{}</text>"#, H - 12, escape(x_label)));
    out.push(format!(
        r#"<text x="16" y="{mid_y}" transform="rotate(-90 16 {mid_y})" text-anchor="middle">{}</text>"#,
        escape(y_label)
    ));

    let d = |points: &[(f64, f64)]| -> String {
        let steps = points
            .iter()
            .enumerate()
            .map(|(j, &(x, y))| format!("{}{},{}", if j == 0 { 'M' } else { 'L' }, at(px(x)), at(py(y))));
        steps.collect::<Vec<_>>().join(" ")
    };
    for (i, s) in series.iter().enumerate() {
        let (colour, i) = (s.colour, i as i32);
        out.push(format!(
            r#"<path class="series" data-kernel={} d="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
            quoteattr(&s.name),
            d(&s.points)
        ));
        for &(x, y) in &s.points {
            out.push(format!(r#"<circle cx="{}" cy="{}" r="3" fill="{colour}"/>"#, at(px(x)), at(py(y))));
        }
        if let Some(fit) = s.fit.as_deref().filter(|f| f.len() >= 2) {
            out.push(format!(
                r#"<path class="fit" d="{}" fill="none" stroke="{colour}" stroke-dasharray="5,4" opacity="0.7"/>"#,
                d(fit)
            ));
        }
        out.push(format!(r#"<rect x="{}" y="{}" width="12" height="12" fill="{colour}"/>"#, W - R + 12, T + 20 * i));
        out.push(format!(r#"<text x="{}" y="{}">{}</text>"#, W - R + 30, T + 20 * i + 11, escape(&s.name)));
    }
    if let Some(note) = footnote {
        out.push(format!(
            r##"<text x="{}" y="{}" fill="#555">{}</text>"##,
            W - R + 12,
            T + 20 * series.len() as i32 + 14,
            escape(note)
        ));
    }
    finish(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xml.sax.saxutils' own answers, the replacement of what XML cannot hold first.
    #[test]
    fn escapes_as_saxutils_does() {
        assert_eq!(escape("a<b>&c\"'\t\n\u{1}\u{fffe}"), "a&lt;b&gt;&amp;c\"'\t\n\u{fffd}\u{fffd}");
        assert_eq!(quoteattr("k"), "\"k\"");
        assert_eq!(quoteattr("k\" onload=\"x"), "'k\" onload=\"x'");
        assert_eq!(quoteattr("a\"b'c"), "\"a&quot;b'c\"");
        assert_eq!(quoteattr("a\tb\nc\rd<"), "\"a&#9;b&#10;c&#13;d&lt;\"");
    }

    #[test]
    fn decades_hold_the_values_at_least_one_apart() {
        assert_eq!(decades([0.5, 3.0]), Some((-1, 1)));
        assert_eq!(decades([1.0]), Some((0, 1)));
        assert_eq!(decades([100.0, 1000.0]), Some((2, 3)));
        assert_eq!(decades([5e-324, 1.7e308]), Some((-300, 300)));
        assert_eq!(decades([0.0, -1.0, f64::INFINITY]), None);
    }

    #[test]
    fn no_points_is_a_chart_that_says_so() {
        let text = loglog_chart("h", &[], "x", "y", |k| k.to_string(), |k| k.to_string(), None);
        assert!(text.ends_with("<text x=\"80\" y=\"70\">no points</text></svg>\n"), "{text}");
    }
}
