/* The codec without a connection: mqttconn_encode() (BUFFER_TOO_SMALL with the size needed,
 * INVALID_PACKET, lists longer than the in-place 8) and mqttconn_decode() (NEED_MORE for every
 * proper prefix, the packet read back whole, MALFORMED with offset, not sticky; a PUBLISH's
 * lists filled in the decoding pass or, longer than ever before, copied after it; the caller's
 * packet untouched on a fault; out of memory while a list grows). */
#include <stdio.h>
#include <string.h>

#include "capi_test.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- The codec without a connection ------------------------------------------------- */

static void codec(void) {
  mqttconn_decoder *d = NULL;
  mqttconn_packet pk = packet_of(MQTTCONN_PACKET_PUBLISH), ev = packet_of(0);
  mqttconn_properties pr = props_empty();
  mqttconn_user_property ups[2];
  mqttconn_error e = error_struct();
  uint8_t buf[128];
  size_t n = 0, need = 0, k;
  static const uint8_t ff[] = {0xFF};
  t_context = "codec";

  ups[0].name = B("a");
  ups[0].value = B("1");
  ups[1].name = B("a");
  ups[1].value = B("2");
  pk.qos = 1;
  pk.packet_id = 42;
  pk.topic = B("devices/abc/telemetry");
  pk.payload = B("{\"t\":1}");
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_MESSAGE_EXPIRY_INTERVAL) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_CONTENT_TYPE);
  pr.message_expiry_interval = 60;
  pr.content_type = B("application/json");
  pr.user_properties = ups;
  pr.user_property_count = 2;
  pk.props = &pr;

  /* BUFFER_TOO_SMALL says how much is needed, and writes nothing */
  memset(buf, 0xEE, sizeof buf);
  CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, buf, 10, &need), MQTTCONN_ERR_BUFFER_TOO_SMALL);
  CHECK(need > 10 && need < sizeof buf);
  for (k = 0; k < sizeof buf; ++k) CHECK_EQ(buf[k], 0xEE);
  CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, buf, need - 1, &n), MQTTCONN_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(n, need);
  CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, buf, need, &n), MQTTCONN_OK);
  CHECK_EQ(n, need);
  /* INVALID_PACKET: properties at 3.1.1, a wildcard in a topic name, QoS 1 with id 0 */
  CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V311, buf, sizeof buf, &n), MQTTCONN_ERR_INVALID_PACKET);
  CHECK_EQ(n, 0);
  pk.topic = B("a/#");
  CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, buf, sizeof buf, &n), MQTTCONN_ERR_INVALID_PACKET);
  pk.topic = B("devices/abc/telemetry");
  pk.packet_id = 0;
  CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, buf, sizeof buf, &n), MQTTCONN_ERR_INVALID_PACKET);
  pk.packet_id = 42;

  /* decode what was encoded, prefix by prefix */
  CHECK_RC(mqttconn_decoder_new(&d, NULL, NULL), MQTTCONN_OK);
  if (d == NULL) return;
  for (k = 0; k < need; ++k) {
    CHECK_RC(mqttconn_decode(d, buf, k, MQTTCONN_V5, &n, &ev), MQTTCONN_ERR_NEED_MORE);
    CHECK_EQ(n, 0);
  }
  CHECK_RC(mqttconn_decoder_error(d, &e), MQTTCONN_OK);
  CHECK_EQ(e.code, MQTTCONN_ERR_NEED_MORE);
  buf[need] = 0xC0; /* a packet after it stays unread */
  CHECK_RC(mqttconn_decode(d, buf, need + 1, MQTTCONN_V5, &n, &ev), MQTTCONN_OK);
  CHECK_EQ(n, need);
  check_packet(&pk, &ev, MQTTCONN_V5);
  /* a bad first byte: reserved packet type 0, at offset 0 */
  buf[0] = 0x00;
  CHECK_RC(mqttconn_decode(d, buf, need, MQTTCONN_V5, &n, &ev), MQTTCONN_ERR_MALFORMED);
  CHECK_RC(mqttconn_decoder_error(d, &e), MQTTCONN_OK);
  CHECK_EQ(e.code, MQTTCONN_ERR_MALFORMED);
  CHECK_EQ(e.reason_code, 0x81);
  CHECK_EQ(e.offset, 0);
  /* the decoder is not sticky: the next packet decodes */
  CHECK_RC(mqttconn_decode(d, ff, 1, MQTTCONN_V311, &n, &ev), MQTTCONN_ERR_MALFORMED);
  buf[0] = 0xC0;
  buf[1] = 0x00;
  CHECK_RC(mqttconn_decode(d, buf, 2, MQTTCONN_V311, &n, &ev), MQTTCONN_OK);
  CHECK_EQ(ev.type, MQTTCONN_PACKET_PINGREQ);
  CHECK_EQ(ev.props->present, 0);
  mqttconn_decoder_free(d);
}

/* mqttconn_encode() converts lists of up to 8 entries on the stack, longer ones on the heap */
static void codec_long_lists(void) {
  mqttconn_decoder *d = NULL;
  mqttconn_packet pk, ev = packet_of(0);
  mqttconn_properties pr = props_empty();
  mqttconn_subscription subs[20];
  mqttconn_user_property ups[12];
  mqttconn_bytes filters[10];
  char names[20][8];
  uint8_t buf[1024];
  size_t i, n = 0, used = 0;
  t_context = "codec: long lists";
  for (i = 0; i < 20; ++i) sprintf(names[i], "t/%d", (int)i);
  for (i = 0; i < 20; ++i) {
    memset(&subs[i], 0, sizeof subs[i]);
    subs[i].topic_filter = B(names[i]);
    subs[i].qos = (uint8_t)(i % 3);
    subs[i].retain_handling = (uint8_t)(i % 3);
    if (i < 12) {
      ups[i].name = B(names[i]);
      ups[i].value = B(names[19 - i]);
    }
    if (i < 10) filters[i] = B(names[i]);
  }
  CHECK_RC(mqttconn_decoder_new(&d, NULL, NULL), MQTTCONN_OK);
  if (d == NULL) return;
  pr.user_properties = ups;
  pr.user_property_count = 12;
  pk = packet_of(MQTTCONN_PACKET_SUBSCRIBE);
  pk.packet_id = 9;
  pk.subscriptions = subs;
  pk.subscription_count = 20;
  pk.props = &pr;
  CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, buf, sizeof buf, &n), MQTTCONN_OK);
  CHECK_RC(mqttconn_decode(d, buf, n, MQTTCONN_V5, &used, &ev), MQTTCONN_OK);
  CHECK_EQ(used, n);
  check_packet(&pk, &ev, MQTTCONN_V5);
  pk = packet_of(MQTTCONN_PACKET_UNSUBSCRIBE);
  pk.packet_id = 10;
  pk.topic_filters = filters;
  pk.topic_filter_count = 10;
  pk.props = &pr;
  CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, buf, sizeof buf, &n), MQTTCONN_OK);
  CHECK_RC(mqttconn_decode(d, buf, n, MQTTCONN_V5, &used, &ev), MQTTCONN_OK);
  check_packet(&pk, &ev, MQTTCONN_V5);
  /* a long list with a bad entry is refused just the same */
  filters[9].ptr = NULL;
  CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, buf, sizeof buf, &n), MQTTCONN_ERR_ARGUMENT);
  mqttconn_decoder_free(d);
}

/* mqttconn_decode() reads a PUBLISH straight into the C structs: user properties and
 * subscription identifiers go into the decoder's arrays as they are read while those have
 * room, and are copied from the wire after the packet when they outgrow them. */
static void codec_publish_lists(void) {
  mqttconn_decoder *d = NULL;
  mqttconn_packet pk = packet_of(MQTTCONN_PACKET_PUBLISH), ev = packet_of(0), before;
  mqttconn_properties pr = props_empty();
  mqttconn_user_property ups[12];
  uint32_t ids[3] = {1, 200, 268435455};
  char names[12][8];
  uint8_t buf[512];
  size_t i, n = 0, used = 0;
  /* runs: the list lengths of consecutive packets: grow from nothing, grow again, shrink,
   * grow back within what the arrays already hold */
  static const size_t users[] = {3, 12, 2, 12, 0};
  static const size_t sub_ids[] = {1, 3, 0, 2, 0};
  /* QoS 0, topic "t", user properties a=1 and b=2, then Message Expiry Interval twice
   * [MQTT-2.2.2-2]: the second one, at offset 25, is a protocol error */
  static const uint8_t repeated[] = {0x30, 28,   0x00, 0x01, 't',  24,   0x26, 0x00, 0x01, 'a',
                                     0x00, 0x01, '1',  0x26, 0x00, 0x01, 'b',  0x00, 0x01, '2',
                                     0x02, 0,    0,    0,    1,    0x02, 0,    0,    0,    1};
  mqttconn_error e = error_struct();
  t_context = "codec: PUBLISH lists";
  for (i = 0; i < 12; ++i) sprintf(names[i], "k%d", (int)i);
  for (i = 0; i < 12; ++i) {
    ups[i].name = B(names[i]);
    ups[i].value = B(names[11 - i]);
  }
  CHECK_RC(mqttconn_decoder_new(&d, NULL, NULL), MQTTCONN_OK);
  if (d == NULL) return;
  pk.qos = 2;
  pk.packet_id = 7;
  pk.topic = B("a/b");
  pk.payload = B("x");
  pk.props = &pr;
  pr.present = MQTTCONN_PROP_BIT(MQTTCONN_PROP_CONTENT_TYPE);
  pr.content_type = B("text/plain");
  pr.user_properties = ups;
  pr.subscription_identifiers = ids;
  for (i = 0; i < COUNT(users); ++i) {
    pr.user_property_count = users[i];
    pr.subscription_identifier_count = sub_ids[i];
    CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, buf, sizeof buf, &n), MQTTCONN_OK);
    CHECK_RC(mqttconn_decode(d, buf, n, MQTTCONN_V5, &used, &ev), MQTTCONN_OK);
    CHECK_EQ(used, n);
    check_packet(&pk, &ev, MQTTCONN_V5);
  }
  /* a block that fails after two user properties were read: the packet is refused where
   * decode() refuses it, and `ev` keeps the packet before */
  pr.user_property_count = 5;
  CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, buf, sizeof buf, &n), MQTTCONN_OK);
  CHECK_RC(mqttconn_decode(d, buf, n, MQTTCONN_V5, &used, &ev), MQTTCONN_OK);
  before = ev;
  CHECK_RC(mqttconn_decode(d, repeated, sizeof repeated, MQTTCONN_V5, &used, &ev), MQTTCONN_ERR_PROTOCOL);
  CHECK_EQ(used, 0);
  CHECK(memcmp(&before, &ev, sizeof ev) == 0);
  CHECK_RC(mqttconn_decoder_error(d, &e), MQTTCONN_OK);
  CHECK_EQ(e.reason_code, 0x82);
  CHECK_EQ(e.offset, 25);
  CHECK_EQ(e.packet_type, MQTTCONN_PACKET_PUBLISH);
  /* the same bytes cut before the repeat decode, with both user properties in order */
  {
    uint8_t cut[sizeof repeated];
    memcpy(cut, repeated, sizeof cut);
    cut[1] = 23;
    cut[5] = 19;
    CHECK_RC(mqttconn_decode(d, cut, 25, MQTTCONN_V5, &used, &ev), MQTTCONN_OK);
    CHECK_EQ(used, 25);
    CHECK_EQ(ev.props->user_property_count, 2);
    CHECK_EQ(ev.props->subscription_identifier_count, 0);
    CHECK_EQ(ev.props->message_expiry_interval, 1);
    if (ev.props->user_property_count == 2) {
      CHECK_BYTES(ev.props->user_properties[0].name, "a", 1);
      CHECK_BYTES(ev.props->user_properties[0].value, "1", 1);
      CHECK_BYTES(ev.props->user_properties[1].name, "b", 1);
      CHECK_BYTES(ev.props->user_properties[1].value, "2", 1);
    }
  }
  /* 3.1.1 has no properties: the block reads as empty after a 5.0 packet that had some */
  pk.props = NULL;
  CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V311, buf, sizeof buf, &n), MQTTCONN_OK);
  CHECK_RC(mqttconn_decode(d, buf, n, MQTTCONN_V311, &used, &ev), MQTTCONN_OK);
  check_packet(&pk, &ev, MQTTCONN_V311);
  mqttconn_decoder_free(d);
}

/* Out of memory while a PUBLISH's list array grows: NOMEM (fatal for the decoder), the
 * caller's packet untouched, nothing leaked. */
static void codec_publish_nomem(void) {
  test_alloc a;
  mqttconn_decoder *d = NULL;
  mqttconn_packet pk = packet_of(MQTTCONN_PACKET_PUBLISH), ev = packet_of(0), before;
  mqttconn_properties pr = props_empty();
  mqttconn_user_property ups[3];
  uint8_t buf[128];
  size_t n = 0, used = 7;
  t_context = "codec: PUBLISH lists, out of memory";
  ups[0].name = ups[1].name = ups[2].name = B("k");
  ups[0].value = ups[1].value = ups[2].value = B("v");
  pk.topic = B("t");
  pk.props = &pr;
  pr.user_properties = ups;
  pr.user_property_count = 3;
  CHECK_RC(mqttconn_encode(&pk, MQTTCONN_V5, buf, sizeof buf, &n), MQTTCONN_OK);
  test_alloc_init(&a, 2); /* the handle is the first allocation, the array the second */
  CHECK_RC(mqttconn_decoder_new(&d, NULL, &a.hooks), MQTTCONN_OK);
  if (d == NULL) return;
  before = ev;
  CHECK_RC(mqttconn_decode(d, buf, n, MQTTCONN_V5, &used, &ev), MQTTCONN_ERR_NOMEM);
  CHECK_EQ(used, 0);
  CHECK_EQ(a.failed_count, 1);
  CHECK(memcmp(&before, &ev, sizeof ev) == 0);
  CHECK_RC(mqttconn_decode(d, buf, n, MQTTCONN_V5, &used, &ev), MQTTCONN_ERR_NOMEM);
  mqttconn_decoder_free(d);
  CHECK_EQ(a.live_blocks, 0);
  CHECK_EQ(a.bad_free, 0);
}

int main(void) {
  codec();
  codec_long_lists();
  codec_publish_lists();
  codec_publish_nomem();
  return t_report("capi codec");
}
