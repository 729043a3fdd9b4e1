/* writable-spin: level-triggered EPOLLOUT on a socket with nothing to
 * write: every wait returns at once and the loop burns a CPU. */
#include "lint.h"

int main(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int sv[2];
    check(ep >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    nonblock(sv[0]);
    ep_add(ep, sv[0], EPOLLIN | EPOLLOUT);
    for (int i = 0; i < 150; i++) {
        struct epoll_event ev;
        check(epoll_wait(ep, &ev, 1, 1000) == 1 && (ev.events & EPOLLOUT));
    }
    expect("writable-spin", sv[0]);
    return 0;
}
