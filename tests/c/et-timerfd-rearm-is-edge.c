/* et-timerfd-rearm-is-edge: timerfd_settime() resets the expiry count, and
 * when the new expiry is in the past the timer fires again: a wakeup, so an
 * edge-triggered registration reports again although the timerfd was
 * readable before and after. Found by the differential fuzzer (tests/diff,
 * seed 3028): under the library the edge is missed when the registered
 * number is a dup made before the ADD and the timer is re-armed through the
 * original (the same class as et-write-via-dup-is-edge). */
#include "check.h"
#include <sys/timerfd.h>

static void expire(int fd)
{
    struct itimerspec its = { { 0, 0 }, { 0, 1 } };
    check(timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) == 0);
    struct pollfd p = { fd, POLLIN, 0 };
    check(poll(&p, 1, 2000) == 1);
}

int main(void)
{
    test_start();
    int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    check(t >= 0);
    int ep = make_epoll();
    expire(t);
    check(ep_add(ep, t, EPOLLIN | EPOLLET, 1) == 0);
    expect_wait("expired", ep, 8, 0, "IN data=1");
    expect_wait("consumed", ep, 8, 0, "none");
    expire(t);
    sleep_ms(10);
    expect_wait("re-armed in the past, not read in between", ep, 8, 0, "IN data=1");
    int d = dup(t);
    expire(d);
    sleep_ms(10);
    expect_wait("re-armed through a dup", ep, 8, 0, "IN data=1");
    close(ep);

    /* the registered number is a dup made before the ADD, as in the fuzzer */
    int t2 = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    check(t2 >= 0);
    expire(t2);
    int d2 = dup(t2);
    ep = make_epoll();
    check(ep_add(ep, d2, EPOLLIN | EPOLLOUT | EPOLLET, 2) == 0);
    expect_wait("registered dup", ep, 8, 0, "IN data=2");
    expire(t2);
    sleep_ms(10);
    expect_wait("re-armed through the original", ep, 8, 0, "IN data=2");
    close(d2);
    close(t2);
    close(d);
    close(ep);
    close(t);
    return test_done();
}
