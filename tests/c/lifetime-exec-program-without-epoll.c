/* lifetime-exec-program-without-epoll: a process with epoll instances (one
 * without EPOLL_CLOEXEC, carried across exec, one with it) execs a program
 * that never uses epoll: a shell running a few commands. The program runs
 * normally and sees the same descriptors it would see with kernel epoll
 * (the inherited epoll fd, but not the EPOLL_CLOEXEC one or anything
 * internal), and nothing of repoll's private state leaks into the
 * environment of the processes it starts. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int keep = epoll_create1(0), gone = make_epoll();
    check(keep >= 0);
    check(ep_add(keep, p[0], EPOLLIN, 1) == 0);
    check(ep_add(gone, p[0], EPOLLIN, 2) == 0);
    int out[2];
    check(pipe2(out, O_CLOEXEC) == 0);
    pid_t pid = fork();
    check(pid >= 0);
    if (pid == 0) {
        dup2(out[1], 1);
        char script[512];
        snprintf(script, sizeof script,
                 "echo shell runs; "
                 "test -e /proc/self/fd/%d && echo inherited epoll fd open || echo inherited epoll fd closed; "
                 "test -e /proc/self/fd/%d && echo cloexec epoll fd open || echo cloexec epoll fd closed; "
                 "env | grep -c '^REPOLL_INHERIT' ; "
                 "exit 7", keep, gone);
        execl("/bin/sh", "sh", "-c", script, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char buf[1024];
    ssize_t n, len = 0;
    while ((n = read(out[0], buf + len, sizeof buf - 1 - (size_t)len)) > 0) len += n;
    buf[len] = 0;
    close(out[0]);
    int st;
    check(waitpid(pid, &st, 0) == pid);
    say("program output:\n%s", buf);
    say("exit status: %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 7) g_failed = 1;
    put(p[1], 1);
    expect_wait("parent instance afterwards", keep, 8, 0, "IN data=1");
    close(keep);
    close(gone);
    close(p[0]);
    close(p[1]);
    return test_done();
}
