/* pri-tcp-urgent-data: TCP urgent data (send MSG_OOB) makes the receiver
 * report EPOLLPRI; with only the urgent byte queued it is PRI|OUT, without IN
 * (EV-TCP-OOB). Without PRI in the interest only OUT is reported. Reading the
 * urgent byte (recv MSG_OOB) clears PRI. Uses TCP over 127.0.0.1 on an
 * ephemeral port. The test first waits with poll(2) until the urgent byte has
 * arrived, so the verdict does not depend on loopback timing. */
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
    int s = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    check(s >= 0);
    close(l);

    int ep_pri = make_epoll(), ep_nopri = make_epoll();
    check(ep_add(ep_pri, s, EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP, 1) == 0);
    check(ep_add(ep_nopri, s, EPOLLIN | EPOLLOUT, 2) == 0);
    expect_wait("idle connection", ep_pri, 8, 0, "OUT data=1");

    check(send(c, "u", 1, MSG_OOB) == 1);
    struct pollfd pfd = { s, POLLPRI, 0 };
    check(poll(&pfd, 1, 5000) == 1);

    expect_wait("urgent byte, PRI requested", ep_pri, 8, 0, "PRI|OUT data=1");
    expect_wait("urgent byte, PRI not requested", ep_nopri, 8, 0, "OUT data=2");
    char ch = 0;
    check(recv(s, &ch, 1, MSG_OOB) == 1);
    check(ch == 'u');
    expect_wait("urgent byte read", ep_pri, 8, 0, "OUT data=1");

    close(ep_pri);
    close(ep_nopri);
    close(s);
    close(c);
    return test_done();
}
