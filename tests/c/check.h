/* check.h - shared helpers for repoll's differential C tests.
 *
 * Every test in tests/c/ is run twice by tests/run_c_tests.sh: natively
 * (kernel epoll) and under LD_PRELOAD=librepoll.so. The runner compares the
 * exit status and stdout byte for byte, so a test prints only deterministic
 * lines (event masks, data values, errno names; never fd numbers, pointers
 * or times) and also checks itself, so that a native failure shows up as a
 * broken test.
 *
 *   check(expr)            fatal: prints the expression, file and line, exits 1
 *                          (wepoll test/shared/test-util.h style)
 *   expect_ok(expr)        prints "expr -> ok"; non-fatal mismatch
 *   expect_err(expr, E)    prints "expr -> -1 E"; non-fatal mismatch
 *   expect_wait(...)       epoll_wait and compare against a string such as
 *                          "IN data=1, IN|OUT data=2", "none" or "-1 EINTR"
 *   leak_begin/leak_end    lowest free fd numbers before and after must match
 *                          (epoll-shim test/atf-c-leakcheck.h style); internal
 *                          fds of the library kept above 900 don't count
 *   test_start/test_done   alarm(20) safety net / leak check + exit status
 *   opaque(), NULL_EVENTS  deliberately bad arguments the compiler cannot see
 *   make_pipe/..., put/take/drain/fill, send_fd/recv_fd, ep_add/ep_mod/ep_del
 *
 * Output goes through write(2) on fd 1, unbuffered, so a forked child never
 * duplicates buffered lines. Children leave with _exit().
 */
#ifndef REPOLL_TEST_CHECK_H
#define REPOLL_TEST_CHECK_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int g_failed;

/* ---- output ------------------------------------------------------------ */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
static void say(const char *fmt, ...)
{
    char buf[2048];
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if (n > (int)sizeof buf - 2) n = (int)sizeof buf - 2;
    buf[n++] = '\n';
    for (int off = 0; off < n;) {
        ssize_t w = write(1, buf + off, (size_t)(n - off));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (int)w;
    }
    errno = saved;
}

static const char *errname(int e) __attribute__((unused));
static const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case EINTR: return "EINTR";
    case EBADF: return "EBADF"; case EAGAIN: return "EAGAIN"; case ENOMEM: return "ENOMEM";
    case EFAULT: return "EFAULT"; case EEXIST: return "EEXIST"; case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE"; case EMFILE: return "EMFILE"; case ENOSPC: return "ENOSPC";
    case ELOOP: return "ELOOP"; case ENOSYS: return "ENOSYS"; case EPIPE: return "EPIPE";
    case ESPIPE: return "ESPIPE"; case ENOTTY: return "ENOTTY";
    case ECONNRESET: return "ECONNRESET"; case ENOTCONN: return "ENOTCONN";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    default: {
        static __thread char b[4][24];
        static __thread int i;
        i = (i + 1) & 3;
        snprintf(b[i], sizeof b[i], "errno%d", e);
        return b[i];
    }
    }
}

/* "IN|OUT|RDHUP"; unknown bits as hex; "0" for none. Thread-local ring. */
static const char *evname(uint32_t m) __attribute__((unused));
static const char *evname(uint32_t m)
{
    static __thread char b[8][192];
    static __thread int i;
    static const struct { uint32_t bit; const char *n; } t[] = {
        {EPOLLIN, "IN"}, {EPOLLPRI, "PRI"}, {EPOLLOUT, "OUT"}, {EPOLLERR, "ERR"},
        {EPOLLHUP, "HUP"}, {EPOLLRDNORM, "RDNORM"}, {EPOLLRDBAND, "RDBAND"},
        {EPOLLWRNORM, "WRNORM"}, {EPOLLWRBAND, "WRBAND"}, {EPOLLMSG, "MSG"},
        {EPOLLRDHUP, "RDHUP"}, {EPOLLEXCLUSIVE, "EXCLUSIVE"}, {EPOLLWAKEUP, "WAKEUP"},
        {EPOLLONESHOT, "ONESHOT"}, {EPOLLET, "ET"},
    };
    i = (i + 1) & 7;
    char *p = b[i];
    p[0] = 0;
    if (!m) { strcpy(p, "0"); return p; }
    uint32_t seen = 0;
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (m & t[k].bit) {
            if (p[0]) strcat(p, "|");
            strcat(p, t[k].n);
            seen |= t[k].bit;
        }
    if (m & ~seen) {
        char x[24];
        snprintf(x, sizeof x, "%s0x%x", p[0] ? "|" : "", m & ~seen);
        strcat(p, x);
    }
    return p;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* ---- checks ------------------------------------------------------------ */

static void check_failed(const char *expr, const char *file, int line) __attribute__((noreturn, unused));
static void check_failed(const char *expr, const char *file, int line)
{
    int e = errno;
    say("check failed: %s (%s:%d) errno=%s", expr, base_name(file), line, errname(e));
    _exit(1);
}

#define check(expr) do { if (!(expr)) check_failed(#expr, __FILE__, __LINE__); } while (0)

/* result of a call as text: "ok" for >= 0, "-1 EXXX" for -1, else the value */
static const char *rcname(long r, int e) __attribute__((unused));
static const char *rcname(long r, int e)
{
    static __thread char b[4][48];
    static __thread int i;
    i = (i + 1) & 3;
    if (r >= 0) snprintf(b[i], sizeof b[i], "ok");
    else if (r == -1) snprintf(b[i], sizeof b[i], "-1 %s", errname(e));
    else snprintf(b[i], sizeof b[i], "%ld", r);
    return b[i];
}

static void mismatch(const char *what, const char *want, const char *got, const char *file, int line) __attribute__((unused));
static void mismatch(const char *what, const char *want, const char *got, const char *file, int line)
{
    g_failed = 1;
    say("MISMATCH %s: expected %s got %s (%s:%d)", what, want, got, base_name(file), line);
}

/* expr must fail with errno E; prints "expr -> -1 E" (non-fatal) */
#define expect_err(expr, E) do {                                            \
        errno = 0;                                                          \
        long r__ = (long)(expr);                                            \
        int e__ = errno;                                                    \
        const char *got__ = rcname(r__, e__);                               \
        say("%s -> %s", #expr, got__);                                      \
        if (!(r__ == -1 && e__ == (E)))                                     \
            mismatch(#expr, rcname(-1, (E)), got__, __FILE__, __LINE__);    \
    } while (0)

/* expr must succeed (>= 0); prints "expr -> ok" (non-fatal) */
#define expect_ok(expr) do {                                                \
        errno = 0;                                                          \
        long r__ = (long)(expr);                                            \
        int e__ = errno;                                                    \
        const char *got__ = rcname(r__, e__);                               \
        say("%s -> %s", #expr, got__);                                      \
        if (r__ < 0) mismatch(#expr, "ok", got__, __FILE__, __LINE__);      \
    } while (0)

/* integer equality, printed as "label: value" (non-fatal) */
#define expect_eq(label, got, want) do {                                    \
        long long g__ = (long long)(got), w__ = (long long)(want);          \
        say("%s: %lld", (label), g__);                                      \
        if (g__ != w__) {                                                   \
            char a__[32], b__[32];                                          \
            snprintf(a__, sizeof a__, "%lld", w__);                         \
            snprintf(b__, sizeof b__, "%lld", g__);                         \
            mismatch((label), a__, b__, __FILE__, __LINE__);                \
        }                                                                   \
    } while (0)

/* hide a value from the compiler, so deliberately bad arguments (negative
 * sizes, (void *)1) are neither diagnosed nor optimised at compile time */
static inline long opaque(long v)
{
    __asm__ volatile("" : "+r"(v));
    return v;
}

/* a pointer the compiler cannot see through: NULL or (void *)1 on purpose */
#define OPAQUE_PTR(type, v) ((type)(void *)opaque((long)(v)))
#define NULL_EVENTS OPAQUE_PTR(struct epoll_event *, 0)

/* ---- descriptors ------------------------------------------------------- */

static void set_nonblock(int fd) __attribute__((unused));
static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    check(fl >= 0);
    check(fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0);
}

/* nonblocking close-on-exec pipe: p[0] read end, p[1] write end */
static void make_pipe(int p[2]) __attribute__((unused));
static void make_pipe(int p[2])
{
    check(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
}

/* nonblocking close-on-exec AF_UNIX socketpair of the given type */
static void make_socketpair(int type, int sv[2]) __attribute__((unused));
static void make_socketpair(int type, int sv[2])
{
    check(socketpair(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
}

static int make_eventfd(unsigned init, int flags) __attribute__((unused));
static int make_eventfd(unsigned init, int flags)
{
    int fd = eventfd(init, EFD_NONBLOCK | EFD_CLOEXEC | flags);
    check(fd >= 0);
    return fd;
}

static int make_epoll(void) __attribute__((unused));
static int make_epoll(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    check(ep >= 0);
    return ep;
}

/* write n bytes of 'x' (must all go in) */
static void put(int fd, int n) __attribute__((unused));
static void put(int fd, int n)
{
    char buf[256];
    check(n > 0 && n <= (int)sizeof buf);
    memset(buf, 'x', (size_t)n);
    check(write(fd, buf, (size_t)n) == n);
}

/* read exactly n bytes that must be there */
static void take(int fd, int n) __attribute__((unused));
static void take(int fd, int n)
{
    char buf[256];
    check(n > 0 && n <= (int)sizeof buf);
    check(read(fd, buf, (size_t)n) == n);
}

/* read until EAGAIN or EOF; returns the byte count */
static long drain(int fd) __attribute__((unused));
static long drain(int fd)
{
    char buf[4096];
    long total = 0;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r > 0) { total += r; continue; }
        if (r < 0 && errno == EINTR) continue;
        break;
    }
    return total;
}

/* fill a nonblocking pipe or socket until EAGAIN */
static void fill(int fd) __attribute__((unused));
static void fill(int fd)
{
    static char buf[4096];
    for (;;) {
        ssize_t w = write(fd, buf, sizeof buf);
        if (w > 0) continue;
        if (w < 0 && errno == EINTR) continue;
        check(w < 0 && errno == EAGAIN);
        break;
    }
    for (;;) {   /* top up byte-wise for pipes whose last page is partly free */
        ssize_t w = write(fd, buf, 1);
        if (w == 1) continue;
        check(w < 0 && errno == EAGAIN);
        break;
    }
}

/* pass fd over a unix socket (SCM_RIGHTS) / receive one (MSG_CMSG_CLOEXEC) */
static void send_fd(int sock, int fd) __attribute__((unused));
static void send_fd(int sock, int fd)
{
    char data = 'f';
    struct iovec iov = { &data, 1 };
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
    memset(&u, 0, sizeof u);
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    check(sendmsg(sock, &mh, 0) == 1);
}

static int recv_fd(int sock) __attribute__((unused));
static int recv_fd(int sock)
{
    char data;
    struct iovec iov = { &data, 1 };
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
    check(recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) == 1);
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    check(c && c->cmsg_type == SCM_RIGHTS);
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

/* ---- epoll helpers ----------------------------------------------------- */

static int ep_ctl(int ep, int op, int fd, uint32_t events, uint64_t data) __attribute__((unused));
static int ep_ctl(int ep, int op, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event e;
    memset(&e, 0, sizeof e);
    e.events = events;
    e.data.u64 = data;
    return epoll_ctl(ep, op, fd, &e);
}

static int ep_add(int ep, int fd, uint32_t events, uint64_t data) __attribute__((unused));
static int ep_add(int ep, int fd, uint32_t events, uint64_t data)
{
    return ep_ctl(ep, EPOLL_CTL_ADD, fd, events, data);
}

static int ep_mod(int ep, int fd, uint32_t events, uint64_t data) __attribute__((unused));
static int ep_mod(int ep, int fd, uint32_t events, uint64_t data)
{
    return ep_ctl(ep, EPOLL_CTL_MOD, fd, events, data);
}

static int ep_del(int ep, int fd) __attribute__((unused));
static int ep_del(int ep, int fd)
{
    return epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
}

/* format the result of a wait: "none", "-1 EINTR", "IN data=1, OUT data=2" */
static void format_events(char *out, size_t size, int n, int err,
                          const struct epoll_event *ev) __attribute__((unused));
static void format_events(char *out, size_t size, int n, int err,
                          const struct epoll_event *ev)
{
    out[0] = 0;
    if (n < 0) { snprintf(out, size, "-1 %s", errname(err)); return; }
    if (n == 0) { snprintf(out, size, "none"); return; }
    size_t len = 0;
    for (int i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(out + len, size - len, "%s%s data=%" PRIu64,
                                i ? ", " : "", evname(ev[i].events), (uint64_t)ev[i].data.u64);
}

/* epoll_wait into a local buffer of maxevents (<= 64), print
 * "label: <result>" and compare with want. Returns n. Non-fatal. */
#define expect_wait(label, ep, maxevents, timeout, want) \
    expect_wait_at((label), (ep), (maxevents), (timeout), (want), __FILE__, __LINE__)

static int expect_wait_at(const char *label, int ep, int maxevents, int timeout,
                          const char *want, const char *file, int line) __attribute__((unused));
static int expect_wait_at(const char *label, int ep, int maxevents, int timeout,
                          const char *want, const char *file, int line)
{
    struct epoll_event ev[64];
    char got[1024];
    check(maxevents > 0 && maxevents <= 64);
    memset(ev, 0, sizeof ev);
    int n = epoll_wait(ep, ev, maxevents, timeout);
    format_events(got, sizeof got, n, errno, ev);
    say("%s: %s", label, got);
    if (strcmp(got, want) != 0) mismatch(label, want, got, file, line);
    return n;
}

/* ---- time -------------------------------------------------------------- */

static long long now_ns(void) __attribute__((unused));
static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(int ms) __attribute__((unused));
static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {}
}

/* ---- fd-leak check ----------------------------------------------------- */

#define LEAK_SLOTS 4
static int g_leak_mark[LEAK_SLOTS];
static int g_leak_marked;

/* the LEAK_SLOTS lowest free descriptor numbers */
static void lowest_free_fds(int out[LEAK_SLOTS])
{
    for (int i = 0; i < LEAK_SLOTS; i++) {
        out[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
        check(out[i] >= 0);
    }
    for (int i = 0; i < LEAK_SLOTS; i++) check(close(out[i]) == 0);
}

static void leak_begin(void) __attribute__((unused));
static void leak_begin(void)
{
    lowest_free_fds(g_leak_mark);
    g_leak_marked = 1;
}

static void leak_end(void) __attribute__((unused));
static void leak_end(void)
{
    int now[LEAK_SLOTS];
    check(g_leak_marked);
    lowest_free_fds(now);
    int same = memcmp(now, g_leak_mark, sizeof now) == 0;
    say("fd leak check: %s", same ? "ok" : "LEAK");
    if (!same) {
        g_failed = 1;
        say("MISMATCH lowest free fds before %d %d %d %d after %d %d %d %d",
            g_leak_mark[0], g_leak_mark[1], g_leak_mark[2], g_leak_mark[3],
            now[0], now[1], now[2], now[3]);
    }
}

/* ---- test frame -------------------------------------------------------- */

/* alarm(20) as a safety net, then the first leak mark */
static void test_start(void) __attribute__((unused));
static void test_start(void)
{
    alarm(20);
    leak_begin();
}

/* leak check, then the exit status: 0 if every expectation held */
static int test_done(void) __attribute__((unused));
static int test_done(void)
{
    leak_end();
    return g_failed ? 1 : 0;
}

#endif
