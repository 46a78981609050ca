// The codec without a connection: mqttconn_decoder / mqttconn_decode and mqttconn_encode.
//
// Neither builds a C++ packet for a PUBLISH, the hot case. mqttconn_decode() reads it straight
// into the caller's struct and the decoder's property block and arrays (publish_to_c.hpp);
// other kinds are decoded into the handle's C++ packet and converted (events.hpp).
// mqttconn_encode() has no handle. It encodes a PUBLISH from the caller's struct through a
// view (c_publish_view, sends.hpp) that the codec's PUBLISH encoder takes as its source. Other
// kinds are converted: the lists are built on the stack, and only a list of more than 8
// entries goes to the heap (malloc, as the default allocator).
//
// Both take the codec's own steps on their hot path (lib/codec/frame.hpp: fixed header, then
// frame or the PUBLISH body; lib/codec/encode_steps.hpp: validate-and-measure, then write),
// which is all that decode() and encode() do besides wrapping the outcome in a result.
// Anything but success (a fault, an incomplete packet, a buffer too small) is handed to
// decode() or encode() themselves, so every error, and every byte written, is the codec's.
// The PUBLISH view has no C++ packet to hand over; its refusals come from the same
// body_size() that encode() runs.
#include "../lib/codec/encode.hpp"
#include "../lib/codec/encode_steps.hpp"
#include "../lib/codec/frame.hpp"
#include "config.hpp"
#include "events.hpp"
#include "publish_to_c.hpp"
#include "sends.hpp"
#include "guard.hpp"
#include "mqttconn/codec.hpp"

using namespace mqttconn;
using namespace mqttconn::capi;

// encode.hpp is here for the PUBLISH view; the packets' own encoders stay in their files.
MQTTCONN_EXTERN_ENCODER(connect)
MQTTCONN_EXTERN_ENCODER(connack)
MQTTCONN_EXTERN_ENCODER(publish)
MQTTCONN_EXTERN_ENCODER(puback)
MQTTCONN_EXTERN_ENCODER(pubrec)
MQTTCONN_EXTERN_ENCODER(pubrel)
MQTTCONN_EXTERN_ENCODER(pubcomp)
MQTTCONN_EXTERN_ENCODER(subscribe)
MQTTCONN_EXTERN_ENCODER(suback)
MQTTCONN_EXTERN_ENCODER(unsubscribe)
MQTTCONN_EXTERN_ENCODER(unsuback)
MQTTCONN_EXTERN_ENCODER(pingreq)
MQTTCONN_EXTERN_ENCODER(pingresp)
MQTTCONN_EXTERN_ENCODER(disconnect)
MQTTCONN_EXTERN_ENCODER(auth)

struct mqttconn_decoder {
  mqttconn_decoder(const mqttconn_allocator* hooks, const decode_options& o) : mr(hooks), opts(o), events(&mr) {}
  detail::allocator_resource& resource() noexcept { return mr; }

  detail::allocator_resource mr;
  decode_options opts;
  packet pkt;
  event_storage events;
  status st;
  error scratch;  // the hot path's error slot: on any failure decode() is asked instead
};

namespace {

// The argument checks of mqttconn_decode(), in order, for a call that failed one of them.
[[gnu::cold, gnu::noinline]] int decode_mistake(mqttconn_decoder& dec, const uint8_t* in, size_t len, int version,
                                                size_t* consumed, const mqttconn_packet* out) noexcept {
  if (consumed == nullptr) return dec.st.failed(MQTTCONN_ERR_ARGUMENT, "consumed", "is NULL");
  *consumed = 0;
  if (in == nullptr && len != 0) return dec.st.failed(MQTTCONN_ERR_ARGUMENT, "in", "is NULL with a nonzero length");
  mistake m;
  if (check_struct(out, "out", m) != MQTTCONN_OK) return dec.st.failed(m);
  protocol_version v;
  if (!version_from_c(version, v)) return dec.st.failed(MQTTCONN_ERR_ARGUMENT, "version", "is not 3, 4 or 5");
  return dec.st.die(MQTTCONN_ERR_INTERNAL);  // unreachable: the caller found a mistake
}

// decode() for a packet its steps did not take: the error it gives is recorded in dec.st.
[[gnu::cold, gnu::noinline]] std::size_t decode_failed(mqttconn_decoder& dec, const uint8_t* in, size_t len,
                                                      protocol_version v) noexcept {
  const result<std::size_t> r = decode(bytes(in, len), v, dec.pkt, dec.opts);
  if (r) return *r;  // not reached: decode() fails where its steps did
  dec.st.failed(r.error());
  return 0;
}

// Decodes the packet at `in` into `out`: a PUBLISH straight from the wire (publish_to_c.hpp),
// other kinds into dec.pkt and then converted. The size of the packet, or 0 with the error
// recorded in dec.st and `out` untouched. Throws std::bad_alloc only.
inline std::size_t decode_into(mqttconn_decoder& dec, const uint8_t* in, size_t len, protocol_version v,
                               mqttconn_packet& out) {
  detail::fixed_header h;
  if (detail::parse_fixed_header(in, len, v, dec.opts, h, dec.scratch) == detail::header_status::ok &&
      len >= h.total()) [[likely]] {
    if (static_cast<packet_type>(h.first >> 4) == packet_type::publish) [[likely]] {
      if (publish_to_c(in, h, v, dec.opts, dec.events, dec.scratch, out)) [[likely]] return h.total();
    } else if (detail::decode_frame(in, h, v, dec.opts, dec.pkt, dec.scratch)) {
      to_c(dec.pkt, dec.events, out);
      return h.total();
    }
  }
  return decode_failed(dec, in, len, v);
}

template <class P>
int encode_as(const mqttconn_packet& c, protocol_version v, std::uint8_t* out, std::size_t cap, std::size_t& written) {
  send_storage s(nullptr);  // malloc, for lists of more than 8 entries only
  mistake m;
  P p;  // zeroed per call: see the memset strategy in capi/meson.build
  if (const int rc = from_c(c, s, p, m); rc != MQTTCONN_OK) [[unlikely]] return rc;
  std::size_t body;
  error e;
  if (detail::body_size(p, v, body, e)) [[likely]] {
    const std::size_t total = detail::packet_size(body);
    if (total <= cap) [[likely]] {
      detail::write_packet(out, p, v, body);
      written = total;
      return MQTTCONN_OK;
    }
  }
  const result<std::size_t> r = encode(p, v, std::span<std::uint8_t>(out, cap));
  if (r) {  // not reached: encode() fails where its steps did
    written = *r;
    return MQTTCONN_OK;
  }
  if (r.error().code == errc::buffer_too_small) {
    const result<std::size_t> need = encoded_size(p, v);
    if (need) written = *need;
  }
  return code_of(r.error().code);
}

// A PUBLISH, the hot case, is encoded straight from the caller's struct: the codec's PUBLISH
// encoder is a template over its source (lib/codec/publish_rules.hpp), so the view runs the
// same checks and writes the same bytes as encode() of the converted packet, with no C++
// packet built.
int encode_publish(const mqttconn_packet& c, protocol_version v, std::uint8_t* out, std::size_t cap,
                   std::size_t& written) noexcept {
  mistake m;
  c_publish_view p;
  if (const int rc = view_from_c(c, p, m); rc != MQTTCONN_OK) [[unlikely]] return rc;
  std::size_t body;
  error e;
  if (!detail::body_size(p, v, body, e)) [[unlikely]] return code_of(e.code);
  const std::size_t total = detail::packet_size(body);
  if (total > cap) [[unlikely]] {
    written = total;  // as encode() refuses it: buffer_too_small, and the size it needs
    return code_of(errc::buffer_too_small);
  }
  detail::write_packet(out, p, v, body);
  written = total;
  return MQTTCONN_OK;
}

// mqttconn_encode() of every kind but PUBLISH. Throws std::bad_alloc only.
[[gnu::noinline]] int encode_other(const mqttconn_packet& c, protocol_version v, std::uint8_t* out, std::size_t cap,
                                   std::size_t& written) {
  switch (c.type) {
    case MQTTCONN_PACKET_CONNECT: return encode_as<connect>(c, v, out, cap, written);
    case MQTTCONN_PACKET_CONNACK: return encode_as<connack>(c, v, out, cap, written);
    case MQTTCONN_PACKET_PUBACK: return encode_as<puback>(c, v, out, cap, written);
    case MQTTCONN_PACKET_PUBREC: return encode_as<pubrec>(c, v, out, cap, written);
    case MQTTCONN_PACKET_PUBREL: return encode_as<pubrel>(c, v, out, cap, written);
    case MQTTCONN_PACKET_PUBCOMP: return encode_as<pubcomp>(c, v, out, cap, written);
    case MQTTCONN_PACKET_SUBSCRIBE: return encode_as<subscribe>(c, v, out, cap, written);
    case MQTTCONN_PACKET_SUBACK: return encode_as<suback>(c, v, out, cap, written);
    case MQTTCONN_PACKET_UNSUBSCRIBE: return encode_as<unsubscribe>(c, v, out, cap, written);
    case MQTTCONN_PACKET_UNSUBACK: return encode_as<unsuback>(c, v, out, cap, written);
    case MQTTCONN_PACKET_PINGREQ: return encode_as<pingreq>(c, v, out, cap, written);
    case MQTTCONN_PACKET_PINGRESP: return encode_as<pingresp>(c, v, out, cap, written);
    case MQTTCONN_PACKET_DISCONNECT: return encode_as<disconnect>(c, v, out, cap, written);
    case MQTTCONN_PACKET_AUTH: return encode_as<auth>(c, v, out, cap, written);
    default: return MQTTCONN_ERR_ARGUMENT;
  }
}

}  // namespace

extern "C" {

MQTTCONN_API int mqttconn_decoder_new(mqttconn_decoder** out, const mqttconn_config* cfg,
                                      const mqttconn_allocator* alloc) {
  if (out == nullptr) return MQTTCONN_ERR_ARGUMENT;
  *out = nullptr;
  if (!detail::valid_allocator(alloc)) return MQTTCONN_ERR_ARGUMENT;
  return guarded([&]() -> int {
    *out = detail::new_handle<mqttconn_decoder>(alloc, decode_options_of(options_of(cfg)));
    return MQTTCONN_OK;
  });
}

MQTTCONN_API void mqttconn_decoder_free(mqttconn_decoder* dec) { detail::delete_handle(dec); }

MQTTCONN_API int mqttconn_decode(mqttconn_decoder* dec, const uint8_t* in, size_t len, int version,
                                 size_t* consumed, mqttconn_packet* out) {
  if (dec == nullptr) return MQTTCONN_ERR_ARGUMENT;
  return guarded(dec->st, [&]() -> int {
    protocol_version v;
    if (consumed == nullptr || (in == nullptr && len != 0) || out == nullptr ||
        out->struct_size < first_release_size<mqttconn_packet> || !version_from_c(version, v)) [[unlikely]] {
      return decode_mistake(*dec, in, len, version, consumed, out);
    }
    *consumed = 0;
    const std::size_t n = decode_into(*dec, in, len, v, *out);
    if (n == 0) [[unlikely]] return dec->st.last_code;
    *consumed = n;
    return MQTTCONN_OK;
  });
}

MQTTCONN_API int mqttconn_decoder_error(const mqttconn_decoder* dec, mqttconn_error* err) {
  if (dec == nullptr) return MQTTCONN_ERR_ARGUMENT;
  if (dec->st.fatal != 0) {
    (void)fill_error(err, dec->st.fatal, dec->st.last);
    return dec->st.fatal;
  }
  mistake m;
  if (check_struct(err, "err", m) != MQTTCONN_OK) return m.code;
  if (dec->st.last_code == 0) return MQTTCONN_DONE;
  return fill_error(err, dec->st.last_code, dec->st.last);
}

MQTTCONN_API int mqttconn_encode(const mqttconn_packet* p, int version, uint8_t* out, size_t cap, size_t* written) {
  return guarded([&]() -> int {
    if (p == nullptr || written == nullptr || (out == nullptr && cap != 0)) return MQTTCONN_ERR_ARGUMENT;
    *written = 0;
    mistake m;
    if (check_struct(p, "packet", m) != MQTTCONN_OK) return m.code;
    protocol_version v;
    if (!version_from_c(version, v)) return MQTTCONN_ERR_ARGUMENT;
    // A PUBLISH is the hot case: the other kinds' conversions stay out of its way.
    if (p->type == MQTTCONN_PACKET_PUBLISH) [[likely]] return encode_publish(*p, v, out, cap, *written);
    return encode_other(*p, v, out, cap, *written);
  });
}

}  // extern "C"
