/* test_snapshot.c - snapshot model and JSON: round trip, validation with
 * line/column, version checks, atomic save. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "hvprobe/snapshot.h"

static hvp_snapshot *sample(void)
{
    hvp_snapshot *s = hvp_snapshot_new();
    s->hvprobe_version = strdup("0.1.0");
    s->captured_at = strdup("2026-11-25T15:00:00Z");
    s->label = strdup("tcg-vexpress");
    s->channels = HVP_CH_QMP | HVP_CH_GDB;
    s->backend.qemu_version = strdup("7.2.22");
    s->backend.machine = strdup("vexpress-a9");
    s->backend.accelerator = strdup("tcg");
    s->backend.kvm_enabled = HVP_NO;
    s->backend.was_running = HVP_YES;
    s->backend.resumed = HVP_YES;
    s->cpu.have_core = 1;
    for (int i = 0; i < 16; i++)
        s->cpu.r[i] = 0x1000u * (uint32_t)i;
    s->cpu.cpsr = 0x600001d3;
    s->cpu.secure = HVP_YES;
    s->cpu.secure_source = strdup("SCR.NS");
    s->cpu.source = strdup("gdb");
    hvp_snapshot_add_reg(s, "VBAR", 0, 32);
    hvp_snapshot_add_reg(s, "VBAR_S", 0x60000000, 32);
    hvp_snapshot_add_reg(s, "TTBR0_EL1", 0x1234567890ull, 64);
    uint8_t zero[64] = { 0 };
    hvp_snapshot_add_mem(s, 0, HVP_SPACE_VIRTUAL, 64, zero, 64, NULL, "low-vectors", "gdb");
    hvp_snapshot_add_mem(s, 0xffff0000u, HVP_SPACE_VIRTUAL, 64, NULL, 0, "Cannot access memory",
                         "high-vectors", "gdb");
    hvp_region *r = calloc(1, sizeof *r);
    r->address_space = strdup("memory");
    r->start = 0;
    r->end = 0x3ffffff;
    r->kind = strdup("romd");
    r->name = strdup("vexpress.flashalias");
    r->is_alias = 1;
    r->alias_target = strdup("vexpress.flash0");
    r->enabled = 1;
    hvp_snapshot_add_regions(s, r, 1);
    hvp_snapshot_add_raw(s, "hmp", "info registers", "R00=00000000 ...\r\n");
    hvp_snapshot_add_unknown(s, "backend.cpu_model", "needs the QMP channel (--qmp)");
    return s;
}

static void round_trip(void **st)
{
    (void)st;
    hvp_snapshot *s = sample();
    hvp_error err = { 0 };
    char *json = hvp_snapshot_to_json(s, &err);
    assert_non_null(json);
    hvp_snapshot *t = NULL;
    assert_int_equal(hvp_snapshot_from_json(json, strlen(json), &t, &err), HVP_OK);
    assert_string_equal(t->label, "tcg-vexpress");
    assert_int_equal(t->channels, HVP_CH_QMP | HVP_CH_GDB);
    assert_int_equal(t->cpu.cpsr, 0x600001d3);
    assert_int_equal(t->cpu.r[15], 0xf000);
    assert_int_equal(t->cpu.secure, HVP_YES);
    assert_int_equal(hvp_snapshot_reg(t, "VBAR_S")->value, 0x60000000);
    assert_int_equal(hvp_snapshot_reg(t, "TTBR0_EL1")->value, 0x1234567890ull);
    assert_int_equal(hvp_snapshot_reg(t, "TTBR0_EL1")->bits, 64);
    const hvp_memread *lo = hvp_snapshot_mem(t, 0, HVP_SPACE_VIRTUAL);
    assert_non_null(lo);
    assert_int_equal(lo->got, 64);
    assert_null(lo->error);
    const hvp_memread *hi = hvp_snapshot_mem(t, 0xffff0000u, HVP_SPACE_VIRTUAL);
    assert_int_equal(hi->got, 0);
    assert_string_equal(hi->error, "Cannot access memory");
    assert_int_equal(t->nmemory_map, 1);
    assert_string_equal(t->memory_map[0].alias_target, "vexpress.flash0");
    assert_int_equal(t->backend.kvm_enabled, HVP_NO);
    assert_int_equal(t->backend.kvm_present, HVP_UNKNOWN);
    assert_string_equal(t->raw[0].text, "R00=00000000 ...\r\n");
    /* Serialising the loaded copy gives the same text: nothing lost. */
    char *json2 = hvp_snapshot_to_json(t, &err);
    assert_string_equal(json, json2);
    free(json);
    free(json2);
    hvp_snapshot_free(s);
    hvp_snapshot_free(t);
}

/* A guest-trap context with the traps resolved before it survives the
 * round trip; a malformed earlier_traps entry names its field. */
static void context_round_trip(void **st)
{
    (void)st;
    hvp_snapshot *s = sample();
    hvp_context *c = &s->context;
    c->kind = strdup("guest-trap");
    c->trap = strdup("prefetch-abort");
    c->report = strdup("Pagefault from [vm0]: read prefetch fault @ PC: 0x8 IPA: 0x8, FSR: 0x6");
    c->policy = strdup("maps any page on demand except page 0");
    c->have_syndrome = 1;
    c->syndrome = 0x80000006;
    c->ipa = 8;
    c->earlier = calloc(2, sizeof *c->earlier);
    c->nearlier = 2;
    c->earlier[0] = (hvp_trap_seen){ strdup("data-abort"), 0x400000e0, 0x9000000, 0x93830046,
                                     strdup("OnDemandInstall: Created device-backed memory for addr 0x9000000") };
    c->earlier[1] = (hvp_trap_seen){ strdup("data-abort"), 0x40008f88, 0x8040004, 0x93820007, NULL };
    c->condition.name = strdup("storm");
    c->condition.how = strdup("taking the same Prefetch Abort exception 113,004 times a second");
    c->condition.exception = strdup("Prefetch Abort");
    c->condition.rate = 113004.5;
    c->condition.seconds = 1.0;
    c->condition.have_window = 1;
    c->condition.pc_lo = c->condition.pc_hi = 0xc;
    hvp_error err = { 0 };
    char *json = hvp_snapshot_to_json(s, &err);
    hvp_snapshot *t = NULL;
    assert_int_equal(hvp_snapshot_from_json(json, strlen(json), &t, &err), HVP_OK);
    assert_string_equal(t->context.policy, "maps any page on demand except page 0");
    assert_int_equal(t->context.nearlier, 2);
    assert_int_equal(t->context.earlier[0].ipa, 0x9000000);
    assert_int_equal(t->context.earlier[0].pc, 0x400000e0);
    assert_string_equal(t->context.earlier[0].resolved_by,
                        "OnDemandInstall: Created device-backed memory for addr 0x9000000");
    assert_null(t->context.earlier[1].resolved_by);
    assert_int_equal(t->context.earlier[1].syndrome, 0x93820007);
    assert_string_equal(t->context.condition.name, "storm");
    assert_string_equal(t->context.condition.exception, "Prefetch Abort");
    assert_true(t->context.condition.rate > 113004 && t->context.condition.rate < 113005);
    assert_int_equal(t->context.condition.have_window, 1);
    assert_int_equal(t->context.condition.pc_hi, 0xc);
    char *json2 = hvp_snapshot_to_json(t, &err);
    assert_string_equal(json, json2);
    free(json2);
    hvp_snapshot_free(t);
    t = NULL;
    /* An entry without its pc. */
    char *bad = strstr(json, "\"pc\": \"0x400000e0\"");
    assert_non_null(bad);
    memcpy(bad, "\"pX", 3);
    assert_int_equal(hvp_snapshot_from_json(json, strlen(json), &t, &err), HVP_E_INPUT);
    assert_null(t);
    assert_non_null(strstr(err.msg, "context.earlier_traps[].pc"));
    /* A condition without its name. */
    memcpy(bad, "\"pc", 3);
    char *nm = strstr(json, "\"name\": \"storm\"");
    assert_non_null(nm);
    memcpy(nm, "\"nXme", 5);
    assert_int_equal(hvp_snapshot_from_json(json, strlen(json), &t, &err), HVP_E_INPUT);
    assert_null(t);
    assert_non_null(strstr(err.msg, "context.condition.name"));
    free(json);
    hvp_snapshot_free(s);
}

static void malformed_reports_line_and_column(void **st)
{
    (void)st;
    const char *text = "{\n  \"schema_version\": 1,\n  \"label\": oops\n}";
    hvp_snapshot *t = NULL;
    hvp_error err = { 0 };
    assert_int_equal(hvp_snapshot_from_json(text, strlen(text), &t, &err), HVP_E_INPUT);
    assert_null(t);
    assert_non_null(strstr(err.msg, "line 3"));
    assert_non_null(strstr(err.msg, "column"));
}

static void truncated_is_an_error(void **st)
{
    (void)st;
    hvp_snapshot *s = sample();
    char *json = hvp_snapshot_to_json(s, NULL);
    size_t cut = strlen(json) / 2;
    hvp_snapshot *t = NULL;
    hvp_error err = { 0 };
    assert_int_equal(hvp_snapshot_from_json(json, cut, &t, &err), HVP_E_INPUT);
    assert_non_null(strstr(err.msg, "malformed JSON"));
    free(json);
    hvp_snapshot_free(s);
}

static void wrong_shape_names_the_field(void **st)
{
    (void)st;
    hvp_error err = { 0 };
    hvp_snapshot *t = NULL;
    const char *a = "{\"hypervisor\": \"Linux KVM\"}";
    assert_int_equal(hvp_snapshot_from_json(a, strlen(a), &t, &err), HVP_E_INPUT);
    assert_non_null(strstr(err.msg, "schema_version"));
    const char *b = "{\"schema_version\": 7, \"captured_at\": \"x\", \"channels\": [], \"backend\": {}}";
    assert_int_equal(hvp_snapshot_from_json(b, strlen(b), &t, &err), HVP_E_INPUT);
    assert_non_null(strstr(err.msg, "version 7"));
    const char *c = "{\"schema_version\": 1, \"captured_at\": \"x\", \"channels\": [\"gdb\"], \"backend\": {},"
                    " \"cp15\": {\"VBAR\": 12}}";
    assert_int_equal(hvp_snapshot_from_json(c, strlen(c), &t, &err), HVP_E_INPUT);
    assert_non_null(strstr(err.msg, "cp15.VBAR"));
    const char *d = "{\"schema_version\": 1, \"captured_at\": \"x\", \"channels\": [\"gdb\"], \"backend\": {},"
                    " \"memory\": [{\"addr\": \"0x0\", \"space\": \"virtual\", \"len\": 8, \"bytes\": \"0000\"}]}";
    assert_int_equal(hvp_snapshot_from_json(d, strlen(d), &t, &err), HVP_E_INPUT);
    assert_non_null(strstr(err.msg, "memory[0]"));
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void save_is_atomic_and_loads_back(void **st)
{
    (void)st;
    char dir[] = "/tmp/hvp-snap-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/s.json", dir);
    hvp_snapshot *s = sample();
    hvp_error err = { 0 };
    assert_int_equal(hvp_snapshot_save(s, path, &err), HVP_OK);
    assert_int_equal(count_entries(dir), 1); /* no temp file left */
    hvp_snapshot *t = NULL;
    assert_int_equal(hvp_snapshot_load(path, &t, &err), HVP_OK);
    assert_string_equal(t->label, "tcg-vexpress");
    hvp_snapshot_free(t);
    /* A directory that does not exist: error, nothing created. */
    char bad[300];
    snprintf(bad, sizeof bad, "%s/missing/s.json", dir);
    assert_int_equal(hvp_snapshot_save(s, bad, &err), HVP_E_IO);
    assert_int_equal(count_entries(dir), 1);
    assert_int_equal(hvp_snapshot_load("/nonexistent/x.json", &t, &err), HVP_E_IO);
    unlink(path);
    rmdir(dir);
    hvp_snapshot_free(s);
}

static void unwritable_path_names_the_file(void **st)
{
    (void)st;
    hvp_snapshot *s = sample();
    hvp_error err = { 0 };
    assert_int_not_equal(hvp_snapshot_save(s, "/proc/hvprobe-cannot-exist.json", &err), HVP_OK);
    assert_non_null(strstr(err.msg, "hvprobe-cannot-exist.json"));
    hvp_snapshot_free(s);
}

/* A RAM image as a loaded snapshot holds it (no temporary file). */
static void add_ram_image(hvp_snapshot *s, const char *file, const char *tmp)
{
    s->ram_images = realloc(s->ram_images, (s->nram_images + 1) * sizeof *s->ram_images);
    hvp_ram_image *m = &s->ram_images[s->nram_images++];
    memset(m, 0, sizeof *m);
    m->file = strdup(file);
    m->region = strdup("vexpress.highmem");
    m->addr = 0x60000000;
    m->len = 3;
    memset(m->sha256, 'a', 64);
    m->method = strdup("qmp");
    m->aliases = calloc(1, sizeof *m->aliases);
    m->naliases = 1;
    m->aliases[0].name = strdup("vexpress.lowmem");
    m->aliases[0].len = 3;
    m->aliases[0].visible = HVP_NO;
    m->tmp_path = tmp ? strdup(tmp) : NULL;
}

static void ram_images_round_trip(void **st)
{
    (void)st;
    hvp_snapshot *s = sample();
    hvp_error err = { 0 };
    /* Without RAM images the field is absent: older readers see nothing new. */
    char *json = hvp_snapshot_to_json(s, &err);
    assert_null(strstr(json, "ram_images"));
    free(json);
    add_ram_image(s, "s.ram-0x60000000.bin", NULL);
    json = hvp_snapshot_to_json(s, &err);
    hvp_snapshot *t = NULL;
    assert_int_equal(hvp_snapshot_from_json(json, strlen(json), &t, &err), HVP_OK);
    assert_int_equal(t->nram_images, 1);
    const hvp_ram_image *m = &t->ram_images[0];
    assert_string_equal(m->file, "s.ram-0x60000000.bin");
    assert_string_equal(m->region, "vexpress.highmem");
    assert_int_equal(m->addr, 0x60000000);
    assert_int_equal(m->len, 3);
    assert_string_equal(m->method, "qmp");
    assert_null(m->tmp_path);
    assert_int_equal(m->naliases, 1);
    assert_string_equal(m->aliases[0].name, "vexpress.lowmem");
    assert_int_equal(m->aliases[0].visible, HVP_NO);
    char *json2 = hvp_snapshot_to_json(t, &err);
    assert_string_equal(json, json2);
    free(json2);
    hvp_snapshot_free(t);
    /* A file name with a directory part is refused: images live beside the snapshot. */
    char *p = strstr(json, "s.ram-0x60000000.bin");
    memcpy(p, "../../etc/passwd.bin", strlen("../../etc/passwd.bin"));
    assert_int_equal(hvp_snapshot_from_json(json, strlen(json), &t, &err), HVP_E_INPUT);
    assert_non_null(strstr(err.msg, "ram_images[0]"));
    free(json);
    hvp_snapshot_free(s);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* A fresh capture's image is renamed with the snapshot; when the snapshot
 * cannot be written, the image goes back to its temporary name, the file
 * it replaced comes back, and freeing the snapshot removes the image. */
static void ram_images_commit_and_rollback(void **st)
{
    (void)st;
    char dir[] = "/tmp/hvp-ram-XXXXXX", path[600], tmp[300], img[300], buf[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/s.json", dir);
    snprintf(tmp, sizeof tmp, "%s/.hvprobe-ram.test1", dir);
    snprintf(img, sizeof img, "%s/s.ram-0x60000000.bin", dir);
    write_file(tmp, "NEW");
    hvp_snapshot *s = sample();
    add_ram_image(s, "s.ram-0x60000000.bin", tmp);
    hvp_error err = { 0 };
    assert_int_equal(hvp_snapshot_save(s, path, &err), HVP_OK);
    assert_null(s->ram_images[0].tmp_path);
    slurp(img, buf, sizeof buf);
    assert_string_equal(buf, "NEW");
    assert_int_equal(count_entries(dir), 2);
    hvp_snapshot_free(s);
    assert_int_equal(count_entries(dir), 2); /* committed files stay */

    /* Now a failing save: the snapshot's name is too long to create. */
    write_file(img, "OLD");
    write_file(tmp, "NEW");
    s = sample();
    add_ram_image(s, "s.ram-0x60000000.bin", tmp);
    char longp[600];
    snprintf(longp, sizeof longp, "%s/%0300d.json", dir, 0);
    assert_int_not_equal(hvp_snapshot_save(s, longp, &err), HVP_OK);
    slurp(img, buf, sizeof buf);
    assert_string_equal(buf, "OLD");
    slurp(tmp, buf, sizeof buf);
    assert_string_equal(buf, "NEW");
    assert_int_equal(count_entries(dir), 3); /* s.json, the old image, the pending one */
    /* Standard output cannot hold images beside it. */
    assert_int_equal(hvp_snapshot_save(s, "-", &err), HVP_E_INVAL);
    hvp_snapshot_free(s);
    assert_int_equal(count_entries(dir), 2); /* the pending image is gone */
    unlink(img);
    unlink(path);
    rmdir(dir);
}

static void mode_names(void **st)
{
    (void)st;
    assert_string_equal(hvp_arm_mode_name(0x600001d3), "svc32");
    assert_string_equal(hvp_arm_mode_name(0x1a), "hyp32");
    assert_string_equal(hvp_arm_mode_name(0x97), "abt32");
    assert_string_equal(hvp_arm_mode_name(0x10), "usr32");
    assert_string_equal(hvp_arm_mode_name(0x14), "???");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(context_round_trip),
        cmocka_unit_test(malformed_reports_line_and_column),
        cmocka_unit_test(truncated_is_an_error),
        cmocka_unit_test(wrong_shape_names_the_field),
        cmocka_unit_test(save_is_atomic_and_loads_back),
        cmocka_unit_test(unwritable_path_names_the_file),
        cmocka_unit_test(mode_names),
        cmocka_unit_test(ram_images_round_trip),
        cmocka_unit_test(ram_images_commit_and_rollback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
