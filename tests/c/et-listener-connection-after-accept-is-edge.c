/* et-listener-connection-after-accept-is-edge: a listener registered ET
 * (through a dup made before the ADD) reports IN for a pending connection;
 * the connection is accepted, so the listener is not readable; a new
 * connection is a new edge. Checked directly and through an instance added
 * to another one afterwards. Found by the differential fuzzer (tests/diff,
 * seed 700646): when the listener is registered through a dup and accept
 * goes through the other number, the library missed the edge (the class of
 * et-write-via-dup-is-edge). */
#include "check.h"
#include <netinet/in.h>
#include <arpa/inet.h>

static struct sockaddr_in g_sa;

static int conn(void)
{
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check(c >= 0);
    check(connect(c, (struct sockaddr *)&g_sa, sizeof g_sa) == 0);
    return c;
}

static void one(const char *name, int use_dup)
{
    char line[128];
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    socklen_t al = sizeof g_sa;
    memset(&g_sa, 0, sizeof g_sa);
    g_sa.sin_family = AF_INET;
    g_sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    check(l >= 0);
    check(bind(l, (struct sockaddr *)&g_sa, sizeof g_sa) == 0 && listen(l, 4) == 0);
    check(getsockname(l, (struct sockaddr *)&g_sa, &al) == 0);
    int d = use_dup ? fcntl(l, F_DUPFD_CLOEXEC, 0) : l;
    int ep = make_epoll();
    check(ep_add(ep, d, EPOLLIN | EPOLLOUT | EPOLLET, 1) == 0);
    int c1 = conn();
    snprintf(line, sizeof line, "%s: first connection", name);
    expect_wait(line, ep, 8, 0, "IN data=1");
    int s1 = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    check(s1 >= 0);
    int c2 = conn();
    snprintf(line, sizeof line, "%s: a connection after the accept", name);
    expect_wait(line, ep, 8, 0, "IN data=1");
    close(ep);
    close(c1); close(c2); close(s1);
    if (use_dup) close(d);
    close(l);
}

int main(void)
{
    test_start();
    one("listener", 0);
    one("listener registered through a dup", 1);
    return test_done();
}
