/* limits-low-rlimit: programs run with small descriptor limits (ulimit -n 64
 * in containers, daemons that lower it, test harnesses). The kernel's epoll
 * needs exactly one descriptor per instance and none per registration, so
 * with RLIMIT_NOFILE = 64 a program can still create instances, register
 * fds and wait. A preloaded library that wants its internal fds above 900
 * (F_DUPFD_CLOEXEC fails with EINVAL above the limit) must still work here. */
#include "check.h"

int main(void)
{
    test_start();
    struct rlimit old, low;
    check(getrlimit(RLIMIT_NOFILE, &old) == 0);
    low = old;
    low.rlim_cur = 64;
    check(setrlimit(RLIMIT_NOFILE, &low) == 0);

    int p[2], q[2];
    make_pipe(p);
    make_pipe(q);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    say("epoll_create1 with RLIMIT_NOFILE 64: %s", rcname(ep, errno));
    check(ep >= 0);
    int ep2 = epoll_create1(0);
    say("second instance: %s", rcname(ep2, errno));
    check(ep2 >= 0);
    expect_ok(ep_add(ep, p[0], EPOLLIN, 1));
    expect_ok(ep_add(ep, q[0], EPOLLIN | EPOLLET, 2));
    expect_ok(ep_add(ep2, ep, EPOLLIN, 3));
    put(p[1], 1);
    put(q[1], 1);
    expect_wait("outer", ep2, 8, 0, "IN data=3");
    expect_wait("inner", ep, 8, 0, "IN data=1, IN data=2");
    expect_wait("inner again", ep, 8, 0, "IN data=1");
    expect_ok(ep_del(ep, p[0]));

    close(ep2);
    close(ep);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
    check(setrlimit(RLIMIT_NOFILE, &old) == 0);
    return test_done();
}
