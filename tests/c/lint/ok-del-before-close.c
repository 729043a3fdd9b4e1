/* Correct: EPOLL_CTL_DEL before close, numbers reused by new files and
 * registered again; EPOLL_CTL_MOD between; closing the last descriptor
 * without DEL is also allowed (the kernel removes the registration). */
#include "lint.h"

int main(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    check(ep >= 0);
    for (int i = 0; i < 50; i++) {
        int p[2];
        check(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
        ep_add(ep, p[0], EPOLLIN);
        struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.fd = p[0]};
        check(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
        check(write(p[1], "x", 1) == 1);
        check(epoll_wait(ep, &ev, 1, 1000) == 1);
        char c;
        check(read(p[0], &c, 1) == 1);
        check(read(p[0], &c, 1) == -1 && errno == EAGAIN);
        if (i % 2)
            check(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL) == 0);
        close(p[0]);
        close(p[1]);
    }
    struct epoll_event ev;
    check(epoll_wait(ep, &ev, 1, 0) == 0);
    close(ep);
    return 0;
}
