/* oneshot-disarm-and-rearm: an EPOLLONESHOT item is reported once and then
 * disarmed: further waits and further writes report nothing, but it stays
 * registered (ADD again is EEXIST). EPOLL_CTL_MOD re-arms it, and because MOD
 * polls the file, an fd that is still readable is reported at once with the
 * new data; after that it is disarmed again (OS-PIPE-1..7, SEMANTICS 3.1.4).
 * ET|ONESHOT behaves the same (ETOS-PIPE-1..3). Thread pools hand one fd to
 * one worker this way. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN | EPOLLONESHOT, 1) == 0);

    expect_wait("armed, empty", ep, 8, 0, "none");
    put(p[1], 1);
    expect_wait("write", ep, 8, 0, "IN data=1");
    expect_wait("disarmed (LT would repeat)", ep, 8, 0, "none");
    put(p[1], 1);
    expect_wait("write while disarmed", ep, 8, 0, "none");
    expect_err(ep_add(ep, p[0], EPOLLIN | EPOLLONESHOT, 1), EEXIST);
    expect_ok(ep_mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 2));
    expect_wait("re-armed by MOD while readable", ep, 8, 0, "IN data=2");
    expect_wait("disarmed again", ep, 8, 0, "none");

    check(ep_mod(ep, p[0], EPOLLIN | EPOLLONESHOT | EPOLLET, 3) == 0);
    expect_wait("MOD to ET|ONESHOT while readable", ep, 8, 0, "IN data=3");
    put(p[1], 1);
    expect_wait("write after ET|ONESHOT report", ep, 8, 0, "none");

    check(drain(p[0]) == 3);
    check(ep_mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 4) == 0);
    expect_wait("re-armed, empty", ep, 8, 0, "none");
    put(p[1], 1);
    expect_wait("write after re-arm", ep, 8, 0, "IN data=4");
    expect_wait("disarmed", ep, 8, 0, "none");
    expect_ok(ep_del(ep, p[0]));

    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
