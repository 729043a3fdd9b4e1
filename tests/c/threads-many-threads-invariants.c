/* threads-many-threads-invariants: 12 threads hammer two shared instances
 * for 2 seconds with every call at once: ADD/MOD/DEL of a pool of pipes and
 * eventfds (each fd is owned by one thread at a time, so the calls' results
 * are known), writes and reads, and waits with timeouts 0 and 1 ms from
 * every thread, while another instance nests the first. Invariants checked on
 * every call (as a ThreadSanitizer stand-in: a race in the library's tables
 * shows up as a broken invariant, a crash or a hang):
 *   - ctl on an fd the thread owns returns exactly what its own bookkeeping
 *     predicts (0, EEXIST, ENOENT);
 *   - every reported event has data that names a slot (or the nested
 *     instance), and flags that are not 0 and within IN|OUT|ERR|HUP;
 *   - a wait never returns more than maxevents, nor the same data twice;
 *   - all bytes written are eventually read (checked at the end by draining);
 *   - both instances work normally afterwards.
 * Prints only summary lines. */
#include "check.h"

#define NT 12
#define NSLOTS 48
#define SECONDS 2

struct slot {
    atomic_int owner;          /* thread id + 1, or 0 */
    int rd, wr, is_efd;
    atomic_uint interest;      /* 0 = not registered */
    atomic_int armed;          /* ONESHOT: 1 until reported */
};

static struct slot g_slot[NSLOTS];
static int g_ep, g_outer;
static atomic_int g_stop, g_bad;
static atomic_long g_written, g_read, g_events, g_calls;

static void bad(const char *what, long a, long b)
{
    if (atomic_fetch_add(&g_bad, 1) < 5) say("INVARIANT %s (%ld, %ld)", what, a, b);
}

static uint32_t rnd(uint32_t *s) { *s ^= *s << 13; *s ^= *s >> 17; *s ^= *s << 5; return *s; }

static void check_events(struct epoll_event *ev, int n, int max)
{
    if (n > max) bad("more events than maxevents", n, max);
    for (int i = 0; i < n; i++) {
        uint64_t d = ev[i].data.u64;
        if (d == 1000) continue;                       /* the nested instance */
        if (d >= NSLOTS) { bad("unknown data", (long)d, 0); continue; }
        /* the item may have been modified or deleted since the wait
         * collected it: only impossible bits count */
        uint32_t allowed = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP;
        if (!ev[i].events || (ev[i].events & ~allowed)) bad("impossible flags", (long)d, ev[i].events);
        for (int j = 0; j < i; j++)
            if (ev[j].data.u64 == d) bad("same item twice in one wait", (long)d, 0);
        atomic_fetch_add(&g_events, 1);
    }
}

static void *worker(void *arg)
{
    int me = (int)(intptr_t)arg;
    uint32_t s = 0x9e3779b9u * (uint32_t)(me + 1);
    struct epoll_event ev[16];
    char buf[64];
    while (!atomic_load(&g_stop)) {
        atomic_fetch_add(&g_calls, 1);
        int k = (int)(rnd(&s) % NSLOTS);
        struct slot *sl = &g_slot[k];
        int zero = 0;
        switch (rnd(&s) % 6) {
        case 0: case 1: {                         /* take a slot and change its registration */
            if (!atomic_compare_exchange_strong(&sl->owner, &zero, me + 1)) break;
            uint32_t cur = atomic_load(&sl->interest);
            uint32_t ev2 = (rnd(&s) & 1 ? EPOLLIN : EPOLLIN | EPOLLOUT) |
                           (rnd(&s) % 3 == 0 ? EPOLLET : 0) | (rnd(&s) % 4 == 0 ? EPOLLONESHOT : 0);
            int op = cur ? (rnd(&s) & 1 ? EPOLL_CTL_MOD : EPOLL_CTL_DEL) : EPOLL_CTL_ADD;
            if (!cur && rnd(&s) % 8 == 0) {         /* ADD twice: EEXIST expected on the second */
                int r1 = ep_ctl(g_ep, EPOLL_CTL_ADD, sl->rd, ev2, (uint64_t)k);
                atomic_store(&sl->interest, ev2);
                int r2 = ep_ctl(g_ep, EPOLL_CTL_ADD, sl->rd, ev2, (uint64_t)k);
                if (r1 != 0 || !(r2 == -1 && errno == EEXIST)) bad("ADD/ADD", r1, r2);
            } else {
                if (op == EPOLL_CTL_DEL) atomic_store(&sl->interest, 0);
                else atomic_store(&sl->interest, ev2);
                int r = ep_ctl(g_ep, op, sl->rd, ev2, (uint64_t)k);
                if (r != 0) bad("ctl on an owned fd failed", op, errno);
                if (!cur && op != EPOLL_CTL_ADD) bad("model", op, 0);
            }
            if (rnd(&s) % 4 == 0) {                 /* MOD/DEL of an fd that is not there */
                if (!atomic_load(&sl->interest)) {
                    int r = ep_ctl(g_ep, EPOLL_CTL_MOD, sl->rd, EPOLLIN, (uint64_t)k);
                    if (!(r == -1 && errno == ENOENT)) bad("MOD of unregistered", r, errno);
                }
            }
            atomic_store(&sl->owner, 0);
            break;
        }
        case 2: {                                 /* write */
            if (sl->is_efd) {
                uint64_t one = 1;
                if (write(sl->wr, &one, 8) == 8) atomic_fetch_add(&g_written, 1);
            } else if (write(sl->wr, "x", 1) == 1) atomic_fetch_add(&g_written, 1);
            break;
        }
        case 3: {                                 /* read */
            if (sl->is_efd) {
                uint64_t v;
                if (read(sl->rd, &v, 8) == 8) atomic_fetch_add(&g_read, (long)v);
            } else {
                ssize_t r = read(sl->rd, buf, sizeof buf);
                if (r > 0) atomic_fetch_add(&g_read, r);
            }
            break;
        }
        default: {                                /* wait */
            int max = 1 + (int)(rnd(&s) % 16);
            int ep = rnd(&s) % 5 == 0 ? g_outer : g_ep;
            int n = epoll_wait(ep, ev, max, (int)(rnd(&s) % 2));
            if (n < 0 && errno != EINTR) bad("wait failed", errno, 0);
            if (n > 0) check_events(ev, n, max);
            break;
        }
        }
    }
    return NULL;
}

int main(void)
{
    test_start();
    g_ep = make_epoll();
    g_outer = make_epoll();
    check(ep_add(g_outer, g_ep, EPOLLIN, 1000) == 0);
    for (int i = 0; i < NSLOTS; i++) {
        if (i % 3 == 0) {
            g_slot[i].rd = g_slot[i].wr = make_eventfd(0, 0);
            g_slot[i].is_efd = 1;
        } else {
            int p[2];
            make_pipe(p);
            g_slot[i].rd = p[0];
            g_slot[i].wr = p[1];
        }
    }
    pthread_t t[NT];
    for (int i = 0; i < NT; i++) check(pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i) == 0);
    sleep_ms(SECONDS * 1000);
    atomic_store(&g_stop, 1);
    for (int i = 0; i < NT; i++) check(pthread_join(t[i], NULL) == 0);
    /* drain: every byte written is still there to be read */
    for (int i = 0; i < NSLOTS; i++) {
        if (g_slot[i].is_efd) {
            uint64_t v;
            if (read(g_slot[i].rd, &v, 8) == 8) atomic_fetch_add(&g_read, (long)v);
        } else atomic_fetch_add(&g_read, drain(g_slot[i].rd));
    }
    say("invariant violations: %d", atomic_load(&g_bad));
    say("bytes and counts conserved: %s", atomic_load(&g_written) == atomic_load(&g_read) ? "yes" : "no");
    say("calls made: %s, events seen: %s", atomic_load(&g_calls) > 1000 ? "many" : "few",
        atomic_load(&g_events) > 100 ? "many" : "few");
    if (atomic_load(&g_bad) || atomic_load(&g_written) != atomic_load(&g_read)) g_failed = 1;
    /* the instances still work */
    for (int i = 0; i < NSLOTS; i++) ep_del(g_ep, g_slot[i].rd);
    check(ep_add(g_ep, g_slot[1].rd, EPOLLIN, 1) == 0);
    put(g_slot[1].wr, 1);
    expect_wait("after the storm", g_ep, 8, 0, "IN data=1");
    expect_wait("outer after the storm", g_outer, 8, 0, "IN data=1000");
    for (int i = 0; i < NSLOTS; i++) {
        close(g_slot[i].rd);
        if (!g_slot[i].is_efd) close(g_slot[i].wr);
    }
    close(g_outer);
    close(g_ep);
    return test_done();
}
