/* hup-socketpair-peer-shutdown-rdhup: when the peer of a unix stream socket
 * does shutdown(SHUT_WR), our end becomes readable (EOF) and, if EPOLLRDHUP
 * was requested, reports IN|OUT|RDHUP; without RDHUP in the interest it is
 * IN|OUT; with events 0 nothing (no HUP: only one direction is shut)
 * (EV-US-PEER-SHUTWR, EVNR-, EV0-, SEMANTICS 4.2). RDHUP is how servers detect
 * half-closed connections without a read. */
#include "check.h"

int main(void)
{
    test_start();
    int s[2];
    make_socketpair(SOCK_STREAM, s);
    int ep_rdhup = make_epoll(), ep_plain = make_epoll(), ep_zero = make_epoll();
    check(ep_add(ep_rdhup, s[0], EPOLLIN | EPOLLOUT | EPOLLRDHUP, 1) == 0);
    check(ep_add(ep_plain, s[0], EPOLLIN | EPOLLOUT, 2) == 0);
    check(ep_add(ep_zero, s[0], 0, 3) == 0);

    expect_wait("RDHUP requested, idle", ep_rdhup, 8, 0, "OUT data=1");
    check(shutdown(s[1], SHUT_WR) == 0);
    expect_wait("RDHUP requested, peer SHUT_WR", ep_rdhup, 8, 0, "IN|OUT|RDHUP data=1");
    expect_wait("RDHUP not requested, peer SHUT_WR", ep_plain, 8, 0, "IN|OUT data=2");
    expect_wait("events 0, peer SHUT_WR", ep_zero, 8, 0, "none");
    char c;
    expect_eq("read at EOF", read(s[0], &c, 1), 0);
    expect_wait("RDHUP requested, after reading EOF", ep_rdhup, 8, 0, "IN|OUT|RDHUP data=1");

    close(ep_rdhup);
    close(ep_plain);
    close(ep_zero);
    close(s[0]);
    close(s[1]);
    return test_done();
}
