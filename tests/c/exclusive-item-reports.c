/* exclusive-item-reports: a valid EPOLLEXCLUSIVE registration is an ordinary
 * item for its own instance: it reports level-triggered readiness with its
 * data, ET works with it, and DEL removes it (ERR-EXCL-1, ERR-EXCL-4,
 * SEMANTICS 3.4.1). Exclusivity only concerns which of several instances get
 * woken (10.4), which a single-instance test cannot see. Web servers (nginx
 * with accept_mutex off) register their listeners this way. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2], q[2];
    make_pipe(p);
    make_pipe(q);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE, 1) == 0);
    check(ep_add(ep, q[0], EPOLLIN | EPOLLET | EPOLLEXCLUSIVE, 2) == 0);

    expect_wait("empty", ep, 8, 0, "none");
    put(p[1], 1);
    put(q[1], 1);
    expect_wait("both written", ep, 8, 0, "IN data=1, IN data=2");
    expect_wait("LT exclusive item repeats, ET one does not", ep, 8, 0, "IN data=1");
    put(q[1], 1);
    expect_wait("second write into the ET item", ep, 8, 0, "IN data=1, IN data=2");
    close(p[1]);
    check(drain(p[0]) == 1);
    expect_wait("writer closed and drained (HUP implicit)", ep, 8, 0, "HUP data=1");
    check(ep_del(ep, p[0]) == 0);
    check(ep_del(ep, q[0]) == 0);
    expect_wait("after DEL", ep, 8, 0, "none");

    close(ep);
    close(p[0]);
    close(q[0]);
    close(q[1]);
    return test_done();
}
