#include "frame.hpp"
#include "packets.hpp"

namespace mqttconn {
namespace detail {
namespace {

error header_fault(std::uint8_t first, std::uint64_t at, errc code, std::uint8_t rc,
                   const char* field, const char* what) noexcept {
  return {code, rc, static_cast<std::uint8_t>(first >> 4), at, field, what};
}

// The flags nibble of Table 2-2 [MQTT-2.1.3-1] [MQTT-2.2.2-1 v3.1.1]: null if fine.
const char* first_byte_fault(std::uint8_t first, protocol_version v) noexcept {
  const std::uint8_t type = first >> 4, flags = first & 0x0F;
  switch (static_cast<packet_type>(type)) {
    case packet_type::publish:
      if ((flags & 6) == 6) return "has QoS 3 [MQTT-3.3.1-4]";
      if ((flags & 6) == 0 && (flags & 8) != 0) return "has DUP set on QoS 0 [MQTT-3.3.1-2]";
      return nullptr;
    case packet_type::pubrel:
    case packet_type::subscribe:
    case packet_type::unsubscribe:
      // 3.1 allowed DUP on resent PUBREL, SUBSCRIBE and UNSUBSCRIBE [V31-D06].
      if (flags == 2 || (flags == 0xA && v == protocol_version::v3_1)) return nullptr;
      return "has flags other than 0010 [MQTT-3.6.1-1] [MQTT-3.8.1-1] [MQTT-3.10.1-1]";
    case packet_type::auth:
      if (v != protocol_version::v5) return "is packet type 15, reserved before MQTT 5.0 [V311-U04]";
      return flags == 0 ? nullptr : "has flags other than 0000 [MQTT-3.15.1-1]";
    default:
      if (type == 0) return "is packet type 0, which is reserved [V5-U04]";
      return flags == 0 ? nullptr : "has flags other than 0000 [MQTT-2.1.3-1]";
  }
}

template <class P>
void decode_as(reader& r, std::uint8_t flags, protocol_version v, packet& out) noexcept {
  decode_body(r, flags, v, out.emplace<P>());
}

}  // namespace

result<fixed_header> parse_fixed_header(const std::uint8_t* p, std::size_t avail,
                                        protocol_version v, const decode_options& o) noexcept {
  if (avail == 0) return error{errc::need_more, 0, 0, 0, "fixed header", "is incomplete"};
  const std::uint8_t first = p[0];
  if (const char* what = first_byte_fault(first, v)) {
    return header_fault(first, 0, errc::malformed_packet, 0x81, "fixed header", what);
  }
  const vbi_parse len = vbi_read(p + 1, avail - 1);
  switch (len.status) {
    case vbi_status::ok: break;
    case vbi_status::need_more:
      return header_fault(first, 0, errc::need_more, 0, "Remaining Length", "is incomplete");
    case vbi_status::too_long:
      return header_fault(first, 1 + len.len, errc::malformed_packet, 0x81, "Remaining Length",
                          "is longer than 4 bytes [V5-U03]");
    case vbi_status::not_minimal:
      return header_fault(first, 1 + len.len, errc::malformed_packet, 0x81, "Remaining Length",
                          "is not in its shortest form [MQTT-1.5.5-1]");
  }
  fixed_header h{first, static_cast<std::uint8_t>(1 + len.len), len.value};
  if (h.total() > o.max_packet_size) {
    return header_fault(first, 0, errc::packet_too_large, 0x95, "packet",
                        "is larger than the maximum packet size");
  }
  return h;
}

result<void> decode_frame(const std::uint8_t* frame, const fixed_header& h, protocol_version v,
                          const decode_options& o, packet& out) noexcept {
  reader r(frame + h.size, frame + h.total(), frame, o);
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
  if (!r.failed()) return {};
  error e = r.err();
  e.packet = static_cast<std::uint8_t>(h.first >> 4);
  return e;
}

}  // namespace detail

result<std::size_t> decode(bytes in, protocol_version v, packet& out,
                           const decode_options& o) noexcept {
  const result<detail::fixed_header> h = detail::parse_fixed_header(in.data(), in.size(), v, o);
  if (!h) return h.error();
  if (in.size() < h->total()) {
    return error{errc::need_more, 0, static_cast<std::uint8_t>(h->first >> 4), 0, "packet", "is incomplete"};
  }
  const result<void> r = detail::decode_frame(in.data(), *h, v, o, out);
  if (!r) return r.error();
  return h->total();
}

}  // namespace mqttconn
