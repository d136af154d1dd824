//! A little-endian byte cursor that tells "needs more input" from "cannot be valid".
//!
//! A read past the end of the input is [`Error::Incomplete`] while it could still be
//! satisfied by a longer prefix of the file, and [`Error::Malformed`] once it runs
//! past the known file length or the largest header the caller accepts.

use super::error::Error;

/// Bounds on what the input may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The length of the whole file, when known (a registry manifest gives blob sizes):
    /// anything the header declares beyond it is malformed, not incomplete.
    pub file_len: Option<u64>,
    /// The largest header accepted. Real headers are 1–12 MB (tokenizer arrays); a
    /// larger one is refused rather than fetched.
    pub max_header: u64,
}

/// The default [`Limits::max_header`]: 64 MiB, five times the largest real header seen.
pub const DEFAULT_MAX_HEADER: u64 = 64 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            file_len: None,
            max_header: DEFAULT_MAX_HEADER,
        }
    }
}

pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    limits: Limits,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(bytes: &'a [u8], limits: Limits) -> Self {
        // Input beyond the declared file length is not part of the file.
        let bytes = match limits.file_len.map(usize::try_from) {
            Some(Ok(len)) if len < bytes.len() => &bytes[..len],
            _ => bytes,
        };
        Cursor {
            bytes,
            pos: 0,
            limits,
        }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Where the header must end at the latest: the file's end or the header limit.
    fn end_limit(&self) -> u64 {
        self.limits.file_len.map_or(self.limits.max_header, |len| {
            len.min(self.limits.max_header)
        })
    }

    /// Bytes from here to [`Self::end_limit`].
    pub(crate) fn room(&self) -> u64 {
        self.end_limit().saturating_sub(self.pos as u64)
    }

    /// Why `n` more bytes cannot be had: too little input yet, or never.
    fn shortfall(&self, n: u64, what: &dyn Fn() -> String) -> Error {
        let end = (self.pos as u64).checked_add(n);
        match (end, self.limits.file_len) {
            (Some(end), Some(len)) if end > len => Error::malformed(
                self.pos,
                format!("{} runs past the end of the file ({len} bytes)", what()),
            ),
            (Some(end), _) if end <= self.limits.max_header => Error::Incomplete {
                needed: end,
                have: self.bytes.len() as u64,
            },
            _ => Error::malformed(
                self.pos,
                format!(
                    "{} would make the header larger than {} bytes",
                    what(),
                    self.limits.max_header
                ),
            ),
        }
    }

    /// The next `n` bytes.
    pub(crate) fn take(&mut self, n: u64, what: &dyn Fn() -> String) -> Result<&'a [u8], Error> {
        let available = (self.bytes.len() - self.pos) as u64;
        if n > available {
            return Err(self.shortfall(n, what));
        }
        // n <= available, which fits in usize.
        let n = n as usize;
        let slice = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self, what: &dyn Fn() -> String) -> Result<[u8; N], Error> {
        let slice = self.take(N as u64, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, what: &dyn Fn() -> String) -> Result<u8, Error> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(crate) fn u16(&mut self, what: &dyn Fn() -> String) -> Result<u16, Error> {
        self.array(what).map(u16::from_le_bytes)
    }

    pub(crate) fn u32(&mut self, what: &dyn Fn() -> String) -> Result<u32, Error> {
        self.array(what).map(u32::from_le_bytes)
    }

    pub(crate) fn u64(&mut self, what: &dyn Fn() -> String) -> Result<u64, Error> {
        self.array(what).map(u64::from_le_bytes)
    }

    /// A length-prefixed string's bytes, not yet checked as UTF-8.
    pub(crate) fn string_bytes(&mut self, what: &dyn Fn() -> String) -> Result<&'a [u8], Error> {
        let len = self.u64(what)?;
        self.take(len, &|| format!("{} ({len} bytes)", what()))
    }

    /// A length-prefixed UTF-8 string.
    pub(crate) fn string(&mut self, what: &dyn Fn() -> String) -> Result<&'a str, Error> {
        let start = self.pos;
        let bytes = self.string_bytes(what)?;
        std::str::from_utf8(bytes)
            .map_err(|_| Error::malformed(start, format!("{} is not valid UTF-8", what())))
    }

    /// Rejects a count of items, each at least `min_size` bytes, that cannot fit in
    /// what is left of the file or the header limit, before anything loops over it.
    pub(crate) fn check_count(
        &self,
        count: u64,
        min_size: u64,
        what: &dyn Fn() -> String,
    ) -> Result<(), Error> {
        match count.checked_mul(min_size) {
            Some(bytes) if bytes <= self.room() => Ok(()),
            _ => Err(Error::malformed(
                self.pos,
                format!("{} cannot fit in the {} bytes left", what(), self.room()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn what() -> String {
        "value".into()
    }

    #[test]
    fn short_input_is_incomplete_until_a_limit_says_otherwise() {
        let bytes = [1u8, 0, 0];
        let mut c = Cursor::new(&bytes, Limits::default());
        assert_eq!(c.u32(&what), Err(Error::Incomplete { needed: 4, have: 3 }));

        let mut c = Cursor::new(
            &bytes,
            Limits {
                file_len: Some(3),
                ..Limits::default()
            },
        );
        assert!(matches!(c.u32(&what), Err(Error::Malformed { .. })));

        let mut c = Cursor::new(
            &bytes,
            Limits {
                file_len: None,
                max_header: 3,
            },
        );
        assert!(matches!(c.u32(&what), Err(Error::Malformed { .. })));
    }

    #[test]
    fn reads_little_endian_and_advances() {
        let bytes = [2u8, 0, 0, 0, 0, 0, 0, 0, b'h', b'i', 7];
        let mut c = Cursor::new(&bytes, Limits::default());
        assert_eq!(c.string(&what), Ok("hi"));
        assert_eq!(c.u8(&what), Ok(7));
        assert_eq!(c.pos(), 11);
    }

    #[test]
    fn huge_lengths_never_overflow() {
        let mut bytes = u64::MAX.to_le_bytes().to_vec();
        bytes.push(0);
        let mut c = Cursor::new(&bytes, Limits::default());
        assert!(matches!(c.string(&what), Err(Error::Malformed { .. })));
        let c = Cursor::new(&bytes, Limits::default());
        assert!(c.check_count(u64::MAX, 8, &what).is_err());
        assert!(c.check_count(10, 8, &what).is_ok());
    }

    #[test]
    fn bad_utf8_is_malformed() {
        let bytes = [1u8, 0, 0, 0, 0, 0, 0, 0, 0xff];
        let mut c = Cursor::new(&bytes, Limits::default());
        assert!(matches!(c.string(&what), Err(Error::Malformed { .. })));
    }
}
