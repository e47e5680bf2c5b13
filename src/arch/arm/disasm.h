/*
 * disasm.h - decode one ARM or Thumb instruction with capstone and say
 * what it means for control flow at an exception vector.
 *
 * Pure: bytes in, description out.  Thread-safe (each call opens its own
 * capstone handle through an arm_disasm context the caller owns).
 * capstone itself is loaded on the first arm_disasm_new() (see disasm.c).
 */
#ifndef HVP_ARCH_ARM_DISASM_H
#define HVP_ARCH_ARM_DISASM_H

#include <stddef.h>
#include <stdint.h>
#include "hvprobe/error.h"

typedef enum arm_flow {
    ARM_FLOW_UNDEFINED = 0, /* not a valid instruction */
    ARM_FLOW_BRANCH,        /* B/B.W imm: target known */
    ARM_FLOW_LOAD_PC,       /* LDR PC, [PC, #imm]: target is the literal */
    ARM_FLOW_MOV_PC,        /* MOV PC, Rn / BX Rn: target in a register */
    ARM_FLOW_RETURN,        /* SUBS PC, LR, #n / MOVS PC, LR: exception return */
    ARM_FLOW_OTHER          /* decodes, falls through to the next word */
} arm_flow;

typedef struct arm_decoded {
    arm_flow flow;
    int conditional;        /* 1 when the condition is not AL */
    unsigned size;          /* bytes: 4 (ARM / Thumb-2) or 2 (Thumb) */
    uint64_t target;        /* ARM_FLOW_BRANCH */
    uint64_t literal;       /* ARM_FLOW_LOAD_PC: address of the literal */
    char text[80];          /* "b #0x60000020", "andeq r0, r0, r0" */
} arm_decoded;

typedef struct arm_disasm arm_disasm;

/* thumb: 0 = ARM (A32), 1 = Thumb (T32).  Free with arm_disasm_free.
 * HVP_E_INTERNAL when capstone cannot be loaded (the message says why). */
int arm_disasm_new(int thumb, arm_disasm **out, hvp_error *err);
void arm_disasm_free(arm_disasm *d);

/* An AArch64 (A64) decoder: arm_decode() then gives BRANCH for B / BL
 * (and, conditional, B.cond, CBZ, CBNZ, TBZ, TBNZ) with the absolute
 * target, MOV_PC for BR / BLR / RET (a register), RETURN for ERET, UNDEFINED for what
 * capstone cannot decode (0x00000000 is UDF #0) and HLT. */
int arm_disasm_new_a64(arm_disasm **out, hvp_error *err);

/* Decode the instruction at `addr` from bytes[0..len) (little-endian).
 * Always fills *out (flow UNDEFINED when capstone cannot decode). */
void arm_decode(arm_disasm *d, const uint8_t *bytes, size_t len, uint64_t addr, arm_decoded *out);

/* Where a decoded vector entry jumps, when that is known from the entry
 * alone: a branch's target, or the word an LDR PC literal holds when the
 * literal lies in bytes[0..len) (which start at address `base`).
 * Returns 1 and sets *target, else 0. */
int arm_entry_target(const arm_decoded *d, const uint8_t *bytes, size_t len, uint64_t base, uint64_t *target);

/* Where a vector entry (an A32 word at addr, inside bytes[0..len) read
 * at base) sends the CPU, without capstone: B / BL / BLX with an
 * immediate, and LDR PC, [PC, #+-imm] with its literal inside bytes.
 * For the capture only, to know which handler bytes to read while the
 * guest is halted (loading capstone costs more than the whole capture's
 * round trips); verdicts are capstone's (arm_decode + arm_entry_target),
 * and tests/unit/test_disasm.c checks both agree on every word they try. */
int arm_quick_entry_target(const uint8_t *bytes, size_t len, uint64_t base, uint64_t addr,
                           uint64_t *target);

/* The literal's address when the word at addr is an LDR PC,
 * [PC, #+-imm] (1), wherever the literal lies; else 0.  Linux's vector
 * page loads its SVC handler from the stubs page 4 KiB above it. */
int arm_quick_literal(const uint8_t *bytes, size_t len, uint64_t base, uint64_t addr, uint64_t *literal);

/* A64 `B imm26` or `BL imm26` at addr inside bytes[0..len) (read at
 * base): 1 and the target, without capstone (the capture's quick look);
 * else 0. */
int arm_quick_a64_branch(const uint8_t *bytes, size_t len, uint64_t base, uint64_t addr, uint64_t *target);

#endif
