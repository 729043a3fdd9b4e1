/* lifetime-dup-keeps-item: the kernel keys items by (fd number, open file
 * description). With a dup alive, closing the registered number leaves the
 * item working with its old data (LIFE-DUP-1); it can no longer be named:
 * DEL on the closed number is EBADF, DEL/MOD on the dup is ENOENT
 * (LIFE-DUP-2..4). The closed number reused for a new file is a separate key:
 * ADD succeeds and DEL of it removes only the new item (LIFE-DUP-7..10). The
 * stale item goes when the last descriptor of its file is closed
 * (LIFE-DUP-11). An emulation keyed by fd number alone gets all of this
 * wrong (SEMANTICS 7.2, MUST 1). */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);
    int d = dup(p[0]);
    check(d >= 0);
    int old = p[0];
    close(p[0]);

    expect_wait("registered number closed, dup alive, empty", ep, 8, 0, "none");
    put(p[1], 1);
    expect_wait("written", ep, 8, 0, "IN data=1");
    expect_err(ep_del(ep, old), EBADF);
    expect_err(ep_del(ep, d), ENOENT);
    expect_err(ep_mod(ep, d, EPOLLIN, 9), ENOENT);

    int q[2];
    make_pipe(q);
    check(q[0] == old);
    expect_ok(ep_add(ep, q[0], EPOLLIN, 3));
    expect_wait("new file under the old number, empty", ep, 8, 0, "IN data=1");
    put(q[1], 1);
    expect_wait("new file written", ep, 8, 0, "IN data=1, IN data=3");
    expect_ok(ep_del(ep, q[0]));
    expect_wait("DEL of the number removed only the new item", ep, 8, 0, "IN data=1");

    check(drain(d) == 1);
    expect_wait("drained through the dup", ep, 8, 0, "none");
    put(p[1], 1);
    expect_wait("written again", ep, 8, 0, "IN data=1");
    close(d);
    expect_wait("last descriptor of the file closed", ep, 8, 0, "none");

    close(ep);
    close(p[1]);
    close(q[0]);
    close(q[1]);
    return test_done();
}
