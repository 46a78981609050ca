// capi_codec_check: fuzz_capi's CODEC operation, mqttconn_encode() and mqttconn_decode() of the
// C API without a connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "capi_event_check.hpp"
#include "capi_packet_builder.hpp"
#include "fuzz_support.hpp"
#include "mqttconn.h"

namespace mqttconn::fuzz {

// CODEC t: a packet built from script bytes (kind (t & 15) % 15 + 1) mqttconn_encode()d at level
// (t >> 4 & 7) % 3 + 3 into 0..8 bytes, then (on BUFFER_TOO_SMALL) into the size it asks for,
// and mqttconn_decode()d back with `dec` to the same fields; or (t bit 7) a length byte and that
// many raw script bytes decoded, with only documented codes and a consistent decoder error.
inline void codec_roundtrip(std::uint8_t t, byte_source& script, c_packet_builder& builder,
                            mqttconn_decoder* dec) {
  const int v = (t >> 4 & 7) % 3 + 3;
  mqttconn_packet out;
  std::memset(&out, 0xA5, sizeof out);
  out.struct_size = sizeof out;
  std::size_t used = 0;
  if (t & 0x80) {  // raw bytes
    const mqttconn::bytes in = script.take(script.u8());
    const int rc = mqttconn_decode(dec, in.data(), in.size(), v, &used, &out);
    FUZZ_CHECK(rc == MQTTCONN_OK || rc == MQTTCONN_ERR_NEED_MORE || documented_violation(rc),
               "mqttconn_decode() returned %d", rc);
    if (rc == MQTTCONN_OK) {
      FUZZ_CHECK(used >= 2 && used <= in.size(), "mqttconn_decode() took %zu of %zu bytes", used, in.size());
      (void)digest(out.type == MQTTCONN_PACKET_CONNECT ? out.protocol_version : v, true).of(out);
    } else {
      FUZZ_CHECK(used == 0, "a failed mqttconn_decode() says it took %zu bytes", used);
      mqttconn_error e;
      std::memset(&e, 0, sizeof e);
      e.struct_size = sizeof e;
      FUZZ_CHECK(mqttconn_decoder_error(dec, &e) == MQTTCONN_OK && e.code == rc,
                 "decoder_error() is not the code decode() returned");
      if (rc != MQTTCONN_ERR_NEED_MORE) {
        FUZZ_CHECK(reason_matches(rc, e.reason_code), "decode: %d with reason 0x%02x", rc, e.reason_code);
      }
    }
    return;
  }
  const int type = (t & 15) % 15 + 1;
  const mqttconn_packet p = builder.make(type, v, script);
  const int pv = type == MQTTCONN_PACKET_CONNECT ? p.protocol_version : v;
  std::uint8_t small[8];
  const std::size_t cap = script.u8() % 9;
  std::size_t written = 0;
  int rc = mqttconn_encode(&p, pv, cap ? small : nullptr, cap, &written);
  FUZZ_CHECK(rc == MQTTCONN_OK || rc == MQTTCONN_ERR_BUFFER_TOO_SMALL || rc == MQTTCONN_ERR_INVALID_PACKET ||
                 rc == MQTTCONN_ERR_ARGUMENT || rc == MQTTCONN_ERR_STRUCT_SIZE,
             "mqttconn_encode() returned %d", rc);
  std::vector<std::uint8_t> buf(small, small + (rc == MQTTCONN_OK ? written : 0));
  if (rc == MQTTCONN_ERR_BUFFER_TOO_SMALL) {
    FUZZ_CHECK(written > cap, "BUFFER_TOO_SMALL for %zu bytes with room for %zu", written, cap);
    buf.resize(written);
    rc = mqttconn_encode(&p, pv, buf.data(), buf.size(), &written);
    FUZZ_CHECK(rc == MQTTCONN_OK && written == buf.size(), "encoding into the size it asked for: %d", rc);
  } else if (rc != MQTTCONN_OK) {
    return;
  }
  rc = mqttconn_decode(dec, buf.data(), buf.size(), v, &used, &out);
  FUZZ_CHECK(rc == MQTTCONN_OK && used == buf.size(), "an encoded %s does not decode: %d (%zu of %zu bytes)",
             digest(pv, false).of(p).c_str(), rc, used, buf.size());
  const std::string want = digest(pv, false).of(p);
  const std::string got = digest(pv, true).of(out);
  FUZZ_CHECK(got == want, "encoded and decoded at level %d,\n     %s\n     came back as\n     %s", pv, want.c_str(),
             got.c_str());
}

}  // namespace mqttconn::fuzz
