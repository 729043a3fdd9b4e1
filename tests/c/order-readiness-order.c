/* order-readiness-order: the ready list is a FIFO ordered by the time each
 * item was queued, not by registration order: pipes registered a, b, c and
 * made readable c, a, b come back c, a, b (ORD-1); a further wakeup of an item
 * already queued does not move it (ORD-6); MOD of a queued item keeps its
 * place and the report carries the new data (ORD-9); an item queued but no
 * longer ready when the wait runs is dropped silently (ORD-7). data encodes
 * the pipe: 1 = a, 2 = b, 3 = c. */
#include "check.h"

int main(void)
{
    test_start();
    int a[2], b[2], c[2];
    make_pipe(a);
    make_pipe(b);
    make_pipe(c);
    int ep = make_epoll();
    check(ep_add(ep, a[0], EPOLLIN | EPOLLET, 1) == 0);
    check(ep_add(ep, b[0], EPOLLIN | EPOLLET, 2) == 0);
    check(ep_add(ep, c[0], EPOLLIN | EPOLLET, 3) == 0);

    put(c[1], 1);
    put(a[1], 1);
    put(b[1], 1);
    expect_wait("made readable c, a, b", ep, 8, 0, "IN data=3, IN data=1, IN data=2");

    put(a[1], 1);
    put(b[1], 1);
    put(a[1], 1);
    expect_wait("a, b, a again: a keeps its place", ep, 8, 0, "IN data=1, IN data=2");

    put(b[1], 1);
    put(c[1], 1);
    check(ep_mod(ep, b[0], EPOLLIN | EPOLLET, 20) == 0);
    expect_wait("b, c, then MOD of b", ep, 8, 0, "IN data=20, IN data=3");

    put(a[1], 1);
    put(c[1], 1);
    check(drain(a[0]) == 4);
    expect_wait("a, c queued, a drained before the wait", ep, 8, 0, "IN data=3");

    close(ep);
    close(a[0]); close(a[1]);
    close(b[0]); close(b[1]);
    close(c[0]); close(c[1]);
    return test_done();
}
