// The C config handle: connection options, and the allocator that made it.
#pragma once

#include "../lib/support/allocator.hpp"
#include "mqttconn.h"
#include "mqttconn/connection.hpp"

struct mqttconn_config {
  explicit mqttconn_config(const mqttconn_allocator* hooks) noexcept : mr(hooks) {}
  mqttconn::detail::allocator_resource& resource() noexcept { return mr; }

  mqttconn::detail::allocator_resource mr;
  mqttconn::connection_options opts;
};

namespace mqttconn::capi {

// The options of `cfg`, or the defaults for NULL.
inline const connection_options& options_of(const mqttconn_config* cfg) noexcept {
  static const connection_options defaults{};
  return cfg != nullptr ? cfg->opts : defaults;
}

inline decode_options decode_options_of(const connection_options& o) noexcept {
  decode_options d;
  d.max_packet_size = o.max_packet_size;
  d.reject_disallowed_code_points = o.reject_disallowed_code_points;
  d.check_payload_format = o.check_payload_format;
  return d;
}

}  // namespace mqttconn::capi
