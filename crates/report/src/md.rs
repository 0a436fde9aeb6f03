//! Text from data (a kernel name, a machine id) made safe in a Markdown table cell or on one Markdown
//! line: a line break would end a table row or start a heading, a `|` would split a cell, `<` before a letter,
//! `/`, `!` or `?` would open HTML or an autolink (`p < 0.01` stays as written); `&` is escaped so that an
//! entity in the data reads as text. Control characters (a terminal's escapes among them) become spaces.

/// `text` as text safe in a Markdown table cell or on one Markdown line.
pub fn md(text: &str) -> String {
    let chars: Vec<char> =
        text.chars().map(|c| if matches!(u32::from(c), 0..0x20 | 0x7f..0xa0) { ' ' } else { c }).collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '|' => out.push_str("\\|"),
            '&' => out.push_str("&amp;"),
            '<' if chars.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')) => {
                out.push_str("&lt;")
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::md;

    /// What the scripts' Python escaping wrote for each case.
    #[test]
    fn escapes_as_the_scripts_do() {
        assert_eq!(md("a|b\r\nc<d&e p < 0.01 <!--"), "a\\|b  c&lt;d&amp;e p < 0.01 &lt;!--");
        assert_eq!(md("k|<b>&amp;\n# Heading"), "k\\|&lt;b>&amp;amp; # Heading");
        assert_eq!(md("<|x <&x <\u{1b}[1m \u{85}é"), "<\\|x <&amp;x < [1m  é");
    }
}
