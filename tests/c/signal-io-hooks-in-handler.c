/* signal-io-hooks-in-handler: read, write and close are async-signal-safe
 * and programs call them from signal handlers (the self-pipe trick: the
 * handler writes a byte into a pipe watched by epoll). The kernel never
 * deadlocks on this. A library whose read/write/close hooks take a lock can
 * deadlock when the signal interrupts the same thread inside a hook (STYLE 3
 * "Signals"). Another thread sends SIGUSR1 to the main thread in a tight loop
 * while main does write/read/epoll_ctl/epoll_wait on watched fds; the handler
 * writes into a watched self-pipe and closes a dup. Every self-pipe byte must
 * arrive; the test must finish. */
#include "check.h"

static int g_self_w;
static atomic_long g_sent;
static atomic_int g_stop;
static pthread_t g_main;

static void on_usr1(int sig)
{
    (void)sig;
    int saved = errno;
    if (write(g_self_w, "s", 1) == 1) atomic_fetch_add(&g_sent, 1);
    int d = dup(g_self_w);
    if (d >= 0) close(d);
    errno = saved;
}

static void *pester(void *arg)
{
    (void)arg;
    while (!atomic_load(&g_stop)) {
        pthread_kill(g_main, SIGUSR1);
        struct timespec ts = { 0, 200000 };
        nanosleep(&ts, NULL);
    }
    return NULL;
}

int main(void)
{
    test_start();
    g_main = pthread_self();
    int self[2], work[2];
    make_pipe(self);
    make_pipe(work);
    g_self_w = self[1];
    int ep = make_epoll();
    check(ep_add(ep, self[0], EPOLLIN | EPOLLET, 1) == 0);
    check(ep_add(ep, work[0], EPOLLIN, 2) == 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    check(sigaction(SIGUSR1, &sa, NULL) == 0);

    pthread_t t;
    check(pthread_create(&t, NULL, pester, NULL) == 0);
    long received = 0;
    char buf[256];
    for (int i = 0; i < 20000; i++) {
        ssize_t w;
        do w = write(work[1], "w", 1); while (w < 0 && errno == EINTR);
        check(w == 1);
        struct epoll_event ev[4];
        int n = epoll_wait(ep, ev, 4, 0);
        check(n >= 0 || errno == EINTR);
        ssize_t r;
        do r = read(work[0], buf, sizeof buf); while (r < 0 && errno == EINTR);
        check(r >= 1);
        if ((i & 63) == 0) {
            int d = dup(work[0]);
            check(d >= 0);
            check(ep_mod(ep, work[0], EPOLLIN, 2) == 0);
            close(d);
        }
        for (;;) {
            r = read(self[0], buf, sizeof buf);
            if (r > 0) { received += r; continue; }
            if (r < 0 && errno == EINTR) continue;
            break;
        }
    }
    atomic_store(&g_stop, 1);
    check(pthread_join(t, NULL) == 0);
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    check(pthread_sigmask(SIG_BLOCK, &usr1, NULL) == 0);   /* no more handler writes */
    received += drain(self[0]);
    say("completed 20000 iterations under signals");
    say("self-pipe bytes all received: %s", received == atomic_load(&g_sent) ? "yes" : "no");
    if (received != atomic_load(&g_sent)) g_failed = 1;

    close(ep);
    close(self[0]); close(self[1]);
    close(work[0]); close(work[1]);
    return test_done();
}
