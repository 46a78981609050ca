// fuzz_roundtrip: whatever decodes re-encodes, to an equal packet, canonically.
//
// Input: codec_header, then the rest, read one of two ways (bit 7 of the first byte):
//   bytes mode       - the rest is a stream; every packet decode() accepts must encode (a
//                      refusal is a bug: the codec disagrees with itself), decode again to an
//                      == packet, and re-encode to the same bytes.
//   structured mode  - the rest drives packet_builder: a packet kind, its fields, and so on.
//                      Each built packet that the encoder accepts must decode back to == itself
//                      and re-encode to the same bytes; a refusal must be a clean
//                      errc::invalid_packet that writes nothing. The accepted packets are then
//                      joined, mutated a little (the last bytes say where and how) and run
//                      through the bytes mode, which puts near-valid MQTT 5.0 packets with
//                      many properties in front of the decoder.
// Both modes also check encoded_size(), the span encoder (exact and one byte short) and, for
// PUBLISH, encode_publish_header() + payload against encode().
#include <vector>

#include "fuzz_support.hpp"
#include "packet_builder.hpp"

using namespace mqttconn;
using namespace mqttconn::fuzz;

namespace {

// Re-decoding uses the caller's options, but any size: a canonical encoding may be longer.
decode_options any_size(decode_options o) {
  o.max_packet_size = protocol_max_packet_size;
  return o;
}

// Encodes an accepted packet every way there is and checks the ways agree. Returns the bytes.
std::vector<std::uint8_t> encode_all_ways(const packet& p, protocol_version v, const char* origin) {
  std::vector<std::uint8_t> a;
  const result<std::size_t> n = encode(p, v, a);
  FUZZ_CHECK(n, "%s: the encoder refuses a %s: %s", origin, to_string(type_of(p)), describe(n.error()).c_str());
  FUZZ_CHECK(*n == a.size() && *n >= 2, "encode() returned %zu but appended %zu bytes", *n, a.size());
  const result<std::size_t> size = encoded_size(p, v);
  FUZZ_CHECK(size && *size == *n, "encoded_size() disagrees with encode() (%zu bytes) for a %s", *n,
             to_string(type_of(p)));

  std::vector<std::uint8_t> span_out(*n + 3, 0xEE);
  const result<std::size_t> m = encode(p, v, std::span<std::uint8_t>(span_out));
  FUZZ_CHECK(m && *m == *n, "the span encoder disagrees on the size of a %s", to_string(type_of(p)));
  FUZZ_CHECK(std::equal(a.begin(), a.end(), span_out.begin()) && span_out[*n] == 0xEE,
             "the span encoder wrote other bytes than the vector encoder for a %s", to_string(type_of(p)));
  const result<std::size_t> short_by_one = encode(p, v, std::span<std::uint8_t>(span_out.data(), *n - 1));
  FUZZ_CHECK(!short_by_one && short_by_one.error().code == errc::buffer_too_small,
             "a %zu-byte span for a %zu-byte %s did not give buffer_too_small", *n - 1, *n, to_string(type_of(p)));

  if (const auto* pub = std::get_if<publish>(&p)) {
    const result<std::size_t> cap = publish_header_size(*pub, v);
    FUZZ_CHECK(cap, "publish_header_size() refuses a PUBLISH encode() accepts: %s", describe(cap.error()).c_str());
    std::vector<std::uint8_t> head(*cap);
    const result<std::size_t> hn = encode_publish_header(*pub, v, std::span<std::uint8_t>(head));
    FUZZ_CHECK(hn, "encode_publish_header() refuses a PUBLISH encode() accepts: %s", describe(hn.error()).c_str());
    FUZZ_CHECK(*hn + pub->payload.size() == a.size() && std::equal(head.begin(), head.begin() + *hn, a.begin()) &&
                   std::equal(pub->payload.begin(), pub->payload.end(), a.begin() + *hn),
               "encode_publish_header() + payload differs from encode() for a PUBLISH");
  }
  return a;
}

// The one packet a decoder must accept and an encoder must refuse: a 3.x CONNECT with an empty
// client identifier and Clean Session 0. The sender may not send it [MQTT-3.1.3-7 v3.1.1], the
// receiver answers it with CONNACK 0x02 [MQTT-3.1.3-8 v3.1.1], so it must decode.
bool sender_may_not_send(const packet& p) {
  const auto* c = std::get_if<connect>(&p);
  return c != nullptr && c->version != protocol_version::v5 && c->client_id.empty() && !c->clean_start;
}

// The round trip of one packet at level v (a CONNECT's own level for a CONNECT).
void round_trip(const packet& p, protocol_version v, const decode_options& o, const char* origin) {
  if (sender_may_not_send(p)) {
    std::vector<std::uint8_t> out;
    const result<std::size_t> n = encode(p, v, out);
    FUZZ_CHECK(!n && n.error().code == errc::invalid_packet && out.empty(),
               "%s: a 3.x CONNECT with an empty client id and no Clean Session was not refused", origin);
    return;
  }
  const std::vector<std::uint8_t> a = encode_all_ways(p, v, origin);
  packet q;
  const result<std::size_t> r = decode(a, v, q, any_size(o));
  FUZZ_CHECK(r, "%s: a %s does not decode after encoding: %s; bytes %s", origin, to_string(type_of(p)),
             describe(r.error()).c_str(), hex(a).c_str());
  FUZZ_CHECK(*r == a.size(), "%s: decoding the %zu-byte encoding of a %s used %zu bytes", origin, a.size(),
             to_string(type_of(p)), *r);
  FUZZ_CHECK(q == p, "%s: decode(encode(p)) != p for a %s; bytes %s", origin, to_string(type_of(p)),
             hex(a).c_str());
  std::vector<std::uint8_t> b;
  const result<std::size_t> n = encode(q, v, b);
  FUZZ_CHECK(n && b == a, "%s: re-encoding a %s is not canonical: %s then %s", origin, to_string(type_of(p)),
             hex(a).c_str(), n ? hex(b).c_str() : describe(n.error()).c_str());
}

// Bytes mode: every packet the decoder accepts from the front of `stream`.
void round_trip_stream(bytes stream, const codec_header& h) {
  protocol_version v = h.level;
  std::size_t pos = 0;
  while (pos < stream.size()) {
    packet p;
    const result<std::size_t> r = decode(stream.subspan(pos), v, p, h.opts);
    if (!r) return;
    if (h.follow_connect) {
      if (const auto* c = std::get_if<connect>(&p)) v = c->version;
    }
    round_trip(p, level_for(p, v), h.opts, "decoded packet");
    pos += *r;
  }
}

// Structured mode: build, encode, round-trip; then mutate the joined bytes and decode them.
void structured(byte_source& s, const codec_header& h) {
  packet_builder b;
  std::vector<std::uint8_t> joined;
  for (int count = 0; count < 16 && s.left() > 4; ++count) {
    const auto t = static_cast<packet_type>(1 + s.u8() % 15);
    const packet p = b.make(t, h.level, s);
    const protocol_version v = level_for(p, h.level);
    std::vector<std::uint8_t> out;
    const result<std::size_t> n = encode(p, v, out);
    if (!n) {
      check_error_shape(n.error());
      FUZZ_CHECK(n.error().code == errc::invalid_packet, "encoding a built %s failed with %s", to_string(t),
                 describe(n.error()).c_str());
      FUZZ_CHECK(out.empty(), "a refused %s left %zu bytes in the output", to_string(t), out.size());
      const result<std::size_t> size = encoded_size(p, v);
      FUZZ_CHECK(!size && size.error() == n.error(), "encoded_size() accepts the %s encode() refuses",
                 to_string(t));
      continue;
    }
    round_trip(p, v, decode_options{}, "built packet");
    joined.insert(joined.end(), out.begin(), out.end());
  }
  // A few small mutations: flip, set, insert or delete a byte at a chosen place.
  for (int m = s.u8() & 3; m > 0 && !joined.empty(); --m) {
    const std::size_t at = s.u16() % joined.size();
    const std::uint8_t how = s.u8(), value = s.u8();
    switch (how & 3) {
      case 0: joined[at] ^= value; break;
      case 1: joined[at] = value; break;
      case 2: joined.insert(joined.begin() + static_cast<std::ptrdiff_t>(at), value); break;
      default: joined.erase(joined.begin() + static_cast<std::ptrdiff_t>(at)); break;
    }
  }
  round_trip_stream(joined, h);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < codec_header::size) return 0;
  const codec_header h(data);
  byte_source rest(data + codec_header::size, size - codec_header::size);
  if (h.mode) {
    structured(rest, h);
  } else {
    round_trip_stream(rest.rest(), h);
  }
  return 0;
}
