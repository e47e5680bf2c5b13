/*
 * hvprobe/error.h - status codes and the error struct every fallible
 * function takes as its last parameter.
 *
 * Convention: functions return HVP_OK (0) or a negative HVP_E_* code and,
 * when `err` is not NULL, fill it with one human sentence.  The library
 * never prints and never exits; the CLI maps codes to exit statuses.
 * Ownership: hvp_error is a caller-owned value (fixed-size message).
 * Thread-safety: all of these are reentrant.
 */
#ifndef HVPROBE_ERROR_H
#define HVPROBE_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum hvp_status {
    HVP_OK = 0,
    HVP_E_INVAL = -1,       /* bad argument or usage */
    HVP_E_INPUT = -2,       /* malformed input data or file */
    HVP_E_IO = -3,          /* operating-system I/O failure */
    HVP_E_TIMEOUT = -4,     /* peer did not answer in time */
    HVP_E_CLOSED = -5,      /* peer hung up */
    HVP_E_PROTO = -6,       /* peer broke the protocol */
    HVP_E_UNSUPPORTED = -7, /* channel or target cannot do this */
    HVP_E_NOMEM = -8,       /* allocation failed */
    HVP_E_TARGET = -9,      /* target answered with an error */
    HVP_E_INTERNAL = -10,   /* bug in hvprobe */
    HVP_E_OUTPUT = -11,     /* an output file could not be written (full
                               disk, ...); nothing partial was left */
    HVP_E_CANCELLED = -12,  /* the caller's cancel callback asked to stop */
    HVP_E_NOTRIGGER = -13,  /* a run's trigger did not fire in its time */
    HVP_E_ARCH = -14        /* the architectures do not fit: an AArch64
                               image for a 32-bit-only backend, AArch32 and
                               AArch64 snapshots compared as one set, a
                               register the target's description lacks */
};

#define HVP_ERROR_MSG_MAX 512

typedef struct hvp_error {
    int code;                       /* one of enum hvp_status */
    char msg[HVP_ERROR_MSG_MAX];     /* one sentence, no trailing newline */
} hvp_error;

/* Fill `err` (if not NULL) with `code` and a printf-style message;
 * returns `code` so callers can write `return hvp_fail(err, ...)`. */
int hvp_fail(hvp_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the existing message in `err` with "context: " (if err is not
 * NULL); returns err->code, or `code` when err is NULL. */
int hvp_wrap(hvp_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Static name of a status code, e.g. "timeout". */
const char *hvp_status_name(int code);

#ifdef __cplusplus
}
#endif
#endif
