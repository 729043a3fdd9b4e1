/* errors-pwait: epoll_pwait and epoll_pwait2 errors (SEMANTICS 2.6): a NULL
 * sigmask behaves like epoll_wait (ERR-PWAIT-1), maxevents 0 is EINVAL
 * (ERR-PWAIT-3, ERR-PWAIT2-7), an unreadable sigmask is EFAULT (ERR-PWAIT-8);
 * epoll_pwait2 validates the timespec first: tv_nsec >= 1e9, tv_sec < 0 (no
 * "negative means infinite" as in epoll_wait) and tv_nsec < 0 are EINVAL,
 * an unreadable timespec is EFAULT (ERR-PWAIT2-2..6), and the timespec is
 * checked before the sigmask and the fd (ERR-PREC-PWAIT2-1..5). */
#include "check.h"

int main(void)
{
    test_start();
    int ep = make_epoll();
    struct epoll_event ev[4];
    sigset_t empty;
    sigemptyset(&empty);
    struct timespec zero = { 0, 0 };
    struct timespec bad_nsec = { 0, 1000000000L };
    struct timespec neg_sec = { -1, 0 };
    struct timespec neg_nsec = { 0, -1 };
    const sigset_t *bad_mask = (const sigset_t *)1;
    const struct timespec *bad_ts = (const struct timespec *)1;

    expect_ok(epoll_pwait(ep, ev, 4, 0, NULL));
    expect_ok(epoll_pwait(ep, ev, 4, 0, &empty));
    expect_err(epoll_pwait(ep, ev, 0, 0, &empty), EINVAL);
    expect_err(epoll_pwait(-1, ev, 4, 0, NULL), EBADF);
    expect_err(epoll_pwait(ep, ev, 4, 0, bad_mask), EFAULT);
    expect_err(epoll_pwait(-1, ev, 4, 0, bad_mask), EFAULT);

    expect_ok(epoll_pwait2(ep, ev, 4, &zero, NULL));
    expect_ok(epoll_pwait2(ep, ev, 4, &zero, &empty));
    expect_err(epoll_pwait2(ep, ev, 4, &bad_nsec, NULL), EINVAL);
    expect_err(epoll_pwait2(ep, ev, 4, &neg_sec, NULL), EINVAL);
    expect_err(epoll_pwait2(ep, ev, 4, &neg_nsec, NULL), EINVAL);
    expect_err(epoll_pwait2(ep, ev, 4, bad_ts, NULL), EFAULT);
    expect_err(epoll_pwait2(-1, ev, 4, &zero, NULL), EBADF);
    expect_err(epoll_pwait2(ep, ev, 0, &zero, NULL), EINVAL);
    expect_err(epoll_pwait2(ep, ev, 4, &zero, bad_mask), EFAULT);
    expect_err(epoll_pwait2(-1, ev, 0, &bad_nsec, NULL), EINVAL);
    expect_err(epoll_pwait2(-1, ev, 4, bad_ts, NULL), EFAULT);
    expect_err(epoll_pwait2(ep, ev, 4, &bad_nsec, bad_mask), EINVAL);
    expect_err(epoll_pwait2(-1, ev, 4, &zero, bad_mask), EFAULT);

    close(ep);
    return test_done();
}
