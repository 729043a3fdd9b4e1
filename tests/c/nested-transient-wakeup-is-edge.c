/* nested-transient-wakeup-is-edge: an outer instance watches (ET) an inner
 * instance that has an item ready all the time (LT) and a listener (ET). A
 * connection that arrives and is accepted before anyone waits is a wakeup
 * of the listener: its item is queued in the inner instance (and dropped at
 * the next wait, the listener being no longer readable), and the inner
 * epoll fd wakes its pollers, which is an edge for the outer ET item: it
 * reports IN again (the inner has something to report). Found by the
 * differential fuzzer (tests/diff, seed 102413): the emulation notices
 * readiness, not wakeups, and the accepted connection left no trace. */
#include "check.h"
#include <netinet/in.h>
#include <arpa/inet.h>

int main(void)
{
    test_start();
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof sa;
    check(l >= 0);
    check(bind(l, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(l, 4) == 0);
    check(getsockname(l, (struct sockaddr *)&sa, &al) == 0);
    int e = make_eventfd(1, 0);
    int inner = make_epoll(), outer = make_epoll();
    check(ep_add(inner, e, EPOLLIN, 1) == 0);
    check(ep_add(inner, l, EPOLLIN | EPOLLET, 2) == 0);
    check(ep_add(outer, inner, EPOLLIN | EPOLLET, 3) == 0);
    expect_wait("outer", outer, 8, 0, "IN data=3");
    expect_wait("outer consumed", outer, 8, 0, "none");
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check(connect(c, (struct sockaddr *)&sa, sizeof sa) == 0);
    int s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    check(s >= 0);
    expect_wait("outer after a connection came and was accepted", outer, 8, 0, "IN data=3");
    expect_wait("inner", inner, 8, 0, "IN data=1");
    close(outer);
    close(inner);
    close(c);
    close(s);
    close(l);
    close(e);
    return test_done();
}
