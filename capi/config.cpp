// mqttconn_config: options as setters, so that adding one never moves a field.
#include "config.hpp"
#include "guard.hpp"

using namespace mqttconn;
using namespace mqttconn::capi;

namespace {

// Runs a setter: NULL config is ARGUMENT; nothing here allocates or throws.
template <class F>
int set(mqttconn_config* cfg, F&& f) noexcept {
  if (cfg == nullptr) return MQTTCONN_ERR_ARGUMENT;
  return guarded(f);
}

}  // namespace

extern "C" {

MQTTCONN_API int mqttconn_config_new(mqttconn_config** out, const mqttconn_allocator* alloc) {
  if (out == nullptr) return MQTTCONN_ERR_ARGUMENT;
  *out = nullptr;
  if (!detail::valid_allocator(alloc)) return MQTTCONN_ERR_ARGUMENT;
  return guarded([&]() -> int {
    *out = detail::new_handle<mqttconn_config>(alloc);
    return MQTTCONN_OK;
  });
}

MQTTCONN_API void mqttconn_config_free(mqttconn_config* cfg) { detail::delete_handle(cfg); }

MQTTCONN_API int mqttconn_config_set_role(mqttconn_config* cfg, int role) {
  return set(cfg, [&]() -> int {
    if (role != MQTTCONN_ROLE_CLIENT && role != MQTTCONN_ROLE_SERVER) return MQTTCONN_ERR_ARGUMENT;
    cfg->opts.role = role == MQTTCONN_ROLE_CLIENT ? mqttconn::role::client : mqttconn::role::server;
    return MQTTCONN_OK;
  });
}

MQTTCONN_API int mqttconn_config_set_max_packet_size(mqttconn_config* cfg, uint32_t bytes) {
  return set(cfg, [&]() -> int {
    // 0 admits nothing (and is a protocol error as a Maximum Packet Size); above the
    // protocol's own limit means the protocol's limit.
    if (bytes == 0) return MQTTCONN_ERR_ARGUMENT;
    cfg->opts.max_packet_size = bytes < protocol_max_packet_size ? bytes : protocol_max_packet_size;
    return MQTTCONN_OK;
  });
}

MQTTCONN_API int mqttconn_config_set_reject_disallowed_code_points(mqttconn_config* cfg, int on) {
  return set(cfg, [&]() -> int {
    cfg->opts.reject_disallowed_code_points = on != 0;
    return MQTTCONN_OK;
  });
}

MQTTCONN_API int mqttconn_config_set_check_payload_format(mqttconn_config* cfg, int on) {
  return set(cfg, [&]() -> int {
    cfg->opts.check_payload_format = on != 0;
    return MQTTCONN_OK;
  });
}

MQTTCONN_API int mqttconn_config_set_max_output(mqttconn_config* cfg, size_t bytes) {
  return set(cfg, [&]() -> int {
    cfg->opts.max_output = bytes;
    return MQTTCONN_OK;
  });
}

MQTTCONN_API int mqttconn_config_set_borrow_payloads_from(mqttconn_config* cfg, size_t bytes) {
  return set(cfg, [&]() -> int {
    cfg->opts.borrow_payloads_from = bytes;
    return MQTTCONN_OK;
  });
}

}  // extern "C"
