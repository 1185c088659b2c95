/* W6's load generator: CONNS connections to 127.0.0.1:PORT, each doing strict request/response (send SIZE bytes,
 * wait for SIZE bytes back, repeat), all in one epoll thread. Runs WARMUP s unmeasured, then DURATION s measured;
 * prints one JSON line with requests/s. Exits 1 if the server closes a connection or the echo is wrong.
 * usage: echo_client PORT [conns=10] [size=1024] [duration=5] [warmup=1] */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: echo_client PORT [conns] [size] [duration] [warmup]\n"); return 2; }
    int port = atoi(argv[1]);
    int nc = argc > 2 ? atoi(argv[2]) : 10;
    int size = argc > 3 ? atoi(argv[3]) : 1024;
    double duration = argc > 4 ? atof(argv[4]) : 5.0;
    double warmup = argc > 5 ? atof(argv[5]) : 1.0;
    char *msg = malloc(size), *rbuf = malloc(size);
    for (int i = 0; i < size; i++) msg[i] = (char)('a' + i % 26);   /* a pattern, so that a misplaced byte shows */
    int *fds = calloc(nc, sizeof(int)), *got = calloc(nc, sizeof(int));
    int ep = epoll_create1(0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    for (int i = 0; i < nc; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fds[i], (struct sockaddr *)&a, sizeof a)) { perror("connect"); return 1; }
        setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(fds[i], F_SETFL, O_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    }
    double t_start = now() + warmup, t_end = t_start + duration;
    for (int i = 0; i < nc; i++)
        if (write(fds[i], msg, size) != size) { perror("write"); return 1; }
    long long count = 0;
    int measuring = 0;
    struct epoll_event evs[64];
    for (;;) {
        double t = now();
        if (t >= t_end) break;
        if (!measuring && t >= t_start) { measuring = 1; count = 0; }
        int n = epoll_wait(ep, evs, 64, 100);
        for (int k = 0; k < n; k++) {
            int i = evs[k].data.u32;
            ssize_t r = read(fds[i], rbuf + got[i], size - got[i]);
            if (r < 0 && errno == EAGAIN) continue;
            if (r <= 0) { fprintf(stderr, "server closed a connection\n"); return 1; }
            got[i] += r;
            if (got[i] < size) continue;
            if (memcmp(rbuf, msg, size) != 0) { fprintf(stderr, "wrong echo\n"); return 1; }
            got[i] = 0;
            count++;
            /* The server answers only after the whole request, so the socket buffer always has room for it. */
            if (write(fds[i], msg, size) != size) { perror("write"); return 1; }
        }
    }
    double dt = now() - t_start;
    printf("{\"w\": \"W6\", \"client\": \"c-epoll\", \"connections\": %d, \"size\": %d, \"duration_s\": %.3f, "
           "\"requests\": %lld, \"value\": %.1f, \"unit\": \"requests/s\"}\n", nc, size, dt, count, count / dt);
    return 0;
}
