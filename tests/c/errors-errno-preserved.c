/* errors-errno-preserved: a successful system call never changes errno
 * (man 3 errno: "The value of errno is never set to zero by any system call
 * or library function"; it is only written on failure). A preloaded library
 * makes internal calls (fcntl, fstat, ioctl, kcmp) that may fail; it must
 * restore errno on every successful path (PITFALLS, STYLE 3). errno is set to
 * 12345 before each successful call and must still be 12345 afterwards. */
#include "check.h"

#define PRESERVED(label, expr) do {                                         \
        errno = 12345;                                                      \
        long r__ = (long)(expr);                                            \
        int e__ = errno;                                                    \
        say("%s: %s, errno %s", (label), r__ >= 0 ? "ok" : "failed",        \
            e__ == 12345 ? "unchanged" : "CHANGED");                        \
        if (r__ < 0 || e__ != 12345) g_failed = 1;                          \
    } while (0)

int main(void)
{
    test_start();
    int p[2], s[2];
    make_pipe(p);
    make_socketpair(SOCK_STREAM, s);
    int efd = make_eventfd(0, 0);
    struct epoll_event ev[4];
    struct timespec zero = { 0, 0 };
    sigset_t empty;
    sigemptyset(&empty);
    char buf[16];
    int ep, ep2, d;

    PRESERVED("epoll_create1(0)", ep = epoll_create1(0));
    PRESERVED("epoll_create(1)", ep2 = epoll_create(1));
    PRESERVED("epoll_ctl ADD pipe", ep_add(ep, p[0], EPOLLIN, 1));
    PRESERVED("epoll_ctl ADD socket ET", ep_add(ep, s[0], EPOLLIN | EPOLLET, 2));
    PRESERVED("epoll_ctl ADD eventfd", ep_add(ep, efd, EPOLLIN, 3));
    PRESERVED("epoll_ctl ADD epoll fd", ep_add(ep2, ep, EPOLLIN, 4));
    PRESERVED("epoll_ctl MOD", ep_mod(ep, p[0], EPOLLIN | EPOLLOUT, 5));
    PRESERVED("epoll_wait, nothing ready", epoll_wait(ep, ev, 4, 0));
    PRESERVED("epoll_wait 10 ms timeout", epoll_wait(ep, ev, 4, 10));
    PRESERVED("epoll_pwait, nothing ready", epoll_pwait(ep, ev, 4, 0, &empty));
    PRESERVED("epoll_pwait2, nothing ready", epoll_pwait2(ep, ev, 4, &zero, NULL));
    PRESERVED("write to a watched pipe", write(p[1], "x", 1));
    PRESERVED("send to a watched socket", send(s[1], "y", 1, 0));
    PRESERVED("eventfd_write", eventfd_write(efd, 1));
    PRESERVED("epoll_wait, three ready", epoll_wait(ep, ev, 4, 0));
    PRESERVED("nested epoll_wait", epoll_wait(ep2, ev, 4, 0));
    PRESERVED("read from a watched pipe", read(p[0], buf, sizeof buf));
    PRESERVED("recv from a watched socket", recv(s[0], buf, sizeof buf, 0));
    PRESERVED("eventfd_read", eventfd_read(efd, (eventfd_t *)buf));
    PRESERVED("dup of a watched fd", d = dup(p[0]));
    PRESERVED("close of a dup of a watched fd", close(d));
    PRESERVED("epoll_ctl DEL", ep_del(ep, p[0]));
    PRESERVED("close of a watched socket", close(s[0]));
    PRESERVED("close of an unwatched fd", close(s[1]));
    PRESERVED("dup2 over a watched eventfd", dup2(p[1], efd));
    PRESERVED("close of an epoll fd", close(ep2));
    PRESERVED("close of a nested epoll fd", close(ep));

    close(efd);
    close(p[0]);
    close(p[1]);
    return test_done();
}
