/* handle-dup-same-instance: an epoll fd is an ordinary descriptor for an open
 * file; dup() of it names the same instance: ADD through one is EEXIST
 * through the other, events are seen through both, DEL through one removes
 * the item for both, and closing the original keeps the instance alive
 * through the dup (LIFE-EPDUP-1..3, SEMANTICS 7.5, MUST 21). fcntl(F_DUPFD)
 * and dup2/dup3 make dups too. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    int d = dup(ep);
    check(d >= 0);

    expect_ok(ep_add(ep, p[0], EPOLLIN, 1));
    expect_err(ep_add(d, p[0], EPOLLIN, 2), EEXIST);
    put(p[1], 1);
    expect_wait("through the original", ep, 8, 0, "IN data=1");
    expect_wait("through the dup", d, 8, 0, "IN data=1");
    expect_ok(ep_mod(d, p[0], EPOLLIN, 3));
    expect_wait("original after MOD through the dup", ep, 8, 0, "IN data=3");

    check(close(ep) == 0);
    expect_wait("dup after closing the original", d, 8, 0, "IN data=3");
    int d2 = fcntl(d, F_DUPFD_CLOEXEC, 0);
    check(d2 >= 0);
    expect_ok(ep_del(d2, p[0]));
    expect_err(ep_del(d, p[0]), ENOENT);
    expect_wait("after DEL through an F_DUPFD copy", d, 8, 0, "none");
    check(close(d) == 0);
    expect_ok(ep_add(d2, p[0], EPOLLIN, 4));
    expect_wait("last remaining copy", d2, 8, 0, "IN data=4");

    close(d2);
    close(p[0]);
    close(p[1]);
    return test_done();
}
