/* forks.c [CHILDREN] [ITERATIONS] - a forking server's shape.
 *
 * The parent creates an epoll instance, then forks CHILDREN children. Each
 * child creates its own instance and does ITERATIONS write/epoll_wait/read
 * rounds, then leaves: even-numbered children with exit(0) (destructors
 * run), odd ones with _exit(0) (no destructor: nothing may be waiting in a
 * buffer). The parent then does the same rounds on its instance.
 * With log_path=...%p each process writes its own file; run.sh checks
 * that every file holds only its own pid and the exact record counts.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

static void rounds(int ep, int r, int w, int n) {
    for (int i = 0; i < n; i++) {
        char c = 'x';
        struct epoll_event out[2];
        if (write(w, &c, 1) != 1) abort();
        if (epoll_wait(ep, out, 2, -1) != 1) abort();
        if (read(r, &c, 1) != 1) abort();
    }
}

int main(int argc, char **argv) {
    int children = argc > 1 ? atoi(argv[1]) : 4;
    int n = argc > 2 ? atoi(argv[2]) : 200;
    int quick_exit_odd = argc > 3 ? atoi(argv[3]) : 1;
    int p[2];
    if (pipe(p) != 0) abort();
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 1};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) != 0) abort();
    for (int k = 0; k < children; k++) {
        pid_t pid = fork();
        if (pid < 0) abort();
        if (pid == 0) {
            int q[2];
            if (pipe(q) != 0) _exit(2);
            int cep = epoll_create1(EPOLL_CLOEXEC);
            struct epoll_event cev = {.events = EPOLLIN, .data.u64 = 2};
            if (epoll_ctl(cep, EPOLL_CTL_ADD, q[0], &cev) != 0) _exit(3);
            rounds(cep, q[0], q[1], n);
            if (quick_exit_odd && (k & 1)) _exit(0);
            exit(0);
        }
    }
    int status, bad = 0;
    for (int k = 0; k < children; k++) {
        if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) bad++;
    }
    rounds(ep, p[0], p[1], n);
    printf("children %d rounds %d bad %d\n", children, n, bad);
    return bad != 0;
}
