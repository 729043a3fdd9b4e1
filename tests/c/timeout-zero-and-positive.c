/* timeout-zero-and-positive: epoll_wait with timeout 0 never blocks (TMO-1);
 * a positive timeout waits at least that long: 50 ms -> >= 50 ms (TMO-2);
 * ready events return at once whatever the timeout (TMO-12); O_NONBLOCK on
 * the epoll fd is ignored (TMO-11). Only lower bounds and very generous upper
 * bounds are checked, and no time is printed, so the verdict does not depend
 * on machine load. */
#include "check.h"

int main(void)
{
    test_start();
    int ep = make_epoll();
    int p[2];
    make_pipe(p);
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);
    struct epoll_event ev;

    long long t0 = now_ns();
    expect_eq("timeout 0, nothing ready", epoll_wait(ep, &ev, 1, 0), 0);
    long long dt = now_ns() - t0;
    say("timeout 0 returned within 5 s: %s", dt < 5000000000LL ? "yes" : "no");
    check(dt < 5000000000LL);

    t0 = now_ns();
    expect_eq("timeout 50 ms, nothing ready", epoll_wait(ep, &ev, 1, 50), 0);
    dt = now_ns() - t0;
    say("waited at least 50 ms: %s", dt >= 50000000LL ? "yes" : "no");
    check(dt >= 50000000LL);

    t0 = now_ns();
    expect_eq("timeout 1 ms, nothing ready", epoll_wait(ep, &ev, 1, 1), 0);
    dt = now_ns() - t0;
    say("waited at least 1 ms: %s", dt >= 1000000LL ? "yes" : "no");
    check(dt >= 1000000LL);

    put(p[1], 1);
    t0 = now_ns();
    expect_wait("timeout 10 s, item ready", ep, 8, 10000, "IN data=1");
    dt = now_ns() - t0;
    say("returned at once (< 5 s): %s", dt < 5000000000LL ? "yes" : "no");
    check(dt < 5000000000LL);
    check(drain(p[0]) == 1);

    set_nonblock(ep);
    t0 = now_ns();
    expect_eq("O_NONBLOCK epoll fd, timeout 50 ms", epoll_wait(ep, &ev, 1, 50), 0);
    dt = now_ns() - t0;
    say("O_NONBLOCK ignored, waited at least 50 ms: %s", dt >= 50000000LL ? "yes" : "no");
    check(dt >= 50000000LL);

    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
