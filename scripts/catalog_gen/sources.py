"""Where every number in the catalog comes from: id -> (what was read, when).

`seen` is the date the source was read for this catalog; "2025-08-09" marks sources
carried over from the previous catalog (its reference document was written then).
"""

SOURCES = {
    "ref": ("shared/reference/quantization-and-memory.md §1.4, §2.3, §3.2 (registry blob "
            "sizes from syncaissa/sushila.cpp website/worker.js HOSTED list, "
            "blob digests 667b0c19…, cc04e85e…, dde5aa3f…, 74701a8c…, 2bada8a7…, "
            "4824460d…, 58574f2e…)", "2025-08-09"),
    "sushila": ("github.com/syncaissa/sushila.cpp website/worker.js@09bad7e1 HOSTED "
                "(bytes of Ollama registry blobs)", "2026-08-28"),
    "tags-2508": ("github.com/withrawi/rawi src/libs/providers/ollama/ollama-models-list.ts"
                  "@66412936229f (auto-generated from ollama.com/library on "
                  "2025-08-09T14:24:40Z): the tags each family publishes", "2026-08-28"),
    "lcpp-quant": ("llama.cpp src/llama-quant.cpp llama_tensor_get_type, vendored in "
                   "github.com/ollama/ollama@v0.12.10 llama/llama.cpp (llama.cpp "
                   "7049736b2dd9): per-tensor quantization types", "2026-08-28"),
    "ollama-quant": ("github.com/ollama/ollama@v0.12.10 server/quantization.go "
                     "getTensorNewType: Ollama's own quantizer (create -q, 2025-05+)",
                     "2026-08-28"),
    "ollama-convert": ("github.com/ollama/ollama@fb307609 convert/reader.go "
                       "tensorBase.Kind (Ollama-converted tensors: 1-D F32, else F16) and "
                       "convert/convert_gptoss.go (experts MXFP4)", "2026-08-28"),
    "ollama-testdata": ("github.com/ollama/ollama@fb307609 convert/testdata/*.json "
                        "(GGUF key/values of converted Mistral-7B-Instruct-v0.2, "
                        "Mixtral-8x7B-Instruct-v0.1, gemma-2-2b/9b-it, "
                        "Qwen2.5-0.5B-Instruct)", "2026-08-28"),
    "gguf-parser": ("github.com/gpustack/gguf-parser-go@8dc7a622 README.md (parsed "
                    "headers: DeepSeek-R1-Distill-Qwen-7B ctx 131072 vocab 152064; "
                    "Qwen2.5-72B-Instruct Q4_K_M 44.15 GiB; llama3.3 via registry)",
                    "2026-08-28"),
    "gemma-2b-manifest": ("registry manifest of ollama gemma:2b quoted in a public "
                          "repository (find_string `application/vnd.ollama.image.model"
                          "\",\"digest`): model blob c1864a5e… 1678447520 bytes; tensor "
                          "types from ollama.com/library/gemma:2b/blobs/c1864a5eb193",
                          "2026-08-28"),
    "apitags-r1": ("/api/tags output quoted at wenku.csdn.net/answer/4fz5j1xej4: "
                   "deepseek-r1:14b size 8988112040, deepseek-r1:7b size 4683075271 "
                   "(all layers of the manifest)", "2026-08-28"),
    "estimate": ("per-tensor estimate: the tensor list from the size's dims (dims_source), "
                 "each tensor at the type of lcpp-quant (ollama-quant for Ollama-converted "
                 "families), plus GGUF key/value bytes measured on registry blobs of the "
                 "same tokenizer (scripts/gen-catalog.py KV_BYTES)", "2026-08-28"),
    "hf-config": ("Hugging Face config.json of the model (num_hidden_layers, hidden_size, "
                  "num_attention_heads, num_key_value_heads, head_dim, intermediate_size, "
                  "vocab_size, max_position_embeddings, tie_word_embeddings), carried over "
                  "from the previous catalog", "2025-08-09"),
    "hf-config-unread": ("Hugging Face config.json values of the model as the catalog's author "
                         "knew them; NOT re-read from a stored copy this session (to verify)",
                         "2026-08-28"),
    "nemo-config": ("github.com/kevinstephano/thunder_model_blocks@5c083b0e "
                    "thunder_model_blocks/mistral/mistral_config.py (Mistral-Nemo-Base-2407 "
                    "config.json)", "2026-08-28"),
    "nvidia-gptoss": ("docs.nvidia.com/nemo/megatron-bridge/nightly/models/llm/gpt-oss.html "
                      "(layers, experts, hidden size, heads, vocab, 128-token sliding window "
                      "on alternate layers)", "2026-08-28"),
    "qat-embd": ("hf-mirror of stduhpf/google-gemma-3-27b-it-qat-q4_0-gguf-small: Google's "
                 "QAT Q4_0 GGUFs keep the embedding table at F16", "2026-08-28"),
    "ollama-gemma-blob": ("ollama.com/sam860/gemma3:270m/blobs/29005e200100 (gemma3 GGUF "
                          "keys: attention.sliding_window, key_length 256)", "2026-08-28"),
}
