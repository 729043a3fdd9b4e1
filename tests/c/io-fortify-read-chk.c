/* io-fortify-read-chk: built with -O2 -D_FORTIFY_SOURCE=2 (the runner adds
 * them for names containing "fortify"), read/recv/recvfrom with a length the
 * compiler cannot see compile to __read_chk, __recv_chk, __recvfrom_chk
 * (IO-CHK-0..4, SEMANTICS 11.5). The kernel treats them like the plain
 * calls: level-triggered readiness disappears when they drain the fd, and a
 * later write is a new ET edge. A library that hooks only read() and relies
 * on seeing EAGAIN there to re-arm ET items misses these; most distributions
 * build with _FORTIFY_SOURCE. */
#include "check.h"

#if !defined(__OPTIMIZE__) || !defined(_FORTIFY_SOURCE) || _FORTIFY_SOURCE < 1
#error "io-fortify-read-chk must be built with -O2 -D_FORTIFY_SOURCE=2"
#endif

/* drain with a length the compiler cannot prove, so the _chk variant is used */
static long drain_chk(int fd, int how)
{
    char buf[64];
    long total = 0;
    for (;;) {
        size_t len = (size_t)opaque(sizeof buf);
        ssize_t r;
        if (how == 0) r = read(fd, buf, len);
        else if (how == 1) r = recv(fd, buf, len, 0);
        else r = recvfrom(fd, buf, len, 0, NULL, NULL);
        if (r > 0) { total += r; continue; }
        check(r < 0 && errno == EAGAIN);
        return total;
    }
}

int main(void)
{
    test_start();
    int p[2], s[2], d[2];
    make_pipe(p);
    make_socketpair(SOCK_STREAM, s);
    make_socketpair(SOCK_DGRAM, d);
    int lt = make_epoll(), et = make_epoll();
    check(ep_add(lt, p[0], EPOLLIN, 1) == 0);
    check(ep_add(lt, s[0], EPOLLIN, 2) == 0);
    check(ep_add(lt, d[0], EPOLLIN, 3) == 0);
    check(ep_add(et, p[0], EPOLLIN | EPOLLET, 1) == 0);
    check(ep_add(et, s[0], EPOLLIN | EPOLLET, 2) == 0);
    check(ep_add(et, d[0], EPOLLIN | EPOLLET, 3) == 0);

    for (int round = 0; round < 3; round++) {
        say("round %d", round);
        put(p[1], 3);
        put(s[1], 3);
        check(send(d[1], "abc", 3, 0) == 3);
        expect_wait("LT, written", lt, 8, 0, "IN data=1, IN data=2, IN data=3");
        expect_wait("ET, written", et, 8, 0, "IN data=1, IN data=2, IN data=3");
        expect_eq("__read_chk drained", drain_chk(p[0], 0), 3);
        expect_eq("__recv_chk drained", drain_chk(s[0], 1), 3);
        expect_eq("__recvfrom_chk drained", drain_chk(d[0], 2), 3);
        expect_wait("LT, drained", lt, 8, 0, "none");
        expect_wait("ET, drained", et, 8, 0, "none");
    }

    close(lt);
    close(et);
    close(p[0]); close(p[1]);
    close(s[0]); close(s[1]);
    close(d[0]); close(d[1]);
    return test_done();
}
