/* io-accept-listener: a TCP listener is readable while connections are
 * pending: two pending -> IN, still IN after accepting one, nothing once both
 * are accepted (IO-ACCEPT-1..3); under ET each new connection is an edge even
 * if none was accepted (IO-ACCEPT-4). accept4 is the consuming call here, not
 * read. Loopback connections complete asynchronously, so each wait that
 * expects an event has a 5 s timeout. */
#include "check.h"
#include <netinet/in.h>
#include <arpa/inet.h>

static struct sockaddr_in g_addr;

static int dial(void)
{
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check(c >= 0);
    check(connect(c, (struct sockaddr *)&g_addr, sizeof g_addr) == 0);
    return c;
}

int main(void)
{
    test_start();
    memset(&g_addr, 0, sizeof g_addr);
    g_addr.sin_family = AF_INET;
    g_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof g_addr;
    int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    check(l >= 0);
    check(bind(l, (struct sockaddr *)&g_addr, sizeof g_addr) == 0);
    check(listen(l, 8) == 0);
    check(getsockname(l, (struct sockaddr *)&g_addr, &al) == 0);
    int lt = make_epoll(), et = make_epoll();
    check(ep_add(lt, l, EPOLLIN, 1) == 0);
    check(ep_add(et, l, EPOLLIN | EPOLLET, 2) == 0);

    expect_wait("LT, no pending connection", lt, 8, 0, "none");
    int c1 = dial();
    expect_wait("ET, first connection", et, 8, 5000, "IN data=2");
    expect_wait("ET, nothing new", et, 8, 0, "none");
    int c2 = dial();
    expect_wait("ET, second connection, first not accepted", et, 8, 5000, "IN data=2");
    struct pollfd pfd = { l, POLLIN, 0 };
    check(poll(&pfd, 1, 5000) == 1);
    expect_wait("LT, two pending", lt, 8, 0, "IN data=1");
    int a1 = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    check(a1 >= 0);
    expect_wait("LT, one accepted, one pending", lt, 8, 0, "IN data=1");
    int a2 = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    check(a2 >= 0);
    expect_wait("LT, both accepted", lt, 8, 0, "none");
    expect_wait("ET, accepts are not edges", et, 8, 0, "none");

    close(a1); close(a2);
    close(c1); close(c2);
    close(lt); close(et);
    close(l);
    return test_done();
}
