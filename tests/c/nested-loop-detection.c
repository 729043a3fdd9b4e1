/* nested-loop-detection: adding an epoll fd to itself is EINVAL (fd == epfd,
 * NEST-LOOP-1); closing a cycle of two or three instances is ELOOP
 * (NEST-LOOP-2/3), also when the cycle goes through a dup of an epoll fd
 * (NEST-LOOP-4); a diamond (two paths, no cycle) is allowed (NEST-LOOP-5).
 * Re-adding an existing nested item that makes no cycle is EEXIST
 * (ERR-PREC-CTL-15). Without the check a cycle makes readiness recursion
 * unbounded. */
#include "check.h"

int main(void)
{
    test_start();
    int a = make_epoll(), b = make_epoll(), c = make_epoll(), d = make_epoll();

    expect_err(ep_add(a, a, EPOLLIN, 0), EINVAL);

    expect_ok(ep_add(a, b, EPOLLIN, 0));
    expect_err(ep_add(b, a, EPOLLIN, 0), ELOOP);
    expect_err(ep_add(a, b, EPOLLIN, 0), EEXIST);

    expect_ok(ep_add(b, c, EPOLLIN, 0));
    expect_err(ep_add(c, a, EPOLLIN, 0), ELOOP);

    int a2 = dup(a);
    check(a2 >= 0);
    expect_err(ep_add(c, a2, EPOLLIN, 0), ELOOP);
    expect_err(ep_add(a2, a2, EPOLLIN, 0), EINVAL);
    close(a2);

    /* diamond: a -> b -> d and a -> c -> d */
    expect_ok(ep_add(b, d, EPOLLIN, 0));
    expect_ok(ep_add(a, c, EPOLLIN, 0));
    expect_ok(ep_add(c, d, EPOLLIN, 0));
    expect_err(ep_add(d, a, EPOLLIN, 0), ELOOP);

    close(a);
    close(b);
    close(c);
    close(d);
    return test_done();
}
