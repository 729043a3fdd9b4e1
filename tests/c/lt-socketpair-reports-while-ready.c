/* lt-socketpair-reports-while-ready: a level-triggered unix stream socket is
 * reported on every wait while data is queued; a partial read keeps it,
 * draining stops the IN reports (LT-USTREAM-1..5). Registered IN|OUT, an idle
 * connected socket is always writable, so OUT is reported on every wait too,
 * and IN joins it while data is queued (SEMANTICS 4, EV-US-IDLE/EV-US-DATA). */
#include "check.h"

int main(void)
{
    test_start();
    int sv[2];
    make_socketpair(SOCK_STREAM, sv);
    int ep = make_epoll();
    int ep2 = make_epoll();
    check(ep_add(ep, sv[0], EPOLLIN, 1) == 0);
    check(ep_add(ep2, sv[0], EPOLLIN | EPOLLOUT, 2) == 0);

    expect_wait("IN item, idle", ep, 8, 0, "none");
    expect_wait("IN|OUT item, idle", ep2, 8, 0, "OUT data=2");
    expect_wait("IN|OUT item, idle, again", ep2, 8, 0, "OUT data=2");
    put(sv[1], 3);
    expect_wait("IN item, 3 bytes queued", ep, 8, 0, "IN data=1");
    expect_wait("IN item, again", ep, 8, 0, "IN data=1");
    expect_wait("IN|OUT item, 3 bytes queued", ep2, 8, 0, "IN|OUT data=2");
    take(sv[0], 2);
    expect_wait("IN item, 1 byte left", ep, 8, 0, "IN data=1");
    expect_wait("IN|OUT item, 1 byte left", ep2, 8, 0, "IN|OUT data=2");
    take(sv[0], 1);
    expect_wait("IN item, drained", ep, 8, 0, "none");
    expect_wait("IN|OUT item, drained", ep2, 8, 0, "OUT data=2");

    close(ep);
    close(ep2);
    close(sv[0]);
    close(sv[1]);
    return test_done();
}
