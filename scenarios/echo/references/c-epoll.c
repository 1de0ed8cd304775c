/*
 * A reference echo server in C: one thread, epoll, non-blocking sockets, level-triggered.
 * It is not a style: a server outside Node, for the styles and the baseline to be read beside.
 *
 *   c-epoll [--host H] [--port P]     (127.0.0.1 and 0, a free port, by default)
 *
 * Once listening it prints exactly one line, {"port":N}, on stdout. A start that fails prints
 * `error: <ERRNO NAME>: <what>` on stderr and exits 1. SIGTERM or SIGINT closes every connection
 * and the listener, then exits 0.
 *
 * Each connection has one buffer. While it holds bytes not yet written back, the server does not
 * read from that connection (backpressure: memory per connection stays at one buffer). After the
 * client's FIN it writes what is pending, then closes. EMFILE/ENFILE on accept: the spare
 * descriptor is closed, the pending connection accepted and closed at once (the client sees it
 * shed, not hung), and the spare reopened; if even that fails, the listener is left out of epoll
 * for 100 ms so it cannot spin.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define BUFFER_BYTES 65536
#define MAX_EVENTS 256
#define ACCEPT_PAUSE_MS 100

struct conn {
  int fd;
  int eof;        /* the client sent FIN: no more reads */
  size_t start;   /* bytes of buf already written back */
  size_t end;     /* bytes of buf filled */
  struct conn *prev, *next;
  unsigned char buf[BUFFER_BYTES];
};

/* epoll's data.ptr is a struct conn, or one of these markers for the other descriptors. */
static char LISTENER, SIGNALS, RESUME, CONTROL;

static int epfd = -1, listen_fd = -1, signal_fd = -1, timer_fd = -1, spare_fd = -1;
static struct conn *conns = NULL;

static void fail(const char *what, int err) {
  const char *name = strerrorname_np(err);
  fprintf(stderr, "error: %s: %s: %s\n", name != NULL ? name : "EUNKNOWN", what, strerror(err));
  exit(1);
}

static void usage(const char *why, const char *value) {
  fprintf(stderr, "error: EINVAL: %s '%s'; usage: c-epoll [--host IPv4-or-IPv6-address] [--port 0-65535]\n", why, value);
  exit(2);
}

static void conn_close(struct conn *c) {
  /* close() also removes the descriptor from epoll. */
  close(c->fd);
  if (c->prev != NULL) c->prev->next = c->next;
  else conns = c->next;
  if (c->next != NULL) c->next->prev = c->prev;
  free(c);
}

/* What the connection waits for: to write while bytes are pending, else to read unless at EOF. */
static int conn_update(struct conn *c) {
  struct epoll_event ev = {.events = 0, .data.ptr = c};
  if (c->start < c->end) ev.events = EPOLLOUT;
  else if (!c->eof) ev.events = EPOLLIN | EPOLLRDHUP;
  else {
    /* FIN received and everything echoed: done. */
    conn_close(c);
    return -1;
  }
  if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
    conn_close(c);
    return -1;
  }
  return 0;
}

/* Writes pending bytes until the kernel refuses more; returns -1 when the connection was closed. */
static int conn_flush(struct conn *c) {
  while (c->start < c->end) {
    ssize_t n = send(c->fd, c->buf + c->start, c->end - c->start, MSG_NOSIGNAL);
    if (n > 0) {
      c->start += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    /* EPIPE, ECONNRESET: the client is gone; only this connection ends. */
    conn_close(c);
    return -1;
  }
  c->start = c->end = 0;
  return 0;
}

/* Reads one buffer's worth at most, then echoes it; level-triggered epoll calls again for more. */
static void conn_readable(struct conn *c) {
  ssize_t n;
  do n = recv(c->fd, c->buf, BUFFER_BYTES, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    conn_close(c);
    return;
  }
  if (n == 0) c->eof = 1;
  else {
    c->start = 0;
    c->end = (size_t)n;
    if (conn_flush(c) < 0) return;
  }
  conn_update(c);
}

static void conn_writable(struct conn *c) {
  if (conn_flush(c) < 0) return;
  conn_update(c);
}

static void pause_accepting(void) {
  struct itimerspec when = {.it_value = {.tv_sec = 0, .tv_nsec = ACCEPT_PAUSE_MS * 1000000L}};
  epoll_ctl(epfd, EPOLL_CTL_DEL, listen_fd, NULL);
  timerfd_settime(timer_fd, 0, &when, NULL);
}

static void resume_accepting(void) {
  uint64_t expirations;
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &LISTENER};
  if (read(timer_fd, &expirations, sizeof expirations) < 0) { /* nothing to do: the timer fired */ }
  if (spare_fd < 0) spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev);
}

static void accept_all(void) {
  for (;;) {
    int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if ((errno == EMFILE || errno == ENFILE) && spare_fd >= 0) {
        /* Shed one connection with the spare descriptor so it is not left waiting in the backlog. */
        /* accept fails with EMFILE before it looks at the queue, so an empty queue shows only now. */
        close(spare_fd);
        fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        int drained = fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
        if (fd >= 0) close(fd);
        spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (spare_fd >= 0 && drained) return;
        if (spare_fd >= 0) continue;
      }
      /* No spare, or another error (ENOBUFS, ENOMEM): stop polling the listener for a moment. */
      pause_accepting();
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = malloc(sizeof *c);
    if (c == NULL) {
      close(fd);
      pause_accepting();
      return;
    }
    c->fd = fd;
    c->eof = 0;
    c->start = c->end = 0;
    c->prev = NULL;
    c->next = conns;
    if (conns != NULL) conns->prev = c;
    conns = c;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) conn_close(c);
  }
}

static void listen_on(const char *host, const char *port) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE};
  struct addrinfo *ai;
  int rc = getaddrinfo(host, port, &hints, &ai);
  if (rc != 0) {
    fprintf(stderr, "error: EINVAL: --host '%s' --port '%s': %s\n", host, port, gai_strerror(rc));
    exit(2);
  }
  listen_fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd < 0) fail("socket", errno);
  int one = 1;
  /* As Node and asyncio do: a port in TIME_WAIT can be bound again, one still listening cannot. */
  setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(listen_fd, ai->ai_addr, ai->ai_addrlen) < 0) fail("bind", errno);
  freeaddrinfo(ai);
  if (listen(listen_fd, SOMAXCONN) < 0) fail("listen", errno);
}

static int bound_port(void) {
  struct sockaddr_storage addr;
  socklen_t len = sizeof addr;
  if (getsockname(listen_fd, (struct sockaddr *)&addr, &len) < 0) fail("getsockname", errno);
  if (addr.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
  return ntohs(((struct sockaddr_in *)&addr)->sin_port);
}

/*
 * The harness's CPU readings: each "cpu" line on stdin is answered on stdout with this process's
 * CPU and the instant it was read on the monotonic clock every process shares. EOF stops listening.
 */
static void control_readable(void) {
  char buf[256];
  ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
  if (n <= 0) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, STDIN_FILENO, NULL);
    return;
  }
  for (ssize_t i = 0; i < n; i++) {
    if (buf[i] != '\n') continue;
    struct rusage ru;
    struct timespec ts;
    getrusage(RUSAGE_SELF, &ru);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    printf("{\"user\":%ld,\"system\":%ld,\"t\":%.6f}\n", ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
           ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec, ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
    fflush(stdout);
  }
}

static int add(int fd, void *marker) {
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = marker};
  return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1", *port = "0";
  for (int i = 1; i < argc; i++) {
    if (i + 1 < argc && strcmp(argv[i], "--host") == 0) host = argv[++i];
    else if (i + 1 < argc && strcmp(argv[i], "--port") == 0) {
      char *end;
      long p = strtol(argv[++i], &end, 10);
      if (*argv[i] == '\0' || *end != '\0' || p < 0 || p > 65535) usage("--port takes 0-65535, not", argv[i]);
      port = argv[i];
    } else usage("unknown argument", argv[i]);
  }

  /* The signals arrive as readable events, so closing happens in the loop, not in a handler. */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  if (sigprocmask(SIG_BLOCK, &stop, NULL) < 0) fail("sigprocmask", errno);
  signal(SIGPIPE, SIG_IGN);

  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) fail("epoll_create1", errno);
  signal_fd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd < 0) fail("signalfd", errno);
  timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (timer_fd < 0) fail("timerfd_create", errno);
  spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  listen_on(host, port);
  if (add(listen_fd, &LISTENER) < 0 || add(signal_fd, &SIGNALS) < 0 || add(timer_fd, &RESUME) < 0) fail("epoll_ctl", errno);

  printf("{\"port\":%d}\n", bound_port());
  fflush(stdout);
  /* A pipe on stdin takes CPU readings; /dev/null or a terminal cannot be polled and is left alone. */
  fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
  add(STDIN_FILENO, &CONTROL);

  struct epoll_event events[MAX_EVENTS];
  for (;;) {
    int n = epoll_wait(epfd, events, MAX_EVENTS, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("epoll_wait", errno);
    }
    for (int i = 0; i < n; i++) {
      void *p = events[i].data.ptr;
      if (p == &LISTENER) accept_all();
      else if (p == &RESUME) resume_accepting();
      else if (p == &SIGNALS) goto done;
      else if (p == &CONTROL) control_readable();
      else {
        struct conn *c = p;
        uint32_t ev = events[i].events;
        /* EPOLLERR: a reset. EPOLLHUP without pending data: both directions are closed. */
        if (ev & EPOLLERR) conn_close(c);
        else if (ev & EPOLLOUT) conn_writable(c);
        else if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) conn_readable(c);
      }
    }
  }

done:
  while (conns != NULL) conn_close(conns);
  close(listen_fd);
  close(timer_fd);
  close(signal_fd);
  if (spare_fd >= 0) close(spare_fd);
  close(epfd);
  return 0;
}
