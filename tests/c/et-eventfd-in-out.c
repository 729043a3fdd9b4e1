/* et-eventfd-in-out: an eventfd registered IN|OUT|ET reports OUT once at ADD
 * (ET-EVENTFD-8); eventfd_write(3) is a wakeup reporting the full state
 * IN|OUT (ET-EVENTFD-9); eventfd_read wakes the writers, which is an edge
 * reporting OUT (ET-EVENTFD-10), although OUT never stopped being true.
 * A counter at 0xfffffffffffffffe is IN only, not writable (LT-EVENTFD-8,
 * SEMANTICS 3.3.2). */
#include "check.h"

int main(void)
{
    test_start();
    int efd = make_eventfd(0, 0);
    int ep = make_epoll();
    check(ep_add(ep, efd, EPOLLIN | EPOLLOUT | EPOLLET, 1) == 0);
    eventfd_t v;

    expect_wait("ADD, counter 0", ep, 8, 0, "OUT data=1");
    expect_wait("nothing new", ep, 8, 0, "none");
    check(eventfd_write(efd, 3) == 0);
    expect_wait("write 3", ep, 8, 0, "IN|OUT data=1");
    expect_wait("nothing new", ep, 8, 0, "none");
    check(eventfd_read(efd, &v) == 0);
    expect_wait("read (wakes writers)", ep, 8, 0, "OUT data=1");
    expect_wait("nothing new", ep, 8, 0, "none");

    int lt = make_epoll();
    check(ep_add(lt, efd, EPOLLIN | EPOLLOUT, 2) == 0);
    check(eventfd_write(efd, 0xfffffffffffffffeULL) == 0);
    expect_wait("LT, counter at the maximum", lt, 8, 0, "IN data=2");

    close(lt);
    close(ep);
    close(efd);
    return test_done();
}
