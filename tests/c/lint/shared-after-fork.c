/* shared-after-fork: an epoll instance created before fork and used by
 * both the child and the parent afterwards. Linux shares one instance:
 * each process steals the other's events. */
#include "lint.h"

int main(void)
{
    int ep = epoll_create1(0);
    int p[2], sync[2];
    check(ep >= 0 && pipe(p) == 0 && pipe(sync) == 0);
    ep_add(ep, p[0], EPOLLIN);
    struct epoll_event ev;
    check(epoll_wait(ep, &ev, 1, 0) == 0);
    pid_t pid = fork();
    check(pid >= 0);
    if (pid == 0) {
        epoll_wait(ep, &ev, 1, 0);
        check(write(sync[1], "x", 1) == 1);
        msleep(300);
        _exit(0);
    }
    char c;
    check(read(sync[0], &c, 1) == 1);
    check(epoll_wait(ep, &ev, 1, 0) == 0);
    expect("shared-after-fork", ep);
    int st;
    waitpid(pid, &st, 0);
    return 0;
}
