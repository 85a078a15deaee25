#ifndef EDDY_CRDKAFKA_SHIM_H
#define EDDY_CRDKAFKA_SHIM_H
// librdkafka for Swift: the library's own headers plus helpers for what Swift cannot
// call directly (variadic functions, macros). Everything here is prefixed `eddy_`.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/// rd_kafka_producev is variadic; Swift cannot call it. Produces one message by copy.
static inline rd_kafka_resp_err_t eddy_rd_kafka_produce(rd_kafka_t *rk, const char *topic,
        int32_t partition, const void *key, size_t key_len, const void *value,
        size_t value_len, int64_t timestamp_ms, void *opaque) {
    return rd_kafka_producev(rk,
        RD_KAFKA_V_TOPIC(topic),
        RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(key, key_len),
        RD_KAFKA_V_VALUE(value, value_len),
        RD_KAFKA_V_TIMESTAMP(timestamp_ms),
        RD_KAFKA_V_OPAQUE(opaque),
        RD_KAFKA_V_END);
}

#endif
