/* threads-exit-while-others-wait: one thread calls exit() while other
 * threads are blocked in epoll_wait, epoll_pwait and epoll_pwait2 on shared
 * and private instances (one with an infinite timeout). The process ends at
 * once with that status, atexit handlers run and buffered stdio is flushed:
 * no hang in a destructor, no crash while the waiters are torn down. Run in a
 * child, which the parent watches with a timeout. */
#include "check.h"

static int g_ep;

static void *waiter(void *arg)
{
    long kind = (long)arg;
    struct epoll_event ev;
    int own = make_epoll();
    int ep = kind >= 3 ? own : g_ep;
    for (;;) {
        if (kind % 3 == 0) epoll_wait(ep, &ev, 1, -1);
        else if (kind % 3 == 1) epoll_pwait(ep, &ev, 1, 1000, NULL);
        else epoll_pwait2(ep, &ev, 1, NULL, NULL);
    }
    return NULL;
}

static void at_exit_handler(void)
{
    printf("atexit handler ran\n");
}

int main(void)
{
    test_start();
    for (int round = 0; round < 5; round++) {
        int out[2];
        check(pipe2(out, O_CLOEXEC) == 0);
        pid_t pid = fork();
        check(pid >= 0);
        if (pid == 0) {
            dup2(out[1], 1);
            g_ep = make_epoll();
            int p[2];
            make_pipe(p);
            check(ep_add(g_ep, p[0], EPOLLIN, 1) == 0);
            atexit(at_exit_handler);
            printf("child buffered line\n");
            pthread_t t;
            for (long i = 0; i < 6; i++) check(pthread_create(&t, NULL, waiter, (void *)i) == 0);
            sleep_ms(50);
            exit(7);
        }
        close(out[1]);
        char buf[256];
        ssize_t n, len = 0;
        while ((n = read(out[0], buf + len, sizeof buf - 1 - (size_t)len)) > 0) len += n;
        buf[len] = 0;
        close(out[0]);
        int st;
        check(waitpid(pid, &st, 0) == pid);
        say("round %d: exit status %d, output: %s", round, WIFEXITED(st) ? WEXITSTATUS(st) : -1,
            strcmp(buf, "child buffered line\natexit handler ran\n") == 0 ? "complete" : buf);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 7) g_failed = 1;
    }
    return test_done();
}
