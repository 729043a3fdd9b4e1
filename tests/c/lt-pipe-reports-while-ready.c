/* lt-pipe-reports-while-ready: a level-triggered item on a pipe read end is
 * reported by every epoll_wait for as long as data is queued: a second wait
 * without reading reports it again, a partial read keeps it reported, and
 * only draining the pipe stops the reports (SEMANTICS 3.1.1, LT-PIPE-1..5).
 * An emulation that clears readiness after reporting, or only on a read,
 * breaks every level-triggered event loop. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 7) == 0);

    expect_wait("empty pipe", ep, 8, 0, "none");
    put(p[1], 2);
    expect_wait("after write of 2 bytes", ep, 8, 0, "IN data=7");
    expect_wait("again, nothing read", ep, 8, 0, "IN data=7");
    expect_wait("and again", ep, 8, 0, "IN data=7");
    take(p[0], 1);
    expect_wait("after reading 1 of 2 bytes", ep, 8, 0, "IN data=7");
    take(p[0], 1);
    expect_wait("after reading the last byte", ep, 8, 0, "none");
    put(p[1], 1);
    expect_wait("after another write", ep, 8, 0, "IN data=7");
    check(drain(p[0]) == 1);
    expect_wait("after drain", ep, 8, 0, "none");

    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
