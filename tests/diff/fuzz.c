/* fuzz.c - differential fuzzer for repoll: kernel epoll vs librepoll.so.
 *
 *   fuzz gen SEED NOPS            print a reproducible operation list
 *   fuzz run FILE                 execute an operation list, one result line per op
 *   fuzz emit FILE OPS_H [NAME]   print FILE as a standalone tests/c program
 *                                 (OPS_H = path of fuzz_ops.h, copied in)
 *   fuzz shrink FILE LIB OUT      delta-debug FILE to a minimal list that still
 *                                 diverges natively vs LD_PRELOAD=LIB; write it to OUT
 *   fuzz campaign LIB SEED NSEQ NOPS OUTDIR [OPS_H]
 *                                 NSEQ sequences of NOPS ops (seeds SEED..),
 *                                 each run natively and preloaded and compared;
 *                                 a divergence is confirmed (native run twice must
 *                                 agree), shrunk, and written to OUTDIR as
 *                                 div-SEED.ops / div-SEED.min.ops / div-SEED.c
 *
 * An operation list has one operation per line: "IDX NAME ARG...", IDX being
 * the operation's index in the original sequence (kept when shrinking so the
 * data of registrations stays the same). The operations and what they print
 * are in fuzz_ops.h; what may legitimately differ is in README.md.
 *
 * The campaign's last line is "fuzz: N sequences, M operations, D divergences".
 */
#include "fuzz_ops.h"
#include <sys/stat.h>
#include <sys/wait.h>

/* ---- op lists ---------------------------------------------------------- */

struct op { int idx; char name[16]; long a[FZ_MAXARG]; };

static struct op *load(const char *path, int *count)
{
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); exit(2); }
    int cap = 256, n = 0;
    struct op *v = malloc(sizeof *v * (size_t)cap);
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        if (n == cap) { cap *= 2; v = realloc(v, sizeof *v * (size_t)cap); }
        struct op *o = &v[n];
        memset(o, 0, sizeof *o);
        char *p = line, *end;
        o->idx = (int)strtol(p, &end, 10);
        p = end;
        while (*p == ' ') p++;
        int k = 0;
        while (*p && *p != ' ' && *p != '\n' && k < 15) o->name[k++] = *p++;
        o->name[k] = 0;
        for (int i = 0; i < FZ_MAXARG; i++) {
            long x = strtol(p, &end, 0);
            if (end == p) break;
            o->a[i] = x;
            p = end;
        }
        n++;
    }
    fclose(f);
    *count = n;
    return v;
}

static void save(const char *path, const struct op *v, int n, const char *keep)
{
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); exit(2); }
    for (int i = 0; i < n; i++) {
        if (keep && !keep[i]) continue;
        const struct fz_opdef *d = fz_find(v[i].name);
        fprintf(f, "%d %s", v[i].idx, v[i].name);
        for (int k = 0; d && k < d->nargs; k++) fprintf(f, " %ld", v[i].a[k]);
        fputc('\n', f);
    }
    fclose(f);
}

/* ---- generator ---------------------------------------------------------- */

static uint64_t rng;
static uint32_t rnd(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}
static int below(int n) { return (int)(rnd() % (uint32_t)n); }
static int chance(int pct) { return below(100) < pct; }

enum { K_NONE, K_EP, K_PIPER, K_PIPEW, K_STREAM, K_DGRAM, K_EFD, K_TFD, K_TCP, K_LISTEN };
static int kind[NSLOT];

static int count_kind(int k)
{
    int c = 0;
    for (int i = 0; i < NSLOT; i++) c += kind[i] == k;
    return c;
}

static int pick_of(int k)   /* a slot of kind k, or -1 */
{
    int c = count_kind(k);
    if (!c) return -1;
    int j = below(c);
    for (int i = 0; i < NSLOT; i++)
        if (kind[i] == k && j-- == 0) return i;
    return -1;
}

static int pick_any(void)
{
    int occupied = NSLOT - count_kind(K_NONE);
    if (occupied && chance(88)) {
        int j = below(occupied);
        for (int i = 0; i < NSLOT; i++)
            if (kind[i] != K_NONE && j-- == 0) return i;
    }
    if (chance(50)) return 100 + below(7);
    return below(NSLOT);
}

static int pick_io(void)    /* like pick_any, but never the library-relevant selectors */
{
    int s = pick_any();
    return s == 105 ? 100 : s;
}

static int pick_ep(void)
{
    if (chance(88)) {
        int s = pick_of(K_EP);
        if (s >= 0) return s;
    }
    return pick_any();
}

static int pick_free(void)
{
    int s = pick_of(K_NONE);
    return s >= 0 && chance(90) ? s : below(NSLOT);
}

static uint32_t gen_events(void)
{
    static const uint32_t often[] = { EPOLLIN, EPOLLOUT };
    static const uint32_t rare[] = { EPOLLPRI, EPOLLRDHUP, EPOLLRDNORM, EPOLLWRNORM, EPOLLRDBAND,
                                     EPOLLWRBAND, EPOLLMSG, EPOLLERR, EPOLLHUP };
    if (chance(3)) return 0;
    uint32_t e = 0;
    for (int i = 0; i < 2; i++) if (chance(60)) e |= often[i];
    for (int i = 0; i < 9; i++) if (chance(12)) e |= rare[i];
    if (chance(35)) e |= EPOLLET;
    if (chance(15)) e |= EPOLLONESHOT;
    if (chance(6)) e |= EPOLLEXCLUSIVE;
    if (chance(5)) e |= EPOLLWAKEUP;
    if (chance(3)) e |= (uint32_t[]){ 1u << 12, 1u << 20, 1u << 27 }[below(3)];
    return e;
}

static void emit_op(FILE *f, int idx, const char *name, int nargs, ...)
{
    va_list ap;
    va_start(ap, nargs);
    fprintf(f, "%d %s", idx, name);
    for (int i = 0; i < nargs; i++) fprintf(f, " %ld", va_arg(ap, long));
    fputc('\n', f);
    va_end(ap);
}
#define E(name, n, ...) emit_op(f, idx, name, n, __VA_ARGS__)
#define L(x) ((long)(x))

static void set2(int s1, int k1, int s2, int k2) { kind[s1] = k1; kind[s2] = k2; }

static void generate(FILE *f, uint64_t seed, int nops)
{
    rng = seed * 0x9E3779B97F4A7C15ULL + 0x1234567ULL;
    if (!rng) rng = 1;
    for (int i = 0; i < 8; i++) rnd();
    memset(kind, 0, sizeof kind);
    for (int idx = 0; idx < nops; idx++) {
        int occupied = NSLOT - count_kind(K_NONE);
        int r = below(100);
        if (occupied < 6 && r < 60) r = below(19);        /* creations first */
        if (r < 4) {                                      /* epoll instances */
            int s = pick_free();
            if (chance(80)) {
                int fl = chance(85) ? below(2) : below(6);
                E("create1", 2, L(s), L(fl));
                if (fl < 2) kind[s] = K_EP;
            } else {
                int sz = chance(80) ? (chance(50) ? 0 : 4) : below(6);
                E("create", 2, L(s), L(sz));
                if (sz == 0 || sz == 4 || sz == 5) kind[s] = K_EP;
            }
        } else if (r < 7) {
            int s1 = pick_free(), s2 = pick_free();
            E("pipe", 3, L(s1), L(s2), L(below(2)));
            set2(s1, K_PIPER, s2, K_PIPEW);
        } else if (r < 10) {
            int s1 = pick_free(), s2 = pick_free(), t = below(3);
            E("spair", 3, L(s1), L(s2), L(t));
            set2(s1, t == 1 ? K_DGRAM : K_STREAM, s2, t == 1 ? K_DGRAM : K_STREAM);
        } else if (r < 12) {
            int s = pick_free();
            E("efd", 3, L(s), L(below(3)), L(below(2)));
            kind[s] = K_EFD;
        } else if (r < 13) {
            int s = pick_free();
            E("tfd", 2, L(s), L(below(2)));
            kind[s] = K_TFD;
        } else if (r < 16) {
            int s1 = pick_free(), s2 = pick_free();
            E("tcp", 2, L(s1), L(s2));
            set2(s1, K_TCP, s2, K_TCP);
        } else if (r < 17) {
            int s = pick_free();
            if (count_kind(K_LISTEN) < 2) {
                E("listen", 1, L(s));
                kind[s] = K_LISTEN;
            }
        } else if (r < 18) {
            int l = pick_of(K_LISTEN), s = pick_free();
            if (l < 0) l = pick_any();
            E("connect", 2, L(s), L(l));
            kind[s] = K_TCP;
        } else if (r < 19) {
            int l = pick_of(K_LISTEN), s = pick_free();
            if (l < 0) l = chance(50) ? 105 : pick_any();
            E("accept", 2, L(s), L(l));
            kind[s] = K_TCP;
        } else if (r < 45) {                              /* epoll_ctl */
            int op = below(100);
            op = op < 50 ? 0 : op < 75 ? 1 : op < 95 ? 2 : 3 + below(2);
            int ptr = chance(94) ? 0 : 1 + below(2);
            int target = chance(8) ? pick_ep() : pick_any();
            E("ctl", 5, L(pick_ep()), L(op), L(target), L(gen_events()), L(ptr));
        } else if (r < 63) {                              /* waits */
            int mx = chance(80) ? (chance(50) ? 4 : 3) : below(9);
            int buf = chance(93) ? 0 : 1 + below(4);
            int k = below(10);
            k = k < 5 ? 0 : k < 7 ? 1 : k < 9 ? 2 : 3;
            int arg = 0;
            if (k == 0) arg = chance(10);
            if (k == 1) arg = chance(90) ? below(2) : 2;
            if (k == 2) arg = chance(85) ? 0 : chance(40) ? 1 : 2 + below(3);
            if (k == 3) arg = chance(85) ? 0 : 1 + below(2);
            E("wait", 5, L(pick_ep()), L(mx), L(buf), L(k), L(arg));
        } else if (r < 72) {
            int s = pick_io();
            if (kind[s < NSLOT ? s : 0] == K_EFD && s < NSLOT && chance(60))
                E("efdw", 3, L(s), L(chance(70) ? 0 : below(5)), L(below(2)));
            else
                E("write", 3, L(s), L(chance(90) ? below(4) : below(6)), L(chance(60) ? 0 : below(6)));
        } else if (r < 80) {
            E("read", 3, L(pick_io()), L(below(6)), L(chance(60) ? 0 : below(6)));
        } else if (r < 82) {
            E("shut", 2, L(pick_io()), L(below(3)));
        } else if (r < 83) {
            int s = pick_of(K_TCP);
            E("oob", 1, L(s >= 0 ? s : pick_io()));
        } else if (r < 88) {
            int s = pick_any();
            if (s >= 102 && s <= 105) s = 101;     /* keep the fixed fds open */
            E("close", 1, L(s));
            if (s < NSLOT) kind[s] = K_NONE;
        } else if (r < 91) {
            int s = pick_any(), d = pick_free();
            E("dup", 3, L(s), L(d), L(below(3)));
            if (s < NSLOT) kind[d] = kind[s];
        } else if (r < 94) {
            int s = pick_any(), d = chance(80) ? below(NSLOT) : pick_any();
            if (d == 105 || d == 102 || d == 103 || d == 104) d = 100;
            E("dup2", 3, L(s), L(d), L(chance(80) ? 0 : 1 + below(2)));
            if (s < NSLOT && d < NSLOT) kind[d] = kind[s];
        } else if (r < 95) {
            if (chance(30)) {
                int s1 = below(NSLOT), s2 = below(NSLOT), fl = below(3);
                E("crange", 3, L(s1), L(s2), L(fl));
                if (fl != 1) {      /* the model only approximates which slots went */
                    kind[s1] = K_NONE;
                    kind[s2] = K_NONE;
                }
            }
        } else if (r < 98) {
            static const short pev[] = { POLLIN, POLLOUT, POLLIN | POLLOUT, POLLIN | POLLPRI | POLLRDHUP };
            E("poll", 2, L(chance(40) ? pick_ep() : pick_any()), L(pev[below(4)]));
        } else if (r < 99) {
            E("fionread", 1, L(pick_io()));
        } else {
            int s = pick_of(K_TFD);
            E("tarm", 2, L(s >= 0 ? s : pick_io()), L(below(3)));
        }
    }
}

/* ---- running children --------------------------------------------------- */

static char self_path[4096];

/* run "self run FILE" with or without the library; stdout -> OUT; returns a
 * wait status summary: exit code, or 128 + signal */
static int run_child(const char *file, const char *lib, const char *out)
{
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); exit(2); }
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) _exit(2);
        dup2(fd, 1);
        int dn = open("/dev/null", O_WRONLY);
        if (dn >= 0) { dup2(dn, 2); close(dn); }
        if (lib) setenv("LD_PRELOAD", lib, 1);
        else unsetenv("LD_PRELOAD");
        alarm(60);
        execl(self_path, self_path, "run", file, (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    if (!f) { *len = 0; return strdup(""); }
    size_t cap = 65536, n = 0;
    char *b = malloc(cap);
    size_t r;
    while ((r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) { cap *= 2; b = realloc(b, cap); }
    }
    fclose(f);
    b[n] = 0;
    *len = n;
    return b;
}

static char workdir[4096];

/* 1 if FILE gives different stdout or status natively and under LIB */
static int diverges(const char *file, const char *lib, int *nrc, int *prc)
{
    char a[4200], b[4200];
    snprintf(a, sizeof a, "%s/native.out", workdir);
    snprintf(b, sizeof b, "%s/preload.out", workdir);
    int r1 = run_child(file, NULL, a);
    int r2 = run_child(file, lib, b);
    if (nrc) *nrc = r1;
    if (prc) *prc = r2;
    size_t la, lb;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    int d = r1 != r2 || la != lb || memcmp(x, y, la) != 0;
    free(x);
    free(y);
    return d;
}

/* the first differing line of the last comparison */
static void show_first_diff(FILE *to)
{
    char a[4200], b[4200];
    snprintf(a, sizeof a, "%s/native.out", workdir);
    snprintf(b, sizeof b, "%s/preload.out", workdir);
    size_t la, lb;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    char *p = x, *q = y;
    while (*p && *q) {
        char *pe = strchr(p, '\n'), *qe = strchr(q, '\n');
        size_t pl = pe ? (size_t)(pe - p) : strlen(p), ql = qe ? (size_t)(qe - q) : strlen(q);
        if (pl != ql || memcmp(p, q, pl) != 0) {
            fprintf(to, "  native:  %.*s\n  preload: %.*s\n", (int)pl, p, (int)ql, q);
            break;
        }
        p += pl + (pe != NULL);
        q += ql + (qe != NULL);
    }
    if (!*p || !*q)
        fprintf(to, "  native:  %s\n  preload: %s\n", *p ? p : "(end of output)", *q ? q : "(end of output)");
    free(x);
    free(y);
}

/* ---- shrinking (ddmin over the op list) ---------------------------------- */

static int test_subset(const struct op *v, int n, const char *keep, const char *lib)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/try.ops", workdir);
    save(path, v, n, keep);
    return diverges(path, lib, NULL, NULL);
}

/* keep[] on entry: all 1; on return: a 1-minimal diverging subset */
static void ddmin(const struct op *v, int n, char *keep, const char *lib)
{
    if (n <= 0) return;
    int *cur = malloc(sizeof(int) * (size_t)n), m = n;
    for (int i = 0; i < n; i++) cur[i] = i;
    char *trial = malloc((size_t)n);
    int chunks = 2, runs = 0;
    while (m >= 2 && runs < 2000) {
        int size = (m + chunks - 1) / chunks, reduced = 0;
        for (int c = 0; c < chunks && !reduced; c++) {
            int lo = c * size, hi = lo + size < m ? lo + size : m;
            if (lo >= m) break;
            /* try the complement of chunk c */
            memset(trial, 0, (size_t)n);
            for (int i = 0; i < m; i++) if (i < lo || i >= hi) trial[cur[i]] = 1;
            runs++;
            if (test_subset(v, n, trial, lib)) {
                int k = 0;
                for (int i = 0; i < m; i++) if (i < lo || i >= hi) cur[k++] = cur[i];
                m = k;
                chunks = chunks > 2 ? chunks - 1 : 2;
                reduced = 1;
            }
        }
        if (!reduced) {
            if (chunks >= m) break;
            chunks = chunks * 2 < m ? chunks * 2 : m;
        }
    }
    memset(keep, 0, (size_t)n);
    for (int i = 0; i < m; i++) keep[cur[i]] = 1;
    free(cur);
    free(trial);
}

static int do_shrink(const char *file, const char *lib, const char *out)
{
    int n;
    struct op *v = load(file, &n);
    if (n <= 0) { fprintf(stderr, "shrink: %s is empty\n", file); return 1; }
    char *keep = malloc((size_t)n);
    memset(keep, 1, (size_t)n);
    if (!test_subset(v, n, keep, lib)) {
        fprintf(stderr, "shrink: %s does not diverge (flaky?)\n", file);
        save(out, v, n, keep);
        return 1;
    }
    ddmin(v, n, keep, lib);
    save(out, v, n, keep);
    int k = 0;
    for (int i = 0; i < n; i++) k += keep[i];
    fprintf(stderr, "shrink: %d -> %d operations\n", n, k);
    free(keep);
    free(v);
    return 0;
}

/* ---- emitting a tests/c program ------------------------------------------ */

static int do_emit(const char *file, const char *ops_h, const char *name, FILE *to)
{
    int n;
    struct op *v = load(file, &n);
    fprintf(to, "/* %s: found by the differential fuzzer (tests/diff), shrunk to %d operations.\n"
                " * Generated by `fuzz emit`: the runtime below is a copy of tests/diff/fuzz_ops.h;\n"
                " * main() replays the operations. Each prints \"#IDX OP ARGS -> RESULT\";\n"
                " * waits print the events as dDATA:FLAGS, DATA being the index of the\n"
                " * ctl operation that registered the fd. Slots S0..S%d hold the fds. */\n",
            name ? name : "fuzz-reproducer", n, NSLOT - 1);
    size_t len;
    char *h = slurp(ops_h, &len);
    if (!len) { fprintf(stderr, "emit: cannot read %s\n", ops_h); return 2; }
    fputs(h, to);
    free(h);
    fprintf(to, "\nint main(void)\n{\n    fz_setup();\n");
    for (int i = 0; i < n; i++) {
        const struct fz_opdef *d = fz_find(v[i].name);
        fprintf(to, "    OP(%d, %s", v[i].idx, v[i].name);
        for (int k = 0; d && k < d->nargs; k++) {
            if (strcmp(v[i].name, "ctl") == 0 && k == 3)
                fprintf(to, ", 0x%lx", v[i].a[k]);
            else
                fprintf(to, ", %ld", v[i].a[k]);
        }
        if (!d || d->nargs == 0) fprintf(to, ", 0");
        fprintf(to, ");\n");
    }
    fprintf(to, "    return 0;\n}\n");
    free(v);
    return 0;
}

/* ---- campaign ------------------------------------------------------------ */

static int do_campaign(const char *lib, uint64_t seed0, int nseq, int nops, const char *outdir,
                       const char *ops_h)
{
    mkdir(outdir, 0755);
    snprintf(workdir, sizeof workdir, "%s", outdir);
    long total = 0, skipped = 0;
    int divs = 0, flaky = 0;
    for (int s = 0; s < nseq; s++) {
        uint64_t seed = seed0 + (uint64_t)s;
        char ops[4200];
        snprintf(ops, sizeof ops, "%s/seq.ops", outdir);
        FILE *f = fopen(ops, "w");
        if (!f) { perror(ops); return 2; }
        generate(f, seed, nops);
        fclose(f);
        int nrc, prc;
        int d = diverges(ops, lib, &nrc, &prc);
        total += nops;
        {
            char nf[4200];
            size_t nl;
            snprintf(nf, sizeof nf, "%s/native.out", outdir);
            char *txt = slurp(nf, &nl);
            for (char *q = txt; (q = strstr(q, "-> skipped")); q++) skipped++;
            free(txt);
        }
        if (!d) continue;
        /* confirm: the native side must be deterministic */
        char a[4200], b[4200];
        snprintf(a, sizeof a, "%s/native.out", outdir);
        snprintf(b, sizeof b, "%s/native2.out", outdir);
        int rc2 = run_child(ops, NULL, b);
        size_t la, lb;
        char *x = slurp(a, &la), *y = slurp(b, &lb);
        int native_flaky = rc2 != nrc || la != lb || memcmp(x, y, la) != 0;
        free(x);
        free(y);
        printf("DIVERGENCE seed %llu (native exit %d, preload exit %d)%s\n", (unsigned long long)seed,
               nrc, prc, native_flaky ? " [native itself not deterministic: fuzzer bug]" : "");
        show_first_diff(stdout);
        fflush(stdout);
        if (native_flaky) { flaky++; continue; }
        divs++;
        char keepf[4200], minf[4200], cf[4200], name[64];
        snprintf(keepf, sizeof keepf, "%s/div-%llu.ops", outdir, (unsigned long long)seed);
        snprintf(minf, sizeof minf, "%s/div-%llu.min.ops", outdir, (unsigned long long)seed);
        snprintf(cf, sizeof cf, "%s/div-%llu.c", outdir, (unsigned long long)seed);
        snprintf(name, sizeof name, "fuzz-seed-%llu", (unsigned long long)seed);
        rename(ops, keepf);
        do_shrink(keepf, lib, minf);
        if (ops_h) {
            FILE *c = fopen(cf, "w");
            if (c) { do_emit(minf, ops_h, name, c); fclose(c); }
        }
        /* show the shrunk divergence */
        diverges(minf, lib, NULL, NULL);
        printf("  minimal sequence (%s):\n", minf);
        fflush(stdout);
        char cmd[8600];
        snprintf(cmd, sizeof cmd, "sed 's/^/    /' '%s'", minf);
        if (system(cmd)) {}
        show_first_diff(stdout);
        printf("  reproducer: %s\n", cf);
        fflush(stdout);
    }
    printf("fuzz: %d sequences, %ld operations (%ld skipped by the model), %d divergences%s\n", nseq,
           total, skipped, divs, flaky ? " (plus non-deterministic native runs, see above)" : "");
    return divs ? 1 : 0;
}

int main(int argc, char **argv)
{
    ssize_t l = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
    if (l > 0) self_path[l] = 0;
    if (argc >= 4 && strcmp(argv[1], "gen") == 0) {
        generate(stdout, strtoull(argv[2], NULL, 0), atoi(argv[3]));
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "run") == 0) {
        int n;
        struct op *v = load(argv[2], &n);
        fz_setup();
        for (int i = 0; i < n; i++) fz_run(v[i].idx, v[i].name, v[i].a);
        return 0;
    }
    if (argc >= 4 && strcmp(argv[1], "emit") == 0)
        return do_emit(argv[2], argv[3], argc > 4 ? argv[4] : NULL, stdout);
    if (argc >= 5 && strcmp(argv[1], "shrink") == 0) {
        char tmpl[] = "/tmp/repoll-shrink-XXXXXX";
        if (!mkdtemp(tmpl)) { perror("mkdtemp"); return 2; }
        snprintf(workdir, sizeof workdir, "%s", tmpl);
        return do_shrink(argv[2], argv[3], argv[4]);
    }
    if (argc >= 7 && strcmp(argv[1], "campaign") == 0)
        return do_campaign(argv[2], strtoull(argv[3], NULL, 0), atoi(argv[4]), atoi(argv[5]), argv[6],
                           argc > 7 ? argv[7] : NULL);
    fprintf(stderr, "usage: fuzz gen SEED NOPS | run FILE | emit FILE OPS_H [NAME] |\n"
                    "       shrink FILE LIB OUT | campaign LIB SEED NSEQ NOPS OUTDIR [OPS_H]\n");
    return 2;
}
