// Codes, their names, the version, and mqttconn_error.
#include <algorithm>
#include <cstring>

#include "guard.hpp"

namespace mqttconn::capi {

int code_of(errc e) noexcept {
  switch (e) {
    case errc::need_more: return MQTTCONN_ERR_NEED_MORE;
    case errc::malformed_packet: return MQTTCONN_ERR_MALFORMED;
    case errc::protocol_error: return MQTTCONN_ERR_PROTOCOL;
    case errc::unsupported_protocol_version: return MQTTCONN_ERR_UNSUPPORTED_VERSION;
    case errc::packet_too_large: return MQTTCONN_ERR_PACKET_TOO_LARGE;
    case errc::topic_name_invalid: return MQTTCONN_ERR_TOPIC_NAME;
    case errc::topic_filter_invalid: return MQTTCONN_ERR_TOPIC_FILTER;
    case errc::topic_alias_invalid: return MQTTCONN_ERR_TOPIC_ALIAS;
    case errc::payload_format_invalid: return MQTTCONN_ERR_PAYLOAD_FORMAT;
    case errc::invalid_packet: return MQTTCONN_ERR_INVALID_PACKET;
    case errc::buffer_too_small: return MQTTCONN_ERR_BUFFER_TOO_SMALL;
    case errc::wrong_state: return MQTTCONN_ERR_WRONG_STATE;
    case errc::event_pending: return MQTTCONN_ERR_EVENT_PENDING;
    case errc::output_full: return MQTTCONN_ERR_OUTPUT_FULL;
    case errc::closed: return MQTTCONN_ERR_CLOSED;
    // A failed stream decoder is only ever reached through a connection, which answers with
    // its first error instead; should one leak through, the stream is over all the same.
    case errc::decoder_failed: return MQTTCONN_ERR_CLOSED;
  }
  return MQTTCONN_ERR_INTERNAL;
}

int fill_error(mqttconn_error* err, int code, const error& e) noexcept {
  mistake m;
  if (check_struct(err, "error", m) != MQTTCONN_OK) return m.code;
  mqttconn_error out{};
  out.struct_size = err->struct_size;
  out.code = code;
  out.reason_code = e.reason_code;
  out.packet_type = e.packet;
  out.offset = e.offset;
  out.field = e.field;
  out.what = e.what;
  std::memcpy(err, &out, std::min(err->struct_size, sizeof out));
  return MQTTCONN_OK;
}

}  // namespace mqttconn::capi

using namespace mqttconn::capi;

extern "C" {

MQTTCONN_API const mqttconn_version_info* mqttconn_version(void) {
  static const mqttconn_version_info info = {sizeof(mqttconn_version_info), MQTTCONN_VERSION_MAJOR,
                                             MQTTCONN_VERSION_MINOR,        MQTTCONN_VERSION_PATCH,
                                             MQTTCONN_VERSION_NUM,          MQTTCONN_VERSION_STRING};
  return &info;
}

MQTTCONN_API const char* mqttconn_strerror(int rc) {
  switch (rc) {
    case MQTTCONN_OK: return "success";
    case MQTTCONN_DONE: return "nothing more";
    case MQTTCONN_ERR_ARGUMENT: return "invalid argument";
    case MQTTCONN_ERR_STRUCT_SIZE: return "struct_size too small";
    case MQTTCONN_ERR_WRONG_STATE: return "not allowed now";
    case MQTTCONN_ERR_INVALID_PACKET: return "packet cannot be encoded";
    case MQTTCONN_ERR_BUFFER_TOO_SMALL: return "buffer too small";
    case MQTTCONN_ERR_OUTPUT_FULL: return "output queue full";
    case MQTTCONN_ERR_EVENT_PENDING: return "an event is pending";
    case MQTTCONN_ERR_CLOSED: return "connection closed";
    case MQTTCONN_ERR_NEED_MORE: return "need more bytes";
    case MQTTCONN_ERR_MALFORMED: return "malformed packet";
    case MQTTCONN_ERR_PROTOCOL: return "protocol error";
    case MQTTCONN_ERR_UNSUPPORTED_VERSION: return "unsupported protocol version";
    case MQTTCONN_ERR_PACKET_TOO_LARGE: return "packet too large";
    case MQTTCONN_ERR_TOPIC_NAME: return "topic name invalid";
    case MQTTCONN_ERR_TOPIC_FILTER: return "topic filter invalid";
    case MQTTCONN_ERR_TOPIC_ALIAS: return "topic alias invalid";
    case MQTTCONN_ERR_PAYLOAD_FORMAT: return "payload format invalid";
    case MQTTCONN_ERR_NOMEM: return "out of memory";
    case MQTTCONN_ERR_INTERNAL: return "internal error";
    default: return "unknown code";
  }
}

MQTTCONN_API int mqttconn_is_fatal(int rc) { return rc <= -900 ? 1 : 0; }

}  // extern "C"
