/* signal-eintr-with-and-without-sa-restart: a caught signal interrupts a
 * blocked epoll_wait, epoll_pwait and epoll_pwait2 with EINTR whether the
 * handler was installed with SA_RESTART or without it (SIG-1, SIG-3; epoll
 * calls are never restarted), also when the instance has registrations and
 * the wait has an infinite timeout, and the instance works afterwards.
 * (signal-eintr-despite-sa-restart covers SA_RESTART with nothing
 * registered.) Another thread sends SIGUSR1 to the waiting thread every
 * 50 ms until the wait has returned, so the result does not depend on timing. */
#include "check.h"

static atomic_int g_handled;
static atomic_int g_stop;
static pthread_t g_main;

static void on_usr1(int sig) { (void)sig; atomic_fetch_add(&g_handled, 1); }

static void *pester(void *arg)
{
    (void)arg;
    while (!atomic_load(&g_stop)) {
        sleep_ms(50);
        if (!atomic_load(&g_stop)) pthread_kill(g_main, SIGUSR1);
    }
    return NULL;
}

static void one(const char *flags_name, int flags, int kind, int ep)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    check(sigaction(SIGUSR1, &sa, NULL) == 0);
    atomic_store(&g_stop, 0);
    atomic_store(&g_handled, 0);
    pthread_t t;
    check(pthread_create(&t, NULL, pester, NULL) == 0);
    struct epoll_event ev[4];
    sigset_t empty;
    sigemptyset(&empty);
    int n;
    errno = 0;
    if (kind == 0) n = epoll_wait(ep, ev, 4, -1);
    else if (kind == 1) n = epoll_pwait(ep, ev, 4, -1, &empty);
    else n = epoll_pwait2(ep, ev, 4, NULL, NULL);
    int e = errno;
    atomic_store(&g_stop, 1);
    check(pthread_join(t, NULL) == 0);
    static const char *names[] = { "epoll_wait", "epoll_pwait", "epoll_pwait2" };
    say("%s, %s: %s, handler ran: %s", names[kind], flags_name, rcname(n, e),
        atomic_load(&g_handled) > 0 ? "yes" : "no");
    if (!(n == -1 && e == EINTR)) g_failed = 1;
}

int main(void)
{
    test_start();
    g_main = pthread_self();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);
    for (int kind = 0; kind < 3; kind++) {
        one("SA_RESTART", SA_RESTART, kind, ep);
        one("no SA_RESTART", 0, kind, ep);
    }
    put(p[1], 1);
    expect_wait("the instance afterwards", ep, 8, 0, "IN data=1");
    signal(SIGUSR1, SIG_DFL);
    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
