/* et-full-state-on-edge: when an ET item is reported, the kernel re-polls the
 * file and returns the whole current state masked by the interest, not only
 * the bit whose change caused the wakeup. A socketpair end registered
 * IN|OUT|ET reports OUT once at ADD, then nothing; a peer write then reports
 * IN|OUT although OUT did not change (ET-USTREAM-8..10, SEMANTICS 3.3.3).
 * Emulations that report only "new" bits give IN alone. */
#include "check.h"

int main(void)
{
    test_start();
    int s[2];
    make_socketpair(SOCK_STREAM, s);
    int ep = make_epoll();
    check(ep_add(ep, s[0], EPOLLIN | EPOLLOUT | EPOLLET, 9) == 0);

    expect_wait("ADD of a writable socket", ep, 8, 0, "OUT data=9");
    expect_wait("nothing new", ep, 8, 0, "none");
    put(s[1], 1);
    expect_wait("peer write", ep, 8, 0, "IN|OUT data=9");
    expect_wait("nothing new", ep, 8, 0, "none");
    put(s[1], 1);
    expect_wait("second peer write, undrained", ep, 8, 0, "IN|OUT data=9");
    check(drain(s[0]) == 2);
    expect_wait("drained", ep, 8, 0, "none");

    close(ep);
    close(s[0]);
    close(s[1]);
    return test_done();
}
