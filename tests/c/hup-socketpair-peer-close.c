/* hup-socketpair-peer-close: when the peer of a unix stream socket closes,
 * both directions are shut and our end reports HUP: IN|OUT|HUP|RDHUP with
 * RDHUP requested, IN|OUT|HUP without, and HUP even for an item registered
 * with events 0, because the kernel always adds ERR|HUP to the interest
 * (EV-US-PEER-CLOSE, EV0-US-PEER-CLOSE, SEMANTICS 4.2, MUST 4). A peer that
 * closes with our data unread adds ERR (ECONNRESET,
 * EV-US-PEER-CLOSE-UNREAD). */
#include "check.h"

int main(void)
{
    test_start();
    int s[2], t[2];
    make_socketpair(SOCK_STREAM, s);
    make_socketpair(SOCK_STREAM, t);
    int ep_rdhup = make_epoll(), ep_plain = make_epoll(), ep_zero = make_epoll();
    check(ep_add(ep_rdhup, s[0], EPOLLIN | EPOLLOUT | EPOLLRDHUP, 1) == 0);
    check(ep_add(ep_plain, s[0], EPOLLIN | EPOLLOUT, 2) == 0);
    check(ep_add(ep_zero, s[0], 0, 3) == 0);

    expect_wait("events 0, idle", ep_zero, 8, 0, "none");
    close(s[1]);
    expect_wait("RDHUP requested, peer closed", ep_rdhup, 8, 0, "IN|OUT|HUP|RDHUP data=1");
    expect_wait("RDHUP not requested, peer closed", ep_plain, 8, 0, "IN|OUT|HUP data=2");
    expect_wait("events 0, peer closed", ep_zero, 8, 0, "HUP data=3");
    expect_wait("events 0, again (level)", ep_zero, 8, 0, "HUP data=3");

    check(ep_add(ep_zero, t[0], 0, 4) == 0);
    put(t[0], 1);            /* our data, left unread in the peer's queue */
    close(t[1]);
    expect_wait("events 0, peer closed with our data unread", ep_zero, 8, 0,
                "HUP data=3, ERR|HUP data=4");

    close(ep_rdhup);
    close(ep_plain);
    close(ep_zero);
    close(s[0]);
    close(t[0]);
    return test_done();
}
