/* et-eventfd-second-write-is-edge: every eventfd_write is a wakeup, so under
 * EPOLLET a second write into an unread eventfd is a new edge (ET-EVENTFD-3),
 * and even eventfd_write(0), which leaves the counter unchanged, is an edge
 * (ET-EVENTFD-11). This is exactly how libuv's async handle and tokio's
 * waker use eventfd: registered ET, written to, rarely read. */
#include "check.h"

int main(void)
{
    test_start();
    int efd = make_eventfd(0, 0);
    int ep = make_epoll();
    check(ep_add(ep, efd, EPOLLIN | EPOLLET, 5) == 0);
    eventfd_t v;

    expect_wait("counter 0", ep, 8, 0, "none");
    check(eventfd_write(efd, 1) == 0);
    expect_wait("write 1", ep, 8, 0, "IN data=5");
    expect_wait("nothing new", ep, 8, 0, "none");
    check(eventfd_write(efd, 1) == 0);
    expect_wait("write 1 again, unread", ep, 8, 0, "IN data=5");
    expect_wait("nothing new", ep, 8, 0, "none");
    check(eventfd_write(efd, 0) == 0);
    expect_wait("write 0 (counter unchanged)", ep, 8, 0, "IN data=5");
    expect_wait("nothing new", ep, 8, 0, "none");
    check(eventfd_read(efd, &v) == 0);
    expect_eq("counter read", v, 2);
    expect_wait("after read", ep, 8, 0, "none");
    check(eventfd_write(efd, 7) == 0);
    expect_wait("write after read", ep, 8, 0, "IN data=5");

    close(ep);
    close(efd);
    return test_done();
}
