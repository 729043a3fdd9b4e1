/* et-timerfd-expiry-is-edge: every timerfd expiry wakes its readers, so under
 * EPOLLET each expiry is an edge whether or not the earlier expirations were
 * read (ET-TIMERFD-1..3, SEMANTICS 3.2). Expirations happen in the kernel,
 * with no call a preload library could intercept (SEMANTICS 15: re-read the
 * tick count). The timer is re-armed one-shot for 5 ms before each
 * production; waits that expect an event use a 5 s timeout. */
#include "check.h"
#include <sys/timerfd.h>

static void arm(int tfd)
{
    struct itimerspec it = { { 0, 0 }, { 0, 5000000 } };
    check(timerfd_settime(tfd, 0, &it, NULL) == 0);
}

int main(void)
{
    test_start();
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    check(tfd >= 0);
    int ep = make_epoll();
    check(ep_add(ep, tfd, EPOLLIN | EPOLLET, 1) == 0);

    expect_wait("disarmed", ep, 8, 0, "none");
    arm(tfd);
    expect_wait("first expiry", ep, 8, 5000, "IN data=1");
    expect_wait("nothing new", ep, 8, 0, "none");
    arm(tfd);
    expect_wait("second expiry, first unread", ep, 8, 5000, "IN data=1");
    expect_wait("nothing new", ep, 8, 0, "none");
    uint64_t ticks = 0;
    check(read(tfd, &ticks, sizeof ticks) == (ssize_t)sizeof ticks);
    expect_eq("ticks read", ticks >= 1, 1);
    expect_wait("after read", ep, 8, 0, "none");
    arm(tfd);
    expect_wait("third expiry", ep, 8, 5000, "IN data=1");

    close(ep);
    close(tfd);
    return test_done();
}
