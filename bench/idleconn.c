/* bench/idleconn.c - hold N idle TCP connections open to 127.0.0.1:PORT.
 *
 *   idleconn PORT N LIFETIME_S
 *
 * Raises the soft RLIMIT_NOFILE to the hard one, opens N connections (each
 * with SO_LINGER 0, so that closing them sends a reset and leaves no
 * TIME_WAIT behind to use up local ports), prints "idleconn connected N" on
 * stdout and then sleeps, sending nothing, until it is killed or LIFETIME_S
 * seconds have passed. Exit status 3 if a connection fails.
 */
#include "common.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: idleconn PORT N LIFETIME_S\n");
        return 2;
    }
    int port = atoi(argv[1]);
    long n = atol(argv[2]);
    unsigned lifetime = (unsigned)atol(argv[3]);
    raise_nofile();
    alarm(lifetime); /* bounded even if nobody kills us */

    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct linger lg = { .l_onoff = 1, .l_linger = 0 };
    for (long i = 0; i < n; i++) {
        int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s < 0)
            DIE("socket %ld of %ld", i, n);
        setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        if (connect(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
            if (errno != EINPROGRESS)
                DIE("connect %ld of %ld", i, n);
            struct pollfd p = { .fd = s, .events = POLLOUT };
            if (poll(&p, 1, 10000) != 1)
                DIE("connect %ld of %ld: no answer in 10 s", i, n);
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err) {
                errno = err;
                DIE("connect %ld of %ld", i, n);
            }
        }
    }
    printf("idleconn connected %ld\n", n);
    fflush(stdout);
    for (;;)
        pause();
}
