/* nested-inner-add-not-ready-is-no-edge: an outer instance watches an inner
 * one edge-triggered. Adding a member that is not ready to the inner
 * instance is no wakeup of the inner epoll fd, so the outer ET item stays
 * quiet (the kernel wakes the inner's pollers on ADD only when the new item
 * is ready). Found by the differential fuzzer (tests/diff, seed 385): the
 * emulation reported the outer item again. */
#include "check.h"

int main(void)
{
    test_start();
    int e = make_eventfd(1, 0);
    int inner = make_epoll(), outer = make_epoll();
    check(ep_add(inner, e, EPOLLIN, 1) == 0);
    check(ep_add(outer, inner, EPOLLIN | EPOLLET, 2) == 0);
    expect_wait("outer", outer, 8, 0, "IN data=2");
    expect_wait("outer consumed", outer, 8, 0, "none");
    int p[2];
    make_pipe(p);
    expect_ok(ep_add(inner, p[0], EPOLLIN | EPOLLET, 3));
    expect_wait("outer after adding a member that is not ready", outer, 8, 0, "none");
    expect_ok(ep_mod(inner, p[0], EPOLLIN, 4));
    expect_wait("outer after modifying it", outer, 8, 0, "none");
    put(p[1], 1);
    expect_wait("outer after the new member became ready", outer, 8, 0, "IN data=2");
    close(outer);
    close(inner);
    close(e);
    close(p[0]);
    close(p[1]);
    return test_done();
}
