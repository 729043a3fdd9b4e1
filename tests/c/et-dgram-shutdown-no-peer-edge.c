/* et-dgram-shutdown-no-peer-edge: on a unix datagram pair, shutdown() only
 * changes the socket that calls it: unlike stream and seqpacket sockets, the
 * peer is neither marked nor woken. So an edge-triggered registration of the
 * peer, or an outer instance watching (ET) an instance that holds the peer,
 * gets no new edge. Found by the differential fuzzer (tests/diff, seed 2067):
 * the emulation reported the outer item again. */
#include "check.h"

int main(void)
{
    test_start();
    int sv[2];
    make_socketpair(SOCK_DGRAM, sv);
    int ep = make_epoll();
    check(ep_add(ep, sv[0], EPOLLOUT | EPOLLET, 1) == 0);
    expect_wait("peer, first", ep, 8, 0, "OUT data=1");
    expect_ok(shutdown(sv[1], SHUT_WR));
    expect_wait("peer after SHUT_WR", ep, 8, 0, "none");
    expect_ok(shutdown(sv[1], SHUT_RD));
    expect_wait("peer after SHUT_RD", ep, 8, 0, "none");
    close(ep);
    close(sv[0]);
    close(sv[1]);

    make_socketpair(SOCK_DGRAM, sv);
    int inner = make_epoll(), outer = make_epoll();
    check(ep_add(inner, sv[0], EPOLLIN | EPOLLWRBAND, 2) == 0);
    check(ep_add(outer, inner, EPOLLIN | EPOLLET, 3) == 0);
    expect_wait("outer, first", outer, 8, 0, "IN data=3");
    expect_wait("outer, consumed", outer, 8, 0, "none");
    expect_ok(shutdown(sv[1], SHUT_WR));
    expect_wait("outer after the member's peer's SHUT_WR", outer, 8, 0, "none");
    expect_wait("inner", inner, 8, 0, "WRBAND data=2");
    close(outer);
    close(inner);
    close(sv[0]);
    close(sv[1]);
    return test_done();
}
