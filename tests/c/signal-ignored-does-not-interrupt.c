/* signal-ignored-does-not-interrupt: only a signal that runs a handler
 * interrupts epoll_wait. A signal set to SIG_IGN (SIG-4), one whose default
 * action is to ignore (SIGURG, SIG-5), and one blocked by epoll_pwait's mask
 * (SIG-12, delivered only after the call returns) do not: each 300 ms wait
 * times out with 0. Another thread sends the signals during the wait; if it
 * is late the signal arrives after the call, with the same printed result. */
#include "check.h"

static volatile sig_atomic_t g_handled;
static pthread_t g_main;
static int g_sig;

static void on_usr1(int sig) { (void)sig; g_handled = 1; }

static void *send_later(void *arg)
{
    (void)arg;
    sleep_ms(50);
    pthread_kill(g_main, g_sig);
    return NULL;
}

static int wait_with_signal(int ep, int sig, const sigset_t *mask)
{
    pthread_t t;
    struct epoll_event ev;
    g_sig = sig;
    check(pthread_create(&t, NULL, send_later, NULL) == 0);
    int n = mask ? epoll_pwait(ep, &ev, 1, 300, mask) : epoll_wait(ep, &ev, 1, 300);
    int e = errno;
    check(pthread_join(t, NULL) == 0);
    errno = e;
    return n;
}

int main(void)
{
    test_start();
    g_main = pthread_self();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);

    signal(SIGUSR2, SIG_IGN);
    int n = wait_with_signal(ep, SIGUSR2, NULL);
    say("SIGUSR2 ignored: %s", rcname(n, errno));
    check(n == 0);

    n = wait_with_signal(ep, SIGURG, NULL);
    say("SIGURG (default: ignore): %s", rcname(n, errno));
    check(n == 0);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    check(sigaction(SIGUSR1, &sa, NULL) == 0);
    sigset_t mask;
    check(pthread_sigmask(SIG_SETMASK, NULL, &mask) == 0);
    sigaddset(&mask, SIGUSR1);
    n = wait_with_signal(ep, SIGUSR1, &mask);
    say("SIGUSR1 blocked by the pwait mask: %s", rcname(n, errno));
    check(n == 0);
    for (int i = 0; i < 500 && !g_handled; i++) sleep_ms(10);  /* delivery is asynchronous */
    say("handler ran after the call: %s", g_handled ? "yes" : "no");
    check(g_handled);

    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
