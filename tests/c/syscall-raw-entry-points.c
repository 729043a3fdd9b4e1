/* syscall-raw-entry-points: test suites (LTP, kernel selftests) and some
 * runtimes call syscall(SYS_epoll_*) directly; the raw calls behave exactly
 * like the glibc wrappers (IO-SYSCALL-1..9): an instance made by
 * SYS_epoll_create1 works with the wrappers and vice versa,
 * SYS_epoll_create(0) is EINVAL, SYS_epoll_pwait takes sigsetsize 8 and
 * rejects 4 and 16 (ERR-PWAIT-4..6), and a raw SYS_write into a watched pipe
 * is an ET edge (IO-W-RAWSYSCALL). An emulation that hooks only the wrappers
 * leaves these talking to the kernel about an fd it does not know. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 5 };
    struct epoll_event out[4];
    sigset_t empty;
    sigemptyset(&empty);
    struct timespec zero = { 0, 0 };

    expect_err(syscall(SYS_epoll_create, 0), EINVAL);
    expect_err(syscall(SYS_epoll_create1, 1), EINVAL);
    int ep = (int)syscall(SYS_epoll_create1, EPOLL_CLOEXEC);
    say("SYS_epoll_create1: %s", rcname(ep, errno));
    check(ep >= 0);
    expect_ok(syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev));
    expect_err(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
    expect_eq("SYS_epoll_wait, empty", syscall(SYS_epoll_wait, ep, out, 4, 0), 0);

    expect_eq("SYS_write into the pipe", syscall(SYS_write, p[1], "x", 1), 1);
    expect_wait("wrapper wait after a raw write", ep, 8, 0, "IN data=5");
    expect_eq("SYS_write again, undrained", syscall(SYS_write, p[1], "x", 1), 1);
    memset(out, 0, sizeof out);
    expect_eq("SYS_epoll_pwait sigsetsize 8", syscall(SYS_epoll_pwait, ep, out, 4, 0, &empty, 8), 1);
    say("event: %s data=%" PRIu64, evname(out[0].events), (uint64_t)out[0].data.u64);
    expect_err(syscall(SYS_epoll_pwait, ep, out, 4, 0, &empty, 4), EINVAL);
    expect_err(syscall(SYS_epoll_pwait, ep, out, 4, 0, &empty, 16), EINVAL);
    expect_eq("SYS_epoll_pwait NULL mask, sigsetsize 3", syscall(SYS_epoll_pwait, ep, out, 4, 0, NULL, 3), 0);
    put(p[1], 1);
    expect_eq("SYS_epoll_pwait2 {0,0}", syscall(SYS_epoll_pwait2, ep, out, 4, &zero, NULL, 8), 1);
    expect_err(syscall(SYS_epoll_pwait2, ep, out, 4, &zero, &empty, 4), EINVAL);
    expect_ok(syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], NULL));
    expect_err(syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
    close(ep);

    /* a wrapper instance driven by raw calls */
    ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 6) == 0);
    memset(out, 0, sizeof out);
    expect_eq("SYS_epoll_wait on a wrapper instance", syscall(SYS_epoll_wait, ep, out, 4, 0), 1);
    say("event: %s data=%" PRIu64, evname(out[0].events), (uint64_t)out[0].data.u64);
    close(ep);

    close(p[0]);
    close(p[1]);
    return test_done();
}
