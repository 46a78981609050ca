#include "frame.hpp"
#include "packets.hpp"

namespace mqttconn {
namespace detail {
namespace {

template <class P>
void decode_as(reader& r, std::uint8_t flags, protocol_version v, packet& out) noexcept {
  decode_body(r, flags, v, out.emplace<P>());
}

// A PUBLISH into a packet that holds one already (a decoder's steady state): the body's
// decoder writes every field but the packet identifier (QoS 0) and the property block (3.x),
// so only those are reset, and the block only if it holds something.
template <>
void decode_as<publish>(reader& r, std::uint8_t flags, protocol_version v, packet& out) noexcept {
  publish* p = std::get_if<publish>(&out);
  if (p == nullptr) {
    p = &out.emplace<publish>();
  } else {
    p->packet_id = 0;
    if (!p->props.empty()) p->props = properties{};
  }
  decode_body(r, flags, v, *p);
}

}  // namespace

const char* first_byte_fault(std::uint8_t first, protocol_version v) noexcept {
  const std::uint8_t type = first >> 4, flags = first & 0x0F;
  switch (type) {
    case 0: return "is packet type 0, which is reserved [V5-U04]";
    case 3: return (flags & 6) == 6 ? "has QoS 3 [MQTT-3.3.1-4]" : "has DUP set on QoS 0 [MQTT-3.3.1-2]";
    case 6: case 8: case 10: return "has flags other than 0010 [MQTT-3.6.1-1] [MQTT-3.8.1-1] [MQTT-3.10.1-1]";
    case 15:
      if (v != protocol_version::v5) return "is packet type 15, reserved before MQTT 5.0 [V311-U04]";
      return "has flags other than 0000 [MQTT-3.15.1-1]";
    default: return "has flags other than 0000 [MQTT-2.1.3-1]";
  }
}

header_status header_failure(std::uint8_t first, std::uint64_t at, errc code, const char* field,
                             const char* what, error& e) noexcept {
  const std::uint8_t rc = code == errc::packet_too_large ? 0x95 : 0x81;
  e = {code, rc, static_cast<std::uint8_t>(first >> 4), at, field, what};
  return header_status::failed;
}

bool decode_frame(const std::uint8_t* frame, const fixed_header& h, protocol_version v,
                  const decode_options& o, packet& out, error& e) noexcept {
  reader r(frame + h.size, frame + h.total(), frame, o, &e);
  const std::uint8_t flags = h.first & 0x0F;
  switch (static_cast<packet_type>(h.first >> 4)) {
    case packet_type::connect: decode_as<connect>(r, flags, v, out); break;
    case packet_type::connack: decode_as<connack>(r, flags, v, out); break;
    case packet_type::publish: decode_as<publish>(r, flags, v, out); break;
    case packet_type::puback: decode_as<puback>(r, flags, v, out); break;
    case packet_type::pubrec: decode_as<pubrec>(r, flags, v, out); break;
    case packet_type::pubrel: decode_as<pubrel>(r, flags, v, out); break;
    case packet_type::pubcomp: decode_as<pubcomp>(r, flags, v, out); break;
    case packet_type::subscribe: decode_as<subscribe>(r, flags, v, out); break;
    case packet_type::suback: decode_as<suback>(r, flags, v, out); break;
    case packet_type::unsubscribe: decode_as<unsubscribe>(r, flags, v, out); break;
    case packet_type::unsuback: decode_as<unsuback>(r, flags, v, out); break;
    case packet_type::pingreq: decode_as<pingreq>(r, flags, v, out); break;
    case packet_type::pingresp: decode_as<pingresp>(r, flags, v, out); break;
    case packet_type::disconnect: decode_as<disconnect>(r, flags, v, out); break;
    case packet_type::auth: decode_as<auth>(r, flags, v, out); break;
  }
  if (!r.failed()) return true;
  e.packet = static_cast<std::uint8_t>(h.first >> 4);
  return false;
}

}  // namespace detail

result<std::size_t> decode(bytes in, protocol_version v, packet& out, const decode_options& o) noexcept {
  detail::fixed_header h;
  error e;
  switch (detail::parse_fixed_header(in.data(), in.size(), v, o, h, e)) {
    case detail::header_status::ok: break;
    case detail::header_status::need_more:
      return error{errc::need_more, 0, 0, 0, "fixed header", "is incomplete"};
    case detail::header_status::failed: return e;
  }
  if (in.size() < h.total()) {
    return error{errc::need_more, 0, static_cast<std::uint8_t>(h.first >> 4), 0, "packet", "is incomplete"};
  }
  if (!detail::decode_frame(in.data(), h, v, o, out, e)) return e;
  return h.total();
}

}  // namespace mqttconn
