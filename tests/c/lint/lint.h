/* Shared helpers for the lint suite (tests/lint/run.sh).
 *
 * A misuse program prints one line "expect ID FD" per diagnostic it must
 * cause; the runner checks the JSON log for a record {"lint":ID,"fd":FD}.
 * A correct program (ok-*.c) prints nothing and must cause no lint record.
 * "// options: K=V:K=V" on a line of its own adds REPOLL_OPTIONS. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define check(expr)                                                            \
    do {                                                                       \
        if (!(expr)) {                                                         \
            fprintf(stderr, "%s:%d: check failed: %s (errno %d %s)\n",         \
                    __FILE__, __LINE__, #expr, errno, strerror(errno));        \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

static inline void expect(const char *id, int fd)
{
    printf("expect %s %d\n", id, fd);
    fflush(stdout);
}

static inline void nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    check(fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0);
}

static inline void msleep(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static inline void ep_add(int ep, int fd, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.fd = fd};
    check(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0);
}

/* A listening TCP socket on 127.0.0.1, ephemeral port. */
static inline int tcp_listener(int *port)
{
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check(l >= 0);
    int one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    check(bind(l, (struct sockaddr *)&a, sizeof a) == 0);
    check(listen(l, 64) == 0);
    socklen_t len = sizeof a;
    check(getsockname(l, (struct sockaddr *)&a, &len) == 0);
    *port = ntohs(a.sin_port);
    return l;
}

static inline int tcp_connect(int port)
{
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check(c >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    check(connect(c, (struct sockaddr *)&a, sizeof a) == 0);
    return c;
}

static inline int local_port(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    check(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    return ntohs(a.sin_port);
}
