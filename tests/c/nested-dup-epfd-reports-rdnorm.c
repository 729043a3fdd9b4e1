/* nested-dup-epfd-reports-rdnorm: an epoll fd polled as a member of another
 * instance reports EPOLLIN|EPOLLRDNORM when its interest asks for both
 * (ep_eventpoll_poll returns IN|RDNORM), also when the member is a dup of
 * the inner epoll fd and when it is looked at with poll(2). Found by the
 * differential fuzzer (tests/diff, seed 10): through a dup the emulation
 * reported IN only, with or without the dup, and poll(2) on the epoll fd
 * saw POLLIN without POLLRDNORM. */
#include "check.h"

int main(void)
{
    test_start();
    int e = make_eventfd(0, 0);
    int inner = make_epoll();
    int outer = make_epoll();
    int outer2 = make_epoll();
    int inner2 = dup(inner);
    check(inner2 >= 0);
    check(ep_add(inner, e, EPOLLIN, 1) == 0);
    expect_ok(ep_add(outer, inner, EPOLLIN | EPOLLRDNORM, 2));
    expect_ok(ep_add(outer2, inner2, EPOLLIN | EPOLLRDNORM | EPOLLOUT, 3));
    expect_wait("nothing ready", outer, 8, 0, "none");
    check(eventfd_write(e, 1) == 0);
    expect_wait("inner ready: the epoll fd", outer, 8, 0, "IN|RDNORM data=2");
    expect_wait("inner ready: its dup", outer2, 8, 0, "IN|RDNORM data=3");

    struct pollfd p[2] = { { inner, POLLIN | POLLRDNORM | POLLOUT, 0 },
                           { inner2, POLLIN | POLLRDNORM, 0 } };
    expect_eq("poll", poll(p, 2, 0), 2);
    say("poll revents: %s, dup: %s", evname((uint32_t)p[0].revents), evname((uint32_t)p[1].revents));
    if (p[0].revents != (POLLIN | POLLRDNORM) || p[1].revents != (POLLIN | POLLRDNORM)) g_failed = 1;

    close(outer);
    close(outer2);
    close(inner2);
    close(inner);
    close(e);
    return test_done();
}
