/* signal-pwait-sigmask-interrupts: epoll_pwait installs its sigmask
 * atomically for the duration of the call, like pselect. A signal that is
 * blocked and pending before the call, and unblocked by the mask, interrupts
 * it at once with EINTR, and its handler has run by the time the call returns
 * (SIG-7; epoll_pwait2: SIG-11). Afterwards the original mask is back: the
 * signal is blocked again (SIG-8). A non-atomic emulation (sigprocmask, then
 * poll) can take the signal before blocking and then sleep forever. */
#include "check.h"

static volatile sig_atomic_t g_handled;

static void on_usr1(int sig) { (void)sig; g_handled = 1; }

static int usr1_blocked(void)
{
    sigset_t cur;
    check(pthread_sigmask(SIG_SETMASK, NULL, &cur) == 0);
    return sigismember(&cur, SIGUSR1);
}

int main(void)
{
    test_start();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    check(sigaction(SIGUSR1, &sa, NULL) == 0);

    sigset_t block, during;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    check(pthread_sigmask(SIG_BLOCK, &block, NULL) == 0);
    check(pthread_sigmask(SIG_SETMASK, NULL, &during) == 0);
    sigdelset(&during, SIGUSR1);

    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);
    struct epoll_event ev;

    check(raise(SIGUSR1) == 0);
    say("handler ran before the call: %s", g_handled ? "yes" : "no");
    check(!g_handled);
    errno = 0;
    int n = epoll_pwait(ep, &ev, 1, -1, &during);
    say("epoll_pwait -1, mask unblocks pending SIGUSR1: %s", rcname(n, errno));
    check(n == -1 && errno == EINTR);
    say("handler ran: %s", g_handled ? "yes" : "no");
    check(g_handled);
    say("SIGUSR1 blocked again after the call: %s", usr1_blocked() ? "yes" : "no");
    check(usr1_blocked());

    g_handled = 0;
    check(raise(SIGUSR1) == 0);
    errno = 0;
    n = epoll_pwait2(ep, &ev, 1, NULL, &during);
    say("epoll_pwait2 NULL, mask unblocks pending SIGUSR1: %s", rcname(n, errno));
    check(n == -1 && errno == EINTR);
    say("handler ran: %s", g_handled ? "yes" : "no");
    check(g_handled);
    say("SIGUSR1 blocked again after the call: %s", usr1_blocked() ? "yes" : "no");
    check(usr1_blocked());

    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
