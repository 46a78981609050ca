/* Allocation failure: a conversation (config, two connections, a decoder; CONNECT with a Will,
 * CONNACK, SUBSCRIBE/SUBACK with many filters, PUBLISH at QoS 1 and 2 with user properties
 * and subscription identifiers, fed in small chunks so partial packets are buffered, a
 * large borrowed payload, UNSUBSCRIBE/UNSUBACK, DISCONNECT, frees) is run once to count the
 * allocations, then once for every i with the i-th allocation failing. Each run must get
 * MQTTCONN_ERR_NOMEM from the very call whose allocation failed (never another code, never
 * a crash), that handle must then answer every call with MQTTCONN_ERR_NOMEM, the other
 * handles must be unaffected, and after the frees no byte may be left allocated. The run
 * past the last allocation completes. */
#include <stdlib.h>
#include <string.h>

#include "capi_test.h"

typedef struct run {
  test_alloc a;
  mqttconn_config *cfg;
  link_end *client, *server; /* heap: 64 KiB each */
  mqttconn_decoder *dec;
  int completed;
  int stopped; /* a call returned MQTTCONN_ERR_NOMEM */
} run;

/* A handle that failed answers everything with the fatal code; a healthy one does not. */
static void check_dead(mqttconn_conn *c) {
  mqttconn_packet pk = packet_of(MQTTCONN_PACKET_PUBLISH);
  mqttconn_bytes b;
  size_t n = 0;
  uint8_t byte = 0xC0;
  pk.topic = B("t");
  CHECK_RC(mqttconn_conn_state(c), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_receive(c, &byte, 1, &n), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_next_event(c, &pk), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_publish(c, &pk), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_output(c, &b), MQTTCONN_ERR_NOMEM);
  CHECK_RC(mqttconn_conn_output_consume(c, 1), MQTTCONN_ERR_NOMEM);
  CHECK_EQ(mqttconn_conn_output_size(c), 0);
  CHECK_EQ(mqttconn_conn_input_buffered(c), 0);
}

/* Judges the code of one call. 1: go on; 0: the run is over (NOMEM, checked, or a failure). */
static int judge(run *r, int rc, long failed_before, mqttconn_conn *who, mqttconn_decoder *dec) {
  const int injected = r->a.failed_count != failed_before;
  if (rc == MQTTCONN_ERR_NOMEM) {
    CHECK(injected); /* NOMEM comes from the call whose allocation failed */
    if (who != NULL) check_dead(who);
    if (dec != NULL) {
      mqttconn_packet pk = packet_of(0);
      size_t n = 0;
      CHECK_RC(mqttconn_decode(dec, (const uint8_t *)"\xC0\x00", 2, MQTTCONN_V5, &n, &pk), MQTTCONN_ERR_NOMEM);
    }
    r->stopped = 1;
    return 0;
  }
  CHECK(!injected); /* a refused allocation never goes unreported */
  if (!CHECK(rc >= 0)) {
    mqttconn_error e;
    memset(&e, 0, sizeof e);
    e.struct_size = sizeof e;
    if (who != NULL && mqttconn_conn_last_error(who, &e) == MQTTCONN_OK) {
      fprintf(stderr, "  code %d (%s): packet %d %s %s\n", rc, mqttconn_strerror(rc), e.packet_type, e.field, e.what);
    } else {
      fprintf(stderr, "  code %d (%s)\n", rc, mqttconn_strerror(rc));
    }
    return 0;
  }
  return 1;
}

#define DO(who, expr)                                                       \
  do {                                                                      \
    long before_ = r->a.failed_count;                                       \
    if (!judge(r, (expr), before_, (who), NULL)) return;                    \
  } while (0)

/* Moves what `from` queued to `to`, feeding 3 bytes at a time, taking every event. */
static int pass(run *r, mqttconn_conn *from, link_end *to) {
  size_t pos = 0;
  to->wire_len = 0;
  for (;;) {
    mqttconn_bytes segs[4];
    size_t n = 0, i, total = 0;
    long before = r->a.failed_count;
    if (!judge(r, mqttconn_conn_output_iov(from, segs, 4, &n), before, from, NULL)) return 0;
    if (n == 0) break;
    for (i = 0; i < n; ++i) {
      if (!CHECK(to->wire_len + segs[i].len <= sizeof to->wire)) return 0;
      memcpy(to->wire + to->wire_len, segs[i].ptr, segs[i].len);
      to->wire_len += segs[i].len;
      total += segs[i].len;
    }
    before = r->a.failed_count;
    if (!judge(r, mqttconn_conn_output_consume(from, total), before, from, NULL)) return 0;
  }
  while (pos < to->wire_len) {
    size_t len = to->wire_len - pos < 3 ? to->wire_len - pos : 3, used = 0;
    mqttconn_packet ev = packet_of(0);
    long before = r->a.failed_count;
    if (!judge(r, mqttconn_conn_receive(to->conn, to->wire + pos, len, &used), before, to->conn, NULL)) return 0;
    pos += used;
    before = r->a.failed_count;
    if (!judge(r, mqttconn_conn_next_event(to->conn, &ev), before, to->conn, NULL)) return 0;
  }
  return 1;
}

#define PASS(from, to)                 \
  do {                                 \
    if (!pass(r, (from), (to))) return; \
  } while (0)

static uint8_t big_payload[40000];

static void conversation(run *r) {
  mqttconn_packet pk;
  mqttconn_properties pr = props_empty(), wpr = props_empty();
  mqttconn_user_property ups[3];
  mqttconn_subscription subs[20];
  mqttconn_bytes filters[5];
  uint8_t codes[20];
  const uint32_t ids[] = {3, 4, 5};
  char names[20][8];
  size_t i, n;
  uint8_t wire[512];

  for (i = 0; i < 3; ++i) {
    ups[i].name = B("name");
    ups[i].value = B(i == 1 ? "value-1" : "v");
  }
  DO(NULL, mqttconn_config_new(&r->cfg, &r->a.hooks));
  DO(NULL, mqttconn_config_set_role(r->cfg, MQTTCONN_ROLE_SERVER));
  DO(NULL, mqttconn_conn_new(&r->client->conn, NULL, &r->a.hooks));
  DO(NULL, mqttconn_conn_new(&r->server->conn, r->cfg, &r->a.hooks));
  DO(NULL, mqttconn_decoder_new(&r->dec, r->cfg, &r->a.hooks));
  mqttconn_config_free(r->cfg);
  r->cfg = NULL;

  pk = packet_of(MQTTCONN_PACKET_CONNECT);
  pk.protocol_version = MQTTCONN_V5;
  pk.client_id = B("client");
  pk.has_will = 1;
  pk.will_topic = B("will");
  pk.will_payload = B("payload");
  wpr.user_properties = ups;
  wpr.user_property_count = 2;
  pk.will_props = &wpr;
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_AUTHENTICATION_METHOD);
  pr.authentication_method = B("m");
  pr.user_properties = ups;
  pr.user_property_count = 3;
  pk.props = &pr;
  DO(r->client->conn, mqttconn_conn_connect(r->client->conn, &pk));
  PASS(r->client->conn, r->server);

  pk = packet_of(MQTTCONN_PACKET_CONNACK);
  pk.props = &pr; /* the same Authentication Method and user properties */
  DO(r->server->conn, mqttconn_conn_connack(r->server->conn, &pk));
  PASS(r->server->conn, r->client);

  memset(subs, 0, sizeof subs);
  for (i = 0; i < 20; ++i) {
    sprintf(names[i], "f/%d", (int)i);
    subs[i].topic_filter = B(names[i]);
    subs[i].qos = (uint8_t)(i % 3);
    codes[i] = (uint8_t)(i % 3);
  }
  pk = packet_of(MQTTCONN_PACKET_SUBSCRIBE);
  pk.packet_id = 1;
  pk.subscriptions = subs;
  pk.subscription_count = 20;
  DO(r->client->conn, mqttconn_conn_send(r->client->conn, &pk));
  PASS(r->client->conn, r->server);
  pk = packet_of(MQTTCONN_PACKET_SUBACK);
  pk.packet_id = 1;
  pk.reason_codes = BN(codes, 20);
  DO(r->server->conn, mqttconn_conn_suback(r->server->conn, &pk));
  PASS(r->server->conn, r->client);

  pk = packet_of(MQTTCONN_PACKET_PUBLISH);
  pk.qos = 1;
  pk.packet_id = 2;
  pk.topic = B("f/1");
  pk.payload = B("hello");
  pr = props_empty();
  pr.user_properties = ups;
  pr.user_property_count = 2;
  pk.props = &pr;
  DO(r->client->conn, mqttconn_conn_publish(r->client->conn, &pk));
  PASS(r->client->conn, r->server);
  pk = packet_of(MQTTCONN_PACKET_PUBACK);
  pk.packet_id = 2;
  DO(r->server->conn, mqttconn_conn_puback(r->server->conn, &pk));
  PASS(r->server->conn, r->client);

  /* QoS 2 from the server: a borrowed 40 KB payload, three subscription identifiers */
  pk = packet_of(MQTTCONN_PACKET_PUBLISH);
  pk.qos = 2;
  pk.packet_id = 3;
  pk.topic = B("f/2");
  pk.payload = BN(big_payload, sizeof big_payload);
  pr = props_empty();
  pr.subscription_identifiers = ids;
  pr.subscription_identifier_count = 3;
  pr.user_properties = ups;
  pr.user_property_count = 3;
  pk.props = &pr;
  DO(r->server->conn, mqttconn_conn_publish(r->server->conn, &pk));
  PASS(r->server->conn, r->client);
  pk = packet_of(MQTTCONN_PACKET_PUBREC);
  pk.packet_id = 3;
  DO(r->client->conn, mqttconn_conn_pubrec(r->client->conn, &pk));
  PASS(r->client->conn, r->server);
  pk.type = MQTTCONN_PACKET_PUBREL;
  DO(r->server->conn, mqttconn_conn_pubrel(r->server->conn, &pk));
  PASS(r->server->conn, r->client);
  pk.type = MQTTCONN_PACKET_PUBCOMP;
  DO(r->client->conn, mqttconn_conn_pubcomp(r->client->conn, &pk));
  PASS(r->client->conn, r->server);

  for (i = 0; i < 5; ++i) filters[i] = B(names[i]);
  pk = packet_of(MQTTCONN_PACKET_UNSUBSCRIBE);
  pk.packet_id = 4;
  pk.topic_filters = filters;
  pk.topic_filter_count = 5;
  DO(r->client->conn, mqttconn_conn_unsubscribe(r->client->conn, &pk));
  PASS(r->client->conn, r->server);
  pk = packet_of(MQTTCONN_PACKET_UNSUBACK);
  pk.packet_id = 4;
  pk.reason_codes = BN("\x00\x11\x00\x00\x11", 5);
  DO(r->server->conn, mqttconn_conn_unsuback(r->server->conn, &pk));
  PASS(r->server->conn, r->client);

  /* the decoder: an UNSUBSCRIBE with user properties */
  pk = packet_of(MQTTCONN_PACKET_UNSUBSCRIBE);
  pk.packet_id = 5;
  pk.topic_filters = filters;
  pk.topic_filter_count = 5;
  pr = props_empty();
  pr.user_properties = ups;
  pr.user_property_count = 3;
  pk.props = &pr;
  DO(NULL, mqttconn_encode(&pk, MQTTCONN_V5, wire, sizeof wire, &n));
  {
    mqttconn_packet ev = packet_of(0);
    size_t used = 0;
    long before = r->a.failed_count;
    if (!judge(r, mqttconn_decode(r->dec, wire, n, MQTTCONN_V5, &used, &ev), before, NULL, r->dec)) return;
    CHECK_EQ(used, n);
    CHECK_EQ(ev.topic_filter_count, 5);
  }

  DO(r->client->conn, mqttconn_conn_disconnect(r->client->conn, NULL));
  PASS(r->client->conn, r->server);
  CHECK_EQ(mqttconn_conn_state(r->server->conn), MQTTCONN_STATE_CLOSED);
  r->completed = 1;
}

/* One run with the fail_at-th allocation failing; returns the allocations it asked for. */
static long one_run(long fail_at, int *completed) {
  run r;
  long count;
  memset(&r, 0, sizeof r);
  test_alloc_init(&r.a, fail_at);
  r.client = (link_end *)calloc(1, sizeof *r.client);
  r.server = (link_end *)calloc(1, sizeof *r.server);
  if (!CHECK(r.client != NULL && r.server != NULL)) exit(2);
  conversation(&r);
  CHECK(r.completed != r.stopped);
  mqttconn_config_free(r.cfg);
  mqttconn_conn_free(r.client->conn);
  mqttconn_conn_free(r.server->conn);
  mqttconn_decoder_free(r.dec);
  CHECK_EQ(r.a.live_bytes, 0);
  CHECK_EQ(r.a.live_blocks, 0);
  CHECK_EQ(r.a.bad_free, 0);
  free(r.client);
  free(r.server);
  *completed = r.completed;
  count = r.a.count;
  return count;
}

int main(void) {
  char ctx[64];
  int completed = 0;
  long total, i, stopped = 0;
  size_t k;
  for (k = 0; k < sizeof big_payload; ++k) big_payload[k] = (uint8_t)(k * 31 + 7);
  t_context = "no failure";
  total = one_run(0, &completed);
  CHECK(completed);
  CHECK(total > 10);
  for (i = 1; i <= total + 1; ++i) {
    snprintf(ctx, sizeof ctx, "allocation %ld of %ld fails", i, total);
    t_context = ctx;
    one_run(i, &completed);
    if (i <= total) {
      CHECK(!completed);
      stopped += !completed;
    } else {
      CHECK(completed);
    }
  }
  printf("%ld allocations in the conversation; %ld runs stopped with MQTTCONN_ERR_NOMEM\n", total, stopped);
  return t_report("capi allocation failure");
}
