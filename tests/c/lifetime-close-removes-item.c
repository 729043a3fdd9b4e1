/* lifetime-close-removes-item: an item lives as long as the open file
 * description it names. Closing the only descriptor of a registered file
 * removes the item: a ready item is not reported after close
 * (LIFE-CLOSE-1), and the number, reused for a new file, can be added
 * again, not EEXIST, and reports with its own data (LIFE-CLOSE-2). Programs
 * rely on "close removes it" (man 7 epoll, Q6) and never DEL before
 * closing. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);
    put(p[1], 1);
    expect_wait("ready", ep, 8, 0, "IN data=1");

    int old = p[0];
    close(p[0]);
    expect_wait("read end closed", ep, 8, 0, "none");
    close(p[1]);

    int q[2];
    make_pipe(q);
    check(q[0] == old);   /* lowest free number: the one just closed */
    expect_ok(ep_add(ep, q[0], EPOLLIN, 2));
    expect_wait("new file under the old number, empty", ep, 8, 0, "none");
    put(q[1], 1);
    expect_wait("new file under the old number, written", ep, 8, 0, "IN data=2");

    /* the same through an instance that had the item queued for ET */
    int r[2];
    make_pipe(r);
    check(ep_add(ep, r[0], EPOLLIN | EPOLLET, 3) == 0);
    put(r[1], 1);
    close(r[0]);
    expect_wait("ET item queued, then closed", ep, 8, 0, "IN data=2");
    close(r[1]);

    close(ep);
    close(q[0]);
    close(q[1]);
    return test_done();
}
