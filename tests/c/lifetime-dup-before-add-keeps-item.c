/* lifetime-dup-before-add-keeps-item: the item belongs to the open file
 * description, so it survives close() of the registered number whenever any
 * other descriptor still names the file, no matter when or how that other
 * descriptor was made: a dup taken before the ADD, or the original fd when
 * the dup is the one registered (LIFE-DUP-1, SEMANTICS 7.1/7.2, man 7 epoll
 * Q6). Programs commonly register a dup of a socket they keep (or
 * register the original and keep a dup made long before, e.g. for stdio).
 * An emulation that only tracks dups made after the ADD drops the item. */
#include "check.h"

int main(void)
{
    test_start();
    int ep = make_epoll();

    /* a: the original stays open, a dup made before the ADD is registered */
    int a[2];
    make_pipe(a);
    int a_dup = dup(a[0]);
    check(a_dup >= 0);
    check(ep_add(ep, a_dup, EPOLLIN, 1) == 0);
    close(a_dup);
    put(a[1], 1);
    expect_wait("registered dup closed, original alive", ep, 8, 0, "IN data=1");
    check(drain(a[0]) == 1);

    /* b: a dup made before the ADD stays open, the original is registered */
    int b[2];
    make_pipe(b);
    int b_dup = dup(b[0]);
    check(b_dup >= 0);
    check(ep_add(ep, b[0], EPOLLIN, 2) == 0);
    close(b[0]);
    put(b[1], 1);
    expect_wait("registered original closed, earlier dup alive", ep, 8, 0, "IN data=2");

    /* c: the same through fcntl(F_DUPFD_CLOEXEC) */
    int c[2];
    make_pipe(c);
    int c_dup = fcntl(c[0], F_DUPFD_CLOEXEC, 0);
    check(c_dup >= 0);
    check(ep_add(ep, c[0], EPOLLIN, 3) == 0);
    close(c[0]);
    put(c[1], 1);
    expect_wait("registered original closed, F_DUPFD copy alive", ep, 8, 0, "IN data=2, IN data=3");

    close(b_dup);
    close(c_dup);
    expect_wait("last references closed", ep, 8, 0, "none");

    close(ep);
    close(a[0]); close(a[1]);
    close(b[1]);
    close(c[1]);
    return test_done();
}
