/* W6's baseline server: single-threaded, level-triggered epoll TCP echo on 127.0.0.1, the "physical limit" the
 * other servers are compared with. Prints "READY <port>" once listening (port 0 picks a free one), exits after
 * max_seconds so that a forgotten server cannot outlive its benchmark.
 * usage: echo_server [port=0] [max_seconds=60] */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 0;
    int max_s = argc > 2 ? atoi(argv[2]) : 60;
    int one = 1;
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    socklen_t alen = sizeof a;
    if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 512) || getsockname(ls, (struct sockaddr *)&a, &alen)) {
        perror("bind/listen");
        return 1;
    }
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    printf("READY %d\n", ntohs(a.sin_port));
    fflush(stdout);
    static char buf[65536];
    struct epoll_event evs[64];
    time_t end = time(NULL) + max_s;
    while (time(NULL) < end) {
        int n = epoll_wait(ep, evs, 64, 500);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == ls) {
                int c;
                while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct epoll_event ce = {.events = EPOLLIN, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
                }
                continue;
            }
            ssize_t r = read(fd, buf, sizeof buf);
            if (r < 0 && errno == EAGAIN) continue;
            if (r <= 0) { close(fd); continue; }
            for (ssize_t off = 0; off < r;) {
                ssize_t w = write(fd, buf + off, r - off);
                if (w < 0) {
                    /* Rare with 1 KiB echoes: wait for room rather than buffer (keeps the baseline minimal). */
                    if (errno == EAGAIN) { struct pollfd p = {fd, POLLOUT, 0}; poll(&p, 1, 1000); continue; }
                    close(fd);
                    break;
                }
                off += w;
            }
        }
    }
    return 0;
}
