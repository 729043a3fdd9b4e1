/* et-eof-read-is-not-edge: after the peer of a socket has gone, an
 * edge-triggered registration reports IN|...|HUP once. read() then returns 0
 * (EOF) again and again; that is no wakeup, so the ET item stays quiet. An
 * emulation that takes "read returned 0" as "drained, the next readable state
 * is a new edge" reports the item on every wait, turning ET into LT for a
 * program that keeps the fd registered after EOF. Found by the differential
 * fuzzer (tests/diff, seed 203). */
#include "check.h"

static void one(const char *name, int a, int b, uint32_t ev, const char *want)
{
    char line[128];
    int ep = make_epoll();
    check(ep_add(ep, a, ev | EPOLLET, 1) == 0);
    close(b);
    snprintf(line, sizeof line, "%s: peer closed", name);
    expect_wait(line, ep, 8, 0, want);
    for (int i = 0; i < 3; i++) {
        char buf[8];
        expect_eq("read at EOF", read(a, buf, sizeof buf), 0);
        snprintf(line, sizeof line, "%s: after read() returned 0 (%d)", name, i);
        expect_wait(line, ep, 8, 0, "none");
    }
    close(ep);
    close(a);
}

int main(void)
{
    test_start();
    int sv[2], p[2];
    make_socketpair(SOCK_STREAM, sv);
    one("stream", sv[0], sv[1], EPOLLIN, "IN|HUP data=1");
    make_socketpair(SOCK_SEQPACKET, sv);
    one("seqpacket", sv[0], sv[1], EPOLLIN | EPOLLOUT, "IN|OUT|HUP data=1");
    make_pipe(p);
    one("pipe", p[0], p[1], EPOLLIN, "HUP data=1");
    return test_done();
}
