/* et-out-item-ignores-peer-write: a wakeup is only queued for an item whose
 * interest intersects the wakeup's key. A socket registered OUT|ET gets
 * nothing when the peer writes to it (an IN wakeup), although it is still
 * writable (ET-USTREAM-11, SEMANTICS 3.3.3). An IN|OUT|ET item in the same
 * instance does get the edge. Emulations that turn every in-process write
 * into an edge for all bits make OUT-only ET items spin. */
#include "check.h"

int main(void)
{
    test_start();
    int s[2];
    make_socketpair(SOCK_STREAM, s);
    int ep = make_epoll();
    int ep2 = make_epoll();
    check(ep_add(ep, s[0], EPOLLOUT | EPOLLET, 1) == 0);
    check(ep_add(ep2, s[0], EPOLLIN | EPOLLOUT | EPOLLET, 2) == 0);

    expect_wait("OUT|ET at ADD", ep, 8, 0, "OUT data=1");
    expect_wait("IN|OUT|ET at ADD", ep2, 8, 0, "OUT data=2");
    put(s[1], 1);
    expect_wait("OUT|ET after peer write", ep, 8, 0, "none");
    expect_wait("IN|OUT|ET after peer write", ep2, 8, 0, "IN|OUT data=2");
    check(drain(s[0]) == 1);
    expect_wait("OUT|ET after drain", ep, 8, 0, "none");

    close(ep);
    close(ep2);
    close(s[0]);
    close(s[1]);
    return test_done();
}
