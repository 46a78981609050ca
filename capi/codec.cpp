// The codec without a connection: mqttconn_decoder / mqttconn_decode and mqttconn_encode.
//
// mqttconn_decode() is decode() plus the event conversion; the decoder handle only keeps the
// arrays that conversion fills (and the C++ packet it decodes into, so nothing is built per
// call). mqttconn_encode() has no handle: the lists it must convert are built on the stack,
// and only a list of more than 8 entries goes to the heap (malloc, as the default allocator).
#include "config.hpp"
#include "events.hpp"
#include "sends.hpp"
#include "guard.hpp"
#include "mqttconn/codec.hpp"

using namespace mqttconn;
using namespace mqttconn::capi;

struct mqttconn_decoder {
  mqttconn_decoder(const mqttconn_allocator* hooks, const decode_options& o) : mr(hooks), opts(o), events(&mr) {}
  detail::allocator_resource& resource() noexcept { return mr; }

  detail::allocator_resource mr;
  decode_options opts;
  packet pkt;
  event_storage events;
  status st;
};

namespace {

template <class P>
int encode_as(const mqttconn_packet& c, protocol_version v, std::uint8_t* out, std::size_t cap, std::size_t& written) {
  send_storage s(nullptr);  // malloc, for lists of more than 8 entries only
  mistake m;
  P p;  // zeroed per call: see the memset strategy in capi/meson.build
  if (const int rc = from_c(c, s, p, m); rc != MQTTCONN_OK) return rc;
  const result<std::size_t> r = encode(p, v, std::span<std::uint8_t>(out, cap));
  if (r) {
    written = *r;
    return MQTTCONN_OK;
  }
  if (r.error().code == errc::buffer_too_small) {
    const result<std::size_t> need = encoded_size(p, v);
    if (need) written = *need;
  }
  return code_of(r.error().code);
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
    if (consumed == nullptr) return dec->st.failed(MQTTCONN_ERR_ARGUMENT, "consumed", "is NULL");
    *consumed = 0;
    if (in == nullptr && len != 0) return dec->st.failed(MQTTCONN_ERR_ARGUMENT, "in", "is NULL with a nonzero length");
    mistake m;
    if (check_struct(out, "out", m) != MQTTCONN_OK) return dec->st.failed(m);
    protocol_version v;
    if (!version_from_c(version, v)) return dec->st.failed(MQTTCONN_ERR_ARGUMENT, "version", "is not 3, 4 or 5");
    const result<std::size_t> r = decode(bytes(in, len), v, dec->pkt, dec->opts);
    if (!r) return dec->st.failed(r.error());
    to_c(dec->pkt, dec->events, *out);
    *consumed = *r;
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
    switch (p->type) {
      case MQTTCONN_PACKET_CONNECT: return encode_as<connect>(*p, v, out, cap, *written);
      case MQTTCONN_PACKET_CONNACK: return encode_as<connack>(*p, v, out, cap, *written);
      case MQTTCONN_PACKET_PUBLISH: return encode_as<publish>(*p, v, out, cap, *written);
      case MQTTCONN_PACKET_PUBACK: return encode_as<puback>(*p, v, out, cap, *written);
      case MQTTCONN_PACKET_PUBREC: return encode_as<pubrec>(*p, v, out, cap, *written);
      case MQTTCONN_PACKET_PUBREL: return encode_as<pubrel>(*p, v, out, cap, *written);
      case MQTTCONN_PACKET_PUBCOMP: return encode_as<pubcomp>(*p, v, out, cap, *written);
      case MQTTCONN_PACKET_SUBSCRIBE: return encode_as<subscribe>(*p, v, out, cap, *written);
      case MQTTCONN_PACKET_SUBACK: return encode_as<suback>(*p, v, out, cap, *written);
      case MQTTCONN_PACKET_UNSUBSCRIBE: return encode_as<unsubscribe>(*p, v, out, cap, *written);
      case MQTTCONN_PACKET_UNSUBACK: return encode_as<unsuback>(*p, v, out, cap, *written);
      case MQTTCONN_PACKET_PINGREQ: return encode_as<pingreq>(*p, v, out, cap, *written);
      case MQTTCONN_PACKET_PINGRESP: return encode_as<pingresp>(*p, v, out, cap, *written);
      case MQTTCONN_PACKET_DISCONNECT: return encode_as<disconnect>(*p, v, out, cap, *written);
      case MQTTCONN_PACKET_AUTH: return encode_as<auth>(*p, v, out, cap, *written);
      default: return MQTTCONN_ERR_ARGUMENT;
    }
  });
}

}  // extern "C"
