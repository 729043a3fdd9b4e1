/* signal-eintr-from-forked-child: a signal sent by another process (here a
 * forked child, repeatedly every 50 ms so timing does not matter) to a
 * process blocked in epoll_wait(-1) interrupts it with EINTR when a handler
 * is installed without SA_RESTART (SIG-2). The signal is process-directed:
 * any thread not blocking it may take it, so a library that starts helper
 * threads without blocking signals would steal it and the wait would never
 * return. */
#include "check.h"

static volatile sig_atomic_t g_handled;

static void on_usr1(int sig) { (void)sig; g_handled = 1; }

int main(void)
{
    test_start();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    check(sigaction(SIGUSR1, &sa, NULL) == 0);

    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);

    pid_t parent = getpid();
    pid_t child = fork();
    check(child >= 0);
    if (child == 0) {
        for (int i = 0; i < 400; i++) {
            sleep_ms(50);
            kill(parent, SIGUSR1);
        }
        _exit(0);
    }
    struct epoll_event ev;
    int n = epoll_wait(ep, &ev, 1, -1);
    int e = errno;
    kill(child, SIGKILL);
    int st;
    check(waitpid(child, &st, 0) == child);
    say("epoll_wait -1 with a signal from a child: %s, handler ran: %s",
        rcname(n, e), g_handled ? "yes" : "no");
    if (!(n == -1 && e == EINTR)) mismatch("epoll_wait", "-1 EINTR", rcname(n, e), __FILE__, __LINE__);
    check(g_handled);

    put(p[1], 1);
    expect_wait("still works afterwards", ep, 8, 0, "IN data=1");

    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
