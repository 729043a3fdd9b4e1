/* signal-eintr-despite-sa-restart: a caught signal interrupts a blocked
 * epoll_wait with EINTR even when the handler was installed with SA_RESTART:
 * epoll_wait is never restarted (SIG-1, man 7 signal); the same for
 * epoll_pwait and epoll_pwait2 (SIG-3). An emulation that blocks in poll(2)
 * or ppoll(2) gets the same from the kernel, but a retry loop inside the
 * library would hide the signal from programs that rely on EINTR.
 * Another thread sends SIGUSR1 to the waiting thread every 50 ms until the
 * wait has returned, so the result does not depend on timing. */
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

static void interrupted(const char *label, int ep, int how)
{
    struct epoll_event ev;
    pthread_t t;
    atomic_store(&g_stop, 0);
    atomic_store(&g_handled, 0);
    check(pthread_create(&t, NULL, pester, NULL) == 0);
    int n;
    if (how == 0) n = epoll_wait(ep, &ev, 1, -1);
    else if (how == 1) n = epoll_pwait(ep, &ev, 1, -1, NULL);
    else n = epoll_pwait2(ep, &ev, 1, NULL, NULL);
    int e = errno;
    atomic_store(&g_stop, 1);
    check(pthread_join(t, NULL) == 0);
    say("%s: %s, handler ran: %s", label, rcname(n, e), atomic_load(&g_handled) ? "yes" : "no");
    if (!(n == -1 && e == EINTR)) mismatch(label, "-1 EINTR", rcname(n, e), __FILE__, __LINE__);
    check(atomic_load(&g_handled) > 0);
}

int main(void)
{
    test_start();
    g_main = pthread_self();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    check(sigaction(SIGUSR1, &sa, NULL) == 0);

    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);

    interrupted("epoll_wait -1, SA_RESTART handler", ep, 0);
    interrupted("epoll_pwait -1, SA_RESTART handler", ep, 1);
    interrupted("epoll_pwait2 NULL, SA_RESTART handler", ep, 2);

    put(p[1], 1);
    expect_wait("still works afterwards", ep, 8, 0, "IN data=1");

    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
