/* Correct: an edge-triggered TCP echo server. The listener and every
 * connection are non-blocking and drained to EAGAIN; EPOLLRDHUP or a read
 * of 0 closes the connection after EPOLL_CTL_DEL. Must produce no lint. */
// options: halfclose_timeout_ms=100:lint_et_undrained_ms=20
#include "lint.h"

#define CLIENTS 8

int main(void)
{
    int port;
    int l = tcp_listener(&port);
    nonblock(l);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    check(ep >= 0);
    ep_add(ep, l, EPOLLIN | EPOLLET);
    int cl[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        cl[i] = tcp_connect(port);
        char msg[3000];
        memset(msg, 'a' + i, sizeof msg);
        check(write(cl[i], msg, sizeof msg) == (ssize_t)sizeof msg);
        if (i % 2)
            check(shutdown(cl[i], SHUT_WR) == 0);
    }
    int open_conns = 0, accepted = 0, idle = 0;
    while (idle < 6) {
        struct epoll_event evs[16];
        int n = epoll_wait(ep, evs, 16, 30);
        if (n == 0) {
            idle++;
            for (int i = 0; i < CLIENTS; i++)
                if (cl[i] >= 0) { /* clients read their echo and close */
                    char b[8192];
                    nonblock(cl[i]);
                    while (read(cl[i], b, sizeof b) > 0) {
                    }
                    if (i % 2 == 0) {
                        close(cl[i]);
                        cl[i] = -1;
                    }
                }
            continue;
        }
        for (int k = 0; k < n; k++) {
            int fd = evs[k].data.fd;
            if (fd == l) {
                for (;;) {
                    int c = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (c < 0) {
                        check(errno == EAGAIN);
                        break;
                    }
                    ep_add(ep, c, EPOLLIN | EPOLLRDHUP | EPOLLET);
                    open_conns++;
                    accepted++;
                }
                continue;
            }
            int closed = 0;
            for (;;) {
                char b[1024];
                ssize_t r = read(fd, b, sizeof b);
                if (r > 0) {
                    check(write(fd, b, r) == r);
                    continue;
                }
                if (r == 0)
                    closed = 1;
                else
                    check(errno == EAGAIN);
                break;
            }
            if (closed) {
                check(epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL) == 0);
                close(fd);
                open_conns--;
            }
        }
    }
    for (int i = 0; i < CLIENTS; i++)
        if (cl[i] >= 0)
            close(cl[i]);
    check(accepted == CLIENTS);
    return 0;
}
