/* oneshot-disarmed-no-hup: disarming a ONESHOT item clears its whole
 * interest, including the ERR|HUP the kernel otherwise always adds, so a
 * disarmed item does not even report HUP when the pipe's writer closes
 * (OS-PIPE-8). MOD re-arms it and reports IN|HUP at once (OS-PIPE-9).
 * MUST 4: ERR/HUP are reported without being requested "except for a
 * disarmed ONESHOT item". */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN | EPOLLONESHOT, 1) == 0);

    put(p[1], 1);
    expect_wait("write", ep, 8, 0, "IN data=1");
    close(p[1]);
    expect_wait("writer closed, item disarmed", ep, 8, 0, "none");
    check(ep_mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 2) == 0);
    expect_wait("re-armed", ep, 8, 0, "IN|HUP data=2");
    expect_wait("disarmed again", ep, 8, 0, "none");
    check(ep_mod(ep, p[0], EPOLLONESHOT, 3) == 0);
    expect_wait("re-armed with events 0 (HUP implicit)", ep, 8, 0, "HUP data=3");
    expect_wait("disarmed again", ep, 8, 0, "none");

    close(ep);
    close(p[0]);
    return test_done();
}
