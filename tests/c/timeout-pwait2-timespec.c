/* timeout-pwait2-timespec: epoll_pwait2 takes a struct timespec: {0, 0}
 * returns at once (ERR-PWAIT2-1), {0, 20 ms} waits at least 20 ms (TMO-8),
 * 1 us returns promptly instead of being rounded to 0 or to a tick (TMO-10),
 * and a ready item is returned at once even with a NULL (infinite) timespec.
 * No times are printed; only lower bounds and generous upper bounds are
 * checked. */
#include "check.h"

int main(void)
{
    test_start();
    int ep = make_epoll();
    int p[2];
    make_pipe(p);
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);
    struct epoll_event ev;
    struct timespec ts;

    ts = (struct timespec){ 0, 0 };
    long long t0 = now_ns();
    expect_eq("{0, 0}", epoll_pwait2(ep, &ev, 1, &ts, NULL), 0);
    long long dt = now_ns() - t0;
    say("{0, 0} returned within 5 s: %s", dt < 5000000000LL ? "yes" : "no");
    check(dt < 5000000000LL);

    ts = (struct timespec){ 0, 20000000 };
    t0 = now_ns();
    expect_eq("{0, 20 ms}", epoll_pwait2(ep, &ev, 1, &ts, NULL), 0);
    dt = now_ns() - t0;
    say("waited at least 20 ms: %s", dt >= 20000000LL ? "yes" : "no");
    check(dt >= 20000000LL);

    ts = (struct timespec){ 0, 1000 };
    t0 = now_ns();
    expect_eq("{0, 1 us}", epoll_pwait2(ep, &ev, 1, &ts, NULL), 0);
    dt = now_ns() - t0;
    say("waited at least 1 us and less than 5 s: %s",
        dt >= 1000LL && dt < 5000000000LL ? "yes" : "no");
    check(dt >= 1000LL && dt < 5000000000LL);

    put(p[1], 1);
    memset(&ev, 0, sizeof ev);
    expect_eq("NULL timespec, item ready", epoll_pwait2(ep, &ev, 1, NULL, NULL), 1);
    say("event: %s data=%" PRIu64, evname(ev.events), (uint64_t)ev.data.u64);
    check(ev.events == EPOLLIN && ev.data.u64 == 1);

    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
