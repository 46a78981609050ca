// C++ packet -> mqttconn_packet, for events (connection) and mqttconn_decode().
//
// Only the fields the packet's type lists in mqttconn.h are written, plus type, props and
// will_props; the others are left as they were. Views point into the packet's bytes and into
// the storage. Throws std::bad_alloc only (a list array that must grow). PUBLISH, the packet of
// the hot path, is converted inline; the other kinds in events.cpp.
#pragma once

#include "convert.hpp"

namespace mqttconn::capi {
namespace events {

inline void clear(mqttconn_properties& out) noexcept {
  out.present = 0;
  out.user_property_count = 0;
  out.subscription_identifier_count = 0;
}

inline void put_props(const properties& p, event_storage& s, mqttconn_packet& out) {
  props_to_c(p, s.props, s.ups, s.sub_ids);
  out.props = &s.props;
}

// A PUBLISH's fields but its property block, from anything with publish's members (the C++
// packet, or publish_to_c.hpp's destination); the blocks are the storage's.
template <class Pub>
void put_publish(const Pub& p, event_storage& s, mqttconn_packet& out) noexcept {
  out.type = MQTTCONN_PACKET_PUBLISH;
  out.dup = p.dup;
  out.qos = static_cast<std::uint8_t>(p.qos);
  out.retain = p.retain;
  out.topic = bytes_of(p.topic);
  out.packet_id = p.packet_id;
  out.payload = bytes_of(p.payload);
  out.props = &s.props;
  out.will_props = &s.will_props;
}

}  // namespace events

// Every kind but PUBLISH (events.cpp).
void to_c_other(const packet& p, event_storage& s, mqttconn_packet& out);

// Fills `out` from `p` (see the top of this file).
inline void to_c(const packet& p, event_storage& s, mqttconn_packet& out) {
  if (const auto* x = std::get_if<publish>(&p)) {
    events::put_props(x->props, s, out);
    events::put_publish(*x, s, out);
    return;
  }
  to_c_other(p, s, out);
}

}  // namespace mqttconn::capi
