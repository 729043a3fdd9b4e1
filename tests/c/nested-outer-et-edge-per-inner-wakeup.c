/* nested-outer-et-edge-per-inner-wakeup: every wakeup of any item inside an
 * inner instance is a wakeup of the inner epoll fd, so an outer item
 * registered IN|ET gets a new edge for each write into the inner's pipe, even
 * while the inner was already ready and nothing was consumed (ET-NESTED-3,
 * SEMANTICS 3.2). Nested loops (an ET-registered child loop's epoll fd in a
 * parent loop) stall if only the first edge propagates. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int inner = make_epoll(), outer = make_epoll();
    check(ep_add(inner, p[0], EPOLLIN, 1) == 0);
    check(ep_add(outer, inner, EPOLLIN | EPOLLET, 100) == 0);

    expect_wait("outer, inner empty", outer, 8, 0, "none");
    put(p[1], 1);
    expect_wait("first write", outer, 8, 0, "IN data=100");
    expect_wait("nothing new", outer, 8, 0, "none");
    put(p[1], 1);
    expect_wait("second write, inner still ready", outer, 8, 0, "IN data=100");
    expect_wait("nothing new", outer, 8, 0, "none");
    expect_wait("inner (LT)", inner, 8, 0, "IN data=1");
    check(drain(p[0]) == 2);
    expect_wait("outer after drain", outer, 8, 0, "none");
    put(p[1], 1);
    expect_wait("write after drain", outer, 8, 0, "IN data=100");

    close(outer);
    close(inner);
    close(p[0]);
    close(p[1]);
    return test_done();
}
