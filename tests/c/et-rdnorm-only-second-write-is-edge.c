/* et-rdnorm-only-second-write-is-edge: an edge-triggered registration whose
 * read interest is EPOLLRDNORM (not EPOLLIN) gets an edge on every write by
 * the peer, exactly like one with EPOLLIN: the wakeup key of new data is
 * IN|RDNORM. Found by the differential fuzzer (tests/diff, seed 218) on a
 * TCP pair with interest OUT|RDNORM. */
#include "check.h"

static void one(const char *name, int r, int w, uint32_t ev, const char *want)
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
    expect_wait(line, ep, 8, 0, want);
    close(ep);
    close(r);
    close(w);
}

int main(void)
{
    test_start();
    int p[2], sv[2];
    make_pipe(p);
    one("pipe RDNORM", p[0], p[1], EPOLLRDNORM, "RDNORM data=1");
    make_socketpair(SOCK_STREAM, sv);
    one("socketpair RDNORM", sv[0], sv[1], EPOLLRDNORM, "RDNORM data=1");
    make_socketpair(SOCK_STREAM, sv);
    one("socketpair OUT|RDNORM", sv[0], sv[1], EPOLLOUT | EPOLLRDNORM, "OUT|RDNORM data=1");
    return test_done();
}
