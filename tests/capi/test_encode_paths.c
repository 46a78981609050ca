/* mqttconn_encode() of a PUBLISH reads the caller's struct directly (no C++ packet is built),
 * through the same checks and writer as every other send. These tests pin what it does: the
 * bytes of every PUBLISH property, each refusal's code with nothing written, the order in which
 * the caller's mistakes are found, and that a connection's publish (which converts the struct
 * first) gives the same codes, the same first mistake and the same bytes. */
#include <stdio.h>
#include <string.h>

#include "capi_test.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static uint8_t buf[70000];
static uint8_t big[65536]; /* one byte over the 65,535 a binary may hold */

/* A QoS 1 PUBLISH with no properties. */
static mqttconn_packet base_publish(void) {
  mqttconn_packet p = packet_of(MQTTCONN_PACKET_PUBLISH);
  p.qos = 1;
  p.packet_id = 7;
  p.topic = B("a/b");
  p.payload = B("hi");
  return p;
}

/* Encodes p and checks the code; on a refusal, that nothing was written and *written is 0. */
static void refused(const mqttconn_packet *p, int version, int want, const char *why) {
  size_t n = 123, k;
  int clean = 1;
  t_context = why;
  memset(buf, 0xEE, 256);
  CHECK_RC(mqttconn_encode(p, version, buf, sizeof buf, &n), want);
  CHECK_EQ(n, 0);
  for (k = 0; k < 256; ++k) clean &= buf[k] == 0xEE;
  CHECK(clean);
}

/* Encodes p and checks the bytes. */
static void encodes_to(const mqttconn_packet *p, int version, const uint8_t *want, size_t want_len, const char *why) {
  size_t n = 0;
  t_context = why;
  CHECK_RC(mqttconn_encode(p, version, buf, sizeof buf, &n), MQTTCONN_OK);
  CHECK_BYTES(BN(buf, n), want, want_len);
}

/* 5.0 §3.3: every property a PUBLISH may carry, written in ascending id order. */
static void all_publish_properties(void) {
  static const uint8_t want[] = {
      0x3D,                                     /* PUBLISH, DUP, QoS 2, RETAIN */
      0x30,                                     /* remaining length 48 */
      0x00, 0x03, 'a', '/', 'b',                /* topic name */
      0x12, 0x34,                               /* packet identifier */
      0x26,                                     /* property length 38 */
      0x01, 0x01,                               /* payload format indicator 1 */
      0x02, 0x0A, 0x0B, 0x0C, 0x0D,             /* message expiry interval */
      0x03, 0x00, 0x02, 'c', 't',               /* content type */
      0x08, 0x00, 0x03, 'r', '/', 't',          /* response topic */
      0x09, 0x00, 0x02, 0x00, 0x01,             /* correlation data */
      0x0B, 0x01, 0x0B, 0xAC, 0x02,             /* subscription identifiers 1 and 300 */
      0x23, 0x00, 0x05,                         /* topic alias 5 */
      0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',   /* user property k=v */
      'h', 'i'};                                /* payload */
  static const uint8_t corr[] = {0x00, 0x01};
  static const uint32_t ids[] = {1, 300};
  mqttconn_user_property up;
  mqttconn_properties pr = props_empty();
  mqttconn_packet p = base_publish(), ev = packet_of(0);
  mqttconn_decoder *d = NULL;
  size_t n = 0, used = 0;

  up.name = B("k");
  up.value = B("v");
  p.dup = 1;
  p.qos = 2;
  p.retain = 1;
  p.packet_id = 0x1234;
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_PAYLOAD_FORMAT_INDICATOR) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_MESSAGE_EXPIRY_INTERVAL) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_CONTENT_TYPE) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_RESPONSE_TOPIC) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_CORRELATION_DATA) |
               MQTTCONN_PROP_BIT(MQTTCONN_PROP_TOPIC_ALIAS);
  pr.payload_format_indicator = 1;
  pr.message_expiry_interval = 0x0A0B0C0D;
  pr.content_type = B("ct");
  pr.response_topic = B("r/t");
  pr.correlation_data = BN(corr, sizeof corr);
  pr.topic_alias = 5;
  pr.subscription_identifiers = ids; /* the lists count by their lengths, bits or not */
  pr.subscription_identifier_count = 2;
  pr.user_properties = &up;
  pr.user_property_count = 1;
  p.props = &pr;
  encodes_to(&p, MQTTCONN_V5, want, sizeof want, "every PUBLISH property [MQTT-3.3.2-2]");

  /* and it reads back as sent */
  CHECK_RC(mqttconn_decoder_new(&d, NULL, NULL), MQTTCONN_OK);
  if (d != NULL) {
    CHECK_RC(mqttconn_encode(&p, MQTTCONN_V5, buf, sizeof buf, &n), MQTTCONN_OK);
    CHECK_RC(mqttconn_decode(d, buf, n, MQTTCONN_V5, &used, &ev), MQTTCONN_OK);
    CHECK_EQ(used, n);
    check_packet(&p, &ev, MQTTCONN_V5);
    mqttconn_decoder_free(d);
  }

  /* list bits without counts are not lists: the block is empty */
  {
    static const uint8_t want_empty[] = {0x32, 0x0A, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x07, 0x00, 'h', 'i'};
    mqttconn_packet q = base_publish();
    mqttconn_properties e = props_empty();
    static const uint8_t want_short[] = {0x32, 0x09, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x07, 'h', 'i'};
    e.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_USER_PROPERTY) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER);
    q.props = &e;
    encodes_to(&q, MQTTCONN_V5, want_empty, sizeof want_empty, "list bits without counts");
    /* the same block at 3.1.1 is no block at all */
    encodes_to(&q, MQTTCONN_V311, want_short, sizeof want_short, "list bits without counts at 3.1.1");
    /* MQTT 3.1 */
    encodes_to(&q, MQTTCONN_V31, want_short, sizeof want_short, "3.1");
  }

  /* an empty topic name with a Topic Alias [MQTT-3.3.2-13]: allowed in 5.0 */
  {
    static const uint8_t want_alias[] = {0x30, 0x09, 0x00, 0x00, 0x03, 0x23, 0x00, 0x02, 'h', 'i', '!'};
    mqttconn_packet q = packet_of(MQTTCONN_PACKET_PUBLISH);
    mqttconn_properties a = props_empty();
    a.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_TOPIC_ALIAS);
    a.topic_alias = 2;
    q.payload = B("hi!");
    q.props = &a;
    encodes_to(&q, MQTTCONN_V5, want_alias, sizeof want_alias, "empty topic with a Topic Alias");
  }
}

/* BUFFER_TOO_SMALL: nothing written, *written says how much is needed. */
static void buffer_too_small(void) {
  mqttconn_packet p = base_publish();
  size_t n = 0, k;
  int clean = 1;
  t_context = "buffer too small";
  memset(buf, 0xEE, 64);
  CHECK_RC(mqttconn_encode(&p, MQTTCONN_V311, buf, 10, &n), MQTTCONN_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(n, 11);
  for (k = 0; k < 64; ++k) clean &= buf[k] == 0xEE;
  CHECK(clean);
  CHECK_RC(mqttconn_encode(&p, MQTTCONN_V311, NULL, 0, &n), MQTTCONN_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(n, 11);
  CHECK_RC(mqttconn_encode(&p, MQTTCONN_V311, buf, 11, &n), MQTTCONN_OK);
  CHECK_EQ(n, 11);
  /* a packet that is refused says so even when the buffer is too small too */
  p.packet_id = 0;
  CHECK_RC(mqttconn_encode(&p, MQTTCONN_V311, buf, 1, &n), MQTTCONN_ERR_INVALID_PACKET);
  CHECK_EQ(n, 0);
}

/* One case: a change to the base packet (and its block) and the code both paths give. */
typedef struct refusal {
  const char *why;
  int version;
  int want;
  void (*edit)(mqttconn_packet *p, mqttconn_properties *pr);
} refusal;

static const uint8_t bad_utf8[] = {'a', 0xC0, 0x80};
static const mqttconn_user_property null_value = {{(const uint8_t *)"k", 1}, {NULL, 1}};
static const mqttconn_user_property bad_name = {{bad_utf8, 3}, {(const uint8_t *)"v", 1}};
static const uint32_t zero_id[] = {0};
static const uint32_t huge_id[] = {268435456};

static void qos_3(mqttconn_packet *p, mqttconn_properties *pr) { (void)pr, p->qos = 3; }
static void null_topic(mqttconn_packet *p, mqttconn_properties *pr) { (void)pr, p->topic = BN(NULL, 3); }
static void null_payload(mqttconn_packet *p, mqttconn_properties *pr) { (void)pr, p->payload = BN(NULL, 1); }
static void small_block(mqttconn_packet *p, mqttconn_properties *pr) { (void)p, pr->struct_size = 8; }
static void undefined_id(mqttconn_packet *p, mqttconn_properties *pr) { (void)p, pr->present |= MQTTCONN_PROP_BIT(4); }
static void flag_2(mqttconn_packet *p, mqttconn_properties *pr) {
  (void)p;
  pr->present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_PAYLOAD_FORMAT_INDICATOR);
  pr->payload_format_indicator = 2;
}
static void null_content_type(mqttconn_packet *p, mqttconn_properties *pr) {
  (void)p;
  pr->present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_CONTENT_TYPE);
  pr->content_type = BN(NULL, 2);
}
static void flag_2_and_null_content_type(mqttconn_packet *p, mqttconn_properties *pr) {
  null_content_type(p, pr);
  flag_2(p, pr);
}
static void null_ups(mqttconn_packet *p, mqttconn_properties *pr) { (void)p, pr->user_property_count = 1; }
static void null_up_value(mqttconn_packet *p, mqttconn_properties *pr) {
  (void)p;
  pr->user_properties = &null_value;
  pr->user_property_count = 1;
}
static void null_ids(mqttconn_packet *p, mqttconn_properties *pr) { (void)p, pr->subscription_identifier_count = 2; }
/* the wire's rules */
static void dup_qos_0(mqttconn_packet *p, mqttconn_properties *pr) { (void)pr, p->qos = 0, p->packet_id = 0, p->dup = 1; }
static void id_on_qos_0(mqttconn_packet *p, mqttconn_properties *pr) { (void)pr, p->qos = 0; }
static void id_0(mqttconn_packet *p, mqttconn_properties *pr) { (void)pr, p->packet_id = 0; }
static void wildcard_topic(mqttconn_packet *p, mqttconn_properties *pr) { (void)pr, p->topic = B("a/+"); }
static void utf8_topic(mqttconn_packet *p, mqttconn_properties *pr) { (void)pr, p->topic = BN(bad_utf8, 3); }
static void empty_topic(mqttconn_packet *p, mqttconn_properties *pr) { (void)pr, p->topic = B(""); }
static void any_property(mqttconn_packet *p, mqttconn_properties *pr) {
  (void)p;
  pr->present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_MESSAGE_EXPIRY_INTERVAL);
}
static void misplaced(mqttconn_packet *p, mqttconn_properties *pr) {
  (void)p;
  pr->present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_SESSION_EXPIRY_INTERVAL);
}
static void wildcard_response_topic(mqttconn_packet *p, mqttconn_properties *pr) {
  (void)p;
  pr->present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_RESPONSE_TOPIC);
  pr->response_topic = B("r/#");
}
static void alias_0(mqttconn_packet *p, mqttconn_properties *pr) {
  (void)p;
  pr->present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_TOPIC_ALIAS);
  pr->topic_alias = 0;
}
static void sub_id_0(mqttconn_packet *p, mqttconn_properties *pr) {
  (void)p;
  pr->subscription_identifiers = zero_id;
  pr->subscription_identifier_count = 1;
}
static void sub_id_huge(mqttconn_packet *p, mqttconn_properties *pr) {
  (void)p;
  pr->subscription_identifiers = huge_id;
  pr->subscription_identifier_count = 1;
}
static void utf8_up_name(mqttconn_packet *p, mqttconn_properties *pr) {
  (void)p;
  pr->user_properties = &bad_name;
  pr->user_property_count = 1;
}
static void long_correlation(mqttconn_packet *p, mqttconn_properties *pr) {
  (void)p;
  pr->present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_CORRELATION_DATA);
  pr->correlation_data = BN(big, sizeof big);
}
static void nul_content_type(mqttconn_packet *p, mqttconn_properties *pr) {
  (void)p;
  pr->present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_CONTENT_TYPE);
  pr->content_type = BN("a\0b", 3);
}

static const refusal refusals[] = {
    /* the caller's mistakes, found while reading the struct */
    {"QoS 3", MQTTCONN_V5, MQTTCONN_ERR_ARGUMENT, qos_3},
    {"NULL topic with a length", MQTTCONN_V5, MQTTCONN_ERR_ARGUMENT, null_topic},
    {"NULL payload with a length", MQTTCONN_V5, MQTTCONN_ERR_ARGUMENT, null_payload},
    {"property block struct_size too small", MQTTCONN_V5, MQTTCONN_ERR_STRUCT_SIZE, small_block},
    {"property block struct_size too small at 3.1.1", MQTTCONN_V311, MQTTCONN_ERR_STRUCT_SIZE, small_block},
    {"undefined property id", MQTTCONN_V5, MQTTCONN_ERR_ARGUMENT, undefined_id},
    {"payload format indicator 2", MQTTCONN_V5, MQTTCONN_ERR_INVALID_PACKET, flag_2},
    {"NULL content type with a length", MQTTCONN_V5, MQTTCONN_ERR_ARGUMENT, null_content_type},
    {"the lower id's mistake is found first", MQTTCONN_V5, MQTTCONN_ERR_INVALID_PACKET, flag_2_and_null_content_type},
    {"NULL user property array", MQTTCONN_V5, MQTTCONN_ERR_ARGUMENT, null_ups},
    {"NULL user property value", MQTTCONN_V5, MQTTCONN_ERR_ARGUMENT, null_up_value},
    {"NULL subscription identifier array", MQTTCONN_V5, MQTTCONN_ERR_ARGUMENT, null_ids},
    {"mistakes come before the wire's rules at 3.1.1", MQTTCONN_V311, MQTTCONN_ERR_ARGUMENT, null_ids},
    /* the wire's rules */
    {"DUP on QoS 0 [MQTT-3.3.1-2]", MQTTCONN_V5, MQTTCONN_ERR_INVALID_PACKET, dup_qos_0},
    {"packet identifier on QoS 0 [MQTT-2.2.1-2]", MQTTCONN_V5, MQTTCONN_ERR_INVALID_PACKET, id_on_qos_0},
    {"packet identifier 0 on QoS 1 [MQTT-2.2.1-3]", MQTTCONN_V311, MQTTCONN_ERR_INVALID_PACKET, id_0},
    {"wildcard in the topic name [MQTT-3.3.2-2]", MQTTCONN_V5, MQTTCONN_ERR_INVALID_PACKET, wildcard_topic},
    {"ill-formed UTF-8 topic name [MQTT-1.5.4-1]", MQTTCONN_V5, MQTTCONN_ERR_INVALID_PACKET, utf8_topic},
    {"empty topic name without a Topic Alias", MQTTCONN_V5, MQTTCONN_ERR_INVALID_PACKET, empty_topic},
    {"empty topic name at 3.1.1 [MQTT-4.7.3-1]", MQTTCONN_V311, MQTTCONN_ERR_INVALID_PACKET, empty_topic},
    {"properties at 3.1.1", MQTTCONN_V311, MQTTCONN_ERR_INVALID_PACKET, any_property},
    {"properties at 3.1", MQTTCONN_V31, MQTTCONN_ERR_INVALID_PACKET, any_property},
    {"Session Expiry Interval in a PUBLISH", MQTTCONN_V5, MQTTCONN_ERR_INVALID_PACKET, misplaced},
    {"wildcard in the response topic [MQTT-3.3.2-14]", MQTTCONN_V5, MQTTCONN_ERR_INVALID_PACKET, wildcard_response_topic},
    {"Topic Alias 0 [MQTT-3.3.2-8]", MQTTCONN_V5, MQTTCONN_ERR_INVALID_PACKET, alias_0},
    {"subscription identifier 0", MQTTCONN_V5, MQTTCONN_ERR_INVALID_PACKET, sub_id_0},
    {"subscription identifier above 268,435,455", MQTTCONN_V5, MQTTCONN_ERR_INVALID_PACKET, sub_id_huge},
    {"ill-formed UTF-8 user property name", MQTTCONN_V5, MQTTCONN_ERR_INVALID_PACKET, utf8_up_name},
    {"correlation data over 65,535 bytes", MQTTCONN_V5, MQTTCONN_ERR_INVALID_PACKET, long_correlation},
    {"U+0000 in the content type [MQTT-1.5.4-2]", MQTTCONN_V5, MQTTCONN_ERR_INVALID_PACKET, nul_content_type},
};

static void each_refusal(void) {
  size_t i;
  for (i = 0; i < COUNT(refusals); ++i) {
    mqttconn_packet p = base_publish();
    mqttconn_properties pr = props_empty();
    p.props = &pr;
    refusals[i].edit(&p, &pr);
    refused(&p, refusals[i].version, refusals[i].want, refusals[i].why);
  }
}

/* A connection's publish converts the struct into a C++ packet first; both paths must agree on
 * every code, on which mistake comes first, and on the bytes. */
static void same_as_a_connection(int version) {
  pair pr_;
  test_alloc a;
  size_t i, n = 0;
  mqttconn_bytes out;
  mqttconn_error e = error_struct();
  mqttconn_packet hello = packet_of(MQTTCONN_PACKET_CONNECT);
  test_alloc_init(&a, 0);
  if (!open_pair(&pr_, version, 1000, 0, &a)) return;
  t_context = "handshake";
  hello.protocol_version = (uint8_t)version;
  hello.clean_start = 1;
  hello.client_id = B("c");
  send_c2s(&pr_, &hello);
  hello = packet_of(MQTTCONN_PACKET_CONNACK);
  send_s2c(&pr_, &hello);
  check_states(&pr_, MQTTCONN_STATE_CONNECTED, MQTTCONN_STATE_CONNECTED);
  for (i = 0; i < COUNT(refusals); ++i) {
    mqttconn_packet p = base_publish();
    mqttconn_properties pr = props_empty();
    int want;
    if (refusals[i].version != version) continue;
    /* a client's connection refuses any subscription identifier first [MQTT-3.3.4-6] */
    if (refusals[i].edit == sub_id_0 || refusals[i].edit == sub_id_huge) continue;
    p.props = &pr;
    refusals[i].edit(&p, &pr);
    t_context = refusals[i].why;
    want = mqttconn_encode(&p, version, buf, sizeof buf, &n);
    CHECK_RC(mqttconn_conn_publish(pr_.client.conn, &p), want);
    CHECK_EQ(mqttconn_conn_output_size(pr_.client.conn), 0);
  }
  /* which of two mistakes is reported: the lower property id's */
  {
    mqttconn_packet p = base_publish();
    mqttconn_properties pr = props_empty();
    t_context = "first mistake";
    p.props = &pr;
    flag_2_and_null_content_type(&p, &pr);
    CHECK_RC(mqttconn_conn_publish(pr_.client.conn, &p), MQTTCONN_ERR_INVALID_PACKET);
    CHECK_RC(mqttconn_conn_last_error(pr_.client.conn, &e), MQTTCONN_OK);
    CHECK(e.field != NULL && strcmp(e.field, "Payload Format Indicator") == 0);
    CHECK(e.what != NULL && strcmp(e.what, "is not 0 or 1") == 0);
  }
  /* the same bytes */
  {
    mqttconn_user_property up;
    mqttconn_packet p = base_publish();
    mqttconn_properties pr = props_empty();
    t_context = "same bytes";
    up.name = B("name");
    up.value = B("value");
    pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_MESSAGE_EXPIRY_INTERVAL) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_CONTENT_TYPE);
    pr.message_expiry_interval = 60;
    pr.content_type = B("text/plain");
    pr.user_properties = &up;
    pr.user_property_count = 1;
    if (version == MQTTCONN_V5) p.props = &pr;
    CHECK_RC(mqttconn_encode(&p, version, buf, sizeof buf, &n), MQTTCONN_OK);
    CHECK_RC(mqttconn_conn_publish(pr_.client.conn, &p), MQTTCONN_OK);
    CHECK_RC(mqttconn_conn_output(pr_.client.conn, &out), MQTTCONN_OK);
    CHECK_BYTES(out, buf, n);
  }
  close_pair(&pr_);
}

int main(void) {
  size_t k;
  for (k = 0; k < sizeof big; ++k) big[k] = (uint8_t)k;
  all_publish_properties();
  buffer_too_small();
  each_refusal();
  same_as_a_connection(MQTTCONN_V5);
  same_as_a_connection(MQTTCONN_V311);
  return t_report("capi encode paths");
}
