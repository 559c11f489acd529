/*
 * Fuzz target: the bounded reader and writer.  Interprets the input as a
 * small program of reader operations on the rest of the input (so the
 * fuzzer explores every getter and nested vectors at every boundary), then
 * re-encodes what it read with the writer into a tight buffer and checks
 * the two agree.  Any out-of-bounds read or UB is caught by ASan/UBSan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    size_t nops = data[0] % 16;
    if (size < 1 + nops)
        return 0;
    const uint8_t *ops = data + 1;
    tern_reader stack[8];
    int depth = 0;
    tern_rd_init(&stack[0], data + 1 + nops, size - 1 - nops);
    uint8_t out[64];
    for (size_t i = 0; i < nops; i++) {
        tern_reader *r = &stack[depth];
        size_t before = tern_rd_left(r);
        int rc = 0;
        uint8_t v8;
        uint16_t v16;
        uint32_t v32;
        uint64_t v64;
        switch (ops[i] % 11) {
        case 0: rc = tern_rd_u8(r, &v8); break;
        case 1: rc = tern_rd_u16(r, &v16); break;
        case 2: rc = tern_rd_u24(r, &v32); break;
        case 3: rc = tern_rd_u32(r, &v32); break;
        case 4: rc = tern_rd_u64(r, &v64); break;
        case 5: rc = tern_rd_copy(r, out, ops[i] % sizeof out); break;
        case 6:
        case 7:
        case 8:
            if (depth + 1 < 8) {
                tern_reader sub;
                rc = ops[i] % 11 == 6 ? tern_rd_vec8(r, &sub)
                     : ops[i] % 11 == 7 ? tern_rd_vec16(r, &sub) : tern_rd_vec24(r, &sub);
                if (rc == 0)
                    stack[++depth] = sub;
            }
            break;
        case 9: rc = tern_rd_end(r); break;
        case 10:
            if (depth > 0)
                depth--;
            break;
        }
        /* A failed getter never moves the reader. */
        if (rc < 0 && tern_rd_left(&stack[depth]) != before)
            abort();
    }
    /* Writer: copy the remaining top-level bytes as a vec16 into a buffer of
     * exactly the right size, and one byte too small. */
    size_t left = tern_rd_left(&stack[0]);
    if (left <= 0xffff) {
        uint8_t *buf = malloc(left + 2);
        tern_writer w;
        tern_wr_vec v;
        tern_wr_init(&w, buf, left + 2);
        if (tern_wr_begin(&w, &v, 2) || tern_wr_bytes(&w, stack[0].p, left) || tern_wr_end(&w, &v))
            abort();
        tern_reader back, sub;
        tern_rd_init(&back, buf, left + 2);
        if (tern_rd_vec16(&back, &sub) || tern_rd_left(&sub) != left || memcmp(sub.p, stack[0].p, left))
            abort();
        tern_wr_init(&w, buf, left + 1);
        if (tern_wr_begin(&w, &v, 2) == 0 && tern_wr_bytes(&w, stack[0].p, left) == 0)
            abort();
        free(buf);
    }
    return 0;
}
