//! What kind of file a descriptor names, and the *channel* its data flows
//! through, so that a write in this process can be turned into the wakeup
//! (ET edge) the kernel would give the reader (SEMANTICS 3.1.2, 15).
//!
//! A channel id is a hash naming "the receive queue a write lands in":
//! a pipe or FIFO by its inode (both ends share it), a unix socket by the
//! inode of the receiving socket, a TCP connection by (local port, peer
//! port) seen from the receiver, a UDP socket by its local port, a pty side
//! by its index, an eventfd by its file id. Collisions only cost a
//! spurious wakeup check.

use crate::sys;
use libc::c_int;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Kind {
    /// Pipe or FIFO: FIONREAD counts queued bytes.
    Pipe,
    /// Stream or seqpacket socket: FIONREAD counts queued bytes.
    StreamSocket,
    /// Datagram socket (FIONREAD gives the next datagram only).
    DgramSocket,
    /// Listening socket (readiness = pending connections).
    Listener,
    /// Terminal or pty side: FIONREAD counts queued bytes.
    Tty,
    EventFd,
    EventFdSemaphore,
    TimerFd,
    SignalFd,
    /// One of repoll's own epoll handles.
    Epoll,
    /// Anything else that can be polled (inotify, pidfd, devices...).
    #[default]
    Other,
}

impl Kind {
    /// Kinds whose FIONREAD is the total of queued bytes, so that growth
    /// between two observations reveals writes we did not see.
    pub fn counts_bytes(self) -> bool {
        matches!(
            self,
            Kind::Pipe | Kind::StreamSocket | Kind::Tty | Kind::Listener | Kind::SignalFd
        )
    }
}

/// What `identify` learns about a descriptor at ADD time.
#[derive(Clone, Copy, Debug)]
pub struct Ident {
    pub kind: Kind,
    pub dev: u64,
    pub ino: u64,
    pub rdev: u64,
    /// Channel a reader of this file listens on (0: none).
    pub read_channel: u64,
}

fn mix(tag: u64, a: u64, b: u64) -> u64 {
    let mut h = tag.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ a;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ b;
    h = (h ^ (h >> 31)).wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^= h >> 29;
    // 0 and 1 are reserved by the write-target cache.
    h | 2
}

pub fn channel_pipe(dev: u64, ino: u64) -> u64 {
    mix(1, dev, ino)
}
pub fn channel_unix(ino: u64) -> u64 {
    mix(2, ino, 0)
}
pub fn channel_tcp(receiver_port: u16, sender_port: u16) -> u64 {
    mix(3, receiver_port as u64, sender_port as u64)
}
pub fn channel_udp(port: u16) -> u64 {
    mix(4, port as u64, 0)
}
pub fn channel_pty_master(index: u64) -> u64 {
    mix(5, index, 0)
}
pub fn channel_pty_slave(index: u64) -> u64 {
    mix(6, index, 0)
}
pub fn channel_file(file_id: u64) -> u64 {
    mix(7, file_id, 0)
}

fn port_of(ss: &libc::sockaddr_storage) -> Option<u16> {
    match ss.ss_family as c_int {
        libc::AF_INET => {
            // SAFETY: the family says this storage holds a sockaddr_in.
            let sin = unsafe { &*(ss as *const _ as *const libc::sockaddr_in) };
            Some(u16::from_be(sin.sin_port))
        }
        libc::AF_INET6 => {
            // SAFETY: the family says this storage holds a sockaddr_in6.
            let sin6 = unsafe { &*(ss as *const _ as *const libc::sockaddr_in6) };
            Some(u16::from_be(sin6.sin6_port))
        }
        _ => None,
    }
}

/// Port of a raw sockaddr given by the application (sendto/sendmsg).
pub fn port_of_raw(addr: *const libc::sockaddr, len: libc::socklen_t) -> Option<u16> {
    if addr.is_null() || (len as usize) < core::mem::size_of::<libc::sockaddr_in>() {
        return None;
    }
    // SAFETY: we only copy as many bytes as the caller said are there.
    let mut ss: libc::sockaddr_storage = unsafe { core::mem::zeroed() };
    let n = (len as usize).min(core::mem::size_of::<libc::sockaddr_storage>());
    match sys::copy_from_user(
        &mut ss as *mut _ as *mut libc::c_void,
        addr as *const libc::c_void,
        n,
    ) {
        Ok(got) if got == n => port_of(&ss),
        _ => None,
    }
}

const PTY_MASTER_MAJOR: u64 = 5;
const PTY_SLAVE_MAJOR_FIRST: u64 = 136;
const PTY_SLAVE_MAJOR_LAST: u64 = 143;

fn major(rdev: u64) -> u64 {
    ((rdev >> 32) & 0xffff_f000) | ((rdev >> 8) & 0xfff)
}
fn minor(rdev: u64) -> u64 {
    ((rdev >> 12) & 0xffff_ff00) | (rdev & 0xff)
}

fn pty_index(fd: c_int, rdev: u64) -> Option<(bool, u64)> {
    let (maj, min) = (major(rdev), minor(rdev));
    if maj == PTY_MASTER_MAJOR && min == 2 {
        sys::ioctl_int(fd, libc::TIOCGPTN as libc::c_long)
            .ok()
            .map(|n| (true, n as u64))
    } else if (PTY_SLAVE_MAJOR_FIRST..=PTY_SLAVE_MAJOR_LAST).contains(&maj) {
        Some((false, (maj - PTY_SLAVE_MAJOR_FIRST) * 256 + min))
    } else {
        None
    }
}

/// Reads the target of /proc/self/fd/N into `buf`; returns its length.
fn fd_link(fd: c_int, buf: &mut [u8; 64]) -> usize {
    let mut path = [0u8; 32];
    let prefix = b"/proc/self/fd/";
    path[..prefix.len()].copy_from_slice(prefix);
    let mut n = prefix.len();
    let mut digits = [0u8; 12];
    let mut d = 0;
    let mut v = fd as u32;
    loop {
        digits[d] = b'0' + (v % 10) as u8;
        d += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    while d > 0 {
        d -= 1;
        path[n] = digits[d];
        n += 1;
    }
    path[n] = 0;
    sys::call(
        libc::SYS_readlinkat,
        [
            libc::AT_FDCWD as usize,
            path.as_ptr() as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
            0,
            0,
        ],
    )
    .unwrap_or(0)
}

/// True when /proc/self/fdinfo/N of an eventfd says it is a semaphore.
fn eventfd_is_semaphore(fd: c_int) -> bool {
    let mut path = *b"/proc/self/fdinfo/\0\0\0\0\0\0\0\0\0\0\0\0";
    let mut n = 18;
    let s = itoa(fd as u64);
    for &c in s.as_slice() {
        path[n] = c;
        n += 1;
    }
    path[n] = 0;
    let Ok(pfd) = sys::call(
        libc::SYS_openat,
        [
            libc::AT_FDCWD as usize,
            path.as_ptr() as usize,
            (libc::O_RDONLY | libc::O_CLOEXEC) as usize,
            0,
            0,
            0,
        ],
    ) else {
        return false;
    };
    let mut buf = [0u8; 512];
    let got = sys::read(pfd as c_int, &mut buf).unwrap_or(0);
    let _ = sys::close(pfd as c_int);
    let text = &buf[..got];
    let needle = b"eventfd-semaphore:";
    text.windows(needle.len())
        .position(|w| w == needle)
        .is_some_and(|p| {
            text[p + needle.len()..]
                .iter()
                .find(|c| !c.is_ascii_whitespace())
                .is_some_and(|&c| c == b'1')
        })
}

pub struct Digits {
    buf: [u8; 20],
    len: usize,
}
impl Digits {
    pub fn as_slice(&self) -> &[u8] {
        &self.buf[20 - self.len..]
    }
}
pub fn itoa(mut v: u64) -> Digits {
    let mut buf = [0u8; 20];
    let mut len = 0;
    loop {
        buf[19 - len] = b'0' + (v % 10) as u8;
        len += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    Digits { buf, len }
}

/// Identifies `fd` for EPOLL_CTL_ADD. Errors are epoll_ctl's: EBADF for a
/// closed or O_PATH descriptor, EPERM for files without a poll method.
pub fn identify(fd: c_int) -> Result<Ident, c_int> {
    let flags = sys::fcntl(fd, libc::F_GETFL, 0)?;
    if flags as c_int & libc::O_PATH != 0 {
        // O_PATH descriptors are invisible to epoll (ERR-CTL-7).
        return Err(libc::EBADF);
    }
    let st = sys::fstat(fd)?;
    let mut id = Ident {
        kind: Kind::Other,
        dev: st.st_dev,
        ino: st.st_ino,
        rdev: st.st_rdev,
        read_channel: 0,
    };
    match st.st_mode & libc::S_IFMT {
        libc::S_IFIFO => {
            id.kind = Kind::Pipe;
            id.read_channel = channel_pipe(st.st_dev, st.st_ino);
        }
        libc::S_IFSOCK => {
            let domain = sys::getsockopt_int(fd, libc::SOL_SOCKET, libc::SO_DOMAIN).unwrap_or(0);
            let ty = sys::getsockopt_int(fd, libc::SOL_SOCKET, libc::SO_TYPE).unwrap_or(0);
            let listening =
                sys::getsockopt_int(fd, libc::SOL_SOCKET, libc::SO_ACCEPTCONN).unwrap_or(0) != 0;
            id.kind = if listening {
                Kind::Listener
            } else if ty == libc::SOCK_DGRAM {
                Kind::DgramSocket
            } else {
                Kind::StreamSocket
            };
            id.read_channel = match domain {
                libc::AF_UNIX => channel_unix(st.st_ino),
                libc::AF_INET | libc::AF_INET6 => {
                    let local = sys::sockname(fd, false).ok().and_then(|s| port_of(&s));
                    if ty == libc::SOCK_DGRAM {
                        local.map(channel_udp).unwrap_or(0)
                    } else {
                        let peer = sys::sockname(fd, true).ok().and_then(|s| port_of(&s));
                        match (local, peer) {
                            (Some(l), Some(p)) => channel_tcp(l, p),
                            _ => 0,
                        }
                    }
                }
                _ => 0,
            };
        }
        libc::S_IFCHR => {
            // The memory devices (major 1: null, zero, full, urandom...)
            // have no poll method, except /dev/random (1:8).
            if major(st.st_rdev) == 1 && minor(st.st_rdev) != 8 {
                return Err(libc::EPERM);
            }
            if let Some((master, index)) = pty_index(fd, st.st_rdev) {
                id.kind = Kind::Tty;
                id.read_channel = if master {
                    channel_pty_master(index)
                } else {
                    channel_pty_slave(index)
                };
            } else if major(st.st_rdev) == 4 || major(st.st_rdev) == 5 {
                id.kind = Kind::Tty;
            }
        }
        libc::S_IFREG | libc::S_IFDIR | libc::S_IFLNK | libc::S_IFBLK => {
            // pidfs (Linux >= 6.9) gives pidfds a regular mode; they poll.
            if !is_pidfs(fd) {
                // From epoll_ctl(2): EPERM when the target file does not
                // support epoll (regular files, directories).
                return Err(libc::EPERM);
            }
        }
        _ => {
            // Anonymous inodes: eventfd, timerfd, signalfd, inotify, ...
            let mut link = [0u8; 64];
            let n = fd_link(fd, &mut link);
            let name = &link[..n];
            id.kind = if name == b"anon_inode:[eventfd]" {
                if eventfd_is_semaphore(fd) {
                    Kind::EventFdSemaphore
                } else {
                    Kind::EventFd
                }
            } else if name == b"anon_inode:[timerfd]" {
                Kind::TimerFd
            } else if name == b"anon_inode:[signalfd]" {
                Kind::SignalFd
            } else {
                Kind::Other
            };
        }
    }
    Ok(id)
}

fn is_pidfs(fd: c_int) -> bool {
    // SAFETY: statfs is plain data.
    let mut sf: libc::statfs = unsafe { core::mem::zeroed() };
    const PIDFS_MAGIC: i64 = 0x5049_4446;
    sys::call(
        libc::SYS_fstatfs,
        [fd as usize, &mut sf as *mut _ as usize, 0, 0, 0, 0],
    )
    .is_ok()
        && sf.f_type as i64 == PIDFS_MAGIC
}

/// Where a write on `fd` lands, for the write-target cache: a channel id,
/// or 1 when the write wakes nothing we can name. Computed lazily on the
/// first successful write to a descriptor.
pub fn write_channel(fd: c_int) -> u64 {
    let Ok(st) = sys::fstat(fd) else { return 1 };
    match st.st_mode & libc::S_IFMT {
        libc::S_IFIFO => channel_pipe(st.st_dev, st.st_ino),
        libc::S_IFSOCK => {
            let domain = sys::getsockopt_int(fd, libc::SOL_SOCKET, libc::SO_DOMAIN).unwrap_or(0);
            let ty = sys::getsockopt_int(fd, libc::SOL_SOCKET, libc::SO_TYPE).unwrap_or(0);
            match domain {
                libc::AF_INET | libc::AF_INET6 => {
                    let peer = sys::sockname(fd, true).ok().and_then(|s| port_of(&s));
                    if ty == libc::SOCK_DGRAM {
                        peer.map(channel_udp).unwrap_or(1)
                    } else {
                        let local = sys::sockname(fd, false).ok().and_then(|s| port_of(&s));
                        match (local, peer) {
                            (Some(l), Some(p)) => channel_tcp(p, l),
                            _ => 1,
                        }
                    }
                }
                // Unix socket pairs are linked by the socketpair hook.
                _ => 1,
            }
        }
        libc::S_IFCHR => match pty_index(fd, st.st_rdev) {
            Some((true, n)) => channel_pty_slave(n),
            Some((false, n)) => channel_pty_master(n),
            None => 1,
        },
        _ => 1,
    }
}
