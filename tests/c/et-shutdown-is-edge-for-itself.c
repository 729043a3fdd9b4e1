/* et-shutdown-is-edge-for-itself: shutdown(2) wakes the socket's own wait
 * queue (sk_state_change), so an edge-triggered registration of the socket
 * that calls shutdown gets a new edge with its full current state, even when
 * its poll state did not change (a unix stream socket stays OUT after
 * SHUT_WR) and when the event was consumed before. Found by the differential
 * fuzzer (tests/diff, seed 129), through a nested instance. */
#include "check.h"

int main(void)
{
    test_start();
    int sv[2];
    make_socketpair(SOCK_STREAM, sv);
    int ep = make_epoll();
    check(ep_add(ep, sv[0], EPOLLOUT | EPOLLET, 1) == 0);
    expect_wait("first", ep, 8, 0, "OUT data=1");
    expect_wait("consumed", ep, 8, 0, "none");
    expect_ok(shutdown(sv[0], SHUT_WR));
    expect_wait("after its own SHUT_WR", ep, 8, 0, "OUT data=1");
    expect_wait("consumed again", ep, 8, 0, "none");

    /* the same through a nested instance: the inner becomes ready */
    int sp[2];
    make_socketpair(SOCK_STREAM, sp);
    int inner = make_epoll(), outer = make_epoll();
    check(ep_add(inner, sp[1], EPOLLET, 2) == 0);
    expect_ok(shutdown(sp[0], SHUT_RDWR));
    expect_wait("peer shut down: HUP", inner, 8, 0, "HUP data=2");
    expect_wait("consumed", inner, 8, 0, "none");
    expect_ok(shutdown(sp[1], SHUT_WR));
    check(ep_add(outer, inner, EPOLLIN, 3) == 0);
    expect_wait("outer after the inner's own shutdown", outer, 8, 0, "IN data=3");
    expect_wait("inner", inner, 8, 0, "HUP data=2");

    close(outer); close(inner); close(ep);
    close(sv[0]); close(sv[1]);
    close(sp[0]); close(sp[1]);
    return test_done();
}
