/* fuzz_ops.h - the operation runtime of repoll's differential fuzzer.
 *
 * Used by tests/diff/fuzz.c (which generates, runs and shrinks operation
 * lists) and copied verbatim into every reproducer that `fuzz emit` writes,
 * so that a reproducer is a standalone tests/c program.
 *
 * Objects live in SLOTS (0..NSLOT-1); an operation names slots, never fd
 * numbers, so any subset of an operation list can be replayed. An empty slot
 * is the fd -1. Selectors >= 100 name fixed descriptors (see sel_fd).
 * Every operation prints exactly one line: "#IDX NAME ARGS -> RESULT", where
 * RESULT is "ok", a number, or "-1 ERRNAME", plus op-specific details; waits
 * print the returned events as "dDATA:FLAGS" sorted by data (the data of a
 * registration is the index of the ctl operation that set it).
 * Output goes through write(2), unbuffered.
 */
#ifndef REPOLL_FUZZ_OPS_H
#define REPOLL_FUZZ_OPS_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define NSLOT 24
#define FZ_MAXARG 6
#define FZ_EVBUF 4096

static int fz_slot[NSLOT];
/* what each slot holds, for the model's exclusions (README.md):
 * 'E' epoll, 'p' pipe, 's' unix stream, 'd' unix dgram, 'q' seqpacket,
 * 'e' eventfd, 't' timerfd, 'T' TCP, 'L' TCP listener, 0 empty */
static char fz_kind[NSLOT];
/* the open file description each slot names (ids come in pairs: the peer of
 * a pipe end or socketpair end is id ^ 1), and per file whether the model
 * saw an ET registration of it (bit 0: any, bit 1: with write interest) */
#define FZ_MAXFILE 4096
static int fz_fid[NSLOT];
static int fz_nextfid = 2;
static unsigned char fz_et[FZ_MAXFILE];
static unsigned char fz_single[FZ_MAXFILE];   /* peer unknown (connect, accept, ...) */
static int fz_any_et;                         /* some ET registration was made */
static int fz_nested_et;                      /* some epoll fd was registered ET */
static unsigned char fz_urg[FZ_MAXFILE];      /* urgent data was sent to this file */
static int fz_urg_any;
/* (fd, file) pairs registered with ADD at some point */
static int fz_reg_fd[1024], fz_reg_fid[1024], fz_nreg;
static unsigned char fz_hasreg[FZ_MAXFILE];

/* files whose peer was closed or shut down at some point: they may be at EOF */
static unsigned char fz_eof[FZ_MAXFILE];

static void fz_mark_eof(int fid)
{
    if (fid) { fz_eof[fid ^ 1] = 1; fz_eof[fid] = 1; }
}
static int fz_file = -1, fz_null = -1, fz_dir = -1, fz_listen = -1;
static struct sockaddr_in fz_listen_addr;
static unsigned char *fz_ro_page;      /* PROT_READ page */
static unsigned char *fz_half_page;    /* RW page followed by a PROT_READ page */
static struct epoll_event fz_ev[FZ_EVBUF];

/* ---- output ---------------------------------------------------------- */

static char fz_line[16384];
static size_t fz_len;

static void fz_put(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
static void fz_put(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (fz_len < sizeof fz_line - 1) {
        int n = vsnprintf(fz_line + fz_len, sizeof fz_line - fz_len - 1, fmt, ap);
        if (n > 0) fz_len += (size_t)n;
        if (fz_len > sizeof fz_line - 2) fz_len = sizeof fz_line - 2;
    }
    va_end(ap);
}

static void fz_flush(void)
{
    fz_line[fz_len++] = '\n';
    for (size_t off = 0; off < fz_len;) {
        ssize_t w = write(1, fz_line + off, fz_len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    fz_len = 0;
}

static const char *fz_errname(int e)
{
    switch (e) {
    case 0: return "0";
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case EINTR: return "EINTR";
    case EBADF: return "EBADF"; case EAGAIN: return "EAGAIN"; case ENOMEM: return "ENOMEM";
    case EFAULT: return "EFAULT"; case EEXIST: return "EEXIST"; case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE"; case EMFILE: return "EMFILE"; case ENOSPC: return "ENOSPC";
    case ELOOP: return "ELOOP"; case ENOSYS: return "ENOSYS"; case EPIPE: return "EPIPE";
    case ESPIPE: return "ESPIPE"; case ENOTTY: return "ENOTTY"; case ENOTSOCK: return "ENOTSOCK";
    case ECONNRESET: return "ECONNRESET"; case ENOTCONN: return "ENOTCONN";
    case EOPNOTSUPP: return "EOPNOTSUPP"; case EMSGSIZE: return "EMSGSIZE";
    case EISCONN: return "EISCONN"; case ECONNREFUSED: return "ECONNREFUSED";
    case EDESTADDRREQ: return "EDESTADDRREQ"; case EISDIR: return "EISDIR";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT"; case EACCES: return "EACCES";
    default: {
        static char b[24];
        snprintf(b, sizeof b, "errno%d", e);
        return b;
    }
    }
}

static void fz_evname(uint32_t m)
{
    static const struct { uint32_t bit; const char *n; } t[] = {
        {EPOLLIN, "IN"}, {EPOLLPRI, "PRI"}, {EPOLLOUT, "OUT"}, {EPOLLERR, "ERR"},
        {EPOLLHUP, "HUP"}, {EPOLLRDNORM, "RDNORM"}, {EPOLLRDBAND, "RDBAND"},
        {EPOLLWRNORM, "WRNORM"}, {EPOLLWRBAND, "WRBAND"}, {EPOLLMSG, "MSG"},
        {EPOLLRDHUP, "RDHUP"}, {EPOLLEXCLUSIVE, "EXCLUSIVE"}, {EPOLLWAKEUP, "WAKEUP"},
        {EPOLLONESHOT, "ONESHOT"}, {EPOLLET, "ET"},
    };
    if (!m) { fz_put("0"); return; }
    uint32_t seen = 0;
    int first = 1;
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (m & t[k].bit) {
            fz_put("%s%s", first ? "" : "|", t[k].n);
            first = 0;
            seen |= t[k].bit;
        }
    if (m & ~seen) fz_put("%s0x%x", first ? "" : "|", m & ~seen);
}

/* the result of a call: value, or -1 and the errno name */
static void fz_rc(long r, int e)
{
    if (r == -1) fz_put(" -> -1 %s", fz_errname(e));
    else fz_put(" -> %ld", r);
}

/* ---- descriptors ------------------------------------------------------ */

/* slot index or selector -> fd */
static int sel_fd(long s)
{
    if (s >= 0 && s < NSLOT) return fz_slot[s];
    switch (s) {
    case 100: return -1;
    case 101: return 300;        /* never opened */
    case 102: return fz_file;    /* regular file: EPERM for ctl */
    case 103: return fz_null;    /* /dev/null: EPERM */
    case 104: return fz_dir;     /* directory */
    case 105: return fz_listen;  /* the shared TCP listener */
    case 106: return INT_MAX;
    default: return -1;
    }
}

static int fz_slotok(long s) { return s >= 0 && s < NSLOT; }

/* store fd in slot s (an earlier fd there stays open, unreferenced) */
static void fz_store_f(long s, int fd, char k, int fid)
{
    if (fz_slotok(s)) {
        if (fz_slot[s] >= 0 && fz_slot[s] != fd) fz_mark_eof(fz_fid[s]);   /* may be closed */
        fz_slot[s] = fd; fz_kind[s] = k; fz_fid[s] = fid;
    }
}

/* a new file in slot s (its peer id stays unused) */
static void fz_store_k(long s, int fd, char k)
{
    fz_nextfid = (fz_nextfid + 2) & ~1;
    if (fz_nextfid >= FZ_MAXFILE - 2) fz_nextfid = FZ_MAXFILE - 4;
    fz_store_f(s, fd, k, fz_nextfid);
    fz_single[fz_nextfid] = 1;
    fz_nextfid++;
}


static void fz_store_pair(long s1, int fd1, long s2, int fd2, char k)
{
    fz_nextfid = (fz_nextfid + 2) & ~1;
    if (fz_nextfid >= FZ_MAXFILE - 2) fz_nextfid = FZ_MAXFILE - 4;
    fz_store_f(s1, fd1, k, fz_nextfid);
    fz_store_f(s2, fd2, k, fz_nextfid + 1);
    fz_nextfid++;
}

static int sel_fid(long s)
{
    return fz_slotok(s) && fz_slot[s] >= 0 ? fz_fid[s] : 0;
}

static char sel_kind(long s);

/* does the model know another fd number (a slot, or a registered number
 * that may still be open) for file fid than fd? */
static int fz_other_number(int fid, int fd)
{
    for (int j = 0; j < NSLOT; j++)
        if (fz_slot[j] >= 0 && fz_fid[j] == fid && fz_slot[j] != fd) return 1;
    for (int i = 0; i < fz_nreg; i++)
        if (fz_reg_fid[i] == fid && fz_reg_fd[i] != fd) return 1;
    return 0;
}
static int fz_unix(char k) { return k == 's' || k == 'd' || k == 'q'; }

/* model: an eventfd or timerfd registered through another number than s
 * (a dup made before the ADD) misses edges from operations through s
 * (known gaps et-write-via-dup-is-edge, et-timerfd-rearm-is-edge) */
static int fz_dup_channel(long s)
{
    char k = sel_kind(s);
    int fid = sel_fid(s);
    if ((k != 'e' && k != 't' && k != 'L') || !fid || !fz_hasreg[fid]) return 0;
    for (int i = 0; i < fz_nreg; i++)
        if (fz_reg_fid[i] == fid && fz_reg_fd[i] != fz_slot[s]) return 1;
    return 0;
}

/* model (README.md): may closing the fd in slot s (close, dup2 over it,
 * close_range) hit a known gap? */
static int fz_close_hazard(int s)
{
    if (!fz_slotok(s) || fz_slot[s] < 0) return 0;
    int fid = fz_fid[s];
    char k = fz_kind[s];
    /* peer close is a wakeup (FIN) for TCP: et-shutdown-is-edge */
    if (k == 'T' && ((fz_et[fid ^ 1] & 1) || (fz_single[fid] && fz_any_et) || fz_nested_et)) return 1;
    /* unread messages freed: write-space edge, et-socket-out-edge-on-peer-read */
    if (fz_unix(k) && ((fz_et[fid ^ 1] & 2) || fz_nested_et)) return 1;
    /* a HUP that goes away with a later close is a transient wakeup for
     * outer ET instances (nested-transient-wakeup-is-edge) */
    if (fz_nested_et && (k == 'p' || fz_unix(k) || k == 'T')) return 1;
    /* closing a stream/seqpacket socket wakes its peer (et-shutdown-is-edge) */
    if ((k == 's' || k == 'q') && (fz_et[fid ^ 1] & 1)) return 1;
    return 0;
}

static char sel_kind(long s)
{
    return fz_slotok(s) ? fz_kind[s] : 0;
}

/* after a successful close of fd: forget every slot that had this number */
static void fz_forget(int fd)
{
    for (int i = 0; i < NSLOT; i++)
        if (fz_slot[i] == fd) { fz_mark_eof(fz_fid[i]); fz_slot[i] = -1; fz_kind[i] = 0; }
}

static void fz_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void fz_setup(void)
{
    for (int i = 0; i < NSLOT; i++) fz_slot[i] = -1;
    char path[] = "/tmp/repoll-fuzz-XXXXXX";
    fz_file = mkstemp(path);
    if (fz_file >= 0) {
        unlink(path);
        (void)!write(fz_file, "regular", 7);
    }
    fz_null = open("/dev/null", O_RDWR | O_CLOEXEC);
    fz_dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    fz_listen = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    memset(&fz_listen_addr, 0, sizeof fz_listen_addr);
    fz_listen_addr.sin_family = AF_INET;
    fz_listen_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof fz_listen_addr;
    if (bind(fz_listen, (struct sockaddr *)&fz_listen_addr, sizeof fz_listen_addr) != 0 ||
        listen(fz_listen, 64) != 0 ||
        getsockname(fz_listen, (struct sockaddr *)&fz_listen_addr, &al) != 0) {
        static const char m[] = "fuzz: setup of the TCP listener failed\n";
        (void)!write(2, m, sizeof m - 1);
        _exit(3);
    }
    fz_ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    fz_half_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (fz_ro_page == MAP_FAILED || fz_half_page == MAP_FAILED) _exit(3);
    mprotect(fz_half_page + 4096, 4096, PROT_READ);
    signal(SIGPIPE, SIG_IGN);
}

/* a connected TCP pair over loopback, both ends nonblocking; -1 on failure */
static int fz_tcp_pair(int *a, int *b)
{
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c < 0) return -1;
    if (connect(c, (struct sockaddr *)&fz_listen_addr, sizeof fz_listen_addr) != 0) {
        int e = errno; close(c); errno = e;
        return -1;
    }
    struct pollfd p = { fz_listen, POLLIN, 0 };
    poll(&p, 1, 2000);
    int s = accept4(fz_listen, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (s < 0) { int e = errno; close(c); errno = e; return -1; }
    int one = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fz_nonblock(c);
    *a = c;
    *b = s;
    return 0;
}

/* timerfds: wait (poll, up to 2 s) until an expired timer has ticked, so
 * that readiness does not depend on when the hrtimer fires */
static void fz_settle_timer(int fd)
{
    struct pollfd p = { fd, POLLIN, 0 };
    poll(&p, 1, 2000);
}

/* TCP sends its FIN and the ACKs of a FIN or of urgent data on its own
 * schedule (delayed ACK, 40 ms or more), and each can be a wakeup, an edge
 * for ET items. After an operation that starts such an exchange, give it
 * time to finish, so that the next operations see a settled state. */
static void fz_settle_tcp(void)
{
    struct timespec ts = { 0, 60 * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {}
}

/* ---- operations -------------------------------------------------------
 * Each takes the operation index and its integer arguments a[0..5]. */

typedef void (*fz_fn)(int idx, const long *a);

static const int fz_sizes[] = { 1, 0, -1, INT_MIN, INT_MAX, 5 };
static const int fz_cflags[] = { 0, EPOLL_CLOEXEC, O_NONBLOCK, 1, -1, EPOLL_CLOEXEC | 1 };

/* create SLOT SIZEIDX */
static void op_create(int idx, const long *a)
{
    (void)idx;
    errno = 0;
    int fd = epoll_create(fz_sizes[a[1] % 6]);
    fz_rc(fd, errno);
    if (fd >= 0) fz_store_k(a[0], fd, 'E');
}

/* create1 SLOT FLAGIDX */
static void op_create1(int idx, const long *a)
{
    (void)idx;
    errno = 0;
    int fd = epoll_create1(fz_cflags[a[1] % 6]);
    fz_rc(fd, errno);
    if (fd >= 0) fz_store_k(a[0], fd, 'E');
}

/* pipe S1 S2 CLOEXEC */
static void op_pipe(int idx, const long *a)
{
    (void)idx;
    int p[2];
    errno = 0;
    int r = pipe2(p, O_NONBLOCK | (a[2] ? O_CLOEXEC : 0));
    fz_rc(r, errno);
    if (r == 0) {
        fz_put(" %d %d", p[0], p[1]);
        fz_store_pair(a[0], p[0], a[1], p[1], 'p');
    }
}

/* spair S1 S2 TYPE(0 stream, 1 dgram, 2 seqpacket) */
static void op_spair(int idx, const long *a)
{
    (void)idx;
    static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
    int sv[2];
    errno = 0;
    int r = socketpair(AF_UNIX, types[a[2] % 3] | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv);
    fz_rc(r, errno);
    if (r == 0) {
        fz_put(" %d %d", sv[0], sv[1]);
        fz_store_pair(a[0], sv[0], a[1], sv[1], "sdq"[a[2] % 3]);
    }
}

/* efd SLOT INIT SEMAPHORE */
static void op_efd(int idx, const long *a)
{
    (void)idx;
    errno = 0;
    int fd = eventfd((unsigned)a[1], EFD_NONBLOCK | EFD_CLOEXEC | (a[2] ? EFD_SEMAPHORE : 0));
    fz_rc(fd, errno);
    if (fd >= 0) fz_store_k(a[0], fd, 'e');
}

/* tfd SLOT ARMED: a timerfd, disarmed, or armed in the past (fires once) */
static void op_tfd(int idx, const long *a)
{
    (void)idx;
    errno = 0;
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    fz_rc(fd, errno);
    if (fd < 0) return;
    fz_store_k(a[0], fd, 't');
    if (a[1]) {
        struct itimerspec its = { { 0, 0 }, { 0, 1 } };
        timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
        fz_settle_timer(fd);
    }
}

/* tarm SLOT MODE: 0 disarm, 1 arm in the past (fires once), 2 arm far in the future */
static void op_tarm(int idx, const long *a)
{
    (void)idx;
    int fd = sel_fd(a[0]);
    if (fz_dup_channel(a[0])) {    /* model: known gap et-timerfd-rearm-is-edge */
        fz_put(" -> skipped");
        return;
    }
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    if (a[1] == 1) its.it_value.tv_nsec = 1;
    if (a[1] == 2) its.it_value.tv_sec = 1000000;
    errno = 0;
    int r = timerfd_settime(fd, a[1] == 1 ? TFD_TIMER_ABSTIME : 0, &its, NULL);
    fz_rc(r, errno);
    if (r == 0 && a[1] == 1) fz_settle_timer(fd);
}

/* tcp S1 S2: a connected loopback pair (client, accepted) */
static void op_tcp(int idx, const long *a)
{
    (void)idx;
    int c, s;
    errno = 0;
    int r = fz_tcp_pair(&c, &s);
    fz_rc(r, errno);
    if (r == 0) {
        fz_put(" %d %d", c, s);
        fz_store_pair(a[0], c, a[1], s, 'T');
    }
}

/* listen SLOT: a listening loopback socket of its own */
static void op_listen(int idx, const long *a)
{
    (void)idx;
    errno = 0;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    fz_rc(fd, errno);
    if (fd < 0) return;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 16) != 0) {
        fz_put(" setup-failed");
        close(fd);
        return;
    }
    fz_store_k(a[0], fd, 'L');
}

/* connect SLOT LSLOT: connect a new socket to the listener in LSLOT
 * (blocking, completes on loopback), then make it nonblocking */
static int fz_connects;

static void op_connect(int idx, const long *a)
{
    (void)idx;
    /* a connection to a listener that is already readable is a wakeup that
     * outer ET instances see (nested-transient-wakeup-is-edge) */
    if (fz_nested_et) {
        fz_put(" -> skipped");
        return;
    }
    if (++fz_connects > 8) {     /* never fill a backlog: connect would block */
        fz_put(" -> skipped");
        return;
    }
    struct sockaddr_in sa;
    socklen_t al = sizeof sa;
    int l = sel_fd(a[1]);
    errno = 0;
    /* not to the shared listener: `tcp` must accept its own connection */
    if (sel_kind(a[1]) != 'L' || getsockname(l, (struct sockaddr *)&sa, &al) != 0 || sa.sin_family != AF_INET ||
        sa.sin_port == 0) {
        fz_put(" -> not-a-listener");
        return;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    errno = 0;
    int r = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&sa, sizeof sa);
    fz_rc(r, errno);
    if (r != 0) {
        if (fd >= 0) close(fd);
        return;
    }
    fz_nonblock(fd);
    fz_store_k(a[0], fd, 'T');
}

/* accept SLOT LSLOT */
static void op_accept(int idx, const long *a)
{
    (void)idx;
    /* model: known gaps nested-listener-accept-is-no-edge,
     * et-listener-connection-after-accept-is-edge */
    if (fz_nested_et || fz_dup_channel(a[1])) {
        fz_put(" -> skipped");
        return;
    }
    errno = 0;
    int fd = accept4(sel_fd(a[1]), NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    fz_rc(fd, errno);
    if (fd >= 0) fz_store_k(a[0], fd, 'T');
}

/* ctl EP OP FD EVENTS PTRMODE(0 good, 1 NULL, 2 (void*)1) */
static void op_ctl(int idx, const long *a)
{
    static const int ops[] = { EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL, 0, 99 };
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = (uint32_t)a[3];
    ev.data.u64 = (uint64_t)idx;
    /* model: eventfd reads give WRNORM/WRBAND items an edge (known gap
     * et-eventfd-read-edge-key-is-out); an eventfd never reports them */
    if (sel_kind(a[2]) == 'e') ev.events &= ~(uint32_t)(EPOLLWRNORM | EPOLLWRBAND);
    /* model: connections to the shared listener are made and accepted at
     * once by `tcp`: a transient wakeup (known gap nested-transient-wakeup-is-edge) */
    if (a[2] == 105 && ops[a[1] % 5] != EPOLL_CTL_DEL) {
        fz_put(" -> skipped");
        return;
    }
    struct epoll_event *p = &ev;
    if (a[4] == 1) p = NULL;
    if (a[4] == 2) p = (struct epoll_event *)(uintptr_t)1;
    errno = 0;
    int r = epoll_ctl(sel_fd(a[0]), ops[a[1] % 5], sel_fd(a[2]), p);
    fz_rc(r, errno);
    int fid = sel_fid(a[2]);
    if (r == 0 && fid && (ev.events & EPOLLET) && ops[a[1] % 5] != EPOLL_CTL_DEL) {
        fz_et[fid] |= 1;
        fz_any_et = 1;
        if (sel_kind(a[2]) == 'E') fz_nested_et = 1;
        if (ev.events & (EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND)) fz_et[fid] |= 2;
    }
    if (r == 0 && fid && ops[a[1] % 5] == EPOLL_CTL_ADD && fz_nreg < 1024) {
        fz_reg_fd[fz_nreg] = sel_fd(a[2]);
        fz_reg_fid[fz_nreg++] = fid;
        fz_hasreg[fid] = 1;
    }
}

static int fz_cmp_ev(const void *x, const void *y)
{
    const struct epoll_event *p = x, *q = y;
    if (p->data.u64 != q->data.u64) return p->data.u64 < q->data.u64 ? -1 : 1;
    return p->events < q->events ? -1 : p->events > q->events;
}

/* wait EP MAXIDX BUF KIND ARG
 *   MAXIDX: maxevents from {1, 2, 3, 8, 64, 0, -1, INT_MAX/12 + 1, INT_MAX/12}
 *   BUF: 0 good, 1 NULL, 2 (void*)1, 3 read-only page, 4 one writable slot then read-only
 *   KIND 0 epoll_wait(timeout ARG: 0 -> 0 ms, 1 -> 1 ms)
 *   KIND 1 epoll_pwait(0 ms, mask ARG: 0 NULL, 1 empty set, 2 (void*)1)
 *   KIND 2 epoll_pwait2(ts ARG: 0 {0,0}, 1 {0,1ms}, 2 {0,1e9}, 3 {-1,0}, 4 (void*)1)
 *   KIND 3 raw SYS_epoll_pwait, empty mask, sigsetsize ARG: 0 -> 8, 1 -> 4, 2 -> 16
 */
static void op_wait(int idx, const long *a)
{
    (void)idx;
    static const int maxes[] = { 1, 2, 3, 8, 64, 0, -1, INT_MAX / 12 + 1, INT_MAX / 12 };
    int ep = sel_fd(a[0]);
    int maxev = maxes[a[1] % 9];
    struct epoll_event *buf = fz_ev;
    switch (a[2]) {
    case 1: buf = NULL; break;
    case 2: buf = (struct epoll_event *)(uintptr_t)1; break;
    case 3: buf = (struct epoll_event *)fz_ro_page; break;
    case 4: buf = (struct epoll_event *)(fz_half_page + 4096 - sizeof(struct epoll_event)); break;
    default: break;
    }
    /* model: which item is copied before the fault, and so which ONESHOT or
     * ET item is consumed, is ready-list order (order-hup-queued-before-later-add) */
    if (a[2] == 4) {
        fz_put(" -> skipped");
        return;
    }
    if (buf == fz_ev) memset(fz_ev, 0, sizeof fz_ev);
    if (a[2] == 4) memset(fz_half_page, 0, 4096);
    sigset_t empty;
    sigemptyset(&empty);
    int n;
    errno = 0;
    switch (a[3] % 4) {
    case 0:
        n = epoll_wait(ep, buf, maxev, a[4] ? 1 : 0);
        break;
    case 1: {
        const sigset_t *m = a[4] == 1 ? &empty : a[4] == 2 ? (const sigset_t *)(uintptr_t)1 : NULL;
        n = epoll_pwait(ep, buf, maxev, 0, m);
        break;
    }
    case 2: {
        struct timespec ts = { 0, 0 };
        const struct timespec *tp = &ts;
        if (a[4] == 1) ts.tv_nsec = 1000000;
        if (a[4] == 2) ts.tv_nsec = 1000000000;
        if (a[4] == 3) ts.tv_sec = -1;
        if (a[4] == 4) tp = (const struct timespec *)(uintptr_t)1;
        n = epoll_pwait2(ep, buf, maxev, tp, NULL);
        break;
    }
    default: {
        static const long sizes[] = { 8, 4, 16 };
        n = (int)syscall(SYS_epoll_pwait, ep, buf, maxev, 0, &empty, sizes[a[4] % 3]);
        break;
    }
    }
    /* model: when maxevents cut the result short, which items come first is
     * ready-list order, which the emulation cannot always match (known gap
     * order-hup-queued-before-later-add). Collect instead what repeated calls
     * (the same call, up to 64 times, while they fill maxevents) return, and
     * print that set: LT items come round again, ET items once. */
    int more = 0;
    if (n > 0 && n == maxev && buf == fz_ev && maxev < 64) {
        int total = n;
        for (int round = 0; round < 64 && total + maxev <= FZ_EVBUF; round++) {
            int m;
            if (a[3] % 4 == 0) m = epoll_wait(ep, fz_ev + total, maxev, 0);
            else m = epoll_pwait(ep, fz_ev + total, maxev, 0, NULL);
            if (m <= 0) break;
            total += m;
            more = 1;
            if (m < maxev) break;
        }
        qsort(fz_ev, (size_t)total, sizeof fz_ev[0], fz_cmp_ev);
        int k = 0;
        for (int i = 0; i < total; i++)
            if (!k || fz_ev[i].data.u64 != fz_ev[k - 1].data.u64 || fz_ev[i].events != fz_ev[k - 1].events)
                fz_ev[k++] = fz_ev[i];
        n = k;
        errno = 0;
    }
    fz_rc(n, errno);
    if (more) fz_put(" (collected)");
    struct epoll_event *got = NULL;
    if (n > 0 && buf == fz_ev) got = fz_ev;
    /* a[2] == 4: which item was copied before the fault is ready-list order
     * (model: known gap order-hup-queued-before-later-add): count only */
    if (got && n <= FZ_EVBUF) {
        qsort(got, (size_t)n, sizeof got[0], fz_cmp_ev);
        for (int i = 0; i < n; i++) {
            fz_put(" d%llu:", (unsigned long long)got[i].data.u64);
            fz_evname(got[i].events);
        }
    }
}

static char fz_io[70000];

/* write SLOT SIZEIDX VARIANT(0 write, 1 writev, 2 send, 3 sendto, 4 sendmsg, 5 pwrite) */
static void op_write(int idx, const long *a)
{
    (void)idx;
    static const size_t sizes[] = { 1, 7, 512, 4096, 65536, 8 };
    int fd = sel_fd(a[0]);
    /* model: a failing send frees the message: write-space edge
     * (known gap et-socket-out-edge-on-peer-read) */
    if (sel_kind(a[0]) == 'd' && ((fz_et[sel_fid(a[0])] & 2) || fz_nested_et) && fz_eof[sel_fid(a[0])]) {
        fz_put(" -> skipped");
        return;
    }
    /* model: writes that may fail EAGAIN (known gap et-failed-write-edges):
     * on an eventfd anything but 8 bytes (the value 1) or a value that may
     * overflow; on a pipe that may be full (pages, not bytes, are counted) */
    if (fz_any_et && sel_kind(a[0]) == 'e' && a[1] % 6 != 5) {
        fz_put(" -> skipped");
        return;
    }
    if (fz_any_et && sel_kind(a[0]) == 'p') {
        int q = 0;
        if (ioctl(fd, FIONREAD, &q) == 0 && q > 12 * 4096) {
            fz_put(" -> skipped");
            return;
        }
    }
    /* model: known gaps et-write-via-dup-is-edge, et-tcp-write-after-urgent-data-is-edge */
    int wfid = sel_fid(a[0]);
    if (fz_dup_channel(a[0]) ||
        (sel_kind(a[0]) == 'T' && fz_any_et && (fz_urg[wfid ^ 1] || (fz_single[wfid] && fz_urg_any))) ||
        /* a write to or from a shut-down TCP socket can draw an RST: a wakeup
         * without a state change (et-shutdown-is-edge) */
        (sel_kind(a[0]) == 'T' && fz_any_et && (fz_eof[wfid] || fz_single[wfid]))) {
        fz_put(" -> skipped");
        return;
    }
    size_t n = sizes[a[1] % 6];
    memset(fz_io, 'w', n);
    if (n == 8) { uint64_t one = 1; memcpy(fz_io, &one, 8); }   /* eventfd-friendly */
    struct iovec iov = { fz_io, n };
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    ssize_t r;
    errno = 0;
    switch (a[2] % 6) {
    case 1: r = writev(fd, &iov, 1); break;
    case 2: r = send(fd, fz_io, n, MSG_DONTWAIT | MSG_NOSIGNAL); break;
    case 3: r = sendto(fd, fz_io, n, MSG_NOSIGNAL, NULL, 0); break;
    case 4: r = sendmsg(fd, &mh, MSG_NOSIGNAL); break;
    case 5: r = pwrite(fd, fz_io, n, 0); break;
    default: r = write(fd, fz_io, n); break;
    }
    fz_rc(r, errno);
}

/* read SLOT SIZEIDX VARIANT(0 read, 1 readv, 2 recv, 3 recvfrom, 4 recvmsg, 5 recv MSG_PEEK) */
static void op_read(int idx, const long *a)
{
    (void)idx;
    static const size_t sizes[] = { 1, 8, 512, 4096, 65536, 100 };
    int fd = sel_fd(a[0]);
    /* model: a read on a unix socket is a write-space edge for the peer
     * (known gap et-socket-out-edge-on-peer-read) */
    if (fz_unix(sel_kind(a[0])) && ((fz_et[sel_fid(a[0]) ^ 1] & 2) || fz_nested_et)) {
        fz_put(" -> skipped");
        return;
    }
    if (fz_dup_channel(a[0])) {
        fz_put(" -> skipped");
        return;
    }
    size_t n = sizes[a[1] % 6];
    struct iovec iov = { fz_io, n };
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    ssize_t r;
    errno = 0;
    switch (a[2] % 6) {
    case 1: r = readv(fd, &iov, 1); break;
    case 2: r = recv(fd, fz_io, n, MSG_DONTWAIT); break;
    case 3: r = recvfrom(fd, fz_io, n, 0, NULL, NULL); break;
    case 4: r = recvmsg(fd, &mh, 0); break;
    case 5: r = recv(fd, fz_io, n, MSG_PEEK); break;
    default: r = read(fd, fz_io, n); break;
    }
    fz_rc(r, errno);
}

/* efdw SLOT VALIDX VARIANT(0 write(2), 1 eventfd_write) */
static void op_efdw(int idx, const long *a)
{
    (void)idx;
    static const uint64_t vals[] = { 1, 0, 3, 0xfffffffffffffffeULL, 0xffffffffffffffffULL };
    uint64_t v = vals[a[1] % 5];
    int fd = sel_fd(a[0]);
    /* model: known gap et-write-via-dup-is-edge */
    if (fz_dup_channel(a[0]) || (fz_any_et && a[1] % 5 >= 3)) {
        fz_put(" -> skipped");
        return;
    }
    errno = 0;
    long r = a[2] ? (long)eventfd_write(fd, v) : (long)write(fd, &v, sizeof v);
    fz_rc(r, errno);
}

/* shut SLOT HOW */
static void op_shut(int idx, const long *a)
{
    (void)idx;
    /* model: shutdown is an edge for the ET registrations of the socket and
     * its peer (known gap et-shutdown-is-edge) */
    int fid = sel_fid(a[0]);
    /* and a spurious edge for outer ET instances (et-dgram-shutdown-no-peer-edge) */
    if ((fz_et[fid] & 1) || (fz_et[fid ^ 1] & 1) || (fz_single[fid] && fz_any_et) || fz_nested_et) {
        fz_put(" -> skipped");
        return;
    }
    errno = 0;
    int r = shutdown(sel_fd(a[0]), (int)(a[1] % 3));
    fz_rc(r, errno);
    if (r == 0) fz_mark_eof(sel_fid(a[0]));
    if (r == 0 && sel_kind(a[0]) == 'T') fz_settle_tcp();
}

/* oob SLOT: one byte of TCP urgent data */
static void op_oob(int idx, const long *a)
{
    (void)idx;
    /* model: urgent data is an edge for the peer (known gap et-tcp-urgent-data-is-edge) */
    int fid = sel_fid(a[0]);
    if ((fz_et[fid ^ 1] & 1) || (fz_single[fid] && fz_any_et) || fz_nested_et) {
        fz_put(" -> skipped");
        return;
    }
    errno = 0;
    ssize_t r = send(sel_fd(a[0]), "!", 1, MSG_OOB | MSG_NOSIGNAL);
    fz_rc(r, errno);
    if (r == 1) {
        if (fid) fz_urg[fid ^ 1] = 1;
        fz_urg_any = 1;
        fz_settle_tcp();
    }
}

/* close SLOT */
static void op_close(int idx, const long *a)
{
    (void)idx;
    int fd = sel_fd(a[0]);
    if (fz_close_hazard((int)a[0])) {
        fz_put(" -> skipped");
        return;
    }
    char ck = sel_kind(a[0]);
    errno = 0;
    int r = close(fd);
    fz_rc(r, errno);
    if (r == 0 && ck == 'T') fz_settle_tcp();
    if (r == 0) fz_forget(fd);
    else if (fz_slotok(a[0])) { fz_mark_eof(fz_fid[a[0]]); fz_slot[a[0]] = -1; fz_kind[a[0]] = 0; }
}

/* dup SLOT DST VARIANT(0 dup, 1 F_DUPFD 0, 2 F_DUPFD_CLOEXEC 0) */
static void op_dup(int idx, const long *a)
{
    (void)idx;
    int fd = sel_fd(a[0]);
    if (a[0] == 105) {   /* the shared listener stays unregistered (nested-transient-wakeup-is-edge) */
        fz_put(" -> skipped");
        return;
    }
    errno = 0;
    int r = a[2] == 1 ? fcntl(fd, F_DUPFD, 0) : a[2] == 2 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : dup(fd);
    fz_rc(r, errno);
    if (r >= 0) fz_store_f(a[1], r, sel_kind(a[0]), sel_fid(a[0]));
}

/* dup2 SLOT DST VARIANT(0 dup2, 1 dup3 O_CLOEXEC, 2 dup3 bad flags)
 * the new number is DST's fd, or 200 + DST when DST is empty */
static void op_dup2(int idx, const long *a)
{
    (void)idx;
    int fd = sel_fd(a[0]);
    if (a[0] == 105) {   /* as in op_dup */
        fz_put(" -> skipped");
        return;
    }
    int nfd = fz_slotok(a[1]) ? fz_slot[a[1]] : sel_fd(a[1]);
    if (nfd < 0) nfd = 200 + (int)(a[1] % 50);
    if (fd != nfd && fz_close_hazard((int)a[1])) {
        fz_put(" -> skipped");
        return;
    }
    errno = 0;
    int r = a[2] == 1 ? dup3(fd, nfd, O_CLOEXEC) : a[2] == 2 ? dup3(fd, nfd, 1) : dup2(fd, nfd);
    fz_rc(r, errno);
    if (r >= 0) {
        char k = sel_kind(a[0]);
        int fid = sel_fid(a[0]);
        if (r != fd) fz_forget(r);
        fz_store_f(a[1], r, k, fid);
    }
}

/* crange S1 S2 FLAGS(0 close, 1 CLOSE_RANGE_CLOEXEC, 2 close from S1 to ~0U) */
static void op_crange(int idx, const long *a)
{
    (void)idx;
    int x = sel_fd(a[0]), y = sel_fd(a[1]);
    if (x < 0 || y < 0) { fz_put(" -> skipped"); return; }
    unsigned lo = (unsigned)(x < y ? x : y), hi = (unsigned)(x < y ? y : x);
    if (a[2] == 2) { lo = (unsigned)x; hi = ~0U; }
    if (a[2] != 1) {
        for (int i = 0; i < NSLOT; i++)
            if (fz_slot[i] >= (int)lo && (unsigned)fz_slot[i] <= hi && fz_close_hazard(i)) {
                fz_put(" -> skipped");
                return;
            }
        for (int i = 0; i < fz_nreg; i++)   /* registered numbers no slot holds */
            if (fz_reg_fd[i] >= (int)lo && (unsigned)fz_reg_fd[i] <= hi &&
                fz_other_number(fz_reg_fid[i], fz_reg_fd[i])) {
                fz_put(" -> skipped");
                return;
            }
    }
    errno = 0;
    int r = close_range(lo, hi, a[2] == 1 ? CLOSE_RANGE_CLOEXEC : 0);
    fz_rc(r, errno);
    if (r == 0 && a[2] != 1)
        for (int i = 0; i < NSLOT; i++)
            if (fz_slot[i] >= (int)lo && (unsigned)fz_slot[i] <= hi) {
                fz_mark_eof(fz_fid[i]);
                fz_slot[i] = -1;
                fz_kind[i] = 0;
            }
}

/* poll SLOT EVENTS: poll(2) with timeout 0 */
static void op_poll(int idx, const long *a)
{
    (void)idx;
    struct pollfd p = { sel_fd(a[0]), (short)a[1], 0 };
    if (sel_kind(a[0]) == 'E') p.events &= (short)~POLLRDNORM;   /* model: as for ctl */
    errno = 0;
    int r = poll(&p, 1, 0);
    fz_rc(r, errno);
    fz_put(" revents=0x%x", (unsigned)(unsigned short)p.revents);
}

/* fionread SLOT */
static void op_fionread(int idx, const long *a)
{
    (void)idx;
    if (sel_kind(a[0]) == 'E' || a[0] == 101) {   /* model: ioctl on an epoll fd (known gap; 101 may be a dup2 of one) */
        fz_put(" -> skipped");
        return;
    }
    int v = -1;
    errno = 0;
    int r = ioctl(sel_fd(a[0]), FIONREAD, &v);
    fz_rc(r, errno);
    if (r == 0) fz_put(" n=%d", v);
}

/* ---- the table --------------------------------------------------------- */

struct fz_opdef { const char *name; fz_fn fn; int nargs; };

static const struct fz_opdef fz_ops[] = {
    { "create", op_create, 2 },   { "create1", op_create1, 2 }, { "pipe", op_pipe, 3 },
    { "spair", op_spair, 3 },     { "efd", op_efd, 3 },         { "tfd", op_tfd, 2 },
    { "tarm", op_tarm, 2 },       { "tcp", op_tcp, 2 },         { "listen", op_listen, 1 },
    { "connect", op_connect, 2 }, { "accept", op_accept, 2 },   { "ctl", op_ctl, 5 },
    { "wait", op_wait, 5 },       { "write", op_write, 3 },     { "read", op_read, 3 },
    { "efdw", op_efdw, 3 },       { "shut", op_shut, 2 },       { "oob", op_oob, 1 },
    { "close", op_close, 1 },     { "dup", op_dup, 3 },         { "dup2", op_dup2, 3 },
    { "crange", op_crange, 3 },   { "poll", op_poll, 2 },       { "fionread", op_fionread, 1 },
};
#define FZ_NOPS ((int)(sizeof fz_ops / sizeof fz_ops[0]))

static const struct fz_opdef *fz_find(const char *name)
{
    for (int i = 0; i < FZ_NOPS; i++)
        if (strcmp(fz_ops[i].name, name) == 0) return &fz_ops[i];
    return NULL;
}

/* run one operation and print its line */
static void fz_run(int idx, const char *name, const long *a)
{
    const struct fz_opdef *d = fz_find(name);
    fz_put("#%d %s", idx, name);
    for (int i = 0; d && i < d->nargs; i++) fz_put(" %ld", a[i]);
    if (!d) fz_put(" -> unknown-op");
    else d->fn(idx, a);
    fz_flush();
}

#define OP(idx, name, ...) do { long a_[FZ_MAXARG] = { __VA_ARGS__ }; fz_run((idx), #name, a_); } while (0)

#endif
