/* cold-threads-stress: four threads wait on one instance holding 200 idle
 * socketpairs (EPOLLIN|EPOLLONESHOT, re-armed with MOD after each read)
 * while another process writes single bytes into random pairs, in bursts
 * and after pauses long enough for the pairs to go idle (repoll then
 * watches them from its helper thread). Every byte must be reported and
 * read exactly once, by one thread, within the time limit. */
#include "check.h"

#define PAIRS 200
#define WRITES 300
#define THREADS 4

static int ep, s[PAIRS][2];
static atomic_int received, dups;
static atomic_int done;

static void *waiter(void *arg)
{
    (void)arg;
    struct epoll_event ev[4];
    while (!atomic_load(&done)) {
        int n = epoll_wait(ep, ev, 4, 200);
        for (int i = 0; i < n; i++) {
            int k = (int)ev[i].data.u64;
            char c[8];
            ssize_t r = read(s[k][0], c, sizeof c);
            if (r > 0) {
                atomic_fetch_add(&received, (int)r);
            } else {
                atomic_fetch_add(&dups, 1);
            }
            if (ep_mod(ep, s[k][0], EPOLLIN | EPOLLONESHOT, k) != 0)
                atomic_fetch_add(&dups, 1000);
        }
    }
    return NULL;
}

int main(void)
{
    test_start();
    ep = make_epoll();
    for (int i = 0; i < PAIRS; i++) {
        make_socketpair(SOCK_STREAM, s[i]);
        set_nonblock(s[i][0]);
        check(ep_add(ep, s[i][0], EPOLLIN | EPOLLONESHOT, i) == 0);
    }
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        check(pthread_create(&t[i], NULL, waiter, NULL) == 0);
    pid_t child = fork();
    check(child >= 0);
    if (child == 0) {
        unsigned seed = 12345;
        for (int w = 0; w < WRITES; w++) {
            seed = seed * 1103515245u + 12345u;
            int k = (int)((seed >> 16) % PAIRS);
            if (write(s[k][1], "x", 1) != 1)
                _exit(2);
            if (w % 50 == 49)
                usleep(70 * 1000);      /* everything goes idle */
            else if (w % 7 == 0)
                usleep(500);
        }
        _exit(0);
    }
    int st;
    check(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    long long deadline = now_ns() + 10LL * 1000 * 1000 * 1000;
    while (atomic_load(&received) < WRITES && now_ns() < deadline)
        usleep(10 * 1000);
    usleep(100 * 1000);
    atomic_store(&done, 1);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    say("bytes received: %d of %d\n", atomic_load(&received), WRITES);
    say("reports without data or failed MODs: %d\n", atomic_load(&dups));
    check(atomic_load(&received) == WRITES);
    test_done();
}
