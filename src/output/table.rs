//! The one table renderer: cells aligned in columns two spaces apart.

/// How a column's cells are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// Aligns rows of cells into left-aligned columns separated by two spaces; the
/// last cell of a row is never padded, so lines carry no trailing spaces.
pub fn table<R: AsRef<[String]>>(rows: &[R]) -> String {
    aligned(rows, &[])
}

/// Like [`table`], with the alignment of each column (missing = left).
pub fn aligned<R: AsRef<[String]>>(rows: &[R], aligns: &[Align]) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (column, cell) in row.as_ref().iter().enumerate() {
            let width = cell.chars().count();
            match widths.get_mut(column) {
                Some(w) => *w = (*w).max(width),
                None => widths.push(width),
            }
        }
    }
    let mut out = String::new();
    for row in rows {
        let cells = row.as_ref();
        for (column, cell) in cells.iter().enumerate() {
            let pad = widths[column] - cell.chars().count();
            let last = column + 1 == cells.len();
            match aligns.get(column).copied().unwrap_or(Align::Left) {
                Align::Right => {
                    out.extend(std::iter::repeat_n(' ', pad));
                    out.push_str(cell);
                }
                Align::Left => {
                    out.push_str(cell);
                    if !last {
                        out.extend(std::iter::repeat_n(' ', pad));
                    }
                }
            }
            if !last {
                out.push_str("  ");
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(row: &[&str]) -> Vec<String> {
        row.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn aligns_columns_without_trailing_spaces() {
        let rows = [
            cells(&["a", "1"]),
            cells(&["longer", "2"]),
            cells(&["x", "yy", "z"]),
        ];
        assert_eq!(table(&rows), "a       1\nlonger  2\nx       yy  z\n");
    }

    #[test]
    fn right_aligned_columns_pad_on_the_left() {
        let rows = [cells(&["NAME", "MODELS", "D"]), cells(&["x", "2", "desc"])];
        let text = aligned(&rows, &[Align::Left, Align::Right]);
        assert_eq!(text, "NAME  MODELS  D\nx          2  desc\n");
    }
}
