/* efault-null-events-buffer: epoll_wait only touches the events buffer when it
 * copies an event out. With a NULL buffer and nothing ready it returns 0
 * (ERR-FAULT-1); with an item ready it fails EFAULT, and the event is not
 * lost: the next wait with a good buffer still delivers it, for an ET item too
 * (ERR-FAULT-2/3, MUST 31). An emulation must check the pointer instead of
 * crashing, and must put the collected event back. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2], q[2];
    make_pipe(p);
    make_pipe(q);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN | EPOLLET, 1) == 0);

    expect_ok(epoll_wait(ep, NULL_EVENTS, 4, 0));
    expect_ok(epoll_wait(ep, NULL_EVENTS, 4, 10));
    put(p[1], 1);
    expect_err(epoll_wait(ep, NULL_EVENTS, 4, 0), EFAULT);
    expect_err(epoll_wait(ep, NULL_EVENTS, 4, -1), EFAULT);
    expect_wait("ET event after two EFAULTs", ep, 8, 0, "IN data=1");
    expect_wait("nothing new", ep, 8, 0, "none");

    check(ep_add(ep, q[0], EPOLLIN, 2) == 0);
    put(q[1], 1);
    expect_err(epoll_wait(ep, NULL_EVENTS, 4, 0), EFAULT);
    expect_wait("LT event after EFAULT", ep, 8, 0, "IN data=2");

    close(ep);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
    return test_done();
}
