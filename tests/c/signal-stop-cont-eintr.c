/* signal-stop-cont-eintr: a job-control stop and continue (SIGSTOP, then
 * SIGCONT, no handlers) makes a blocked epoll_wait return -1/EINTR: it is not
 * resumed (SIG-STOP-1; epoll_pwait2: SIG-STOP-2), whereas poll(2) and ppoll(2)
 * are restarted transparently after a stop (SIG-STOP-3/4), so an emulation
 * built on them has to produce this EINTR itself (SEMANTICS 8.2, 15). A
 * forked child stops and continues the parent every 100 ms; the parent's
 * 5-second wait is interrupted by the first cycle natively. */
#include "check.h"

static void one(const char *label, int ep, int use_pwait2)
{
    pid_t parent = getpid();
    pid_t child = fork();
    check(child >= 0);
    if (child == 0) {
        for (int i = 0; i < 100; i++) {
            sleep_ms(100);
            kill(parent, SIGSTOP);
            sleep_ms(10);
            kill(parent, SIGCONT);
        }
        _exit(0);
    }
    struct epoll_event ev;
    struct timespec ts = { 5, 0 };
    int n = use_pwait2 ? epoll_pwait2(ep, &ev, 1, &ts, NULL) : epoll_wait(ep, &ev, 1, 5000);
    int e = errno;
    kill(child, SIGKILL);
    int st;
    check(waitpid(child, &st, 0) == child);
    kill(parent, SIGCONT);
    say("%s: %s", label, rcname(n, e));
    if (!(n == -1 && e == EINTR)) mismatch(label, "-1 EINTR", rcname(n, e), __FILE__, __LINE__);
}

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);

    one("epoll_wait 5000 ms across SIGSTOP/SIGCONT", ep, 0);
    one("epoll_pwait2 5 s across SIGSTOP/SIGCONT", ep, 1);

    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
