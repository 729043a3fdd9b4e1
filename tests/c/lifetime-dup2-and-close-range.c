/* lifetime-dup2-and-close-range: dup2(new, registered) closes the old file at
 * that number, removing its item when that was the last reference; the new
 * file at the number is not registered (LIFE-DUP2-1) and can be added
 * (LIFE-DUP2-2). close_range removes items just as close does
 * (LIFE-CLOSERANGE-1). Spawners and daemons use both (dup2 onto 0/1/2,
 * close_range before exec). */
#include "check.h"
#include <linux/close_range.h>

int main(void)
{
    test_start();
    int p[2], q[2];
    make_pipe(p);
    make_pipe(q);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);
    put(p[1], 1);
    put(q[1], 1);
    expect_wait("p readable", ep, 8, 0, "IN data=1");

    check(dup2(q[0], p[0]) == p[0]);      /* p's read end is gone: last reference */
    expect_wait("after dup2 of q's read end over p's", ep, 8, 0, "none");
    expect_err(ep_mod(ep, p[0], EPOLLIN, 2), ENOENT);
    expect_ok(ep_add(ep, p[0], EPOLLIN, 3));
    expect_wait("the new file at that number", ep, 8, 0, "IN data=3");
    check(close(p[0]) == 0);
    expect_wait("after closing it (q[0] still open: item stays)", ep, 8, 0, "IN data=3");
    close(p[1]);

    int r[2];
    make_pipe(r);
    check(ep_add(ep, r[0], EPOLLIN, 4) == 0);
    put(r[1], 1);
    expect_wait("r readable too", ep, 8, 0, "IN data=3, IN data=4");
    int lo = r[0] < r[1] ? r[0] : r[1];
    int hi = r[0] < r[1] ? r[1] : r[0];
    check(syscall(SYS_close_range, lo, hi, 0) == 0);
    expect_wait("after close_range over r", ep, 8, 0, "IN data=3");
    check(close(q[0]) == 0);
    expect_wait("after closing q's last read end", ep, 8, 0, "none");

    close(ep);
    close(q[1]);
    return test_done();
}
