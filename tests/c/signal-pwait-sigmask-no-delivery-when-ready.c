/* signal-pwait-sigmask-no-delivery-when-ready: if epoll_pwait returns without
 * EINTR, the original mask is restored without delivering the signal that
 * the call's mask unblocked: with timeout 0 and nothing ready the call
 * returns 0 (SIG-9); with an item ready it returns the event (SIG-10); in
 * both cases the handler has not run and the signal is still pending.
 * Precedence in one call: ready events, then timeout 0, then a pending
 * signal (SEMANTICS 8.2). Same for epoll_pwait2. */
#include "check.h"

static volatile sig_atomic_t g_handled;

static void on_usr1(int sig) { (void)sig; g_handled = 1; }

static int usr1_pending(void)
{
    sigset_t pend;
    check(sigpending(&pend) == 0);
    return sigismember(&pend, SIGUSR1);
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
    struct timespec zero = { 0, 0 };

    check(raise(SIGUSR1) == 0);
    errno = 0;
    int n = epoll_pwait(ep, &ev, 1, 0, &during);
    say("epoll_pwait timeout 0, nothing ready, SIGUSR1 pending: %s", rcname(n, errno));
    check(n == 0);
    say("handler ran: %s, still pending: %s", g_handled ? "yes" : "no", usr1_pending() ? "yes" : "no");
    check(!g_handled && usr1_pending());

    errno = 0;
    n = epoll_pwait2(ep, &ev, 1, &zero, &during);
    say("epoll_pwait2 {0,0}, nothing ready, SIGUSR1 pending: %s", rcname(n, errno));
    check(n == 0);
    say("handler ran: %s, still pending: %s", g_handled ? "yes" : "no", usr1_pending() ? "yes" : "no");
    check(!g_handled && usr1_pending());

    put(p[1], 1);
    memset(&ev, 0, sizeof ev);
    n = epoll_pwait(ep, &ev, 1, -1, &during);
    say("epoll_pwait -1, item ready, SIGUSR1 pending: n=%d %s data=%" PRIu64,
        n, evname(ev.events), (uint64_t)ev.data.u64);
    check(n == 1);
    say("handler ran: %s, still pending: %s", g_handled ? "yes" : "no", usr1_pending() ? "yes" : "no");
    check(!g_handled && usr1_pending());

    memset(&ev, 0, sizeof ev);
    n = epoll_pwait2(ep, &ev, 1, NULL, &during);
    say("epoll_pwait2 NULL, item ready, SIGUSR1 pending: n=%d %s data=%" PRIu64,
        n, evname(ev.events), (uint64_t)ev.data.u64);
    check(n == 1);
    say("handler ran: %s, still pending: %s", g_handled ? "yes" : "no", usr1_pending() ? "yes" : "no");
    check(!g_handled && usr1_pending());

    check(pthread_sigmask(SIG_UNBLOCK, &block, NULL) == 0);
    say("handler ran once unblocked: %s", g_handled ? "yes" : "no");
    check(g_handled);

    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
