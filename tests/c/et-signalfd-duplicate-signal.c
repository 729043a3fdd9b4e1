/* et-signalfd-duplicate-signal: a signalfd is woken when a signal is queued
 * for it. A standard signal that is already pending is discarded by the
 * kernel, so a second SIGUSR1 while the first is unread makes no ET edge
 * (ET-SIGNALFD-8/9); a different signal (SIGUSR2) does, and so does each
 * queued real-time signal (ET-SIGNALFD-10, SEMANTICS 3.3.1). */
#include "check.h"
#include <sys/signalfd.h>

int main(void)
{
    test_start();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGRTMIN);
    check(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
    int sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    check(sfd >= 0);
    int ep = make_epoll();
    check(ep_add(ep, sfd, EPOLLIN | EPOLLET, 1) == 0);
    pid_t me = getpid();

    expect_wait("nothing pending", ep, 8, 0, "none");
    check(kill(me, SIGUSR1) == 0);
    expect_wait("SIGUSR1", ep, 8, 0, "IN data=1");
    check(kill(me, SIGUSR1) == 0);
    expect_wait("SIGUSR1 again while pending (discarded)", ep, 8, 0, "none");
    check(kill(me, SIGUSR2) == 0);
    expect_wait("SIGUSR2", ep, 8, 0, "IN data=1");
    union sigval sv = { .sival_int = 0 };
    check(sigqueue(me, SIGRTMIN, sv) == 0);
    expect_wait("SIGRTMIN", ep, 8, 0, "IN data=1");
    check(sigqueue(me, SIGRTMIN, sv) == 0);
    expect_wait("SIGRTMIN again (queued)", ep, 8, 0, "IN data=1");

    struct signalfd_siginfo si[8];
    ssize_t r = read(sfd, si, sizeof si);
    expect_eq("signals read", r / (ssize_t)sizeof si[0], 4);
    expect_wait("after read", ep, 8, 0, "none");

    close(ep);
    close(sfd);
    return test_done();
}
