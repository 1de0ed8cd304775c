// The native echo load engine: the sockets of the load session (../session.ts) in C, so that a
// capacity window measures the server rather than a Node client that is as busy as the server.
// It does only the socket work: connections, the closed and open loops, byte-exact verification,
// and one record per completed round trip. The statistics stay in TypeScript (../native-session.ts
// drains the records and reads windows with the same code as the Node client).
//
// Protocol: one command a line on stdin, one reply a line on stdout ("ok ..." or "err ..."):
//   open S PORT CONNECTIONS SIZE MAX_OUTSTANDING   connect in batches of 10, each proven by a first echo
//   drive S idle|closed|open [RATE]                ok T (the monotonic ms it took effect)
//   drain S                                        ok N K ERRORS VERIFY_FAILURES, then N records of
//                                                  16 bytes (f64 completion ms, f32 µs from due,
//                                                  f32 µs from send) and K f64 due times of skipped sends
//   cpu                                            ok USER_US SYSTEM_US T
//   close S                                        ok
// The message pattern is ../pattern.ts's: an 8-byte header (seq, id) and a window of a xorshift32 source.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HEADER_BYTES 8
#define WINDOWS 4093
#define CONNECT_BATCH 10
#define CONNECT_TIMEOUT_MS 10000.0
#define MAX_SESSIONS 64
#define READ_CHUNK (256 * 1024)

typedef struct { double time; float from_due; float from_send; } record_t;

typedef struct session session_t;

typedef struct {
  session_t *session;
  int fd;
  uint32_t id;
  int open;          // connected and not failed
  int proven;        // its first echo came back
  uint32_t sent_seq; // messages fully or partly written
  uint32_t recv_seq; // messages whose echo is complete
  size_t recv_off;   // bytes of message recv_seq received
  size_t write_off;  // bytes of message sent_seq - 1 written (size when done)
  uint32_t queued;   // open loop: messages due but not yet started
  double next_due;   // open loop: when the next message is due
  double *due;       // ring of due times, by seq % max_out
  double *sent_at;   // ring of send times
  uint8_t *out;      // the message being written
  int want_out;      // EPOLLOUT registered
} conn_t;

struct session {
  char name[64];
  int used;
  size_t size;
  uint32_t max_out;
  int n;
  conn_t *conns;
  uint8_t *source;
  enum { IDLE, CLOSED, OPEN } mode;
  double period;     // open loop: ms between two messages of one connection
  record_t *records;
  size_t nrec, caprec;
  double *skips;
  size_t nskip, capskip;
  long errors, verify_failures;
  int closing;
  // connecting
  int connecting, next_to_connect, in_batch;
  double batch_deadline;
};

static session_t sessions[MAX_SESSIONS];
static int ep;
static uint8_t readbuf[READ_CHUNK];

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void reply(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
}

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size);
  if (p == NULL) { fprintf(stderr, "native load: out of memory\n"); exit(1); }
  return p;
}

// xorshift32 bytes, as pattern.ts makes them.
static uint8_t *make_source(size_t size) {
  size_t length = size + WINDOWS;
  uint8_t *bytes = xcalloc(length, 1);
  uint32_t state = 0x9e3779b9u;
  for (size_t i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

static void fill(session_t *s, uint8_t *target, uint32_t id, uint32_t seq) {
  uint8_t header[HEADER_BYTES];
  for (int i = 0; i < 4; i++) header[i] = (seq >> (8 * i)) & 0xff;
  for (int i = 0; i < 4; i++) header[4 + i] = (id >> (8 * i)) & 0xff;
  size_t head = s->size < HEADER_BYTES ? s->size : HEADER_BYTES;
  memcpy(target, header, head);
  size_t offset = ((uint64_t)seq + (uint64_t)id * 31) % WINDOWS;
  memcpy(target + head, s->source + offset, s->size - head);
}

static session_t *find(const char *name, int create) {
  session_t *free_slot = NULL;
  for (int i = 0; i < MAX_SESSIONS; i++) {
    if (sessions[i].used && strcmp(sessions[i].name, name) == 0) return &sessions[i];
    if (!sessions[i].used && free_slot == NULL) free_slot = &sessions[i];
  }
  if (!create || free_slot == NULL) return NULL;
  memset(free_slot, 0, sizeof *free_slot);
  snprintf(free_slot->name, sizeof free_slot->name, "%s", name);
  free_slot->used = 1;
  return free_slot;
}

static void watch(conn_t *c, int out) {
  struct epoll_event ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c };
  epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
  c->want_out = out;
}

static void fail(conn_t *c, int verify) {
  if (!c->open) return;
  c->open = 0;
  epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  c->fd = -1;
  if (c->session->closing) return;
  if (verify) c->session->verify_failures++;
  else c->session->errors++;
}

// Writes what is pending: the rest of the current message, then queued ones (open loop).
static void pump(conn_t *c) {
  session_t *s = c->session;
  for (;;) {
    if (c->write_off == s->size) {
      if (c->queued == 0) break;
      c->queued--;
      fill(s, c->out, c->id, c->sent_seq);
      c->sent_at[c->sent_seq % s->max_out] = now_ms();
      c->sent_seq++;
      c->write_off = 0;
    }
    ssize_t n = write(c->fd, c->out + c->write_off, s->size - c->write_off);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) { if (!c->want_out) watch(c, 1); return; }
      if (errno == EINTR) continue;
      fail(c, 0);
      return;
    }
    c->write_off += (size_t)n;
  }
  if (c->want_out) watch(c, 0);
}

// Closed loop: one more message, due now.
static void send_next(conn_t *c) {
  session_t *s = c->session;
  c->due[(c->sent_seq + c->queued) % s->max_out] = now_ms();
  c->queued++;
  pump(c);
}

static void push_record(session_t *s, double time, double from_due_us, double from_send_us) {
  if (s->nrec == s->caprec) {
    s->caprec = s->caprec ? s->caprec * 2 : 16384;
    s->records = realloc(s->records, s->caprec * sizeof *s->records);
    if (s->records == NULL) { fprintf(stderr, "native load: out of memory\n"); exit(1); }
  }
  s->records[s->nrec++] = (record_t){ time, (float)from_due_us, (float)from_send_us };
}

static void push_skip(session_t *s, double due) {
  if (s->nskip == s->capskip) {
    s->capskip = s->capskip ? s->capskip * 2 : 1024;
    s->skips = realloc(s->skips, s->capskip * sizeof *s->skips);
    if (s->skips == NULL) { fprintf(stderr, "native load: out of memory\n"); exit(1); }
  }
  s->skips[s->nskip++] = due;
}

static void completed(conn_t *c) {
  session_t *s = c->session;
  double t = now_ms();
  uint32_t slot = c->recv_seq % s->max_out;
  if (c->proven) push_record(s, t, (t - c->due[slot]) * 1e3, (t - c->sent_at[slot]) * 1e3);
  else { c->proven = 1; s->in_batch--; }
  c->recv_seq++;
  c->recv_off = 0;
  if (s->mode == CLOSED && c->recv_seq == c->sent_seq && c->queued == 0) send_next(c);
}

// Checks every received byte against what message recv_seq must hold.
static void on_read(conn_t *c) {
  session_t *s = c->session;
  for (;;) {
    ssize_t n = read(c->fd, readbuf, sizeof readbuf);
    if (n == 0) { fail(c, 0); return; }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
      fail(c, 0);
      return;
    }
    size_t at = 0;
    while (at < (size_t)n) {
      // More bytes than were sent: the server answered something nobody asked.
      if (c->recv_seq >= c->sent_seq) { fail(c, 1); return; }
      size_t take = s->size - c->recv_off;
      if (take > (size_t)n - at) take = (size_t)n - at;
      // Compare against the expected bytes of this stretch of the message.
      size_t head = s->size < HEADER_BYTES ? s->size : HEADER_BYTES;
      size_t offset = ((uint64_t)c->recv_seq + (uint64_t)c->id * 31) % WINDOWS;
      for (size_t i = 0; i < take;) {
        size_t pos = c->recv_off + i;
        if (pos < head) {
          uint8_t expect = pos < 4 ? (c->recv_seq >> (8 * pos)) & 0xff : (c->id >> (8 * (pos - 4))) & 0xff;
          if (readbuf[at + i] != expect) { fail(c, 1); return; }
          i++;
        } else {
          size_t run = take - i;
          if (memcmp(readbuf + at + i, s->source + offset + (pos - head), run) != 0) { fail(c, 1); return; }
          i += run;
        }
      }
      at += take;
      c->recv_off += take;
      if (c->recv_off == s->size) completed(c);
      if (!c->open) return;
    }
  }
}

static int start_connect(session_t *s, conn_t *c, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) { close(fd); return -1; }
  c->fd = fd;
  c->open = 1;
  c->write_off = s->size;
  struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  c->want_out = 1;
  // The first message goes out once connected (EPOLLOUT); its echo proves the server accepted.
  c->due[0] = now_ms();
  c->queued = 1;
  return 0;
}

static int port_of[MAX_SESSIONS];

static void connect_batch(session_t *s) {
  int port = port_of[s - sessions];
  s->in_batch = 0;
  s->batch_deadline = now_ms() + CONNECT_TIMEOUT_MS;
  for (int k = 0; k < CONNECT_BATCH && s->next_to_connect < s->n; k++, s->next_to_connect++) {
    conn_t *c = &s->conns[s->next_to_connect];
    if (start_connect(s, c, port) < 0) { s->errors++; continue; }
    s->in_batch++;
  }
}

// Advances a session that is connecting; replies to `open` when it is done.
static void step_connecting(session_t *s) {
  if (!s->connecting) return;
  int failed = s->errors + s->verify_failures > 0;
  if (!failed && s->in_batch > 0 && now_ms() > s->batch_deadline) {
    for (int i = 0; i < s->next_to_connect; i++) if (s->conns[i].open && !s->conns[i].proven) fail(&s->conns[i], 0);
    failed = 1;
  }
  if (!failed && s->in_batch == 0 && s->next_to_connect < s->n) { connect_batch(s); return; }
  if (failed || s->in_batch == 0) {
    s->connecting = 0;
    int opened = 0;
    for (int i = 0; i < s->n; i++) opened += s->conns[i].open && s->conns[i].proven;
    if (failed) reply("err %d of %d connections opened; %ld failed: %s", opened, s->n, s->errors + s->verify_failures, s->verify_failures ? "an echo differed from what was sent" : "refused, reset or no echo within 10 s");
    else reply("ok %d", opened);
  }
}

static void close_session(session_t *s) {
  s->closing = 1;
  for (int i = 0; i < s->n; i++) {
    conn_t *c = &s->conns[i];
    if (c->open) fail(c, 0);
    free(c->due); free(c->sent_at); free(c->out);
  }
  free(s->conns); free(s->source); free(s->records); free(s->skips);
  s->used = 0;
}

static void cmd_open(char *args) {
  char name[64];
  int port, n;
  size_t size;
  unsigned max_out;
  if (sscanf(args, "%63s %d %d %zu %u", name, &port, &n, &size, &max_out) != 5 || port < 1 || port > 65535 || n < 1 || size < 1 || max_out < 1) {
    reply("err open needs S PORT CONNECTIONS SIZE MAX_OUTSTANDING (got \"%s\")", args);
    return;
  }
  session_t *old = find(name, 0);
  if (old != NULL) close_session(old);
  session_t *s = find(name, 1);
  if (s == NULL) { reply("err at most %d sessions", MAX_SESSIONS); return; }
  s->size = size;
  s->max_out = max_out + 1;
  s->n = n;
  s->source = make_source(size);
  s->conns = xcalloc((size_t)n, sizeof *s->conns);
  for (int i = 0; i < n; i++) {
    conn_t *c = &s->conns[i];
    c->session = s;
    c->id = (uint32_t)i;
    c->fd = -1;
    c->due = xcalloc(s->max_out, sizeof(double));
    c->sent_at = xcalloc(s->max_out, sizeof(double));
    c->out = xcalloc(size, 1);
  }
  port_of[s - sessions] = port;
  s->connecting = 1;
  connect_batch(s);
  step_connecting(s);
}

static void cmd_drive(char *args) {
  char name[64], mode[16];
  double rate = 0;
  int got = sscanf(args, "%63s %15s %lf", name, mode, &rate);
  session_t *s = got >= 2 ? find(name, 0) : NULL;
  if (s == NULL) { reply("err no session for \"%s\"", args); return; }
  double t = now_ms();
  if (strcmp(mode, "idle") == 0) s->mode = IDLE;
  else if (strcmp(mode, "closed") == 0) {
    s->mode = CLOSED;
    for (int i = 0; i < s->n; i++) {
      conn_t *c = &s->conns[i];
      if (c->open && c->recv_seq == c->sent_seq && c->queued == 0) send_next(c);
    }
  } else if (strcmp(mode, "open") == 0 && got == 3 && rate > 0) {
    s->mode = OPEN;
    s->period = 1000.0 * s->n / rate;
    for (int i = 0; i < s->n; i++) s->conns[i].next_due = t + ((double)i / s->n) * s->period;
  } else {
    reply("err drive needs idle, closed, or open RATE with RATE above 0 (got \"%s\")", args);
    return;
  }
  reply("ok %.6f", t);
}

// Open loop: every connection sends what has fallen due, or skips it when too much is outstanding.
static void run_schedule(session_t *s) {
  double t = now_ms();
  for (int i = 0; i < s->n; i++) {
    conn_t *c = &s->conns[i];
    if (!c->open) continue;
    int started = 0;
    while (c->next_due <= t) {
      uint32_t outstanding = c->sent_seq + c->queued - c->recv_seq;
      if (outstanding + 1 >= s->max_out) push_skip(s, c->next_due);
      else {
        c->due[(c->sent_seq + c->queued) % s->max_out] = c->next_due;
        c->queued++;
        started = 1;
      }
      c->next_due += s->period;
    }
    if (started) pump(c);
  }
}

static void cmd_drain(char *args) {
  char name[64];
  session_t *s = sscanf(args, "%63s", name) == 1 ? find(name, 0) : NULL;
  if (s == NULL) { reply("err no session for \"%s\"", args); return; }
  printf("ok %zu %zu %ld %ld\n", s->nrec, s->nskip, s->errors, s->verify_failures);
  fwrite(s->records, sizeof(record_t), s->nrec, stdout);
  fwrite(s->skips, sizeof(double), s->nskip, stdout);
  fflush(stdout);
  s->nrec = 0;
  s->nskip = 0;
}

static void cmd_cpu(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  reply("ok %ld %ld %.6f", ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec, ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec, now_ms());
}

static void cmd_close(char *args) {
  char name[64];
  session_t *s = sscanf(args, "%63s", name) == 1 ? find(name, 0) : NULL;
  if (s == NULL) { reply("err no session for \"%s\"", args); return; }
  close_session(s);
  reply("ok");
}

static char line[4096];
static size_t line_len;

// Runs every complete line on stdin; returns 0 at EOF.
static int on_stdin(void) {
  ssize_t n = read(0, line + line_len, sizeof line - 1 - line_len);
  if (n <= 0) return n < 0 && errno == EAGAIN;
  line_len += (size_t)n;
  char *start = line;
  char *nl;
  while ((nl = memchr(start, '\n', line_len - (size_t)(start - line))) != NULL) {
    *nl = 0;
    char *args = strchr(start, ' ');
    if (args != NULL) *args++ = 0; else args = "";
    if (strcmp(start, "open") == 0) cmd_open(args);
    else if (strcmp(start, "drive") == 0) cmd_drive(args);
    else if (strcmp(start, "drain") == 0) cmd_drain(args);
    else if (strcmp(start, "cpu") == 0) cmd_cpu();
    else if (strcmp(start, "close") == 0) cmd_close(args);
    else reply("err unknown command \"%s\" (expected open, drive, drain, cpu or close)", start);
    start = nl + 1;
  }
  line_len -= (size_t)(start - line);
  memmove(line, start, line_len);
  if (line_len == sizeof line - 1) { reply("err command line too long"); line_len = 0; }
  return 1;
}

int main(void) {
  // A server that resets a connection must not kill the client with SIGPIPE: the write fails instead.
  signal(SIGPIPE, SIG_IGN);
  ep = epoll_create1(EPOLL_CLOEXEC);
  fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
  struct epoll_event in = { .events = EPOLLIN, .data.ptr = NULL };
  epoll_ctl(ep, EPOLL_CTL_ADD, 0, &in);
  struct epoll_event events[256];
  for (;;) {
    // An open loop spins so that sends leave on time (the load has a core of its own); otherwise wait.
    int spinning = 0, connecting = 0;
    for (int i = 0; i < MAX_SESSIONS; i++) {
      if (!sessions[i].used) continue;
      spinning |= sessions[i].mode == OPEN;
      connecting |= sessions[i].connecting;
    }
    int n = epoll_wait(ep, events, 256, spinning ? 0 : connecting ? 10 : -1);
    if (n < 0 && errno != EINTR) { perror("native load: epoll_wait"); return 1; }
    for (int k = 0; k < n; k++) {
      conn_t *c = events[k].data.ptr;
      if (c == NULL) { if (!on_stdin()) return 0; continue; }
      if (!c->open) continue;
      if (events[k].events & EPOLLIN) on_read(c);
      if (c->open && (events[k].events & (EPOLLERR | EPOLLHUP)) && !(events[k].events & EPOLLIN)) fail(c, 0);
      if (c->open && (events[k].events & EPOLLOUT)) pump(c);
    }
    for (int i = 0; i < MAX_SESSIONS; i++) {
      if (!sessions[i].used) continue;
      if (sessions[i].mode == OPEN) run_schedule(&sessions[i]);
      step_connecting(&sessions[i]);
    }
  }
}
