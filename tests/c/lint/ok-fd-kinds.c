/* Correct: timerfd, eventfd and signalfd loops, both level- and
 * edge-triggered, each read when reported (a blocking timerfd/eventfd
 * under EPOLLET is fine: one read drains it). */
// options: lint_et_undrained_ms=20
#include "lint.h"
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

int main(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    int tfd2 = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    int efd = eventfd(0, EFD_CLOEXEC);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    check(sigprocmask(SIG_BLOCK, &m, NULL) == 0);
    int sfd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
    check(ep >= 0 && tfd >= 0 && tfd2 >= 0 && efd >= 0 && sfd >= 0);
    struct itimerspec its = {.it_interval = {0, 5000000}, .it_value = {0, 5000000}};
    check(timerfd_settime(tfd, 0, &its, NULL) == 0);
    check(timerfd_settime(tfd2, 0, &its, NULL) == 0);
    ep_add(ep, tfd, EPOLLIN | EPOLLET);
    ep_add(ep, tfd2, EPOLLIN);
    ep_add(ep, efd, EPOLLIN | EPOLLET);
    ep_add(ep, sfd, EPOLLIN | EPOLLET);
    int ticks = 0, sigs = 0, evs = 0;
    for (int i = 0; i < 60; i++) {
        if (i % 10 == 0) {
            check(eventfd_write(efd, 1) == 0);
            kill(getpid(), SIGUSR1);
        }
        struct epoll_event e[8];
        int n = epoll_wait(ep, e, 8, 100);
        for (int k = 0; k < n; k++) {
            int fd = e[k].data.fd;
            uint64_t v;
            if (fd == tfd || fd == tfd2) {
                check(read(fd, &v, 8) == 8);
                ticks++;
            } else if (fd == efd) {
                check(read(fd, &v, 8) == 8);
                evs++;
            } else if (fd == sfd) {
                struct signalfd_siginfo si[4];
                while (read(sfd, si, sizeof si) > 0)
                    sigs++;
            }
        }
    }
    check(ticks > 10 && evs > 0 && sigs > 0);
    return 0;
}
