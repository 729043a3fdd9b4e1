/* et-write-edge-without-in-interest: new data wakes a file's waiters with
 * the key IN|RDNORM (pipes) or IN|PRI|RDNORM|RDBAND (sockets: sock_def_
 * readable), and epoll queues every item whose interest intersects the key.
 * So an edge-triggered item whose read interest is RDNORM, or PRI, but not
 * IN, gets an edge on every write by the peer, reporting its full state
 * (e.g. OUT alone when OUT|PRI is asked and no urgent data is there). On a
 * pipe, PRI is not in the key: no edge. Found by the differential fuzzer
 * (tests/diff, seeds 218 and 445). */
#include "check.h"

static void one(const char *name, int r, int w, uint32_t ev, const char *want, const char *want2)
{
    char line[128];
    int ep = make_epoll();
    put(w, 1);
    check(ep_add(ep, r, ev | EPOLLET, 1) == 0);
    snprintf(line, sizeof line, "%s: first", name);
    expect_wait(line, ep, 8, 0, want);
    snprintf(line, sizeof line, "%s: consumed", name);
    expect_wait(line, ep, 8, 0, "none");
    put(w, 1);
    snprintf(line, sizeof line, "%s: second write", name);
    expect_wait(line, ep, 8, 0, want2);
    close(ep);
    close(r);
    close(w);
}

int main(void)
{
    test_start();
    int p[2], sv[2];
    make_pipe(p);
    one("pipe RDNORM", p[0], p[1], EPOLLRDNORM, "RDNORM data=1", "RDNORM data=1");
    make_pipe(p);
    one("pipe PRI|HUP", p[0], p[1], EPOLLPRI | EPOLLHUP, "none", "none");
    make_socketpair(SOCK_STREAM, sv);
    one("socketpair RDNORM", sv[0], sv[1], EPOLLRDNORM, "RDNORM data=1", "RDNORM data=1");
    make_socketpair(SOCK_STREAM, sv);
    one("socketpair OUT|RDNORM", sv[0], sv[1], EPOLLOUT | EPOLLRDNORM, "OUT|RDNORM data=1", "OUT|RDNORM data=1");
    make_socketpair(SOCK_SEQPACKET, sv);
    one("seqpacket OUT|PRI", sv[0], sv[1], EPOLLOUT | EPOLLPRI, "OUT data=1", "OUT data=1");
    make_socketpair(SOCK_DGRAM, sv);
    one("dgram OUT|RDBAND", sv[0], sv[1], EPOLLOUT | EPOLLRDBAND, "OUT data=1", "OUT data=1");
    return test_done();
}
