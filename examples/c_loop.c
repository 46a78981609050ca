/* c_loop: a client and a server connection driven from one plain loop, the way a C program
 * would drive mqttconn over real sockets: a socketpair(), both ends non-blocking, one poll()
 * for both, receive/next_event on what arrives, writev() of the queued output.
 *
 * The client connects, subscribes to "echo/#", publishes MESSAGES messages at QoS 1 and
 * disconnects once every one is acknowledged and echoed; the server answers CONNECT and
 * SUBSCRIBE, acknowledges each PUBLISH and echoes it back at QoS 0 on "echo/<topic>".
 * Exits 0 when the conversation completes, 1 on any error or after 5 seconds.
 *
 *   c-loop [MESSAGES]
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "mqttconn.h"

typedef struct end {
  const char *name;
  int fd;
  mqttconn_conn *conn;
  int done;    /* this side has finished its part of the conversation */
  int closed;  /* the peer closed the socket */
  long published, acked, echoed, received; /* what this side saw */
  size_t bytes_in, bytes_out;
} end;

static long messages = 100;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static mqttconn_bytes text(const char *s) {
  mqttconn_bytes b;
  b.ptr = (const uint8_t *)s;
  b.len = strlen(s);
  return b;
}

static mqttconn_packet packet(void) {
  mqttconn_packet p;
  memset(&p, 0, sizeof p);
  p.struct_size = sizeof p;
  return p;
}

static int fail(const end *e, const char *what, int rc) {
  mqttconn_error err;
  memset(&err, 0, sizeof err);
  err.struct_size = sizeof err;
  fprintf(stderr, "c_loop: %s: %s: %s", e->name, what, mqttconn_strerror(rc));
  if (mqttconn_conn_last_error(e->conn, &err) == MQTTCONN_OK) fprintf(stderr, " (%s %s)", err.field, err.what);
  fprintf(stderr, "\n");
  return -1;
}

/* The client's half of the conversation. */
static int client_event(end *c, const mqttconn_packet *ev) {
  mqttconn_packet p = packet();
  int rc = MQTTCONN_OK;
  switch (ev->type) {
    case MQTTCONN_PACKET_CONNACK: {
      mqttconn_subscription sub;
      if (ev->reason_code != 0) return fail(c, "CONNACK refused", MQTTCONN_ERR_PROTOCOL);
      memset(&sub, 0, sizeof sub);
      sub.topic_filter = text("echo/#");
      sub.qos = 1;
      p.packet_id = 1;
      p.subscriptions = &sub;
      p.subscription_count = 1;
      rc = mqttconn_conn_subscribe(c->conn, &p);
      break;
    }
    case MQTTCONN_PACKET_SUBACK: {
      char topic[32], payload[64];
      long i;
      for (i = 0; i < messages && rc == MQTTCONN_OK; ++i) {
        snprintf(topic, sizeof topic, "loop/%ld", i);
        snprintf(payload, sizeof payload, "message %ld of %ld", i + 1, messages);
        p = packet();
        p.qos = 1;
        p.packet_id = (uint16_t)(2 + i % 60000);
        p.topic = text(topic);
        p.payload = text(payload); /* short: copied into the output queue */
        rc = mqttconn_conn_publish(c->conn, &p);
        c->published += rc == MQTTCONN_OK;
      }
      break;
    }
    case MQTTCONN_PACKET_PUBACK: ++c->acked; break;
    case MQTTCONN_PACKET_PUBLISH: ++c->echoed; break;
    default: break;
  }
  if (rc != MQTTCONN_OK) return fail(c, "send", rc);
  if (!c->done && c->acked == messages && c->echoed == messages) {
    rc = mqttconn_conn_disconnect(c->conn, NULL);
    if (rc != MQTTCONN_OK) return fail(c, "DISCONNECT", rc);
    c->done = 1;
  }
  return 0;
}

/* The server's half. */
static int server_event(end *s, const mqttconn_packet *ev) {
  mqttconn_packet p = packet();
  int rc = MQTTCONN_OK;
  switch (ev->type) {
    case MQTTCONN_PACKET_CONNECT: rc = mqttconn_conn_connack(s->conn, &p); break;
    case MQTTCONN_PACKET_SUBSCRIBE: {
      uint8_t granted[16];
      size_t i, n = ev->subscription_count < sizeof granted ? ev->subscription_count : sizeof granted;
      for (i = 0; i < n; ++i) granted[i] = ev->subscriptions[i].qos;
      p.packet_id = ev->packet_id;
      p.reason_codes.ptr = granted;
      p.reason_codes.len = n;
      rc = mqttconn_conn_suback(s->conn, &p);
      break;
    }
    case MQTTCONN_PACKET_PUBLISH: {
      char topic[64];
      ++s->received;
      if (ev->qos == 1) {
        p.packet_id = ev->packet_id;
        rc = mqttconn_conn_puback(s->conn, &p);
      }
      if (rc == MQTTCONN_OK) {
        /* the event's views are valid until the next call on s->conn: copy the topic first */
        snprintf(topic, sizeof topic, "echo/%.*s", (int)ev->topic.len, (const char *)ev->topic.ptr);
        p = packet();
        p.topic = text(topic);
        /* a payload under the borrow threshold (16 KiB by default) is copied by this call; a
         * larger one would be queued by reference and must outlive the write */
        p.payload = ev->payload;
        rc = mqttconn_conn_publish(s->conn, &p);
      }
      break;
    }
    case MQTTCONN_PACKET_DISCONNECT: s->done = 1; break;
    default: break;
  }
  return rc == MQTTCONN_OK ? 0 : fail(s, "send", rc);
}

/* Reads what the socket has and feeds it to the connection, one packet per receive. */
static int on_readable(end *e, int (*handle)(end *, const mqttconn_packet *)) {
  uint8_t buf[4096];
  ssize_t got = read(e->fd, buf, sizeof buf);
  const uint8_t *p = buf;
  size_t left;
  if (got == 0) {
    e->closed = 1;
    return 0;
  }
  if (got < 0) return errno == EAGAIN || errno == EINTR ? 0 : (perror("c_loop: read"), -1);
  e->bytes_in += (size_t)got;
  left = (size_t)got;
  while (left > 0) {
    mqttconn_packet ev = packet();
    size_t used = 0;
    int rc = mqttconn_conn_receive(e->conn, p, left, &used);
    if (rc < 0) return fail(e, "receive", rc); /* a violation: output may still hold why */
    p += used;
    left -= used;
    while ((rc = mqttconn_conn_next_event(e->conn, &ev)) == MQTTCONN_OK) {
      if (handle(e, &ev) != 0) return -1;
    }
    if (rc < 0) return fail(e, "next_event", rc);
  }
  return 0;
}

/* Writes as much queued output as the socket takes. */
static int on_writable(end *e) {
  mqttconn_bytes segs[16];
  struct iovec iov[16];
  size_t n = 0, i;
  ssize_t put;
  int rc = mqttconn_conn_output_iov(e->conn, segs, 16, &n);
  if (rc == MQTTCONN_DONE) return 0;
  if (rc != MQTTCONN_OK) return fail(e, "output", rc);
  for (i = 0; i < n; ++i) {
    iov[i].iov_base = (void *)segs[i].ptr;
    iov[i].iov_len = segs[i].len;
  }
  put = writev(e->fd, iov, (int)n);
  if (put < 0) return errno == EAGAIN || errno == EINTR ? 0 : (perror("c_loop: writev"), -1);
  e->bytes_out += (size_t)put;
  rc = mqttconn_conn_output_consume(e->conn, (size_t)put);
  return rc == MQTTCONN_OK ? 0 : fail(e, "consume", rc);
}

int main(int argc, char **argv) {
  int fds[2], i, status = 1;
  mqttconn_config *cfg = NULL;
  end ends[2];
  mqttconn_packet p = packet();
  const double deadline = now_s() + 5.0;

  if (argc > 1) messages = strtol(argv[1], NULL, 10);
  if (messages < 1 || messages > 60000) messages = 100;
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) {
    perror("c_loop: socketpair");
    return 1;
  }
  memset(ends, 0, sizeof ends);
  ends[0].name = "client";
  ends[1].name = "server";
  for (i = 0; i < 2; ++i) {
    ends[i].fd = fds[i];
    fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
  }
  if (mqttconn_config_new(&cfg, NULL) != MQTTCONN_OK || mqttconn_config_set_role(cfg, MQTTCONN_ROLE_SERVER) != MQTTCONN_OK ||
      mqttconn_conn_new(&ends[1].conn, cfg, NULL) != MQTTCONN_OK ||
      mqttconn_conn_new(&ends[0].conn, NULL, NULL) != MQTTCONN_OK) {
    fprintf(stderr, "c_loop: cannot create the connections\n");
    return 1;
  }
  mqttconn_config_free(cfg);

  p.protocol_version = MQTTCONN_V5;
  p.clean_start = 1;
  p.keep_alive = 30;
  p.client_id = text("c-loop");
  if ((i = mqttconn_conn_connect(ends[0].conn, &p)) != MQTTCONN_OK) {
    fail(&ends[0], "CONNECT", i);
    goto out;
  }

  for (;;) {
    struct pollfd pfd[2];
    int n;
    if (ends[0].done && ends[1].done && mqttconn_conn_output_size(ends[0].conn) == 0) {
      status = 0;
      break;
    }
    if (now_s() > deadline) {
      fprintf(stderr, "c_loop: timed out\n");
      break;
    }
    for (i = 0; i < 2; ++i) {
      pfd[i].fd = ends[i].fd;
      pfd[i].events = (short)((ends[i].closed ? 0 : POLLIN) | (mqttconn_conn_output_size(ends[i].conn) ? POLLOUT : 0));
      pfd[i].revents = 0;
    }
    n = poll(pfd, 2, 100);
    if (n < 0 && errno != EINTR) {
      perror("c_loop: poll");
      break;
    }
    for (i = 0; i < 2 && n > 0; ++i) {
      if ((pfd[i].revents & POLLIN) && on_readable(&ends[i], i == 0 ? client_event : server_event) != 0) goto out;
      if ((pfd[i].revents & POLLOUT) && on_writable(&ends[i]) != 0) goto out;
      if (pfd[i].revents & (POLLERR | POLLNVAL)) goto out;
    }
  }
out:
  printf("client: %ld published, %ld acknowledged, %ld echoed; %zu bytes out, %zu in\n", ends[0].published,
         ends[0].acked, ends[0].echoed, ends[0].bytes_out, ends[0].bytes_in);
  printf("server: %ld received; state %d (closed is %d)\n", ends[1].received, mqttconn_conn_state(ends[1].conn),
         MQTTCONN_STATE_CLOSED);
  for (i = 0; i < 2; ++i) {
    mqttconn_conn_free(ends[i].conn);
    close(ends[i].fd);
  }
  return status;
}
