/* wakeup-accepted-never-returned: EPOLLWAKEUP is accepted by ADD and MOD
 * whether or not the caller has CAP_BLOCK_SUSPEND (the kernel silently drops
 * it without the capability or without CONFIG_PM_SLEEP) and is never part of
 * the returned events (WAKEUP-1, WAKEUP-2, SEMANTICS 3.4.2, MUST 13). Android
 * and systemd code passes it routinely. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();

    expect_ok(ep_add(ep, p[0], EPOLLIN | EPOLLWAKEUP, 1));
    expect_ok(ep_add(ep, p[1], EPOLLOUT | EPOLLWAKEUP | EPOLLET, 2));
    put(p[1], 1);
    expect_wait("write end queued at ADD, then read end", ep, 8, 0, "OUT data=2, IN data=1");
    expect_ok(ep_mod(ep, p[0], EPOLLIN | EPOLLWAKEUP | EPOLLONESHOT, 3));
    expect_wait("after MOD with WAKEUP|ONESHOT", ep, 8, 0, "IN data=3");
    expect_wait("disarmed", ep, 8, 0, "none");
    expect_ok(ep_mod(ep, p[0], EPOLLWAKEUP, 4));
    close(p[1]);
    expect_wait("WAKEUP alone, writer closed", ep, 8, 0, "HUP data=4");

    close(ep);
    close(p[0]);
    return test_done();
}
