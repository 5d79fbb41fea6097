//! A bounds-checked cursor over peer-supplied bytes, for [`crate::sync_bounds`]: every read
//! fails cleanly at the end of the input, and nothing is allocated.

/// Why a read failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The input ends before the value does.
    #[error("the message ends {missing} bytes too early")]
    Truncated {
        /// Bytes missing (at least).
        missing: u64,
    },
    /// A LEB128 number longer than 10 bytes or over `u64::MAX`.
    #[error("a number is not valid LEB128 (over 64 bits)")]
    Overflow,
}

/// A cursor over a byte slice.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    /// Offset of the next byte.
    pub fn offset(&self) -> usize {
        self.at
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    /// True at the end of the input.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// One byte.
    ///
    /// # Errors
    /// [`ReadError::Truncated`] at the end of the input.
    pub fn byte(&mut self) -> Result<u8, ReadError> {
        Ok(self.take(1)?[0])
    }

    /// The next `n` bytes.
    ///
    /// # Errors
    /// [`ReadError::Truncated`] when fewer are left.
    pub fn take(&mut self, n: u64) -> Result<&'a [u8], ReadError> {
        let left = self.remaining() as u64;
        if n > left {
            return Err(ReadError::Truncated { missing: n - left });
        }
        // `n <= left`, which is a usize.
        let n = n as usize;
        let out = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(out)
    }

    /// An unsigned LEB128 number (at most 10 bytes, at most `u64::MAX`).
    ///
    /// # Errors
    /// [`ReadError::Truncated`] or [`ReadError::Overflow`].
    pub fn number(&mut self) -> Result<u64, ReadError> {
        let mut value: u64 = 0;
        for shift in (0..70).step_by(7) {
            let byte = self.byte()?;
            let low = u64::from(byte & 0x7f);
            if shift == 63 && low > 1 {
                return Err(ReadError::Overflow);
            }
            value |= low << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(ReadError::Overflow)
    }
}
