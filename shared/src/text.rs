//! How wide text is drawn, and a label fitted to its box: a smaller size, then more lines,
//! never a cut and never an overflow, so every id on a diagram stays whole and readable.
//!
//! Widths are DejaVu Sans's own advance widths (Book and Bold, read from the fonts' `hmtx`
//! tables, in units of 1/2048 em): the font the SVG export names first, and what Chromium on
//! Debian draws `system-ui` and `sans-serif` with. It is wider than the system fonts of other
//! platforms, so a label fitted here fits there too. Characters outside ASCII count as a
//! full em.

/// The weight a label is drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// DejaVu Sans Book, ASCII 32 (space) to 126 (`~`).
const BOOK: [u16; 95] = [
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048,
    1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235,
    1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024, 1024,
    1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300,
    1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716,
];

/// DejaVu Sans Bold, ASCII 32 to 126.
const BOLD: [u16; 95] = [
    713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716, 778, 850, 778, 748, 1425,
    1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 819, 819, 1716, 1716, 1716, 1188, 2048,
    1585, 1561, 1503, 1700, 1399, 1399, 1681, 1714, 762, 762, 1587, 1305, 2038, 1714, 1741, 1501,
    1741, 1577, 1475, 1397, 1663, 1585, 2259, 1579, 1483, 1485, 936, 748, 936, 1716, 1024, 1024,
    1382, 1466, 1214, 1466, 1389, 891, 1466, 1458, 702, 702, 1362, 702, 2134, 1458, 1407, 1466,
    1466, 1010, 1219, 979, 1458, 1335, 1892, 1321, 1335, 1192, 1458, 748, 1458, 1716,
];

const UNITS_PER_EM: f64 = 2048.0;

/// The width of `text` drawn at `size` pixels.
pub fn width(text: &str, size: f64, weight: Weight) -> f64 {
    let table = match weight {
        Weight::Regular => &BOOK,
        Weight::Bold => &BOLD,
    };
    let units: u32 = text
        .chars()
        .map(|character| {
            let code = character as u32;
            if (32..127).contains(&code) {
                u32::from(table[(code - 32) as usize])
            } else {
                2048
            }
        })
        .sum();
    f64::from(units) / UNITS_PER_EM * size
}

/// A label fitted to a width: the size to draw it at and its lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    pub size: f64,
    pub lines: Vec<String>,
}

/// Fits `text` into `box_width` pixels: at the largest size from `largest` down to `smallest`
/// (by half pixels) at which it takes at most `most_lines` lines, breaking after a `-`, `_`,
/// `.`, `/` or `:` or at a space, else between characters. When even `smallest` needs more
/// lines, it gets them: a label is never cut.
pub fn fit(
    text: &str,
    box_width: f64,
    largest: f64,
    smallest: f64,
    most_lines: usize,
    weight: Weight,
) -> Fitted {
    let mut size = largest;
    loop {
        let lines = wrap(text, box_width, size, weight);
        if lines.len() <= most_lines.max(1) || size - 0.5 < smallest {
            return Fitted { size, lines };
        }
        size -= 0.5;
    }
}

/// How far a line's baseline lies below the top of its line, in ems (the font's ascent).
pub const ASCENT: f64 = 0.93;
/// From one baseline to the next, in ems.
pub const LINE_ADVANCE: f64 = 1.15;
/// How far a line's glyphs reach below its baseline, in ems (the font's descent).
pub const DESCENT: f64 = 0.24;

/// How tall `lines` lines of `size` pixels are, from the first one's top to the last one's
/// lowest descender.
pub fn block_height(lines: usize, size: f64) -> f64 {
    if lines == 0 {
        return 0.0;
    }
    (ASCENT + (lines as f64 - 1.0) * LINE_ADVANCE + DESCENT) * size
}

/// Fits `text` into a box of `box_width` × `box_height` pixels: the largest size from `largest`
/// down to `smallest` (by half pixels) at which its lines fit both ways. When nothing fits even
/// at `smallest`, it is drawn at `smallest` in as many lines as it needs: never cut.
pub fn fit_in(
    text: &str,
    box_width: f64,
    box_height: f64,
    largest: f64,
    smallest: f64,
    weight: Weight,
) -> Fitted {
    let mut size = largest;
    loop {
        let lines = wrap(text, box_width, size, weight);
        if block_height(lines.len(), size) <= box_height || size - 0.5 < smallest {
            return Fitted { size, lines };
        }
        size -= 0.5;
    }
}

/// Greedy lines of `text`, each at most `box_width` wide at `size`.
fn wrap(text: &str, box_width: f64, size: f64, weight: Weight) -> Vec<String> {
    // Pieces that end where a line may break: after a separator, or before a space.
    let mut pieces: Vec<String> = Vec::new();
    let mut current = String::new();
    for character in text.chars() {
        if character == ' ' && !current.is_empty() {
            pieces.push(std::mem::take(&mut current));
        }
        current.push(character);
        if matches!(character, '-' | '_' | '.' | '/' | ':') {
            pieces.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    let fits = |line: &str| width(line, size, weight) <= box_width;
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for piece in pieces {
        let joined = format!("{line}{piece}");
        if fits(joined.trim_end()) {
            line = joined;
            continue;
        }
        if !line.trim().is_empty() {
            lines.push(line.trim_end().to_string());
        }
        let piece = piece.trim_start().to_string();
        if fits(&piece) {
            line = piece;
            continue;
        }
        // A piece wider than the box on its own: break it between characters.
        line = String::new();
        for character in piece.chars() {
            let longer = format!("{line}{character}");
            if !line.is_empty() && !fits(&longer) {
                lines.push(std::mem::take(&mut line));
                line.push(character);
            } else {
                line = longer;
            }
        }
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_the_fonts_own() {
        // "m" is 1995/2048 em in Book; ten of them at 10 px.
        assert!((width("mmmmmmmmmm", 10.0, Weight::Regular) - 97.41).abs() < 0.01);
        assert!(width("sg-1", 10.0, Weight::Bold) > width("sg-1", 10.0, Weight::Regular));
        assert_eq!(width("", 12.0, Weight::Bold), 0.0);
        assert_eq!(width("é", 10.0, Weight::Regular), 10.0);
    }

    #[test]
    fn a_label_shrinks_then_wraps_at_separators_and_is_never_cut() {
        // Fits as it is.
        let short = fit("sg-1", 62.0, 10.0, 7.0, 2, Weight::Regular);
        assert_eq!(
            short,
            Fitted {
                size: 10.0,
                lines: vec!["sg-1".into()]
            }
        );
        // Too long for one line even at the smallest size: two lines, broken after a dash.
        let long = fit(
            "vpce-sagemaker-runtime",
            62.0,
            10.0,
            7.0,
            2,
            Weight::Regular,
        );
        assert_eq!(long.lines.len(), 2, "{long:?}");
        assert_eq!(long.lines.concat(), "vpce-sagemaker-runtime", "nothing cut");
        assert!(long.lines[0].ends_with('-'), "{long:?}");
        for line in &long.lines {
            assert!(
                width(line, long.size, Weight::Regular) <= 62.0,
                "{line} at {}",
                long.size
            );
        }
        // No separator at all: broken between characters, still whole.
        let word = fit(
            "abcdefghijklmnopqrstuvwxyzabcdefghij",
            40.0,
            10.0,
            8.0,
            2,
            Weight::Bold,
        );
        assert_eq!(word.lines.concat(), "abcdefghijklmnopqrstuvwxyzabcdefghij");
        assert!(
            word.lines.len() > 2,
            "more lines rather than a cut: {word:?}"
        );
        for line in &word.lines {
            assert!(width(line, word.size, Weight::Bold) <= 40.0);
        }
        // Spaces break lines and are not drawn at their ends.
        let words = fit(
            "Route table for the private subnets",
            90.0,
            10.0,
            10.0,
            3,
            Weight::Regular,
        );
        assert!(
            words
                .lines
                .iter()
                .all(|line| !line.ends_with(' ') && !line.starts_with(' '))
        );
        assert_eq!(words.lines.join(" "), "Route table for the private subnets");
    }

    #[test]
    fn a_label_fits_a_box_both_ways() {
        // Two lines of an id in what a canvas chip leaves under its caption.
        let fitted = fit_in("vpce-dynamodb", 62.0, 21.5, 10.0, 6.0, Weight::Regular);
        assert!(
            block_height(fitted.lines.len(), fitted.size) <= 21.5,
            "{fitted:?}"
        );
        assert_eq!(fitted.lines.concat(), "vpce-dynamodb");
        for line in &fitted.lines {
            assert!(width(line, fitted.size, Weight::Regular) <= 62.0);
        }
        // A short one keeps the largest size on one line.
        assert_eq!(
            fit_in("sg-1", 62.0, 21.5, 10.0, 6.0, Weight::Regular),
            Fitted {
                size: 10.0,
                lines: vec!["sg-1".into()]
            }
        );
    }
}
