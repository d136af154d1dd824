//! Ollama's behaviour per version, read from its source and encoded as pure rules.
//!
//! Every rule is a pure function of an [`OllamaVersion`] (use
//! [`OllamaVersion::NEWEST`] when no Ollama is present) and plain values; nothing
//! here touches the system. Sources are paths in `github.com/ollama/ollama` at the
//! tag named; commits are those that introduced the change.
//!
//! | Rule | Versions | Source |
//! |---|---|---|
//! | Oldest supported: `ollama show MODEL` view | ≥ 0.1.45; 0.0.0 counts as too old | `cmd/cmd.go`@v0.1.45 (fedf71635) |
//! | Version strings: suffix dropped, rc = release | all | `version/version.go` (0.0.0 = unversioned build) |
//! | Client re-writes the Modelfile through `quote()` | ≤ 0.5.4 | `cmd/cmd.go` `CreateHandler`@v0.5.4, `parser/parser.go`@v0.5.4 |
//! | Client sends structured fields; empty SYSTEM/TEMPLATE skipped | ≥ 0.5.5 | `parser/parser.go` `CreateRequest`, `server/create.go`@v0.5.5 (86a622cbd) |
//! | `show --modelfile` prints values through `quote()` | all | `server/images.go` `Model.String`@v0.1.45…v0.33.0-rc2 |
//! | MESSAGE read back as `role content` | < 0.3.3 | `server/images.go`@v0.3.2 (fixed d87b4a488) |
//! | Parser trims a value before unquoting | ≥ 0.2.0 | `parser/parser.go` (9bd00041f) |
//! | `create -q`: llama.cpp names; no IQ1/IQ2/IQ3_XXS/Q2_K_S/Q4_1_F16 | ≤ 0.6.8 | `llm/filetype.go`@v0.5.4, `llama/llama.cpp`@v0.5.4; IQ3_M ≥ 0.4.5 |
//! | `create -q`: F32, F16, Q8_0, Q4_K_S, Q4_K_M (Q4_K), BF16 | ≥ 0.6.9 | `fs/ggml/type.go`@v0.7.0 (424810450) |
//! | Quantize sources F16/F32; + BF16 | ≤ 0.21; ≥ 0.22.0 | `server/images.go`@v0.5.4, `server/create.go`@v0.22.0 |
//! | Classic estimator, KV uncapped past `n_ctx_train` | ≤ 0.9.2 | `llm/memory.go`, `llm/ggml.go` `GraphSize`, `server/sched.go`@v0.5.4 |
//! | Classic estimator, context capped per slot | 0.9.3 – 0.11.10 (llama.cpp models to 0.24) | `llm/server.go`@v0.9.3 (10a8e04a8) |
//! | Measured allocations (Ollama engine) | opt-in 0.11.5, default 0.11.11 – 0.24 | `llm/server.go`@v0.11.5/v0.11.11, `kvcache/causal.go`@v0.12.11 |
//! | `PredictServerVRAM`, batch surcharge, 80 % admission | ≥ 0.30.0 | `llm/llama_server.go`, `server/sched.go`@v0.30.0…v0.33.0-rc2 (9db4bdbad) |
//! | Default context 2048 / 4096 / by VRAM (47 GiB → 262144, 23 GiB → 32768) | < 0.6.7 / ≥ 0.6.7 / ≥ 0.15.5 | `envconfig/config.go`@v0.6.7 (44b466eeb), `server/routes.go`@v0.15.5 (0334ffa62) |
//! | gpt-oss (qwen3vl ≥ 0.12.7) context ≥ 8192, not under 20 GiB VRAM (≥ 0.11.4) | 0.11.0 – 0.15.4 | `server/routes.go`@v0.11.0, v0.11.4 (f2e9c9aff) |
//! | `OLLAMA_NUM_PARALLEL` 1 / auto 4→1 / auto 2→1 / 1 | ≤ 0.1.48 / 0.2.0 / 0.6.7 / ≥ 0.9.7 | `envconfig/config.go`, `server/sched.go` `defaultParallel` |
//! | `OLLAMA_MAX_LOADED_MODELS` 1 / 3 × GPUs (3 on CPU) | ≤ 0.1.48 / ≥ 0.2.0 | `server/sched.go` `defaultModelsPerGPU`@v0.2.0…v0.33.0-rc2 |
//! | `OLLAMA_KEEP_ALIVE` 5m | all | `server/routes.go`@v0.1.45, `envconfig/config.go`@v0.3.2 |
//! | Server variables per version | all | `envconfig/config.go` at every tag |
//! | Quantized KV needs flash attention / passed to llama-server | 0.5.0 – 0.24 / ≥ 0.30 | `llm/server.go`@v0.12.4, `llm/llama_server.go`@v0.33.0-rc2 |
//! | Flash attention off / per model / auto | < 0.11.8 / 0.11.8 – 0.24 / ≥ 0.30 | `llm/server.go` (85ccf7354), `fs/ggml/ggml.go` `FlashAttention` |
//! | PARAMETER names and deprecations | all | `api/types.go` at every tag; `parser/parser.go` `deprecatedParameters`@v0.5.5, v0.7.0 |

pub mod classic;
pub mod defaults;
pub mod env;
pub mod llama_server;
pub mod memory;
pub mod modelfile;
pub mod params;
pub mod quantize;
pub mod readback;
pub mod values;
pub mod version;

pub use memory::MemoryRule;
pub use readback::{Field, expected_read_back, go_quote, shown_line};
pub use values::{Failure, Refusal, survives};
pub use version::{OllamaTarget, OllamaVersion};
