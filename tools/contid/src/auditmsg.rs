// SPDX-License-Identifier: GPL-2.0

//! Userspace audit records: one netlink request to the kernel's audit
//! socket, as libaudit's audit_send_user_message() makes it.  The kernel
//! needs CAP_AUDIT_WRITE in the initial user namespace, and a sender in
//! the initial PID namespace.

use rustix::net::netlink::{self, SocketAddrNetlink};
use rustix::net::{
    recv, sendto, socket_with, sockopt, AddressFamily, RecvFlags, SendFlags, SocketFlags,
    SocketType,
};
use std::io;
use std::time::Duration;

/// NLMSG_ERROR: the kernel's acknowledgement (with NLM_F_ACK).
const NLMSG_ERROR: u16 = 2;
const NLM_F_REQUEST: u16 = 1;
const NLM_F_ACK: u16 = 4;
/// The size of struct nlmsghdr.
const NLMSG_HDRLEN: usize = 16;

/// How long to wait for the kernel's acknowledgement.
const ACK_TIMEOUT: Duration = Duration::from_secs(2);

/// The netlink request for a record of `msg_type` with `text`: the header,
/// then the text with its terminating NUL, padded to 4 bytes.
pub fn request(msg_type: u16, text: &str, seq: u32) -> Vec<u8> {
    let len = NLMSG_HDRLEN + text.len() + 1;
    let mut msg = Vec::with_capacity(len.next_multiple_of(4));
    msg.extend_from_slice(&(len as u32).to_ne_bytes());
    msg.extend_from_slice(&msg_type.to_ne_bytes());
    msg.extend_from_slice(&(NLM_F_REQUEST | NLM_F_ACK).to_ne_bytes());
    msg.extend_from_slice(&seq.to_ne_bytes());
    msg.extend_from_slice(&0u32.to_ne_bytes());
    msg.extend_from_slice(text.as_bytes());
    msg.push(0);
    msg.resize(len.next_multiple_of(4), 0);
    msg
}

/// The kernel's answer to request `seq` in `reply`: Ok for an
/// acknowledgement with error 0, the errno otherwise; None if `reply` is
/// not the acknowledgement of `seq`.
pub fn ack(reply: &[u8], seq: u32) -> Option<io::Result<()>> {
    if reply.len() < NLMSG_HDRLEN + 4 {
        return None;
    }
    let typ = u16::from_ne_bytes([reply[4], reply[5]]);
    let rseq = u32::from_ne_bytes([reply[8], reply[9], reply[10], reply[11]]);
    if typ != NLMSG_ERROR || rseq != seq {
        return None;
    }
    let err = i32::from_ne_bytes([reply[16], reply[17], reply[18], reply[19]]);
    Some(if err == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(-err))
    })
}

/// Sends a userspace record of `msg_type` with `text` and waits for the
/// kernel to take it.  With auditing disabled the kernel takes it and logs
/// nothing.
pub fn send(msg_type: u16, text: &str) -> io::Result<()> {
    let fd = socket_with(
        AddressFamily::NETLINK,
        SocketType::RAW,
        SocketFlags::CLOEXEC,
        Some(netlink::AUDIT),
    )?;
    sockopt::set_socket_timeout(&fd, sockopt::Timeout::Recv, Some(ACK_TIMEOUT))?;
    let seq = 1;
    sendto(
        &fd,
        &request(msg_type, text, seq),
        SendFlags::empty(),
        &SocketAddrNetlink::new(0, 0),
    )?;
    let mut reply = [0u8; 1024];
    loop {
        let (n, _) = recv(&fd, &mut reply, RecvFlags::empty())?;
        if let Some(r) = ack(&reply[..n], seq) {
            return r;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_layout() {
        let m = request(2500, "op=start", 7);
        assert_eq!(m.len(), 28);
        assert_eq!(u32::from_ne_bytes(m[0..4].try_into().unwrap()), 25);
        assert_eq!(u16::from_ne_bytes(m[4..6].try_into().unwrap()), 2500);
        assert_eq!(u16::from_ne_bytes(m[6..8].try_into().unwrap()), 5);
        assert_eq!(u32::from_ne_bytes(m[8..12].try_into().unwrap()), 7);
        assert_eq!(&m[16..25], b"op=start\0");
        assert_eq!(&m[25..], [0, 0, 0]);
    }

    fn reply(typ: u16, seq: u32, err: i32) -> Vec<u8> {
        let mut r = Vec::new();
        r.extend_from_slice(&36u32.to_ne_bytes());
        r.extend_from_slice(&typ.to_ne_bytes());
        r.extend_from_slice(&0u16.to_ne_bytes());
        r.extend_from_slice(&seq.to_ne_bytes());
        r.extend_from_slice(&0u32.to_ne_bytes());
        r.extend_from_slice(&err.to_ne_bytes());
        r.extend_from_slice(&[0; 16]);
        r
    }

    #[test]
    fn acknowledgements() {
        assert!(matches!(ack(&reply(2, 1, 0), 1), Some(Ok(()))));
        let e = ack(&reply(2, 1, -1), 1).unwrap().unwrap_err();
        assert_eq!(e.raw_os_error(), Some(1));
        assert!(ack(&reply(2, 2, 0), 1).is_none());
        assert!(ack(&reply(1000, 1, 0), 1).is_none());
        assert!(ack(&reply(2, 1, 0)[..10], 1).is_none());
    }
}
