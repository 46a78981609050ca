/* Whole MQTT 3.1.1 and 3.1 client <-> server conversations through the C API: every packet
 * kind 3.x has (QoS 2 both ways, QoS 1, QoS 0, SUBSCRIBE with every QoS, UNSUBSCRIBE, pings,
 * DISCONNECT), the bridge flag, a Will, user name and password, 3.1's DUP on PUBREL,
 * SUBSCRIBE and UNSUBSCRIBE, and the refusals of what 3.x lacks (server DISCONNECT, AUTH).
 * Each packet read back and compared field by field; fed whole, byte by byte and in 5-byte
 * chunks, default and full configs, through a counting allocator. */
#include <stdio.h>
#include <string.h>

#include "capi_test.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t binary_payload[] = {0x00, 0x01, 0xFE, 0xFF, 0x80, 0x00, 0x7F};

/* ---- MQTT 3.1.1 and 3.1 --------------------------------------------------------------- */

static void conversation_v3(int version, size_t chunk, int configured) {
  test_alloc a;
  pair p;
  mqttconn_packet pk;
  mqttconn_subscription subs[3];
  mqttconn_bytes filters[2];
  const uint8_t suback_codes[] = {0x00, 0x01, 0x80};
  const int v31 = version == MQTTCONN_V31;

  test_alloc_init(&a, 0);
  if (!open_pair(&p, version, chunk, configured, &a)) return;

  pk = packet_of(MQTTCONN_PACKET_CONNECT);
  pk.protocol_version = (uint8_t)version;
  pk.bridge = 1;
  pk.clean_start = 1;
  pk.keep_alive = 30;
  pk.client_id = B(v31 ? "c31" : "client-311");
  pk.has_will = 1;
  pk.will_qos = 2;
  pk.will_topic = B("will");
  pk.will_payload = B("gone");
  pk.has_username = 1;
  pk.username = B("u");
  pk.has_password = 1;
  pk.password = B("p");
  send_c2s(&p, &pk);
  CHECK_EQ(mqttconn_conn_version(p.server.conn), version);

  pk = packet_of(MQTTCONN_PACKET_CONNACK);
  send_s2c(&p, &pk);
  check_states(&p, MQTTCONN_STATE_CONNECTED, MQTTCONN_STATE_CONNECTED);

  /* QoS 2 client -> server */
  pk = packet_of(MQTTCONN_PACKET_PUBLISH);
  pk.qos = 2;
  pk.dup = 1;
  pk.topic = B("a/b");
  pk.packet_id = 10;
  pk.payload = BN(binary_payload, sizeof binary_payload);
  send_c2s(&p, &pk);
  pk = packet_of(MQTTCONN_PACKET_PUBREC);
  pk.packet_id = 10;
  send_s2c(&p, &pk);
  pk = packet_of(MQTTCONN_PACKET_PUBREL);
  pk.packet_id = 10;
  pk.dup = v31; /* 3.1 lets a resent PUBREL carry DUP */
  send_c2s(&p, &pk);
  pk = packet_of(MQTTCONN_PACKET_PUBCOMP);
  pk.packet_id = 10;
  send_s2c(&p, &pk);

  /* QoS 1 server -> client, retained */
  pk = packet_of(MQTTCONN_PACKET_PUBLISH);
  pk.qos = 1;
  pk.retain = 1;
  pk.topic = B("c/d");
  pk.packet_id = 11;
  pk.payload = B("retained");
  send_s2c(&p, &pk);
  pk = packet_of(MQTTCONN_PACKET_PUBACK);
  pk.packet_id = 11;
  send_c2s(&p, &pk);

  /* QoS 0 */
  pk = packet_of(MQTTCONN_PACKET_PUBLISH);
  pk.topic = B("e");
  pk.payload = B("x");
  send_c2s(&p, &pk);

  memset(subs, 0, sizeof subs);
  subs[0].topic_filter = B("t/1");
  subs[1].topic_filter = B("t/+");
  subs[1].qos = 1;
  subs[2].topic_filter = B("t/#");
  subs[2].qos = 2;
  pk = packet_of(MQTTCONN_PACKET_SUBSCRIBE);
  pk.packet_id = 12;
  pk.dup = v31;
  pk.subscriptions = subs;
  pk.subscription_count = 3;
  send_c2s(&p, &pk);
  pk = packet_of(MQTTCONN_PACKET_SUBACK);
  pk.packet_id = 12;
  pk.reason_codes = BN(suback_codes, v31 ? 2 : 3); /* 3.1 has no failure code */
  send_s2c(&p, &pk);

  filters[0] = B("t/1");
  filters[1] = B("t/#");
  pk = packet_of(MQTTCONN_PACKET_UNSUBSCRIBE);
  pk.packet_id = 13;
  pk.dup = v31;
  pk.topic_filters = filters;
  pk.topic_filter_count = 2;
  send_c2s(&p, &pk);
  pk = packet_of(MQTTCONN_PACKET_UNSUBACK);
  pk.packet_id = 13;
  send_s2c(&p, &pk);

  pk = packet_of(MQTTCONN_PACKET_PINGREQ);
  send_c2s(&p, &pk);
  pk = packet_of(MQTTCONN_PACKET_PINGRESP);
  send_s2c(&p, &pk);

  /* 3.x has no server DISCONNECT and no AUTH */
  pk = packet_of(MQTTCONN_PACKET_DISCONNECT);
  CHECK_RC(mqttconn_conn_disconnect(p.server.conn, &pk), MQTTCONN_ERR_WRONG_STATE);
  pk = packet_of(MQTTCONN_PACKET_AUTH);
  pk.reason_code = 0x18;
  CHECK_RC(mqttconn_conn_auth(p.client.conn, &pk), MQTTCONN_ERR_WRONG_STATE);

  pk = packet_of(MQTTCONN_PACKET_DISCONNECT);
  send_c2s(&p, &pk);
  check_states(&p, MQTTCONN_STATE_CLOSED, MQTTCONN_STATE_CLOSED);

  close_pair(&p);
  CHECK_EQ(a.live_bytes, 0);
  CHECK_EQ(a.live_blocks, 0);
  CHECK_EQ(a.bad_free, 0);
}

int main(void) {
  static const size_t chunks[] = {(size_t)-1, 1, 5};
  size_t i;
  int configured;
  char ctx[64];
  for (i = 0; i < COUNT(chunks); ++i) {
    for (configured = 0; configured < 2; ++configured) {
      snprintf(ctx, sizeof ctx, "v311 chunk %d config %d", (int)chunks[i], configured);
      t_context = ctx;
      conversation_v3(MQTTCONN_V311, chunks[i], configured);
      snprintf(ctx, sizeof ctx, "v31 chunk %d config %d", (int)chunks[i], configured);
      t_context = ctx;
      conversation_v3(MQTTCONN_V31, chunks[i], configured);
    }
  }
  return t_report("capi conversation v3");
}
