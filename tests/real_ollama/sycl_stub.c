/*
 * Stands in for libollama-ggml-sycl.so of the PyPI package bigdl-core-cpp 2.6.0 (the
 * Ollama 0.5.4-ipexllm-20250407 build), whose real library aborts at load on a machine
 * without an Intel GPU ("can not find preferred GPU platform").
 *
 * It exports exactly the symbols the other libraries of that build import from it
 * (`nm -D --undefined-only libollama_ggml.so libollama_llama.so
 * libollama_llava_shared.so`, checked again by setup.sh before it swaps the file):
 * the backend registry entry returns NULL, so no SYCL device is registered and
 * everything runs on the CPU backend; the functions that only make sense with a SYCL
 * device either report "no device" or refuse loudly.
 *
 * Built by tests/real_ollama/setup.sh: gcc -shared -fPIC -O2 -o libollama-ggml-sycl.so
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* ggml_backend_reg_t ggml_backend_sycl_reg(void): NULL = no SYCL backend to register
 * (ggml-backend-reg.cpp skips a NULL registration). */
void *ggml_backend_sycl_reg(void) { return NULL; }

/* ggml_backend_t ggml_backend_sycl_init(int device): NULL = no such device; the llava
 * code that calls it directly falls back to the CPU backend on NULL. */
void *ggml_backend_sycl_init(int device) {
    (void)device;
    return NULL;
}

/* Called by llama.cpp only for a device of the GPU type, which never exists here. */
const char *ggml_backend_sycl_get_device_name(int device) {
    (void)device;
    return "no SYCL device (test stub)";
}

/* The C++ function `ggml_format_convert_to_xpu(const void*, void*, unsigned long, int)`,
 * by its mangled name: it reorders quantized blocks for an Intel GPU. Without one it
 * must never run; doing nothing would corrupt weights silently, so stop instead. */
void ggml_format_convert_to_xpu(const void *src, void *dst, unsigned long size, int type)
    __asm__("_Z26ggml_format_convert_to_xpuPKvPvmi");

void ggml_format_convert_to_xpu(const void *src, void *dst, unsigned long size, int type) {
    (void)src;
    (void)dst;
    (void)size;
    (void)type;
    fputs("sycl stub: ggml_format_convert_to_xpu called, but no Intel GPU is present\n", stderr);
    abort();
}
