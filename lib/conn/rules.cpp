// The connection-level rules: who may send which packet, when, at which level.
//
// States (connection_state): idle -> connecting -> connected -> closed. A client leaves idle
// by sending CONNECT and reaches connected on CONNACK 0x00; a server leaves idle by receiving
// CONNECT and reaches connected by sending CONNACK 0x00. A refusing CONNACK, a DISCONNECT
// either way, or a violation closes the connection. Between CONNECT and CONNACK a client may
// already send other packets [V5-U28] unless its CONNECT named an Authentication Method
// [MQTT-3.1.2-30]; the server receives them and the caller decides after its CONNACK.
//
// Sending something the rules forbid is the caller's mistake: errc::wrong_state (or
// invalid_packet for a packet the peer's limits exclude), nothing queued. Receiving it is the
// peer's violation: the reason code of the checklist, then the CONNACK or DISCONNECT that
// connection.cpp queues. What needs a session (packet ids in flight, quotas, keep-alive) is
// not here.
#include <algorithm>

#include "enqueue.hpp"
#include "mqttconn/connection.hpp"

namespace mqttconn {
namespace {

using pt = packet_type;

// Table 2-1: the packets each role may send. DISCONNECT goes both ways only from 5.0 on.
bool client_sends(pt t) noexcept {
  switch (t) {
    case pt::connack: case pt::suback: case pt::unsuback: case pt::pingresp: return false;
    default: return true;
  }
}
bool server_sends(pt t, protocol_version v) noexcept {
  switch (t) {
    case pt::connect: case pt::subscribe: case pt::unsubscribe: case pt::pingreq: return false;
    case pt::disconnect: return v == protocol_version::v5;
    default: return true;
  }
}

// Table 2-6: DISCONNECT codes only the server sends, and the one only the client sends. The
// table gives 0x9B to the server alone, but [V5-U22] has a client disconnect with it when a
// server publishes above the QoS it can handle, so a client may send it too.
bool server_only_disconnect(std::uint8_t rc) noexcept {
  switch (rc) {
    case 0x87: case 0x89: case 0x8B: case 0x8C: case 0x8D: case 0x8E: case 0x8F: case 0x9A:
    case 0x9C: case 0x9D: case 0x9E: case 0x9F: case 0xA0: case 0xA1: case 0xA2:
      return true;
    default:
      return false;
  }
}

// CONNACK accepts with 0x00 at every level.
bool success(std::uint8_t rc) noexcept { return rc == 0; }

error refusal(pt t, const char* field, const char* what) noexcept {
  return {errc::wrong_state, 0, static_cast<std::uint8_t>(t), 0, field, what};
}

bool has_wildcard(std::string_view f) noexcept { return f.find_first_of("+#") != std::string_view::npos; }

}  // namespace

// --- Sending -----------------------------------------------------------------------------

result<void> connection::may_send(packet_type t, const properties* props) const {
  if (state_ == connection_state::closed) {
    return error{errc::closed, 0, static_cast<std::uint8_t>(t), 0, "connection", "is closed [MQTT-3.14.4-1]"};
  }
  const bool client = opts_.role == mqttconn::role::client;
  if (client ? !client_sends(t) : !server_sends(t, version_)) {
    return refusal(t, "packet", "is not sent by this role at this level [V5-U05] [V311-U05]");
  }
  if (t == pt::auth && state_ != connection_state::idle && version_ != protocol_version::v5) {
    return refusal(t, "AUTH", "exists only in MQTT 5.0");
  }
  if (client) {
    if (t == pt::connect && state_ != connection_state::idle) {
      return refusal(t, "CONNECT", "was already sent [MQTT-3.1.0-2]");
    }
    if (state_ == connection_state::idle && t != pt::connect) {
      return refusal(t, "packet", "comes before CONNECT [MQTT-3.1.0-1]");
    }
    if (state_ == connection_state::connecting && s_.auth_method && t != pt::auth && t != pt::disconnect) {
      return refusal(t, "packet", "is not AUTH or DISCONNECT while authenticating [MQTT-3.1.2-30]");
    }
    return {};
  }
  if (state_ == connection_state::idle) return refusal(t, "packet", "comes before a CONNECT was received");
  if (state_ == connection_state::connecting && t != pt::connack && t != pt::auth) {
    return refusal(t, "packet", "comes before CONNACK [MQTT-3.2.0-1] [MQTT-3.14.0-1]");
  }
  if (t == pt::connack && s_.connack_done) return refusal(t, "CONNACK", "was already sent [MQTT-3.2.0-2]");
  // A client that asked for no problem information gets Reason Strings and User Properties
  // only on PUBLISH, CONNACK and DISCONNECT [MQTT-3.1.2-29].
  if (!s_.request_problem_info && props != nullptr && t != pt::publish && t != pt::connack &&
      t != pt::disconnect &&
      (props->has(property_id::reason_string) || props->has(property_id::user_property))) {
    return refusal(t, "properties", "carry problem information the client declined [MQTT-3.1.2-29]");
  }
  return {};
}

result<void> connection::check_send(const mqttconn::connect& p) const { return may_send(pt::connect, &p.props); }

result<void> connection::check_send(const mqttconn::connack& p) const {
  if (result<void> ok = may_send(pt::connack, &p.props); !ok) return ok;
  if (!success(p.reason_code)) return {};
  if (p.session_present && s_.clean_start) {
    return refusal(pt::connack, "session present", "is set for a Clean Start connection [MQTT-3.2.2-2] [MQTT-3.2.2-1 v3.1.1]");
  }
  if (version_ != protocol_version::v5) return {};
  const properties& pr = p.props;
  if (s_.empty_client_id && !pr.has(property_id::assigned_client_identifier)) {
    return refusal(pt::connack, "Assigned Client Identifier", "is missing for an empty Client ID [MQTT-3.1.3-7] [MQTT-3.2.2-16]");
  }
  if (s_.auth_method ? !same_method(pr) : pr.has(property_id::authentication_method)) {
    return refusal(pt::connack, "Authentication Method", "differs from the CONNECT's [MQTT-4.12.0-5] [MQTT-4.12.0-6]");
  }
  if (!s_.request_response_info && pr.has(property_id::response_information)) {
    return refusal(pt::connack, "Response Information", "was not requested [MQTT-3.1.2-28]");
  }
  return {};
}

result<void> connection::check_send(const mqttconn::publish& p) const {
  if (result<void> ok = may_send(pt::publish, &p.props); !ok) return ok;
  const bool client = opts_.role == mqttconn::role::client;
  if (client && p.props.has(property_id::subscription_identifier)) {
    return refusal(pt::publish, "Subscription Identifier", "is sent only by the server [MQTT-3.3.4-6]");
  }
  if (const auto alias = p.props.topic_alias(); alias && *alias > s_.peer_topic_alias_max) {
    return error{errc::invalid_packet, 0x94, static_cast<std::uint8_t>(pt::publish), 0, "Topic Alias",
                 "exceeds the peer's Topic Alias Maximum [MQTT-3.2.2-17] [MQTT-3.1.2-26]"};
  }
  if (client && state_ == connection_state::connected) {
    if (static_cast<std::uint8_t>(p.qos) > s_.max_qos) {
      return refusal(pt::publish, "QoS", "exceeds the server's Maximum QoS [MQTT-3.2.2-11]");
    }
    if (p.retain && !s_.retain_available) {
      return refusal(pt::publish, "RETAIN", "is set although the server has no retained messages [MQTT-3.2.2-14]");
    }
  }
  return {};
}

// Defined here, next to its rules, so that they inline into it: PUBLISH is the hot path of
// every connection. A sent PUBLISH settles nothing, so enqueue()'s result is returned as is.
result<void> connection::publish(const mqttconn::publish& p) {
  if (result<void> ok = check_send(p); !ok) [[unlikely]] return ok;
  return enqueue(p);
}

result<void> connection::check_send(const mqttconn::puback& p) const { return may_send(pt::puback, &p.props); }
result<void> connection::check_send(const mqttconn::pubrec& p) const { return may_send(pt::pubrec, &p.props); }
result<void> connection::check_send(const mqttconn::pubrel& p) const { return may_send(pt::pubrel, &p.props); }
result<void> connection::check_send(const mqttconn::pubcomp& p) const { return may_send(pt::pubcomp, &p.props); }
result<void> connection::check_send(const mqttconn::subscribe& p) const { return may_send(pt::subscribe, &p.props); }
result<void> connection::check_send(const mqttconn::suback& p) const { return may_send(pt::suback, &p.props); }
result<void> connection::check_send(const mqttconn::unsubscribe& p) const { return may_send(pt::unsubscribe, &p.props); }
result<void> connection::check_send(const mqttconn::unsuback& p) const { return may_send(pt::unsuback, &p.props); }
result<void> connection::check_send(const mqttconn::pingreq&) const { return may_send(pt::pingreq, nullptr); }
result<void> connection::check_send(const mqttconn::pingresp&) const { return may_send(pt::pingresp, nullptr); }

result<void> connection::check_send(const mqttconn::disconnect& p) const {
  if (result<void> ok = may_send(pt::disconnect, &p.props); !ok) return ok;
  if (version_ != protocol_version::v5) return {};
  if (opts_.role == mqttconn::role::client) {
    if (server_only_disconnect(p.reason_code)) return refusal(pt::disconnect, "reason code", "is sent only by the server");
    if (s_.session_expiry_zero && p.props.session_expiry_interval().value_or(0) != 0) {
      return refusal(pt::disconnect, "Session Expiry Interval", "cannot be raised from 0 [V5-U26]");
    }
  } else {
    if (p.reason_code == 0x04) return refusal(pt::disconnect, "reason code", "0x04 is sent only by the client");
    if (p.props.has(property_id::session_expiry_interval)) {
      return refusal(pt::disconnect, "Session Expiry Interval", "is never sent by the server [MQTT-3.14.2-2]");
    }
  }
  return {};
}

result<void> connection::check_send(const mqttconn::auth& p) const {
  if (result<void> ok = may_send(pt::auth, &p.props); !ok) return ok;
  const bool client = opts_.role == mqttconn::role::client;
  if (!s_.auth_method) {
    return refusal(pt::auth, "AUTH", "needs an Authentication Method in CONNECT [MQTT-4.12.0-6] [MQTT-4.12.0-7]");
  }
  if (!same_method(p.props)) {
    return refusal(pt::auth, "Authentication Method", "differs from the CONNECT's [MQTT-4.12.0-5]");
  }
  const bool connected = state_ == connection_state::connected;
  // Before CONNACK both sides continue with 0x18 [MQTT-4.12.0-2] [MQTT-4.12.0-3]; afterwards
  // the client starts re-authentication with 0x19 [MQTT-4.12.1-1] and the server ends it
  // with 0x00.
  const bool ok = p.reason_code == 0x18 ||
                  (connected && (client ? p.reason_code == 0x19 : p.reason_code == 0x00));
  if (!ok) return refusal(pt::auth, "reason code", "does not fit this step of the authentication");
  return {};
}

// What a CONNECT settles, whichever side sent it.
void connection::settle_connect(const mqttconn::connect& c) {
  method_ = c.props.authentication_method().value_or(std::string_view());
  s_.auth_method = c.props.has(property_id::authentication_method);
  version_ = c.version;
  bridge_ = c.bridge;
  decoder_.set_version(version_);
  s_.empty_client_id = c.client_id.empty();
  s_.clean_start = c.clean_start;
  s_.session_expiry_zero = c.props.session_expiry_interval().value_or(0) == 0;
  s_.request_problem_info = c.props.request_problem_information().value_or(true);
  s_.request_response_info = c.props.request_response_information().value_or(false);
  state_ = connection_state::connecting;
}

bool connection::same_method(const properties& p) const {
  return p.authentication_method() == std::optional<std::string_view>(method_);
}

void connection::after_send(const mqttconn::connect& p) {
  settle_connect(p);
  s_.own_topic_alias_max = p.props.topic_alias_maximum().value_or(0);
}

void connection::after_send(const mqttconn::connack& p) noexcept {
  s_.connack_done = true;
  if (!success(p.reason_code)) {
    state_ = connection_state::closed;  // [MQTT-3.2.2-7] [MQTT-3.2.2-5 v3.1.1]
    return;
  }
  // What this server allowed, to hold the client to it.
  const properties& pr = p.props;
  s_.max_qos = pr.maximum_qos().value_or(2);
  s_.retain_available = pr.retain_available().value_or(true);
  s_.wildcard_available = pr.wildcard_subscription_available().value_or(true);
  s_.sub_id_available = pr.subscription_identifier_available().value_or(true);
  s_.shared_available = pr.shared_subscription_available().value_or(true);
  s_.own_topic_alias_max = pr.topic_alias_maximum().value_or(0);
  state_ = connection_state::connected;
}

void connection::after_send(const mqttconn::disconnect&) noexcept {
  state_ = connection_state::closed;  // [MQTT-3.14.4-1] [MQTT-3.14.4-2]
}

// --- Receiving ---------------------------------------------------------------------------

bool connection::on_received(const packet& p, error& e) {
  const pt t = type_of(p);
  const bool server = opts_.role == mqttconn::role::server;
  auto violation = [&](std::uint8_t rc, const char* field, const char* what) {
    e = {rc == 0x94 ? errc::topic_alias_invalid : errc::protocol_error, rc, static_cast<std::uint8_t>(t),
         packet_start_, field, what};
    return false;
  };
  if (server ? !client_sends(t) : !server_sends(t, version_)) {
    return violation(0x82, "packet", "travels in the wrong direction [V5-U05] [V311-U05]");
  }
  const bool connected = state_ == connection_state::connected;

  if (server) {
    if (state_ == connection_state::idle) {
      if (t != pt::connect) return violation(0x82, "packet", "comes before CONNECT [MQTT-3.1.0-1]");
      const mqttconn::connect& c = std::get<mqttconn::connect>(p);
      settle_connect(c);
      s_.peer_max_packet = c.props.maximum_packet_size().value_or(protocol_max_packet_size);
      s_.peer_topic_alias_max = c.props.topic_alias_maximum().value_or(0);
      // Client identifiers a 3.x server must refuse with CONNACK 0x02 (reason 0x85).
      if (version_ == protocol_version::v3_1_1 && c.client_id.empty() && !c.clean_start) {
        return violation(0x85, "client identifier", "is empty without Clean Session [MQTT-3.1.3-8 v3.1.1]");
      }
      if (version_ == protocol_version::v3_1 && (c.client_id.empty() || c.client_id.size() > 23)) {
        return violation(0x85, "client identifier", "is not 1 to 23 characters [V31-D02]");
      }
      return true;
    }
    if (t == pt::connect) return violation(0x82, "CONNECT", "is a second CONNECT [MQTT-3.1.0-2]");
    if (!connected && s_.auth_method && t != pt::auth && t != pt::disconnect) {
      return violation(0x82, "packet", "is not AUTH or DISCONNECT while authenticating [MQTT-3.1.2-30]");
    }
    switch (t) {
      case pt::auth: {
        const mqttconn::auth& a = std::get<mqttconn::auth>(p);
        if (!s_.auth_method) return violation(0x82, "AUTH", "comes without an Authentication Method in CONNECT [V5-U27] [MQTT-4.12.0-7]");
        if (!same_method(a.props)) {
          return violation(0x82, "Authentication Method", "differs from the CONNECT's [MQTT-4.12.0-5] [V5-U27]");
        }
        if (!(a.reason_code == 0x18 || (connected && a.reason_code == 0x19))) {
          return violation(0x82, "reason code", "does not fit this step of the authentication [MQTT-4.12.0-3] [MQTT-4.12.1-1]");
        }
        return true;
      }
      case pt::publish: {
        const mqttconn::publish& pub = std::get<mqttconn::publish>(p);
        if (pub.props.has(property_id::subscription_identifier)) {
          return violation(0x82, "Subscription Identifier", "is sent only by the server [MQTT-3.3.4-6]");
        }
        // Before CONNACK no Topic Alias Maximum was given, so none is allowed yet.
        if (pub.props.topic_alias().value_or(0) > s_.own_topic_alias_max) {
          return violation(0x94, "Topic Alias", "exceeds the Topic Alias Maximum in CONNACK [MQTT-3.2.2-17] [MQTT-3.2.2-18]");
        }
        if (!connected) return true;
        if (static_cast<std::uint8_t>(pub.qos) > s_.max_qos) return violation(0x9B, "QoS", "exceeds the Maximum QoS in CONNACK [MQTT-3.2.2-11]");
        if (pub.retain && !s_.retain_available) return violation(0x9A, "RETAIN", "is set although CONNACK said Retain Available 0 [MQTT-3.2.2-14]");
        return true;
      }
      case pt::subscribe: {
        if (!connected) return true;
        const mqttconn::subscribe& sub = std::get<mqttconn::subscribe>(p);
        if (!s_.sub_id_available && sub.props.has(property_id::subscription_identifier)) {
          return violation(0xA1, "Subscription Identifier", "was declared unavailable in CONNACK [V5-U24]");
        }
        for (const subscription& f : sub.subscriptions) {
          const bool shared = version_ == protocol_version::v5 && f.topic_filter.substr(0, 7) == "$share/";
          if (!s_.shared_available && shared) return violation(0x9E, "topic filter", "is shared although CONNACK said unavailable [V5-U25]");
          if (!s_.wildcard_available && has_wildcard(f.topic_filter)) {
            return violation(0xA2, "topic filter", "has a wildcard although CONNACK said unavailable [V5-U23]");
          }
        }
        return true;
      }
      case pt::disconnect: {
        const mqttconn::disconnect& d = std::get<mqttconn::disconnect>(p);
        if (s_.session_expiry_zero && d.props.session_expiry_interval().value_or(0) != 0) {
          return violation(0x82, "Session Expiry Interval", "is raised from 0 [V5-U26]");
        }
        state_ = connection_state::closed;
        return true;
      }
      default:
        return true;
    }
  }

  // Client.
  if (state_ == connection_state::idle) return violation(0x82, "packet", "arrives before CONNECT was sent");
  // A client that declined problem information accepts Reason Strings and User Properties
  // only on PUBLISH, CONNACK and DISCONNECT [MQTT-3.1.2-29].
  if (!s_.request_problem_info && t != pt::publish && t != pt::connack && t != pt::disconnect) {
    const properties* pr = std::visit(
        [](const auto& x) -> const properties* {
          if constexpr (requires { x.props; }) return &x.props;
          return nullptr;
        },
        p);
    if (pr && (pr->has(property_id::reason_string) || pr->has(property_id::user_property))) {
      return violation(0x82, "properties", "carry problem information the client declined [MQTT-3.1.2-29]");
    }
  }
  if (!connected) {
    if (t == pt::connack) {
      const mqttconn::connack& a = std::get<mqttconn::connack>(p);
      if (success(a.reason_code)) {
        const properties& pr = a.props;
        if (a.session_present && s_.clean_start) {
          return violation(0x82, "session present", "is set for a Clean Start connection [MQTT-3.2.2-2] [MQTT-3.2.2-1 v3.1.1]");
        }
        if (version_ == protocol_version::v5) {
          if (s_.empty_client_id && !pr.has(property_id::assigned_client_identifier)) {
            return violation(0x82, "Assigned Client Identifier", "is missing for an empty Client ID [MQTT-3.2.2-16]");
          }
          if (s_.auth_method ? !same_method(pr) : pr.has(property_id::authentication_method)) {
            return violation(0x82, "Authentication Method", "differs from the CONNECT's [MQTT-4.12.0-5] [MQTT-4.12.0-6]");
          }
        }
        s_.max_qos = pr.maximum_qos().value_or(2);
        s_.retain_available = pr.retain_available().value_or(true);
        s_.peer_max_packet = pr.maximum_packet_size().value_or(protocol_max_packet_size);
        s_.peer_topic_alias_max = pr.topic_alias_maximum().value_or(0);
        state_ = connection_state::connected;
      } else {
        state_ = connection_state::closed;  // the server closes after a refusal [MQTT-3.2.2-7]
      }
      s_.connack_done = true;
      return true;
    }
    if (t == pt::auth) {
      const mqttconn::auth& a = std::get<mqttconn::auth>(p);
      if (!s_.auth_method) return violation(0x82, "AUTH", "comes without an Authentication Method in CONNECT [MQTT-4.12.0-6]");
      if (!same_method(a.props)) {
        return violation(0x82, "Authentication Method", "differs from the CONNECT's [MQTT-4.12.0-5]");
      }
      if (a.reason_code != 0x18) return violation(0x82, "reason code", "is not 0x18 before CONNACK [MQTT-4.12.0-2]");
      return true;
    }
    return violation(0x82, "packet", "comes before CONNACK [MQTT-3.2.0-1] [MQTT-3.14.0-1]");
  }
  switch (t) {
    case pt::connack: return violation(0x82, "CONNACK", "is a second CONNACK [MQTT-3.2.0-2]");
    case pt::publish:
      if (std::get<mqttconn::publish>(p).props.topic_alias().value_or(0) > s_.own_topic_alias_max) {
        return violation(0x94, "Topic Alias", "exceeds the Topic Alias Maximum in CONNECT [MQTT-3.1.2-26] [MQTT-3.1.2-27]");
      }
      return true;
    case pt::auth: {
      const mqttconn::auth& a = std::get<mqttconn::auth>(p);
      if (!s_.auth_method) return violation(0x82, "AUTH", "comes without an Authentication Method in CONNECT [MQTT-4.12.0-6]");
      if (!same_method(a.props)) {
        return violation(0x82, "Authentication Method", "differs from the CONNECT's [MQTT-4.12.0-5]");
      }
      if (a.reason_code == 0x19) return violation(0x82, "reason code", "0x19 is sent only by the client");
      return true;
    }
    case pt::disconnect: {
      const mqttconn::disconnect& d = std::get<mqttconn::disconnect>(p);
      if (d.props.has(property_id::session_expiry_interval)) {
        return violation(0x82, "Session Expiry Interval", "is never sent by the server [MQTT-3.14.2-2]");
      }
      state_ = connection_state::closed;
      return true;
    }
    default:
      return true;
  }
}

}  // namespace mqttconn
