// SPDX-License-Identifier: GPL-2.0

//! A fixed-capacity text buffer: formatting without allocation, usable in
//! atomic context, always NUL-terminated for C.

use core::fmt;

/// Text of at most `N - 1` bytes followed by a NUL byte.
pub struct FixedBuf<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> FixedBuf<N> {
    /// An empty buffer.
    pub const fn new() -> Self {
        Self {
            buf: [0; N],
            len: 0,
        }
    }

    /// The text, without the NUL byte.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The text followed by its NUL byte.
    pub fn as_bytes_with_nul(&self) -> &[u8] {
        &self.buf[..=self.len]
    }

    /// Appends `s`; fails, leaving the buffer unchanged, if it does not fit.
    pub fn push_bytes(&mut self, s: &[u8]) -> fmt::Result {
        if s.len() > N - 1 - self.len || s.contains(&0) {
            return Err(fmt::Error);
        }
        self.len += copy_prefix(&mut self.buf[self.len..], s);
        self.buf[self.len] = 0;
        Ok(())
    }
}

/// Copies as much of `src` as fits to the start of `dst`; returns how
/// much.  Unlike `copy_from_slice`, it has no panic path (whose noreturn
/// callee the kernel's objtool of 6.12 does not know under recent rustc).
pub fn copy_prefix<T: Copy>(dst: &mut [T], src: &[T]) -> usize {
    let mut n = 0;
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
        n += 1;
    }
    n
}

impl<const N: usize> Default for FixedBuf<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> fmt::Write for FixedBuf<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_bytes(s.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt::Write;

    #[test]
    fn copies_what_fits() {
        let mut dst = [0u8; 4];
        assert_eq!(copy_prefix(&mut dst, b"ab"), 2);
        assert_eq!(&dst, b"ab\0\0");
        assert_eq!(copy_prefix(&mut dst, b"123456"), 4);
        assert_eq!(&dst, b"1234");
        assert_eq!(copy_prefix(&mut dst[..0], b"x"), 0);
    }

    #[test]
    fn formats_and_terminates() {
        let mut b = FixedBuf::<16>::new();
        write!(b, "x={}", 42).unwrap();
        assert_eq!(b.as_bytes(), b"x=42");
        assert_eq!(b.as_bytes_with_nul(), b"x=42\0");
    }

    #[test]
    fn refuses_what_does_not_fit() {
        let mut b = FixedBuf::<8>::new();
        b.push_bytes(b"1234567").unwrap();
        assert!(b.push_bytes(b"8").is_err());
        assert_eq!(b.as_bytes(), b"1234567");
        let mut c = FixedBuf::<4>::new();
        assert!(write!(c, "{}", 12345).is_err());
    }

    #[test]
    fn refuses_embedded_nul() {
        let mut b = FixedBuf::<8>::new();
        assert!(b.push_bytes(b"a\0b").is_err());
        assert_eq!(b.as_bytes(), b"");
    }
}
