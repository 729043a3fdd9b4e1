/* busy-poll: epoll_wait with timeout 0 in a tight loop, returning nothing. */
#include "lint.h"

int main(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int sv[2];
    check(ep >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    ep_add(ep, sv[0], EPOLLIN);
    struct epoll_event ev;
    for (int i = 0; i < 1500; i++)
        check(epoll_wait(ep, &ev, 1, 0) == 0);
    expect("busy-poll", ep);
    return 0;
}
