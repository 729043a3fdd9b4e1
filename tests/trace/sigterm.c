/* sigterm.c [N] [forever] - killed by a signal while waiting.
 *
 * N epoll_wait(timeout 0) calls, then the process blocks in
 * epoll_wait(timeout -1) until SIGALRM, left at its default action, kills
 * it 50 ms later: no destructor runs. The N+1 records made before the
 * blocking wait must all be in the trace: written at once by default, and
 * with trace_buffer>0 flushed before a wait that may sleep. (The wait that
 * was interrupted by death never returned, so it has no record, as strace
 * would show it <unfinished>.) With "forever" no timer is set: run.sh
 * sends SIGKILL itself.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 50;
    int ep = epoll_create1(0);
    struct epoll_event out[1];
    for (int i = 0; i < n; i++) epoll_wait(ep, out, 1, 0);
    struct itimerval t = {{0, 0}, {0, 50000}};
    if (argc < 3) setitimer(ITIMER_REAL, &t, NULL);
    epoll_wait(ep, out, 1, -1);
    return 3;
}
