//! The escaping writers: the only way design text enters an exported artefact.
//!
//! Every string in a design is hostile (a design is written by whoever holds a designer
//! account, and run by whoever exports it). Each target language gets one function that turns
//! any text into a literal of that language which reads back as exactly that text, or as a
//! documented replacement where the language cannot hold a character at all:
//! - [`shell_word`]: one bash word, always single-quoted; control and invisible characters as
//!   `$'\xNN'` byte escapes. NUL cannot be in a command-line argument: it becomes U+FFFD.
//! - [`hcl_string`]: an HCL quoted string; `${` and `%{` doubled so nothing is interpolated;
//!   controls as `\uNNNN`.
//! - [`yaml_string`]: a YAML double-quoted scalar; controls, line and paragraph separators, the
//!   byte-order mark and bidirectional controls as `\uNNNN`.
//! - [`xml_text`]: XML character data or attribute text; characters XML 1.0 cannot hold become
//!   U+FFFD; tab, newline and carriage return as character references (attribute values keep
//!   them through attribute normalisation).
//! - [`comment_text`]: one line of a `#` comment, never more: every control, separator and
//!   invisible character becomes `?`, and long text is cut.
//!
//! Invariant: no exporter writes design text without one of these (the hostile-string table in
//! `export/tests.rs` parses every export with the real parser of its language).

/// Whether a character is invisible or reorders text (bidirectional controls, zero-width
/// characters, the byte-order mark, soft hyphen): it can make code read other than it runs.
pub fn is_invisible(character: char) -> bool {
    matches!(
        character,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// Whether a character needs escaping in every target: a control character (C0, DEL, C1) or
/// an invisible one.
pub fn is_unsafe(character: char) -> bool {
    character.is_control() || is_invisible(character)
}

/// `text` as one bash word that expands to exactly `text` (NUL excepted: U+FFFD).
pub fn shell_word(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    let mut quoted_run = false;
    for character in text.chars() {
        let character = if character == '\0' {
            '\u{FFFD}'
        } else {
            character
        };
        if is_unsafe(character) {
            if quoted_run {
                out.push('\'');
                quoted_run = false;
            }
            out.push_str("$'");
            let mut bytes = [0u8; 4];
            for byte in character.encode_utf8(&mut bytes).bytes() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
            out.push('\'');
        } else if character == '\'' {
            if quoted_run {
                out.push('\'');
                quoted_run = false;
            }
            out.push_str("\\'");
        } else {
            if !quoted_run {
                out.push('\'');
                quoted_run = true;
            }
            out.push(character);
        }
    }
    if quoted_run {
        out.push('\'');
    }
    if out.is_empty() {
        out.push_str("''");
    }
    out
}

/// `text` as an HCL quoted string (with its quotes) that Terraform reads as exactly `text`,
/// never interpolating a template sequence.
pub fn hcl_string(text: &str) -> String {
    format!("\"{}\"", hcl_string_body(text))
}

/// The inside of an HCL quoted string (no quotes): for splicing after a template prefix.
pub fn hcl_string_body(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if characters.peek() == Some(&'{') => {
                out.push(character);
                out.push(character);
            }
            other if is_unsafe(other) => out.push_str(&format!("\\u{:04X}", other as u32)),
            other => out.push(other),
        }
    }
    out
}

/// `text` as a YAML double-quoted scalar (with its quotes).
pub fn yaml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            other if is_unsafe(other) => out.push_str(&format!("\\u{:04X}", other as u32)),
            other => out.push(other),
        }
    }
    out.push('"');
    out
}

/// Whether XML 1.0 can hold a character at all.
fn xml_can_hold(character: char) -> bool {
    matches!(character, '\t' | '\n' | '\r')
        || matches!(character, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `text` as XML character data or attribute text (without quotes).
pub fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            other if !xml_can_hold(other) => out.push('\u{FFFD}'),
            other => out.push(other),
        }
    }
    out
}

/// `text` as HTML text (for draw.io labels, which diagrams.net renders as HTML), to be put
/// through [`xml_text`] after: no tag, entity or line break of the design's survives.
pub fn html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The longest text a comment line carries before it is cut.
pub const COMMENT_TEXT_CHARACTERS: usize = 120;

/// `text` safe for the rest of one `#` comment line: every control, line separator and
/// invisible character becomes `?`, and text over [`COMMENT_TEXT_CHARACTERS`] is cut with `…`.
pub fn comment_text(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(COMMENT_TEXT_CHARACTERS)
        .map(|c| if is_unsafe(c) { '?' } else { c })
        .collect();
    if text.chars().count() > COMMENT_TEXT_CHARACTERS {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_quote_everything_and_escape_controls_as_bytes() {
        assert_eq!(shell_word("plain"), "'plain'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word("$(id)"), "'$(id)'");
        assert_eq!(shell_word("a\nb"), "'a'$'\\x0a''b'");
        assert_eq!(shell_word("\u{202E}"), "$'\\xe2\\x80\\xae'");
        assert_eq!(shell_word("\0"), "'\u{FFFD}'");
    }

    #[test]
    fn hcl_strings_never_interpolate() {
        assert_eq!(hcl_string("${file(\"x\")}"), "\"$${file(\\\"x\\\")}\"");
        assert_eq!(hcl_string("%{if}"), "\"%%{if}\"");
        assert_eq!(hcl_string("$${x}"), "\"$$${x}\"");
        assert_eq!(hcl_string("a\u{1}b"), "\"a\\u0001b\"");
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(comment_text("a\nb\r\u{2028}c"), "a?b??c");
        assert_eq!(comment_text(&"x".repeat(500)).chars().count(), 121);
    }

    #[test]
    fn xml_text_drops_what_xml_cannot_hold() {
        assert_eq!(
            xml_text("<a b=\"c\">\u{1}\n"),
            "&lt;a b=&quot;c&quot;&gt;\u{FFFD}&#10;"
        );
    }
}
