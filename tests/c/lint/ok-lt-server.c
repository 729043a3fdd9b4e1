/* Correct: a level-triggered server. One accept and one read per event
 * (fine when level-triggered), EPOLLOUT enabled only while a reply is
 * pending and removed once flushed, EPOLL_CTL_DEL before close. */
// options: halfclose_timeout_ms=100
#include "lint.h"

int main(void)
{
    int port;
    int l = tcp_listener(&port);
    nonblock(l);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    check(ep >= 0);
    ep_add(ep, l, EPOLLIN);
    int c = tcp_connect(port);
    /* A tiny send buffer so that the big reply needs EPOLLOUT. */
    static char big[1 << 20];
    memset(big, 'z', sizeof big);
    check(write(c, "GET", 3) == 3);
    int conn = -1;
    size_t sent = 0;
    int done = 0, rounds = 0;
    while (!done && rounds++ < 10000) {
        struct epoll_event evs[4];
        int n = epoll_wait(ep, evs, 4, 100);
        for (int k = 0; k < n; k++) {
            int fd = evs[k].data.fd;
            if (fd == l) {
                conn = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                check(conn >= 0);
                ep_add(ep, conn, EPOLLIN);
            } else if (evs[k].events & EPOLLIN) {
                char b[16];
                ssize_t r = read(conn, b, sizeof b);
                if (r == 3) {
                    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.fd = conn};
                    check(epoll_ctl(ep, EPOLL_CTL_MOD, conn, &ev) == 0);
                } else if (r == 0) {
                    check(epoll_ctl(ep, EPOLL_CTL_DEL, conn, NULL) == 0);
                    close(conn);
                    done = 1;
                }
            } else if (evs[k].events & EPOLLOUT) {
                ssize_t w = write(conn, big + sent, sizeof big - sent);
                if (w > 0)
                    sent += w;
                if (sent == sizeof big) {
                    struct epoll_event ev = {.events = EPOLLIN, .data.fd = conn};
                    check(epoll_ctl(ep, EPOLL_CTL_MOD, conn, &ev) == 0);
                }
            }
        }
        if (c >= 0 && (n == 0 || sent > 0)) { /* the client drains and hangs up */
            static size_t got;
            char b[65536];
            nonblock(c);
            ssize_t r;
            while ((r = read(c, b, sizeof b)) > 0)
                got += r;
            if (got == sizeof big && c >= 0) {
                close(c);
                c = -1;
            }
        }
    }
    check(done);
    check(epoll_ctl(ep, EPOLL_CTL_DEL, l, NULL) == 0);
    close(l);
    close(ep);
    return 0;
}
