// Topic Name and Topic Filter syntax (5.0 §4.7, §4.8.2; 3.1.1 §4.7).
#pragma once

#include <cstdint>
#include <string_view>

#include "mqttconn/result.hpp"

namespace mqttconn::detail {

// Why a Topic Filter is invalid, or nullptr if it is valid. The filter is already known to be
// well-formed UTF-8. With `v5`, "$share/..." must also be a well-formed shared subscription.
const char* topic_filter_fault(std::string_view f, bool v5) noexcept;

// True for a 5.0 shared-subscription filter ("$share/name/filter").
inline bool is_shared(std::string_view f) noexcept {
  return f.size() >= 7 && f[0] == '$' && f.substr(1, 6) == "share/";
}

// A filter known to be ASCII without wildcards is valid unless empty or (5.0) shared, which
// needs the full check; this is the common case and costs nothing more.
inline bool plain_filter(std::string_view f, bool v5) noexcept {
  return !f.empty() && !(v5 && is_shared(f));
}

// Fails `r` at `at` if the filter is invalid. An empty filter is 0x8F in 5.0 but, having no
// such code, a protocol violation (0x82) in 3.x [MQTT-4.7.3-1 v3.1.1].
template <class Reader>
bool check_filter(Reader& r, const std::uint8_t* at, std::string_view f, bool v5) noexcept {
  const char* fault = topic_filter_fault(f, v5);
  if (fault == nullptr) return true;
  if (f.empty() && !v5) {
    r.protocol(at, "topic filter", fault);
  } else {
    r.fail_at(at, errc::topic_filter_invalid, 0x8F, "topic filter", fault);
  }
  return false;
}

// Reads one Topic Filter of a SUBSCRIBE or UNSUBSCRIBE payload into `f`, checking its UTF-8
// and its syntax in one pass for the common case; false once `r` has failed.
template <class Reader>
bool read_filter(Reader& r, bool v5, std::string_view& f) noexcept {
  const std::uint8_t* at = r.pos();
  bool wildcard;
  f = r.topic("topic filter", wildcard);
  if (r.failed()) return false;
  return (!wildcard && plain_filter(f, v5)) || check_filter(r, at, f, v5);
}

}  // namespace mqttconn::detail
