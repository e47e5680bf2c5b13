/*
 * core/trace.h - internal side of the trace reader (the public API is
 * hvprobe/trace.h): rendering into a growable buffer, for callers that
 * append to one.
 */
#ifndef HVP_CORE_TRACE_H
#define HVP_CORE_TRACE_H

#include "hvprobe/trace.h"
#include "util/buf.h"

/* Append the text report to `out` (see hvp_trace_render). HVP_E_NOMEM. */
int hvp_trace_render_text(const hvp_trace *t, const char *source, hvp_buf *out, hvp_error *err);

/* The same as a JSON document (jansson, indented), appended to `out`. */
int hvp_trace_render_json(const hvp_trace *t, const char *source, hvp_buf *out, hvp_error *err);

#endif
