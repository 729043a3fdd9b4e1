/* et-mod-ready-rereports: EPOLL_CTL_ADD and EPOLL_CTL_MOD poll the file at
 * once and queue the item if it is ready, also under EPOLLET. So ADD of an
 * already-readable fd reports it once (ET-PIPE-9/10), and MOD of a ready ET
 * item acts as a fresh edge carrying the new data (ET-PIPE-7, ET-T-7,
 * SEMANTICS 3.1.3). Programs use MOD to "re-arm" ET items after a partial
 * drain. MOD from ET to LT makes the item report on every wait
 * (ET-PIPE-11). */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    put(p[1], 1);

    check(ep_add(ep, p[0], EPOLLIN | EPOLLET, 1) == 0);
    expect_wait("ADD of a readable fd under ET", ep, 8, 0, "IN data=1");
    expect_wait("nothing new", ep, 8, 0, "none");

    check(ep_mod(ep, p[0], EPOLLIN | EPOLLET, 2) == 0);
    expect_wait("MOD while readable", ep, 8, 0, "IN data=2");
    expect_wait("nothing new", ep, 8, 0, "none");

    check(ep_mod(ep, p[0], EPOLLIN | EPOLLET, 3) == 0);
    check(ep_mod(ep, p[0], EPOLLIN | EPOLLET, 4) == 0);
    expect_wait("two MODs before a wait: one event, last data", ep, 8, 0, "IN data=4");
    expect_wait("nothing new", ep, 8, 0, "none");

    check(ep_mod(ep, p[0], EPOLLIN, 5) == 0);
    expect_wait("MOD to level-triggered", ep, 8, 0, "IN data=5");
    expect_wait("level-triggered again", ep, 8, 0, "IN data=5");

    check(drain(p[0]) == 1);
    check(ep_mod(ep, p[0], EPOLLIN | EPOLLET, 6) == 0);
    expect_wait("MOD while not readable", ep, 8, 0, "none");

    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
