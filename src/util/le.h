/* le.h - little-endian words from guest bytes (ARM guests here). */
#ifndef HVP_UTIL_LE_H
#define HVP_UTIL_LE_H

#include <stdint.h>

static inline uint32_t hvp_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t hvp_le64(const uint8_t *p)
{
    return (uint64_t)hvp_le32(p) | (uint64_t)hvp_le32(p + 4) << 32;
}

#endif
