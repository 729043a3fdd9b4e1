/* order-hup-queued-before-later-add: the ready list is in the order items
 * were queued (SEMANTICS 6.1). A pipe's read end becomes HUP when its last
 * writer is closed; an item added afterwards that is ready at once is queued
 * behind it. With maxevents 1 the first wait returns the HUP. Found by the
 * differential fuzzer (tests/diff, seed 468), where close_range closed the
 * writer: the emulation, which notices the HUP only when it polls, returned
 * the later item first. */
#include "check.h"

static void one(const char *name, int use_close_range)
{
    char line[128];
    int p[2];
    make_pipe(p);
    int e = make_eventfd(1, 0);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN | EPOLLOUT, 1) == 0);
    expect_wait("nothing yet", ep, 8, 0, "none");
    if (use_close_range) check(close_range((unsigned)p[1], (unsigned)p[1], 0) == 0);
    else check(close(p[1]) == 0);
    check(ep_add(ep, e, EPOLLIN, 2) == 0);
    snprintf(line, sizeof line, "%s: maxevents 1", name);
    expect_wait(line, ep, 1, 0, "HUP data=1");
    snprintf(line, sizeof line, "%s: next", name);
    expect_wait(line, ep, 1, 0, "IN data=2");
    close(ep);
    close(e);
    close(p[0]);
}

int main(void)
{
    test_start();
    one("close", 0);
    one("close_range", 1);
    return test_done();
}
