/* nested-inner-ready-outer-reports-in: an epoll fd is itself pollable. Added
 * to an outer instance, it is reported as IN (never OUT, whatever the outer
 * interest) exactly while a wait on the inner would return something: empty
 * -> nothing, a ready item -> IN with the outer item's data, drained ->
 * nothing (NEST-1, NEST-2, NEST-4, EV-EP-READY-OUT). Polling the inner does
 * not consume its events: an ET item is still delivered by the inner wait
 * afterwards (NEST-5..7). A disarmed ONESHOT item does not make the inner
 * ready (NEST-8). Event loops nest this way (GLib in libuv, Qt in asyncio). */
#include "check.h"

int main(void)
{
    test_start();
    int p[2], q[2];
    make_pipe(p);
    make_pipe(q);
    int inner = make_epoll(), outer = make_epoll();
    check(ep_add(inner, p[0], EPOLLIN, 1) == 0);
    check(ep_add(outer, inner, EPOLLIN | EPOLLOUT, 100) == 0);

    expect_wait("outer, inner empty", outer, 8, 0, "none");
    put(p[1], 1);
    expect_wait("outer, inner has a readable LT item", outer, 8, 0, "IN data=100");
    expect_wait("inner", inner, 8, 0, "IN data=1");
    expect_wait("outer again (LT item still ready)", outer, 8, 0, "IN data=100");
    check(drain(p[0]) == 1);
    expect_wait("outer, inner drained", outer, 8, 0, "none");

    check(ep_add(inner, q[0], EPOLLIN | EPOLLET, 2) == 0);
    put(q[1], 1);
    expect_wait("outer, inner has an ET event", outer, 8, 0, "IN data=100");
    expect_wait("outer again, ET event not consumed", outer, 8, 0, "IN data=100");
    expect_wait("inner delivers the ET event", inner, 8, 0, "IN data=2");
    expect_wait("outer, ET event consumed", outer, 8, 0, "none");

    check(ep_mod(inner, q[0], EPOLLIN | EPOLLONESHOT, 3) == 0);
    expect_wait("inner delivers the ONESHOT event", inner, 8, 0, "IN data=3");
    expect_wait("outer, only a disarmed item is readable", outer, 8, 0, "none");

    close(outer);
    close(inner);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
    return test_done();
}
