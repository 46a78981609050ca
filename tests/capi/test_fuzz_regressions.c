/* Regressions found by fuzz/fuzz_capi.cpp. Each case is named after what went wrong and its
 * input, kept in fuzz/corpus/fuzz_capi/ under its sha256 (the first 6 hex digits here). */
#include <string.h>

#include "capi_test.h"

/* regression: output_iov() with no room and NULL runs is DONE (fuzz_capi 0ee06e).
 * mqttconn.h allows segs == NULL when max is 0; the shim began an array of spans at segs
 * before looking at max, a constructor call on a null pointer (UBSan in the fuzz build). */
static void iov_without_room(void) {
  mqttconn_conn *c = NULL;
  mqttconn_packet pk = packet_of(MQTTCONN_PACKET_CONNECT);
  mqttconn_bytes segs[2];
  size_t count = 99, before;
  t_context = "regression: output_iov with no room and NULL runs (fuzz_capi 0ee06e)";

  if (!CHECK_RC(mqttconn_conn_new(&c, NULL, NULL), MQTTCONN_OK)) return; /* a client */
  pk.protocol_version = MQTTCONN_V5;
  pk.clean_start = 1;
  pk.client_id = B("c");
  CHECK_RC(mqttconn_conn_connect(c, &pk), MQTTCONN_OK);
  before = mqttconn_conn_output_size(c);
  CHECK(before > 0);

  CHECK_RC(mqttconn_conn_output_iov(c, NULL, 0, &count), MQTTCONN_DONE);
  CHECK_EQ(count, 0);
  CHECK_EQ(mqttconn_conn_output_size(c), before);
  /* the same with an array and no room */
  count = 99;
  CHECK_RC(mqttconn_conn_output_iov(c, segs, 0, &count), MQTTCONN_DONE);
  CHECK_EQ(count, 0);
  /* and nothing was lost: the queued CONNECT is all there */
  CHECK_RC(mqttconn_conn_output_iov(c, segs, 2, &count), MQTTCONN_OK);
  CHECK(count >= 1);
  CHECK_EQ(segs[0].len + (count > 1 ? segs[1].len : 0), before);
  mqttconn_conn_free(c);
}

int main(void) {
  iov_without_room();
  return t_report("capi fuzz regressions");
}
