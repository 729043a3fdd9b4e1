/* et-inet-second-write-is-edge: over loopback TCP and UDP, every segment or
 * datagram that arrives wakes the receiving socket, so under EPOLLET a second
 * send into an undrained socket is a new edge (ET-TCP-1..3, ET-UDP-1..3).
 * The sender and receiver are different sockets linked only by addresses, so
 * an emulation cannot pair them at creation as it can a socketpair. Waits
 * that expect an event use a 5 s timeout. */
#include "check.h"
#include <netinet/in.h>
#include <arpa/inet.h>

int main(void)
{
    test_start();
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;

    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check(l >= 0);
    check(bind(l, (struct sockaddr *)&a, sizeof a) == 0);
    check(listen(l, 4) == 0);
    check(getsockname(l, (struct sockaddr *)&a, &al) == 0);
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check(c >= 0);
    check(connect(c, (struct sockaddr *)&a, sizeof a) == 0);
    int t = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    check(t >= 0);
    close(l);

    struct sockaddr_in ua;
    memset(&ua, 0, sizeof ua);
    ua.sin_family = AF_INET;
    ua.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t ual = sizeof ua;
    int u = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    check(u >= 0);
    check(bind(u, (struct sockaddr *)&ua, sizeof ua) == 0);
    check(getsockname(u, (struct sockaddr *)&ua, &ual) == 0);
    int us = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    check(us >= 0);

    int ep = make_epoll();
    check(ep_add(ep, t, EPOLLIN | EPOLLET, 1) == 0);
    check(ep_add(ep, u, EPOLLIN | EPOLLET, 2) == 0);

    check(send(c, "a", 1, 0) == 1);
    expect_wait("TCP send", ep, 8, 5000, "IN data=1");
    expect_wait("nothing new", ep, 8, 0, "none");
    check(send(c, "b", 1, 0) == 1);
    expect_wait("TCP send again, undrained", ep, 8, 5000, "IN data=1");

    check(sendto(us, "a", 1, 0, (struct sockaddr *)&ua, sizeof ua) == 1);
    expect_wait("UDP datagram", ep, 8, 5000, "IN data=2");
    expect_wait("nothing new", ep, 8, 0, "none");
    check(sendto(us, "b", 1, 0, (struct sockaddr *)&ua, sizeof ua) == 1);
    expect_wait("UDP datagram again, undrained", ep, 8, 5000, "IN data=2");

    close(ep);
    close(t);
    close(c);
    close(u);
    close(us);
    return test_done();
}
