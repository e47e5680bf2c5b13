/* error.c - hvp_error helpers (see include/hvprobe/error.h). */
#include "hvprobe/error.h"
#include "hvprobe/hvprobe.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int hvp_fail(hvp_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

int hvp_wrap(hvp_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    char prefix[HVP_ERROR_MSG_MAX], old[HVP_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%.200s: %.300s", prefix, old);
    if (err->code == 0)
        err->code = code;
    return err->code;
}

const char *hvp_status_name(int code)
{
    switch (code) {
    case HVP_OK: return "ok";
    case HVP_E_INVAL: return "invalid argument";
    case HVP_E_INPUT: return "malformed input";
    case HVP_E_IO: return "I/O error";
    case HVP_E_TIMEOUT: return "timeout";
    case HVP_E_CLOSED: return "connection closed";
    case HVP_E_PROTO: return "protocol error";
    case HVP_E_UNSUPPORTED: return "not supported";
    case HVP_E_NOMEM: return "out of memory";
    case HVP_E_TARGET: return "target error";
    case HVP_E_INTERNAL: return "internal error";
    case HVP_E_OUTPUT: return "output not written";
    case HVP_E_CANCELLED: return "cancelled";
    case HVP_E_NOTRIGGER: return "trigger did not fire";
    case HVP_E_ARCH: return "architecture mismatch";
    default: return "unknown error";
    }
}

const char *hvp_version(void)
{
    return HVP_VERSION;
}
