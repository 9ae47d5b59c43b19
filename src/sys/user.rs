// SPDX-License-Identifier: GPL-2.0

//! Buffers of the process that called read(2) or write(2).

use kernel::error::{code::EFAULT, Result};
use kernel::uaccess::UserSlice;

/// A user buffer passed to a proc read or write hook.
pub(crate) struct UserBuf {
    ptr: usize,
    len: usize,
}

impl UserBuf {
    /// Wraps the buffer of a read(2) or write(2).  Any address is safe to
    /// pass: the copy routines check it and fail with EFAULT.
    pub(crate) fn new(ptr: usize, len: usize) -> Self {
        Self { ptr, len }
    }

    /// Its length.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Copies the first `out.len()` bytes (at most `len()`) into `out`.
    pub(crate) fn read_into<'b>(&self, out: &'b mut [u8]) -> Result<&'b [u8]> {
        let n = out.len().min(self.len);
        let mut reader = UserSlice::new(self.ptr, n).reader();
        reader.read_slice(&mut out[..n]).map_err(|_| EFAULT)?;
        Ok(&out[..n])
    }

    /// Copies `data` (at most `len()` bytes of it) to the buffer.
    pub(crate) fn write_from(&self, data: &[u8]) -> Result<usize> {
        let n = data.len().min(self.len);
        let mut writer = UserSlice::new(self.ptr, n).writer();
        writer.write_slice(&data[..n]).map_err(|_| EFAULT)?;
        Ok(n)
    }
}
