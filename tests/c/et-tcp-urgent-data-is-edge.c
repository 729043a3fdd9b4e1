/* et-tcp-urgent-data-is-edge: urgent data (send MSG_OOB) arriving on a TCP
 * socket wakes it (sk_data_ready and the urgent notification), so an
 * edge-triggered IN|OUT registration of the receiver reports again, though
 * without SO_OOBINLINE the urgent byte is not normal data: the report is OUT
 * only (PRI was not asked for). Found by the differential fuzzer
 * (tests/diff, seed 304). */
#include "check.h"
#include <netinet/in.h>
#include <arpa/inet.h>

int main(void)
{
    test_start();
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof sa;
    check(l >= 0);
    check(bind(l, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(l, 1) == 0);
    check(getsockname(l, (struct sockaddr *)&sa, &al) == 0);
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check(connect(c, (struct sockaddr *)&sa, sizeof sa) == 0);
    int s = accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    check(s >= 0);
    set_nonblock(c);
    int ep = make_epoll();
    check(ep_add(ep, c, EPOLLIN | EPOLLOUT | EPOLLET, 1) == 0);
    expect_wait("first", ep, 8, 0, "OUT data=1");
    expect_wait("consumed", ep, 8, 0, "none");
    expect_eq("send MSG_OOB", send(s, "!", 1, MSG_OOB), 1);
    sleep_ms(50);
    expect_wait("after urgent data", ep, 8, 0, "OUT data=1");
    expect_wait("consumed again", ep, 8, 0, "none");
    close(ep);
    close(c);
    close(s);
    close(l);
    return test_done();
}
