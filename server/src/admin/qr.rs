//! An enrolment code as a QR code drawn with Unicode half blocks, for `user add --qr` and
//! `device enrol --qr`: a phone's camera reads it off the admin's terminal instead of the
//! inspector typing twelve characters.

use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;

/// `code` as a QR code (with its quiet zone): lines of `█`, `▀`, `▄` and spaces, each
/// character two modules high, dark modules drawn. Read it on a light-on-dark terminal the
/// way it is printed.
///
/// # Errors
/// The text does not fit a QR code (not for a 14-character code).
pub fn enrolment_qr(code: &str) -> Result<String, qrcode::types::QrError> {
    let qr = QrCode::new(code.as_bytes())?;
    Ok(qr.render::<Dense1x2>().quiet_zone(true).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The modules drawn in `text`, row by row (`true` for dark), as a scanner sees them.
    fn modules(text: &str) -> Vec<Vec<bool>> {
        let mut rows = Vec::new();
        for line in text.lines() {
            let (mut upper, mut lower) = (Vec::new(), Vec::new());
            for c in line.chars() {
                let (u, l) = match c {
                    '█' => (true, true),
                    '▀' => (true, false),
                    '▄' => (false, true),
                    _ => (false, false),
                };
                upper.push(u);
                lower.push(l);
            }
            rows.push(upper);
            rows.push(lower);
        }
        rows
    }

    #[test]
    fn the_printed_code_reads_back_as_the_enrolment_code() {
        let code = "1FJK-7K3Q-J7JN";
        let text = enrolment_qr(code).expect("fits");
        let grid = modules(&text);
        let (height, width) = (grid.len(), grid[0].len());
        let scale = 4;
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(width * scale, height * scale, |x, y| {
                let dark = grid[y / scale].get(x / scale).copied().unwrap_or(false);
                if dark { 0 } else { 255 }
            });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in:\n{text}");
        let (_, content) = grids[0].decode().expect("decodes");
        assert_eq!(content, code);
    }
}
