// SPDX-License-Identifier: GPL-2.0

//! Audit container ID values and the parser for /proc/PID/containerid.

/// The value of a task without an audit container ID ("unset", which also
/// means "the host").  It cannot be written.
pub const UNSET: u64 = u64::MAX;

/// The longest write that is parsed; longer ones are refused.  The same
/// bound as `kstrtou64_from_user()`'s buffer.
pub const MAX_WRITE: usize = 64;

/// Why a write is not a valid audit container ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// Nothing but an optional newline.
    Empty,
    /// Longer than [`MAX_WRITE`] bytes.
    TooLong,
    /// Not one decimal number followed by at most one newline.
    NotANumber,
    /// More than `u64::MAX`.
    Overflow,
    /// The unset value, which cannot be assigned.
    Unset,
}

/// Parses what a writer wrote, as `kstrtou64(buf, 10, ...)` would: an
/// optional `+`, decimal digits, an optional newline, and nothing else (a
/// NUL byte ends the string, as it would in C).
pub fn parse(input: &[u8]) -> Result<u64, ParseError> {
    if input.len() > MAX_WRITE {
        return Err(ParseError::TooLong);
    }
    let end = input.iter().position(|&b| b == 0).unwrap_or(input.len());
    let mut s = &input[..end];
    if let Some(rest) = s.strip_suffix(b"\n") {
        s = rest;
    }
    if s.is_empty() {
        return Err(ParseError::Empty);
    }
    if let Some(rest) = s.strip_prefix(b"+") {
        s = rest;
    }
    if s.is_empty() {
        return Err(ParseError::NotANumber);
    }
    let mut value: u64 = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            return Err(ParseError::NotANumber);
        }
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
            .ok_or(ParseError::Overflow)?;
    }
    if value == UNSET {
        return Err(ParseError::Unset);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_decimal_with_optional_newline_and_plus() {
        assert_eq!(parse(b"123456"), Ok(123456));
        assert_eq!(parse(b"123456\n"), Ok(123456));
        assert_eq!(parse(b"+7"), Ok(7));
        assert_eq!(parse(b"0"), Ok(0));
        assert_eq!(parse(b"007\n"), Ok(7));
        assert_eq!(parse(b"18446744073709551614"), Ok(u64::MAX - 1));
    }

    #[test]
    fn a_nul_byte_ends_the_string() {
        assert_eq!(parse(b"42\0garbage"), Ok(42));
        assert_eq!(parse(b"\0"), Err(ParseError::Empty));
    }

    #[test]
    fn refuses_empty_input() {
        assert_eq!(parse(b""), Err(ParseError::Empty));
        assert_eq!(parse(b"\n"), Err(ParseError::Empty));
        assert_eq!(parse(b"+"), Err(ParseError::NotANumber));
        assert_eq!(parse(b"+\n"), Err(ParseError::NotANumber));
    }

    #[test]
    fn refuses_garbage() {
        for bad in [
            &b"abc"[..],
            b"12a",
            b" 12",
            b"12 ",
            b"-1",
            b"0x10",
            b"1\n\n",
            b"1\n2",
            b"++1",
            b"\t1",
        ] {
            assert_eq!(parse(bad), Err(ParseError::NotANumber), "{bad:?}");
        }
    }

    #[test]
    fn refuses_overflow_and_unset() {
        assert_eq!(parse(b"18446744073709551616"), Err(ParseError::Overflow));
        assert_eq!(parse(b"99999999999999999999999"), Err(ParseError::Overflow));
        assert_eq!(parse(b"18446744073709551615"), Err(ParseError::Unset));
        assert_eq!(parse(b"18446744073709551615\n"), Err(ParseError::Unset));
    }

    #[test]
    fn refuses_overlong_writes() {
        let long = [b'1'; MAX_WRITE + 1];
        assert_eq!(parse(&long), Err(ParseError::TooLong));
        let mut zeros = [b'0'; MAX_WRITE];
        zeros[MAX_WRITE - 1] = b'5';
        assert_eq!(parse(&zeros), Ok(5));
    }
}
